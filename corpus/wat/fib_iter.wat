;; Iterative Fibonacci: a tight scalar i64 loop (add, copy, count down, branch) inside a
;; call per outer iteration. Measures the per-instruction dispatch cost of straight-line
;; local/arith code and a small direct call, with no memory traffic.
;;
;; run(n) computes, for seed = 0 .. n-1, the 1000th term of the Fibonacci-like sequence
;; a0 = seed, a1 = 1 (mod 2^64), and folds all terms into a checksum. ~14 Wasm
;; instructions per inner iteration, ~140 M executed at n = 10000.
;;
;; expect: run(10) = 1048925662
;; expect: run(10000) = -1903689693
(module
  (func $fib (param $n i32) (param $seed i64) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    local.get $seed
    local.set $a
    i64.const 1
    local.set $b
    block
      local.get $n
      i32.eqz
      br_if 0
      loop
        local.get $a
        local.get $b
        i64.add
        local.set $t
        local.get $b
        local.set $a
        local.get $t
        local.set $b
        local.get $n
        i32.const -1
        i32.add
        local.tee $n
        br_if 0
      end
    end
    local.get $b)

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i64)
    block
      local.get $n
      i32.const 1
      i32.lt_s
      br_if 0
      loop
        ;; acc = rotl(acc, 5) ^ fib(1000, i)
        local.get $acc
        i64.const 5
        i64.rotl
        i32.const 1000
        local.get $i
        i64.extend_i32_u
        call $fib
        i64.xor
        local.set $acc
        local.get $i
        i32.const 1
        i32.add
        local.tee $i
        local.get $n
        i32.lt_s
        br_if 0
      end
    end
    local.get $acc
    local.get $acc
    i64.const 32
    i64.shr_u
    i64.xor
    i32.wrap_i64))
