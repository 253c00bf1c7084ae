function each(arr, cb) { for (var i = 0; i < arr.length; i++) cb(arr[i], i) }
var out = [];
try {
    each([1, 2, 3], function (x) {
        each([10, 20], function (y) {
            if (x * y == 40) throw new Error('stop at ' + x + ',' + y);
            out.push(x * y);
        });
    });
} catch (e) { out.push(e.message) }
[1, 2, 3].map(function (x) { if (x == 3) null.boom; return x })
