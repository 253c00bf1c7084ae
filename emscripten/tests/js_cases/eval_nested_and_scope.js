var g = 1;
var r1 = (0, eval)('var fromEval = g + 1; fromEval * 10');
var r2 = (0, eval)('(function (a) { return a + g })')(41);
var r3 = (1, eval)('[typeof fromEval, typeof r1, this === undefined]').join(' ');
print(r1, r2, fromEval, r3);
(0, eval)('(function(){ return typeof g })()')
