;; A bytecode interpreter loop, the shape a C `switch` inside `for (;;)` compiles to: one
;; `loop` around 32 nested `block`s and a dense `br_table`, each case doing a little
;; register arithmetic (some read an immediate byte, touch a scratch memory, or skip the next
;; byte conditionally) and branching back to the dispatch loop. Measures br_table dispatch,
;; block exits and short arithmetic sequences.
;;
;; run(n) generates a 4096-byte random program with an LCG (opcodes 0 .. 30), terminated by
;; opcode 31 (restart), and interprets it n times; returns a fold of the registers.
;; ~15 Wasm instructions per interpreted opcode, ~63 K per pass, ~63 M at n = 1000.
;;
;; expect: run(10) = -2089365862
;; expect: run(1000) = -1118797637
(module
  (memory 1)

  (func (export "run") (param $n i32) (result i32)
    (local $pc i32) (local $x i32) (local $t i32)
    (local $acc i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    local.get $n
    i32.const 1
    i32.lt_s
    if
      i32.const 0
      return
    end
    ;; program[0 .. 4096) = (lcg() >> 16) % 31; program[4096] = program[4097] = 31
    i32.const 12345
    local.set $x
    loop
      local.get $pc
      local.get $x
      i32.const 1103515245
      i32.mul
      i32.const 12345
      i32.add
      local.tee $x
      i32.const 16
      i32.shr_u
      i32.const 31
      i32.rem_u
      i32.store8
      local.get $pc
      i32.const 1
      i32.add
      local.tee $pc
      i32.const 4096
      i32.lt_u
      br_if 0
    end
    i32.const 4096
    i32.const 0x1f1f
    i32.store16
    ;; scratch[0 .. 256) = 0 (i32 words at 0x2000)
    i32.const 0
    local.set $pc
    loop
      local.get $pc
      i32.const 0
      i32.store offset=0x2000
      local.get $pc
      i32.const 4
      i32.add
      local.tee $pc
      i32.const 1024
      i32.lt_u
      br_if 0
    end
    i32.const 0
    local.set $pc
    i32.const 1
    local.set $acc
    i32.const 2
    local.set $r1
    i32.const 3
    local.set $r2
    i32.const 4
    local.set $r3
    loop $dispatch
      block $halt
      block $op30
      block $op29
      block $op28
      block $op27
      block $op26
      block $op25
      block $op24
      block $op23
      block $op22
      block $op21
      block $op20
      block $op19
      block $op18
      block $op17
      block $op16
      block $op15
      block $op14
      block $op13
      block $op12
      block $op11
      block $op10
      block $op9
      block $op8
      block $op7
      block $op6
      block $op5
      block $op4
      block $op3
      block $op2
      block $op1
      block $op0
        local.get $pc
        i32.load8_u
        local.get $pc
        i32.const 1
        i32.add
        local.set $pc
        br_table $op0 $op1 $op2 $op3 $op4 $op5 $op6 $op7 $op8 $op9 $op10 $op11 $op12 $op13
                 $op14 $op15 $op16 $op17 $op18 $op19 $op20 $op21 $op22 $op23 $op24 $op25 $op26
                 $op27 $op28 $op29 $op30 $halt $halt
      end ;; op0: acc += r1
      local.get $acc
      local.get $r1
      i32.add
      local.set $acc
      br $dispatch
      end ;; op1: acc -= r2
      local.get $acc
      local.get $r2
      i32.sub
      local.set $acc
      br $dispatch
      end ;; op2: acc ^= r3
      local.get $acc
      local.get $r3
      i32.xor
      local.set $acc
      br $dispatch
      end ;; op3: acc *= 16777619
      local.get $acc
      i32.const 16777619
      i32.mul
      local.set $acc
      br $dispatch
      end ;; op4: r1 += acc
      local.get $r1
      local.get $acc
      i32.add
      local.set $r1
      br $dispatch
      end ;; op5: r2 ^= acc
      local.get $r2
      local.get $acc
      i32.xor
      local.set $r2
      br $dispatch
      end ;; op6: r3++
      local.get $r3
      i32.const 1
      i32.add
      local.set $r3
      br $dispatch
      end ;; op7: acc += imm8
      local.get $acc
      local.get $pc
      i32.load8_u
      i32.add
      local.set $acc
      local.get $pc
      i32.const 1
      i32.add
      local.set $pc
      br $dispatch
      end ;; op8: acc = rotl(acc, r3)
      local.get $acc
      local.get $r3
      i32.rotl
      local.set $acc
      br $dispatch
      end ;; op9: acc ^= acc >> 13
      local.get $acc
      local.get $acc
      i32.const 13
      i32.shr_u
      i32.xor
      local.set $acc
      br $dispatch
      end ;; op10: scratch[r1 & 255] = acc
      local.get $r1
      i32.const 255
      i32.and
      i32.const 2
      i32.shl
      local.get $acc
      i32.store offset=0x2000
      br $dispatch
      end ;; op11: acc += scratch[r2 & 255]
      local.get $acc
      local.get $r2
      i32.const 255
      i32.and
      i32.const 2
      i32.shl
      i32.load offset=0x2000
      i32.add
      local.set $acc
      br $dispatch
      end ;; op12: swap(acc, r1)
      local.get $acc
      local.set $t
      local.get $r1
      local.set $acc
      local.get $t
      local.set $r1
      br $dispatch
      end ;; op13: r2 += acc << 2
      local.get $r2
      local.get $acc
      i32.const 2
      i32.shl
      i32.add
      local.set $r2
      br $dispatch
      end ;; op14: if (acc & 1) skip the next byte
      local.get $acc
      i32.const 1
      i32.and
      if
        local.get $pc
        i32.const 1
        i32.add
        local.set $pc
      end
      br $dispatch
      end ;; op15: acc *= r1 | 1
      local.get $acc
      local.get $r1
      i32.const 1
      i32.or
      i32.mul
      local.set $acc
      br $dispatch
      end ;; op16: r3 ^= acc >> 16
      local.get $r3
      local.get $acc
      i32.const 16
      i32.shr_u
      i32.xor
      local.set $r3
      br $dispatch
      end ;; op17: acc = r1 - acc
      local.get $r1
      local.get $acc
      i32.sub
      local.set $acc
      br $dispatch
      end ;; op18: acc += r2 >> 3 (signed)
      local.get $acc
      local.get $r2
      i32.const 3
      i32.shr_s
      i32.add
      local.set $acc
      br $dispatch
      end ;; op19: r1 += imm8
      local.get $r1
      local.get $pc
      i32.load8_u
      i32.add
      local.set $r1
      local.get $pc
      i32.const 1
      i32.add
      local.set $pc
      br $dispatch
      end ;; op20: acc ^= imm8 << 8
      local.get $acc
      local.get $pc
      i32.load8_u
      i32.const 8
      i32.shl
      i32.xor
      local.set $acc
      local.get $pc
      i32.const 1
      i32.add
      local.set $pc
      br $dispatch
      end ;; op21: acc = acc < r1 ? acc + 7 : acc - 3
      local.get $acc
      i32.const 7
      i32.add
      local.get $acc
      i32.const 3
      i32.sub
      local.get $acc
      local.get $r1
      i32.lt_s
      select
      local.set $acc
      br $dispatch
      end ;; op22: acc += popcnt(r2)
      local.get $acc
      local.get $r2
      i32.popcnt
      i32.add
      local.set $acc
      br $dispatch
      end ;; op23: acc += clz(r1)
      local.get $acc
      local.get $r1
      i32.clz
      i32.add
      local.set $acc
      br $dispatch
      end ;; op24: r2 = rotl(r2, 7) + acc
      local.get $r2
      i32.const 7
      i32.rotl
      local.get $acc
      i32.add
      local.set $r2
      br $dispatch
      end ;; op25: scratch[acc >> 24] += r3
      local.get $acc
      i32.const 24
      i32.shr_u
      i32.const 2
      i32.shl
      local.tee $t
      local.get $t
      i32.load offset=0x2000
      local.get $r3
      i32.add
      i32.store offset=0x2000
      br $dispatch
      end ;; op26: acc = acc * 9 + r3
      local.get $acc
      i32.const 9
      i32.mul
      local.get $r3
      i32.add
      local.set $acc
      br $dispatch
      end ;; op27: r1 *= 0x9e3779b1
      local.get $r1
      i32.const 0x9e3779b1
      i32.mul
      local.set $r1
      br $dispatch
      end ;; op28: acc ^= r1 % (r2 | 1)
      local.get $acc
      local.get $r1
      local.get $r2
      i32.const 1
      i32.or
      i32.rem_u
      i32.xor
      local.set $acc
      br $dispatch
      end ;; op29: acc += r1 + r2 + r3
      local.get $acc
      local.get $r1
      i32.add
      local.get $r2
      i32.add
      local.get $r3
      i32.add
      local.set $acc
      br $dispatch
      end ;; op30: r3 = acc; acc = r2
      local.get $acc
      local.set $r3
      local.get $r2
      local.set $acc
      br $dispatch
      end ;; op31 (halt): restart the program until n passes are done
      i32.const 0
      local.set $pc
      local.get $n
      i32.const -1
      i32.add
      local.tee $n
      br_if $dispatch
    end
    local.get $acc
    local.get $r1
    i32.const 7
    i32.rotl
    i32.xor
    local.get $r2
    i32.const 13
    i32.rotl
    i32.xor
    local.get $r3
    i32.const 19
    i32.rotl
    i32.xor))
