print('first eval'); 'one'
//---
print('second eval starts'); (function () { throw new RangeError('second failed') })()
//---
print('never runs'); 3
