var o = { _x: 1, get x() { return this._x * 10 }, set x(v) { this._x = v + 1 } };
o.x = 4;
print(o.x, o._x);
var log = [];
var p = {};
Object.defineProperty(p, 'y', { get: function () { log.push('get'); return 7 }, set: function (v) { log.push('set ' + v) } });
p.y = 3; p.y; p.y = p.y + 1;
log.join(',')
