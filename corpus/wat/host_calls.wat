;; Calls to an imported host function in a loop, as a program calling into its embedder's
;; API (WASI, JS glue) does: measures the Wasm -> host -> Wasm transition (argument and
;; result marshalling, host-function dispatch). The host provides env.add(a, b) = a + b
;; (wrapping i32 addition).
;;
;; run(n) makes n host calls, feeding each result into the next (~15 Wasm instructions
;; per iteration besides the call itself).
;;
;; expect: run(10) = -835196941
;; expect: run(3000000) = -982321001
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    block
      local.get $n
      i32.const 1
      i32.lt_s
      br_if 0
      loop
        ;; acc = add(acc ^ (acc >> 7), i * 0x9e3779b1)
        local.get $acc
        local.get $acc
        i32.const 7
        i32.shr_u
        i32.xor
        local.get $i
        i32.const 0x9e3779b1
        i32.mul
        call $add
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
