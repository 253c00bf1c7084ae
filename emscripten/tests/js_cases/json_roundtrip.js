var o = JSON.parse('{"a": [1, 2, {"b": null}], "c": "str\\u00e9", "d": -1.5e3, "e": true, "f": {}}');
print(o.a.length, o.a[2].b, o.c, o.d, o.e, typeof o.f);
print(JSON.stringify(o));
print(JSON.stringify(JSON.parse('[1e400, -0, 0.1]')));
var errs = [];
var bad = ['', '[', '{"a" 1}', '[1,]', 'tru', '"\\x"', '01', '{"a":1}}'];
for (var i = 0; i < bad.length; i++) { try { JSON.parse(bad[i]); errs.push('ok?') } catch (e) { errs.push(e.name) } }
errs.join(',')
