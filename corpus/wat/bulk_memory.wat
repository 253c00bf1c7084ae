;; Bulk memory operations as C runtimes emit them: memset (memory.fill), memmove over
;; overlapping regions in both directions (memory.copy), copying from a passive data
;; segment (memory.init) and the once-only init-then-drop of another passive segment
;; (memory.init + data.drop, as in wasm-ld's __wasm_init_memory). Lengths are 1 .. 256 bytes,
;; so both the per-operation overhead and the byte-moving speed matter.
;;
;; run(n) clears a 4 KiB work area, then performs n rounds of fill / copy forward / copy
;; backward / init at LCG-chosen offsets and lengths, hashing a few words each round, and
;; finally hashes the whole work area. The result depends on the order of every operation.
;; ~95 Wasm instructions and ~700 bytes moved per round: ~28 M instructions and ~210 MB of
;; fill/copy traffic at n = 300000.
;;
;; expect: run(10) = 44380225
;; expect: run(300000) = -695751582
(module
  (memory 1)
  (global $inited (mut i32) (i32.const 0))

  ;; 64 bytes, read at offsets 0 .. 31 every round
  (data $text "The quick brown fox jumps over the lazy dog; 0123456789 ABCDEFGH")
  ;; 32 bytes of salt, copied to 0x8000 once and then dropped
  (data $salt "\13\37\c0\de\fe\ed\fa\ce\01\23\45\67\89\ab\cd\ef\de\ad\be\ef\0b\ad\f0\0d\5a\a5\3c\c3\99\66\0f\f0")

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i32) (local $h i32)
    (local $off1 i32) (local $off2 i32) (local $off3 i32) (local $len i32)
    (local $p i32) (local $h64 i64)
    ;; one-time initialisation of the salt table
    global.get $inited
    i32.eqz
    if
      i32.const 0x8000
      i32.const 0
      i32.const 32
      memory.init $salt
      data.drop $salt
      i32.const 1
      global.set $inited
    end
    ;; work area W = [0x1000, 0x2000): memset(W, 0, 4096)
    i32.const 0x1000
    i32.const 0
    i32.const 4096
    memory.fill
    i32.const 0x2545F491
    local.set $x
    block
      local.get $n
      i32.const 1
      i32.lt_s
      br_if 0
      loop
        ;; x = x * 1664525 + 1013904223
        local.get $x
        i32.const 1664525
        i32.mul
        i32.const 1013904223
        i32.add
        local.set $x
        ;; off1 = x >> 8 & 2047, len = (x >> 20 & 255) + 1
        local.get $x
        i32.const 8
        i32.shr_u
        i32.const 2047
        i32.and
        local.set $off1
        local.get $x
        i32.const 20
        i32.shr_u
        i32.const 255
        i32.and
        i32.const 1
        i32.add
        local.set $len
        ;; memset(W + off1, salt[i & 31] ^ i, len)
        local.get $off1
        i32.const 0x1000
        i32.add
        local.get $i
        i32.const 31
        i32.and
        i32.load8_u offset=0x8000
        local.get $i
        i32.xor
        local.get $len
        memory.fill
        ;; memmove(W + off2 + 17, W + off2, 100 + (x & 255))   (dst above src)
        local.get $x
        i32.const 3
        i32.shr_u
        i32.const 1023
        i32.and
        local.tee $off2
        i32.const 0x1011
        i32.add
        local.get $off2
        i32.const 0x1000
        i32.add
        local.get $x
        i32.const 255
        i32.and
        i32.const 100
        i32.add
        memory.copy
        ;; memmove(W + off3, W + off3 + 33, 300 - len)   (dst below src)
        local.get $x
        i32.const 13
        i32.shr_u
        i32.const 2047
        i32.and
        local.tee $off3
        i32.const 0x1000
        i32.add
        local.get $off3
        i32.const 0x1021
        i32.add
        i32.const 300
        local.get $len
        i32.sub
        memory.copy
        ;; memcpy(W + (off1 ^ off2) + 1024, text + (i & 31), 32)
        local.get $off1
        local.get $off2
        i32.xor
        i32.const 0x1400
        i32.add
        local.get $i
        i32.const 31
        i32.and
        i32.const 32
        memory.init $text
        ;; no-op after the first call, as in a module that re-runs its init path
        data.drop $salt
        ;; h = (h rotl 5) ^ W[off1] ^ W[off2 + 17] + W[off3]
        local.get $h
        i32.const 5
        i32.rotl
        local.get $off1
        i32.load offset=0x1000
        i32.xor
        local.get $off2
        i32.load offset=0x1011
        local.get $off3
        i32.load offset=0x1000
        i32.add
        i32.xor
        local.set $h
        local.get $i
        i32.const 1
        i32.add
        local.tee $i
        local.get $n
        i32.lt_s
        br_if 0
      end
    end
    ;; h64 = fold of the whole work area, 8 bytes at a time
    i32.const 0x1000
    local.set $p
    loop
      local.get $h64
      i64.const 0x100000001B3
      i64.mul
      local.get $p
      i64.load
      i64.xor
      local.set $h64
      local.get $p
      i32.const 8
      i32.add
      local.tee $p
      i32.const 0x2000
      i32.lt_u
      br_if 0
    end
    local.get $h
    local.get $h64
    i32.wrap_i64
    i32.xor
    local.get $h64
    i64.const 32
    i64.shr_u
    i32.wrap_i64
    i32.add))
