var s = 'a"b\\c\n\t\u0001\u001f\u2028x';
print(JSON.stringify(s));
print(JSON.stringify({k: s, n: [1, 2.5, -0, null, true], u: undefined, f: function () {}}));
print(JSON.stringify([new Array(3), {}, [], ''], null, 2));
JSON.stringify({a: {b: {c: [1, {d: 'e'}]}}}, null, '--')
