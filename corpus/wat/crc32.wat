;; Table-driven CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the zlib
;; `crc32()` byte loop: a load8_u, xor, and, shift and a table load per byte. Also builds the
;; 256-entry table bit by bit and fills a 64 KiB buffer from an LCG with i32 stores.
;; Measures byte loads, table lookups and shift/xor chains.
;;
;; run(n) computes the CRC-32 of the 64 KiB buffer repeated n times (so run(1) equals
;; zlib's crc32 of the buffer). ~22 Wasm instructions per byte, ~1.44 M per pass,
;; ~144 M at n = 100.
;;
;; expect: run(10) = -1888039040
;; expect: run(100) = 1275882738
(module
  ;; table at 0 .. 1024, buffer at 1024 .. 1024 + 65536
  (memory 2)

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $k i32) (local $c i32) (local $p i32) (local $x i32) (local $crc i32)
    ;; for (i = 0; i < 256; i++) { c = i; for (k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1; table[i] = c; }
    loop
      local.get $i
      local.set $c
      i32.const 8
      local.set $k
      loop
        i32.const 0xedb88320
        local.get $c
        i32.const 1
        i32.shr_u
        local.tee $x
        i32.xor
        local.get $x
        local.get $c
        i32.const 1
        i32.and
        select
        local.set $c
        local.get $k
        i32.const -1
        i32.add
        local.tee $k
        br_if 0
      end
      local.get $i
      i32.const 2
      i32.shl
      local.get $c
      i32.store
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      i32.const 256
      i32.lt_u
      br_if 0
    end
    ;; buffer words from x = x * 1664525 + 1013904223
    i32.const 0x12345678
    local.set $x
    i32.const 1024
    local.set $p
    loop
      local.get $p
      local.get $x
      i32.const 1664525
      i32.mul
      i32.const 1013904223
      i32.add
      local.tee $x
      i32.store
      local.get $p
      i32.const 4
      i32.add
      local.tee $p
      i32.const 66560
      i32.lt_u
      br_if 0
    end
    ;; crc = ~0; n passes of: crc = table[(crc ^ *p) & 255] ^ (crc >> 8)
    i32.const -1
    local.set $crc
    block
      local.get $n
      i32.const 1
      i32.lt_s
      br_if 0
      loop
        i32.const 1024
        local.set $p
        loop
          local.get $crc
          local.get $p
          i32.load8_u
          i32.xor
          i32.const 255
          i32.and
          i32.const 2
          i32.shl
          i32.load
          local.get $crc
          i32.const 8
          i32.shr_u
          i32.xor
          local.set $crc
          local.get $p
          i32.const 1
          i32.add
          local.tee $p
          i32.const 66560
          i32.lt_u
          br_if 0
        end
        local.get $n
        i32.const -1
        i32.add
        local.tee $n
        br_if 0
      end
    end
    local.get $crc
    i32.const -1
    i32.xor))
