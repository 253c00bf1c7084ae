(module
  ;; The same bug as select-const-condition-slot-reuse.wat, reached through a call argument
  ;; (minimised from generated case seed 2026 #109149): the `select` (condition
  ;; `i32.trunc_sat_f64_u 0.5` = constant 0) is folded to the `i64.load8_u` result in s2, then the
  ;; call's argument is written to s2 as well. IR:
  ;;   s2 = i64.load8_u [#0+0]; s2 = #4611686018427387904; call 0 @s2; global.set 0 = s2
  ;; Expected: $g = 0 (the loaded byte); this engine stores the bits of 2.0.
  (import "host" "log_f64" (func $log (param f64)))
  (memory 1)
  (global $g (export "g") (mut i64) (i64.const 5))
  (func (export "f")
    i64.const 7
    i32.const 0
    i64.load8_u
    f64.const 0.5
    i32.trunc_sat_f64_u
    select
    f64.const 2
    call $log
    global.set $g))
