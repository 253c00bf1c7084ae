var parts = [];
for (var i = 0; i < 20000; i++) parts.push('item' + i);
var s = parts.join(',');
var t = '';
for (var j = 0; j < 2000; j++) t += String.fromCharCode(97 + j % 26);
print(s.length, t.length, s.slice(0, 30), t.slice(-10));
s.indexOf('item19999')
