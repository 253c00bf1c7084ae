var o = {z: 1, a: 2, 5: 'five', 1: 'one'};
var keys = []; for (var k in o) keys.push(k);
var arr = ['x', 'y']; arr.extra = true; var ak = []; for (var i in arr) ak.push(i);
function P() { this.own = 1 } P.prototype.inherited = 2;
var pk = []; for (var m in new P()) pk.push(m);
keys.join(',') + ' | ' + ak.join(',') + ' | ' + pk.join(',')
