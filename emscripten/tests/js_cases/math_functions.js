var xs = [0, 0.5, 1, 2, 10, -3.7, 1e-10, 123.456];
var fns = ['floor', 'ceil', 'round', 'abs', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'atan', 'trunc', 'sign', 'cbrt', 'log2', 'log10', 'fround'];
for (var i = 0; i < fns.length; i++) {
    var f = Math[fns[i]];
    if (!f) { print(fns[i], 'missing'); continue }
    print(fns[i], xs.map(function (x) { return f(x) }).join(' '));
}
print(Math.pow(2, 0.5), Math.atan2(1, -1), Math.max(1, 5, 3), Math.min(), Math.max(), Math.hypot ? Math.hypot(3, 4) : 'nohypot', Math.PI, Math.E);
print(Math.random(), Math.random(), Math.random());
Math.round(-0.5) + ' ' + Math.round(2.5) + ' ' + Math.round(-2.5)
