function sum() { var s = 0; for (var i = 0; i < arguments.length; i++) s += arguments[i]; return s + '/' + arguments.length }
print(sum(), sum(1, 2, 3), sum.apply(null, [4, 5]), sum.call(null, 6));
var obj = { base: 100, add: function (x, y) { return this.base + x + (y || 0) } };
var bound = obj.add.bind({base: 1}, 10);
print(bound(5), bound.length !== undefined, obj.add.call({base: 2}, 3));
function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) }
fact(10)
