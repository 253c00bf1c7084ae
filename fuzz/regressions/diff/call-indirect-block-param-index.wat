(module
  ;; This engine (at commit 69dcf72): `call_indirect` whose table index is a block parameter
  ;; reads a stale index. The lowering copies the parameter (`s1 = s0`) and folds that copy into
  ;; the call closure, but the closure reads the index operand before applying the folded
  ;; copies, so it sees the slot's previous contents (here: the previous call's index).
  ;; Expected: index 7 is out of bounds for the 2-entry table ("undefined element") on the first
  ;; call; index 1 is a null entry ("uninitialized element") on the second.
  (type $t (func))
  (table 2 funcref)
  (global $i (mut i32) (i32.const 7))
  (func (export "f") (local i32)
    global.get $i
    local.set 0
    local.get 0
    block (param i32)
      call_indirect (type $t)
    end)
  (func (export "g") (global.set $i (i32.const 1))))
