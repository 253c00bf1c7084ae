var a = []; for (var i = 0; i < 100000; i++) a = [a];
var r;
try { String(a) } catch (e) { r = e.name + ': ' + e.message }
var o = {}; for (var j = 0; j < 3000; j++) o = {n: o};
try { JSON.stringify(o) } catch (e2) { r += ' / ' + e2.name + ': ' + e2.message }
r
