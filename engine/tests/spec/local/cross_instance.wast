;; Local regression tests: call_indirect and funcrefs across two instances sharing a table.

(module $A
  (table $t (export "table") 4 funcref)
  (global $g (mut i32) (i32.const 0))
  (func $a_get (export "a_get") (result i32) (global.get $g))
  (func $a_add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $a_bump (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get 0)))
    (global.get $g))
  (elem (i32.const 0) $a_add $a_bump)
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (func (export "a_call2") (param i32 i32 i32) (result i32)
    (call_indirect (type $ii_i) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "a_call1") (param i32 i32) (result i32)
    (call_indirect (type $i_i) (local.get 0) (local.get 1)))
)
(register "A" $A)

(module $B
  (import "A" "table" (table $t 4 funcref))
  (import "A" "a_get" (func $a_get (result i32)))
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (global $h (mut i32) (i32.const 1000))
  (func $b_mul (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
  ;; Reads B's own global: must run in B's instance context even when called through A.
  (func $b_own (param i32) (result i32) (i32.add (global.get $h) (local.get 0)))
  (elem (i32.const 2) $b_mul $b_own)
  (func (export "b_call2") (param i32 i32 i32) (result i32)
    (call_indirect (type $ii_i) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "b_call1") (param i32 i32) (result i32)
    (call_indirect (type $i_i) (local.get 0) (local.get 1)))
  (func (export "b_a_get") (result i32) (call $a_get))
)

;; A's functions called from B, B's functions called from A.
(assert_return (invoke $B "b_call2" (i32.const 3) (i32.const 4) (i32.const 0)) (i32.const 7))
(assert_return (invoke $A "a_call2" (i32.const 3) (i32.const 4) (i32.const 2)) (i32.const 12))
(assert_return (invoke $B "b_call1" (i32.const 5) (i32.const 1)) (i32.const 5))
(assert_return (invoke $A "a_call1" (i32.const 6) (i32.const 1)) (i32.const 11))
(assert_return (invoke $A "a_get") (i32.const 11))
(assert_return (invoke $B "b_a_get") (i32.const 11))
(assert_return (invoke $A "a_call1" (i32.const 1) (i32.const 3)) (i32.const 1001))
(assert_return (invoke $B "b_call1" (i32.const 2) (i32.const 3)) (i32.const 1002))

;; Type mismatch and null/out-of-range entries, from both sides.
(assert_trap (invoke $A "a_call1" (i32.const 1) (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke $B "b_call2" (i32.const 1) (i32.const 1) (i32.const 3)) "indirect call type mismatch")
(assert_trap (invoke $B "b_call2" (i32.const 1) (i32.const 1) (i32.const 4)) "undefined element")

;; Structurally equal types declared separately in each module are the same type.
(module $C
  (import "A" "table" (table 4 funcref))
  (func (export "c_call") (param i32 i32) (result i32)
    (call_indirect (param i32) (result i32) (local.get 0) (local.get 1)))
)
(assert_return (invoke $C "c_call" (i32.const 10) (i32.const 3)) (i32.const 1010))
(assert_trap (invoke $C "c_call" (i32.const 10) (i32.const 2)) "indirect call type mismatch")
