var a = [5, 3, 8, 1];
a.push(9, 2); print(a, a.length);
print(a.pop(), a.shift(), a);
a.unshift(0); print(a, a.indexOf(8), a.indexOf(42), a.lastIndexOf(1));
print(a.slice(1, 3), a.concat([7, [6]]), a.join('-'), a.reverse());
var r = a.splice(1, 2, 'x', 'y', 'z'); print(r, a);
print([3, 1, 2].map(function (x) { return x * 2 }), [1, 2, 3, 4].filter(function (x) { return x % 2 }),
      [1, 2, 3].reduce(function (s, x) { return s + x }, 10), [1, 2, 3].reduceRight(function (s, x) { return s + x }));
print([1, 2, 3].some(function (x) { return x > 2 }), [1, 2, 3].every(function (x) { return x > 2 }), Array.isArray(a), Array.isArray('a'));
var seen = []; [4, 5].forEach(function (x, i) { seen.push(i + ':' + x) });
seen.concat([[]].length, [1, [2, [3, [4]]]].toString())
