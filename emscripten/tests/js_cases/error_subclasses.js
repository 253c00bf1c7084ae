var kinds = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, InternalError];
var out = [];
for (var i = 0; i < kinds.length; i++) {
    var e = new kinds[i]('m' + i);
    out.push(e.name + '|' + e.message + '|' + (e instanceof Error) + '|' + String(e));
}
out.join('\n')
