throw {a: 1}
