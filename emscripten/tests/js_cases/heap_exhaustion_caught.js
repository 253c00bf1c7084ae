// heap: 131072
var a = [], msg = 'no error';
try { for (var i = 0; i < 1000000; i++) a.push('str' + i) } catch (e) { a = null; gc(); msg = e.name + ': ' + e.message }
print(msg);
var b = []; for (var j = 0; j < 100; j++) b.push(j);
b.length
