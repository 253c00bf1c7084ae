var pats = ['(', ')', '[', 'a{2,1}', '*', '\\', '(?<x', 'a**', '[z-a]', '(?', 'ok(a)'];
var out = [];
for (var i = 0; i < pats.length; i++) {
    try { new RegExp(pats[i]); out.push(pats[i] + ' ok') } catch (e) { out.push(pats[i] + ' ' + e.name + ': ' + e.message) }
}
out.join('\n')
