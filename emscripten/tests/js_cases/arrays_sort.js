var nums = [10, 9, 1, 100, 25, -3, 0.5, 1e3];
print(nums.slice().sort(), nums.slice().sort(function (a, b) { return a - b }));
var words = ['pear', 'Apple', 'banana', 'apple', 'Cherry'];
print(words.sort(), words.sort(function (a, b) { return a.toLowerCase() < b.toLowerCase() ? -1 : 1 }));
var objs = []; for (var i = 0; i < 50; i++) objs.push({k: (i * 37) % 11, i: i});
objs.sort(function (a, b) { return a.k - b.k });
objs.map(function (o) { return o.k + '.' + o.i }).join(' ')
