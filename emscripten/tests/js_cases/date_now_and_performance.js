var t = Date.now(), p = performance.now();
print(typeof t, t > 1.5e12, typeof p, p >= 0, Math.floor(t) === t);
var t2 = Date.now(); t2 >= t
