var out = [];
outer: for (var i = 0; i < 5; i++) {
    for (var j = 0; j < 5; j++) {
        if (j == 3) continue outer;
        if (i == 3) break outer;
        out.push(i + '' + j);
    }
}
var k = 0; do { k++ } while (k < 10);
function sw(x) {
    switch (x) { case 1: return 'one'; case 'a': case 'b': return 'ab'; default: return 'other'; case 2: return 'two' }
}
var w = 0; while (true) { if (++w > 7) break }
print(out.join(','), k, sw(1), sw('b'), sw(2), sw(null), w);
var t = 0; for (var q = 0; q < 100; q++) { if (q % 2) continue; t += q }
t
