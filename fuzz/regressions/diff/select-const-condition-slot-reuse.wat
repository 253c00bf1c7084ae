(module
  ;; This engine (at commit 69dcf72): a `select` whose condition is a constant is folded to one
  ;; of its operands, but the slot holding that operand (here the `i32.clz` result) is then
  ;; treated as free: the next value (`global.get`) is written into the same slot, and the
  ;; `i32.xor` reads the global twice. Lowered IR: `s2 = global.get 0; s0 = i32.xor s2 s2`
  ;; (the `i32.clz` is gone). Expected: clz(0) xor 1 = 33; this engine returns 0.
  (global $g (mut i32) (i32.const 1))
  (func (export "f") (result i32) (local i32)
    i32.const 0
    local.get 0
    i32.clz
    i32.const 0
    select
    global.get $g
    i32.xor))
