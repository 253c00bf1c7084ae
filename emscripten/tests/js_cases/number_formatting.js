var xs = [0, -0, 1/3, 2/3, 0.1 + 0.2, 1e21, 1e-7, 123456789.123456789, -1.5e-10, 5e-324, 1.7976931348623157e308,
          NaN, Infinity, -Infinity, 9007199254740993, 2e53, Math.pow(2, 64), 4294967295, -2147483648, 1e300 * 10];
for (var i = 0; i < xs.length; i++) print(String(xs[i]), xs[i].toFixed(2), xs[i].toExponential(3), xs[i].toPrecision(6));
print((1.005).toFixed(2), (1.45).toFixed(1), (-1.5).toFixed(0), (0.000001234).toPrecision(2), (123.456).toFixed(10));
print(1/-0, -0 === 0, Object.is ? 'has Object.is' : 'no Object.is', String(-0), (-0).toFixed(1), [-0] + '');
'end'
