//--- each eval prints its completion value
'a string'
//---
({a: 1})
//---
[1, [2, 3], null, undefined]
//---
null
//---
function named(a, b) { return a + b }
//---
(function (a) { return a * 2 })
//---
var v = 10
//---
v + 0.5
//---
if (v > 5) { 'big' } else { 'small' }
