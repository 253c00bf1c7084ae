;; Indirect calls through a function table, as C function pointers / C++ virtual calls
;; compile: `call_indirect` with a signature check, over a table of 8 small functions of the
;; same type, the index chosen by an LCG so the target is unpredictable. Measures the
;; indirect-call path (table bounds check, signature check, frame setup and return).
;;
;; run(n) makes n indirect calls, threading the accumulator through them.
;; ~26 Wasm instructions per iteration including the callee, ~53 M at n = 2000000.
;;
;; expect: run(10) = -358650255
;; expect: run(2000000) = 266499205
(module
  (type $binop (func (param i32 i32) (result i32)))
  (table 8 8 funcref)
  (elem (i32.const 0) $f0 $f1 $f2 $f3 $f4 $f5 $f6 $f7)

  (func $f0 (type $binop)
    local.get 0
    local.get 1
    i32.add)
  (func $f1 (type $binop)
    local.get 0
    local.get 1
    i32.const 5
    i32.rotl
    i32.xor)
  (func $f2 (type $binop)
    local.get 0
    local.get 1
    i32.const 1
    i32.or
    i32.mul)
  (func $f3 (type $binop)
    local.get 0
    local.get 1
    i32.sub)
  (func $f4 (type $binop)
    local.get 0
    i32.const 7
    i32.rotl
    local.get 1
    i32.add)
  (func $f5 (type $binop)
    local.get 0
    local.get 1
    i32.const 3
    i32.shr_u
    i32.xor)
  (func $f6 (type $binop)
    local.get 0
    local.get 1
    i32.const 3
    i32.mul
    i32.add)
  (func $f7 (type $binop)
    local.get 0
    local.get 1
    i32.xor
    i32.const 16777619
    i32.mul)

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i32) (local $acc i32)
    i32.const 1
    local.set $x
    i32.const 0x811c9dc5
    local.set $acc
    block
      local.get $n
      i32.const 1
      i32.lt_s
      br_if 0
      loop
        ;; x = x * 1664525 + 1013904223; acc = table[x >> 29](acc, x)
        local.get $acc
        local.get $x
        i32.const 1664525
        i32.mul
        i32.const 1013904223
        i32.add
        local.tee $x
        local.get $x
        i32.const 29
        i32.shr_u
        call_indirect (type $binop)
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
    local.get $acc))
