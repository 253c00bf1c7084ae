function r(n){return n?r(n-1)+1:0} r(100000)
