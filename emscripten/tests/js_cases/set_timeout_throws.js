setTimeout(function () { print('timer 1') }, 5);
setTimeout(function () { throw new Error('from timer') }, 10);
setTimeout(function () { print('timer 3 (not reached)') }, 20);
'value that is never printed'
