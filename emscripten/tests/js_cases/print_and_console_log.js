print('a', 1, true, null, undefined, 1.5, -0, NaN);
console.log('obj', {x: 1, y: [1, 2]}, [1, 'two', [3, [4]]], function foo() {});
print();
print('');
print('multi\nline');
console.log([1, 2, 3].length, 'x' + 1);
print(new Error('e1'), [new Error('e2')], {toString: function () { return 'custom' }});
undefined
