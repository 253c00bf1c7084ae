(module
  ;; Found by the mutation fuzzer (corpus/wat/fib.wat with two bit flips: the base case became
  ;; `n < -62`): exponential recursion. With Store::set_deadline(50 ms) the call must trap with
  ;; `Interrupted` soon after the deadline; at commit 69dcf72 it keeps running (minutes, as long
  ;; as the recursion takes), so a deadline does not bound deeply recursive code.
  (func $fib (export "fib") (param $n i32) (result i32)
    local.get $n
    i32.const -62
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
