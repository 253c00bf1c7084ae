var o = null; o.x
