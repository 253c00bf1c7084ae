try { new Array(-1) } catch (e) { print(e.name + ': ' + e.message) } ; (1.5).toFixed(101)
