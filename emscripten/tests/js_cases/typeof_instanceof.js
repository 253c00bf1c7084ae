var vals = [1, 'a', true, null, undefined, {}, [], function () {}, /x/, NaN, Math, JSON];
var out = [];
for (var i = 0; i < vals.length; i++) out.push(typeof vals[i]);
print(out.join(' '));
print([] instanceof Array, [] instanceof Object, (function () {}) instanceof Function, /x/ instanceof RegExp);
print(null == undefined, null === undefined, '1' == 1, '' == 0, NaN == NaN, [1] == 1, '0' == false);
typeof typeof 1
