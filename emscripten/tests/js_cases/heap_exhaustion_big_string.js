// heap: 262144
var s = 'x'; while (true) s = s + s; s.length
