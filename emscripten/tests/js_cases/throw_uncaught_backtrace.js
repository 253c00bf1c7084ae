function inner(x) { throw new Error("boom " + x) }
function middle(x) { return inner(x + 1) }
function outer() { return middle(1) }
print("start");
outer()
