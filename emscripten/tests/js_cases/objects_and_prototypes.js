function Animal(name) { this.name = name }
Animal.prototype.speak = function () { return this.name + ' makes a sound' };
function Dog(name) { Animal.call(this, name) }
Dog.prototype = Object.create(Animal.prototype);
Dog.prototype.constructor = Dog;
Dog.prototype.speak = function () { return Animal.prototype.speak.call(this) + ' (woof)' };
var d = new Dog('Rex');
print(d.speak(), d instanceof Dog, d instanceof Animal, Object.getPrototypeOf(d) === Dog.prototype);
var o = {b: 2, a: 1, 10: 'ten', 2: 'two'};
print(Object.keys(o), o.hasOwnProperty('a'), 'toString' in o, o.hasOwnProperty('toString'));
var g = {}; Object.defineProperty(g, 'v', {get: function () { return 42 }, enumerable: false});
print(g.v, Object.keys(g).length, JSON.stringify(g));
var frozen = Object.freeze ? 'freeze exists' : 'no freeze';
frozen
