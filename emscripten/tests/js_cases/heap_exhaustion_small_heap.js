// heap: 65536
var a=[]; for(var i=0;i<100000;i++) a.push("x"+i); a.length
