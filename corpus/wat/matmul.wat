;; Dense f64 matrix multiply C = A * B of two n x n row-major matrices in linear memory,
;; in the cache-friendly i-k-j order a C compiler would get from `c[i][j] += a[i][k] *
;; b[k][j]` after loop interchange. Measures f64 load/mul/add/store and pointer-bump loops.
;;
;; run(n) initialises A and B deterministically with inexact decimals (so every product and
;; sum rounds: an engine that fused mul+add or reassociated would change the result),
;; multiplies, and returns the bits of a position-weighted sum of C xor-folded to 32 bits.
;; ~23 Wasm instructions per inner iteration, n^3 iterations (~95 M at n = 160).
;;
;; expect: run(10) = -1162237510
;; expect: run(160) = 1757110470
(module
  (memory 1)

  (func (export "run") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $row i32) (local $end i32)
    (local $i i32) (local $j i32) (local $k i32)
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $aik f64) (local $sum f64) (local $bits i64)
    local.get $n
    i32.const 1
    i32.lt_s
    if
      i32.const 0
      return
    end
    ;; row = n * 8 bytes; A at 0, B at n*row, C at 2*n*row
    local.get $n
    i32.const 3
    i32.shl
    local.set $row
    local.get $row
    local.get $n
    i32.mul
    local.tee $b
    i32.const 1
    i32.shl
    local.set $c
    ;; grow memory to ceil(3 * n * row / 65536) pages
    local.get $c
    local.get $b
    i32.add
    i32.const 65535
    i32.add
    i32.const 16
    i32.shr_u
    memory.size
    i32.sub
    local.tee $i
    i32.const 0
    i32.gt_s
    if
      local.get $i
      memory.grow
      i32.const -1
      i32.eq
      if
        unreachable
      end
    end
    ;; a[i][j] = ((7i + 3j) % 17 - 8) * 0.1 ; b[i][j] = ((5i + 11j) % 23 - 11) * 0.3
    i32.const 0
    local.set $i
    i32.const 0
    local.set $pa
    loop
      i32.const 0
      local.set $j
      loop
        local.get $pa
        local.get $i
        i32.const 7
        i32.mul
        local.get $j
        i32.const 3
        i32.mul
        i32.add
        i32.const 17
        i32.rem_u
        i32.const -8
        i32.add
        f64.convert_i32_s
        f64.const 0.1
        f64.mul
        f64.store
        local.get $pa
        local.get $b
        i32.add
        local.get $i
        i32.const 5
        i32.mul
        local.get $j
        i32.const 11
        i32.mul
        i32.add
        i32.const 23
        i32.rem_u
        i32.const -11
        i32.add
        f64.convert_i32_s
        f64.const 0.3
        f64.mul
        f64.store
        local.get $pa
        local.get $c
        i32.add
        f64.const 0
        f64.store
        local.get $pa
        i32.const 8
        i32.add
        local.set $pa
        local.get $j
        i32.const 1
        i32.add
        local.tee $j
        local.get $n
        i32.lt_s
        br_if 0
      end
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      local.get $n
      i32.lt_s
      br_if 0
    end
    ;; for i: for k: aik = a[i][k]; for j: c[i][j] += aik * b[k][j]
    i32.const 0
    local.set $i
    local.get $c
    local.set $a          ;; $a now walks the rows of C
    loop
      i32.const 0
      local.set $k
      loop
        ;; aik = A[i][k]
        local.get $a
        local.get $c
        i32.sub
        local.get $k
        i32.const 3
        i32.shl
        i32.add
        f64.load
        local.set $aik
        ;; pb = &B[k][0], pc = &C[i][0], end = pc + row
        local.get $b
        local.get $k
        local.get $row
        i32.mul
        i32.add
        local.set $pb
        local.get $a
        local.tee $pc
        local.get $row
        i32.add
        local.set $end
        loop
          local.get $pc
          local.get $pc
          f64.load
          local.get $aik
          local.get $pb
          f64.load
          f64.mul
          f64.add
          f64.store
          local.get $pb
          i32.const 8
          i32.add
          local.set $pb
          local.get $pc
          i32.const 8
          i32.add
          local.tee $pc
          local.get $end
          i32.lt_u
          br_if 0
        end
        local.get $k
        i32.const 1
        i32.add
        local.tee $k
        local.get $n
        i32.lt_s
        br_if 0
      end
      local.get $a
      local.get $row
      i32.add
      local.set $a
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      local.get $n
      i32.lt_s
      br_if 0
    end
    ;; sum = sum over C of c * (index % 7 + 1)
    local.get $c
    local.set $pc
    local.get $c
    local.get $b
    i32.add
    local.set $end
    i32.const 0
    local.set $i
    loop
      local.get $sum
      local.get $pc
      f64.load
      local.get $i
      i32.const 7
      i32.rem_u
      i32.const 1
      i32.add
      f64.convert_i32_u
      f64.mul
      f64.add
      local.set $sum
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      local.get $pc
      i32.const 8
      i32.add
      local.tee $pc
      local.get $end
      i32.lt_u
      br_if 0
    end
    local.get $sum
    i64.reinterpret_f64
    local.tee $bits
    local.get $bits
    i64.const 32
    i64.shr_u
    i64.xor
    i32.wrap_i64))
