function makeCounter(start, step) {
    var n = start;
    return { inc: function () { n += step; return n }, get: function () { return n } };
}
var a = makeCounter(0, 1), b = makeCounter(100, -5);
for (var i = 0; i < 10; i++) { a.inc(); b.inc(); }
var fs = [];
for (var j = 0; j < 5; j++) fs.push((function (k) { return function () { return k * k } })(j));
print(a.get(), b.get(), fs.map(function (f) { return f() }).join(','));
(function () { var x = 'shadow'; return (function () { return x })() })()
