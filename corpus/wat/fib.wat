;; Recursive Fibonacci: call-heavy, the classic interpreter call-path benchmark.
;;
;; expect: run(10) = 55
;; expect: run(30) = 832040
(module
  (func $fib (export "fib") (export "run") (param $n i32) (result i32)
    local.get $n
    i32.const 2
    i32.lt_s
    if (result i32)
      local.get $n
    else
      local.get $n
      i32.const 1
      i32.sub
      call $fib
      local.get $n
      i32.const 2
      i32.sub
      call $fib
      i32.add
    end))
