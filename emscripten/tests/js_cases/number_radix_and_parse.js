print((255).toString(16), (255).toString(2), (-255).toString(36), (0.5).toString(2), (3.75).toString(8));
print(parseInt('0x1f'), parseInt('077', 8), parseInt('z', 36), parseInt('12abc'), parseInt(''), parseFloat('3.14abc'), parseFloat('.5e3'));
print(Number('  42  '), Number('0x10'), Number(''), Number('1e3'), Number('abc'), Number(null), Number(undefined), Number(true));
print(isNaN('x'), isFinite('12'), 0.1 * 3, 1e16 + 1, 123e-20, 100 / 3);
Number.MAX_SAFE_INTEGER + ' ' + Number.MIN_VALUE + ' ' + Number.EPSILON
