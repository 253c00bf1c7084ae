var f = 1, out = [];
for (var i = 1; i <= 25; i++) { f *= i; out.push(i + '! = ' + f); }
out.push(Math.pow(2, 53) + 1, Math.pow(2, 63), Math.pow(10, 21), Math.pow(10, 20) + 1, 2147483647 + 1, -2147483648 - 1, 0xffffffff * 0xffffffff);
out.join('\n')
