;; Local regression tests: control flow with values, local retargeting, multi-value returns.

(module
  ;; br_table out of deeply nested blocks, carrying a value to each depth.
  (func (export "br_table_nested") (param i32) (result i32)
    (block $b4 (result i32)
      (i32.add (i32.const 400)
        (block $b3 (result i32)
          (i32.add (i32.const 300)
            (block $b2 (result i32)
              (i32.add (i32.const 200)
                (block $b1 (result i32)
                  (i32.add (i32.const 100)
                    (block $b0 (result i32)
                      (br_table $b0 $b1 $b2 $b3 $b4 $b4
                        (i32.mul (local.get 0) (i32.const 10))
                        (local.get 0))))))))))))

  ;; br_table carrying two values out of nested blocks.
  (func (export "br_table_multi") (param i32) (result i32 i32)
    (block $outer (result i32 i32)
      (block $inner (result i32 i32)
        (br_table $inner $outer (i32.const 7) (local.get 0) (local.get 0)))
      (i32.add (i32.const 1000))))

  ;; br_table inside a loop (with a parameter) with a value left on the stack underneath.
  (func (export "br_table_loop") (param i32) (result i32)
    (i32.const 5)   ;; junk under the block: must not be disturbed
    (block $done (result i32)
      (i32.const 0)
      (loop $again (param i32) (result i32)
        (i32.add (local.get 0))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_table $again $done (i32.eqz (local.get 0)))))
    (i32.add))

  ;; local.tee / local.set whose source is a local read before it was overwritten.
  (func (export "tee_retarget") (param i32 i32) (result i32 i32)
    (local i32)
    (local.set 2 (local.get 0))           ;; t = a
    (local.set 0 (local.get 1))           ;; a = b
    (local.set 1 (local.tee 2 (local.get 2)))  ;; b = t (tee to itself)
    (local.get 0) (local.get 1))

  (func (export "tee_chain") (param i32) (result i32)
    (local i32 i32)
    (local.tee 1 (local.tee 2 (i32.add (local.get 0) (i32.const 1))))
    (local.set 0 (i32.const 0))
    (i32.add (local.get 1))
    (i32.add (local.get 2))
    (i32.add (local.get 0)))

  ;; local.get value on the stack must survive a later local.set of the same local.
  (func (export "get_then_set") (param i32) (result i32)
    (local.get 0)
    (local.set 0 (i32.const 99))
    (local.get 0)
    (i32.sub))

  ;; Multi-value returns of swapped locals.
  (func $swap (export "swap") (param i32 i32) (result i32 i32)
    (return (local.get 1) (local.get 0)))

  (func (export "swap_twice") (param i32 i32) (result i32 i32)
    (call $swap (call $swap (local.get 0) (local.get 1))))

  (func (export "swap_sub") (param i32 i32) (result i32)
    (call $swap (local.get 0) (local.get 1))
    (i32.sub))

  (func (export "rot3") (param i64 i64 i64) (result i64 i64 i64)
    (return (local.get 2) (local.get 0) (local.get 1)))

  (func (export "swap_block") (param f64 f64) (result f64 f64)
    (block (result f64 f64)
      (br 0 (local.get 1) (local.get 0))))

  (func (export "swap_if") (param i32 i32 i32) (result i32 i32)
    (if (result i32 i32) (local.get 0)
      (then (local.get 2) (local.get 1))
      (else (local.get 1) (local.get 2))))
)

(assert_return (invoke "br_table_nested" (i32.const 0)) (i32.const 1000))
(assert_return (invoke "br_table_nested" (i32.const 1)) (i32.const 910))
(assert_return (invoke "br_table_nested" (i32.const 2)) (i32.const 720))
(assert_return (invoke "br_table_nested" (i32.const 3)) (i32.const 430))
(assert_return (invoke "br_table_nested" (i32.const 4)) (i32.const 40))
(assert_return (invoke "br_table_nested" (i32.const 5)) (i32.const 50))
(assert_return (invoke "br_table_nested" (i32.const 100)) (i32.const 1000))

(assert_return (invoke "br_table_multi" (i32.const 0)) (i32.const 7) (i32.const 1000))
(assert_return (invoke "br_table_multi" (i32.const 1)) (i32.const 7) (i32.const 1))
(assert_return (invoke "br_table_multi" (i32.const 9)) (i32.const 7) (i32.const 9))

(assert_return (invoke "br_table_loop" (i32.const 1)) (i32.const 6))
(assert_return (invoke "br_table_loop" (i32.const 4)) (i32.const 15))

(assert_return (invoke "tee_retarget" (i32.const 1) (i32.const 2)) (i32.const 2) (i32.const 1))
(assert_return (invoke "tee_chain" (i32.const 4)) (i32.const 15))
(assert_return (invoke "get_then_set" (i32.const 100)) (i32.const 1))

(assert_return (invoke "swap" (i32.const 1) (i32.const 2)) (i32.const 2) (i32.const 1))
(assert_return (invoke "swap_twice" (i32.const 1) (i32.const 2)) (i32.const 1) (i32.const 2))
(assert_return (invoke "swap_sub" (i32.const 10) (i32.const 3)) (i32.const -7))
(assert_return (invoke "rot3" (i64.const 1) (i64.const 2) (i64.const 3))
  (i64.const 3) (i64.const 1) (i64.const 2))
(assert_return (invoke "swap_block" (f64.const 1.5) (f64.const -2.5)) (f64.const -2.5) (f64.const 1.5))
(assert_return (invoke "swap_if" (i32.const 1) (i32.const 3) (i32.const 4)) (i32.const 4) (i32.const 3))
(assert_return (invoke "swap_if" (i32.const 0) (i32.const 3) (i32.const 4)) (i32.const 3) (i32.const 4))
