var a = [];
for (var i = 0; i < 100000; i++) a[i] = i * 2;
var s = 0; for (var j = 0; j < a.length; j++) s += a[j];
var b = new Array(5), err = 'none';
try { b[10] = 'x' } catch (e) { err = e.name + ': ' + e.message }
print(err);
print(a.length, s, b.length, b[3], b.join('.'));
a.length = 3; a
