print(String(123), (123).toString(), 123 + '', '5' * '4', '5' + 4, '5' - 2, +'', +' ', +'1e2', -'3');
print([1, 2] + [3], {} + '', [] + [], 1 + null, 1 + undefined, true + true, 'a' * 1);
print((25).toString(36), Number('0b101'), Number('0o17'), parseInt('  -12px'), (1e21).toString(), (123.456e-15).toString());
(0.000001).toString() + ' ' + (0.0000001).toString() + ' ' + (1e20).toString() + ' ' + (-1e-7).toFixed(10)
