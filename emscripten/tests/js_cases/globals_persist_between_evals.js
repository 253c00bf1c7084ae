x = 5; var y = 'declared'; function twice(n) { return 2 * n }
//---
print(x, y, twice(x));
x = twice(x);
//---
x + ' ' + typeof twice + ' ' + typeof notDefined
