var keep = [];
for (var i = 0; i < 200000; i++) { var o = {i: i, s: 'v' + i}; if (i % 1000 == 0) keep.push(o) }
gc();
print(keep.length, keep[199].s);
var total = 0; for (var j = 0; j < keep.length; j++) total += keep[j].i;
total
