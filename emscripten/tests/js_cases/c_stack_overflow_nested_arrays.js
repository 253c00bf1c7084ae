var a=[]; for (var i=0;i<100000;i++) a=[a]; String(a).length
