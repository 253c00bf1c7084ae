(module
  ;; wasmi 2.0.0 bug: an `if` with block parameters whose `then` arm writes a local that is
  ;; still on the operand stack (pushed by `local.get` before the `if`); when the `else` arm runs,
  ;; wasmi reads the local's "preserved" copy, which only the `then` arm wrote: a stale value.
  ;; Correct result: 7 (this engine and wasmi 0.31); wasmi 2.0.0 returns 0 or garbage.
  (global $zero (mut i32) (i32.const 0))
  (func (export "f") (result i32) (local i32)
    i32.const 7
    local.set 0
    local.get 0
    i32.const 1
    global.get $zero
    if (param i32)
      local.set 0
    else
      drop
    end))
