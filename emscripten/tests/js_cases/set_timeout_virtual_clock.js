var log = [];
setTimeout(function () { log.push('b100'); print(log.join(',')) }, 100);
setTimeout(function () { log.push('a0') }, 0);
var id = setTimeout(function () { log.push('cancelled') }, 50);
clearTimeout(id);
setTimeout(function () { log.push('c100') ; setTimeout(function () { print('nested', log.join(',')) }, 1) }, 100);
print('script done');
'completion'
