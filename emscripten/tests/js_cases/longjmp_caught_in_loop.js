// every iteration longjmps out of the parser through invoke_* and is caught in JS
var n = 0, msgs = {};
for (var i = 0; i < 2000; i++) {
    try {
        if (i % 3 == 0) (0, eval)('var x = (' + i + ' +');
        else if (i % 3 == 1) JSON.parse('{"a":' + i);
        else new RegExp('[' + i);
    } catch (e) {
        n++;
        msgs[e.name + ': ' + e.message] = true;
    }
}
print(n);
print(Object.keys(msgs).sort().join('\n'));
'done'
