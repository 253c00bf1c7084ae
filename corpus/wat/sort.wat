;; Quicksort of an i32 array in linear memory, the way a C qsort-style routine compiles:
;; Hoare partition around the middle element, recursion on the smaller half and a loop on
;; the larger one, insertion sort below 16 elements. Measures data-dependent branches,
;; i32 loads/stores through pointer locals, and direct recursive calls.
;;
;; run(n) fills n elements from an LCG (memory grows to fit), sorts them, verifies the
;; order (returns -1 if unsorted) and returns a position-weighted sum of the sorted array.
;; ~300 Wasm instructions per element at n = 20000, ~110 M in all at n = 300000.
;;
;; expect: run(10) = 1422510696
;; expect: run(300000) = -1209480890
(module
  (memory 1)

  ;; insertion sort of the inclusive element-pointer range [lo, hi]
  (func $insertion (param $lo i32) (param $hi i32)
    (local $p i32) (local $q i32) (local $v i32) (local $w i32)
    local.get $lo
    i32.const 4
    i32.add
    local.set $p
    block
      loop
        local.get $p
        local.get $hi
        i32.gt_u
        br_if 1
        local.get $p
        i32.load
        local.set $v
        local.get $p
        local.set $q
        block
          loop
            local.get $q
            local.get $lo
            i32.le_u
            br_if 1
            local.get $q
            i32.const -4
            i32.add
            i32.load
            local.tee $w
            local.get $v
            i32.le_s
            br_if 1
            local.get $q
            local.get $w
            i32.store
            local.get $q
            i32.const -4
            i32.add
            local.set $q
            br 0
          end
        end
        local.get $q
        local.get $v
        i32.store
        local.get $p
        i32.const 4
        i32.add
        local.set $p
        br 0
      end
    end)

  ;; quicksort of the inclusive element-pointer range [lo, hi]
  (func $qsort (param $lo i32) (param $hi i32)
    (local $i i32) (local $j i32) (local $pivot i32) (local $t i32)
    loop $tail
      local.get $hi
      local.get $lo
      i32.sub
      i32.const 64
      i32.lt_s
      if
        local.get $lo
        local.get $hi
        call $insertion
        return
      end
      ;; pivot = *(lo + ((hi - lo) / 8) * 4), the middle element
      local.get $lo
      local.get $hi
      local.get $lo
      i32.sub
      i32.const 3
      i32.shr_u
      i32.const 2
      i32.shl
      i32.add
      i32.load
      local.set $pivot
      local.get $lo
      i32.const -4
      i32.add
      local.set $i
      local.get $hi
      i32.const 4
      i32.add
      local.set $j
      block $parted
        loop $part
          loop $scan_i
            local.get $i
            i32.const 4
            i32.add
            local.tee $i
            i32.load
            local.get $pivot
            i32.lt_s
            br_if $scan_i
          end
          loop $scan_j
            local.get $j
            i32.const -4
            i32.add
            local.tee $j
            i32.load
            local.get $pivot
            i32.gt_s
            br_if $scan_j
          end
          local.get $i
          local.get $j
          i32.ge_u
          br_if $parted
          ;; swap *i, *j
          local.get $i
          i32.load
          local.set $t
          local.get $i
          local.get $j
          i32.load
          i32.store
          local.get $j
          local.get $t
          i32.store
          br $part
        end
      end
      ;; [lo, j] and [j + 4, hi]: recurse into the smaller, iterate on the larger
      local.get $j
      local.get $lo
      i32.sub
      local.get $hi
      local.get $j
      i32.sub
      i32.lt_s
      if
        local.get $lo
        local.get $j
        call $qsort
        local.get $j
        i32.const 4
        i32.add
        local.set $lo
      else
        local.get $j
        i32.const 4
        i32.add
        local.get $hi
        call $qsort
        local.get $j
        local.set $hi
      end
      br $tail
    end)

  (func (export "run") (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $x i32) (local $k i32) (local $sum i32)
    local.get $n
    i32.const 1
    i32.lt_s
    if
      i32.const 0
      return
    end
    ;; array at 16 .. 16 + 4n; grow memory to fit
    local.get $n
    i32.const 2
    i32.shl
    i32.const 16
    i32.add
    local.tee $end
    i32.const 65535
    i32.add
    i32.const 16
    i32.shr_u
    memory.size
    i32.sub
    local.tee $p
    i32.const 0
    i32.gt_s
    if
      local.get $p
      memory.grow
      i32.const -1
      i32.eq
      if
        unreachable
      end
    end
    ;; a[k] = x ^ (x >> 15) for x = x * 1103515245 + 12345
    i32.const 42
    local.set $x
    i32.const 16
    local.set $p
    loop
      local.get $p
      local.get $x
      i32.const 1103515245
      i32.mul
      i32.const 12345
      i32.add
      local.tee $x
      local.get $x
      i32.const 15
      i32.shr_u
      i32.xor
      i32.store
      local.get $p
      i32.const 4
      i32.add
      local.tee $p
      local.get $end
      i32.lt_u
      br_if 0
    end
    i32.const 16
    local.get $end
    i32.const -4
    i32.add
    call $qsort
    ;; verify and checksum: sum += a[k] * (k + 1)
    i32.const 16
    local.set $p
    loop
      local.get $p
      i32.const 16
      i32.gt_u
      if
        local.get $p
        i32.load
        local.get $p
        i32.const -4
        i32.add
        i32.load
        i32.lt_s
        if
          i32.const -1
          return
        end
      end
      local.get $sum
      local.get $p
      i32.load
      local.get $k
      i32.const 1
      i32.add
      local.tee $k
      i32.mul
      i32.add
      local.set $sum
      local.get $p
      i32.const 4
      i32.add
      local.tee $p
      local.get $end
      i32.lt_u
      br_if 0
    end
    local.get $sum))
