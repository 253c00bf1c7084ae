;; Sieve of Eratosthenes over a byte array in linear memory: byte stores with a stride
;; (the marking loop), a word-at-a-time initialisation loop and a byte-summing count loop.
;; Measures memory load/store paths, address arithmetic and nested loops.
;;
;; run(n) returns the number of primes below n (memory grows to fit n bytes). The array is
;; reinitialised on every call. ~38 Wasm instructions per byte of n, ~115 M at n = 3000000.
;;
;; expect: run(10) = 4
;; expect: run(3000000) = 216816
(module
  (memory 1)

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $p i32) (local $count i32)
    local.get $n
    i32.const 3
    i32.lt_s
    if
      i32.const 0
      return
    end
    ;; grow memory to ceil((n + 4) / 65536) pages
    local.get $n
    i32.const 65539
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
    ;; flags[0 .. n) = 1, four bytes at a time
    i32.const 0
    local.set $p
    loop
      local.get $p
      i32.const 0x01010101
      i32.store
      local.get $p
      i32.const 4
      i32.add
      local.tee $p
      local.get $n
      i32.lt_u
      br_if 0
    end
    i32.const 0
    i32.const 0
    i32.store16
    ;; for (i = 2; i * i < n; i++) if (flags[i]) for (j = i * i; j < n; j += i) flags[j] = 0;
    i32.const 2
    local.set $i
    block
      loop
        local.get $i
        local.get $i
        i32.mul
        local.tee $j
        local.get $n
        i32.ge_u
        br_if 1
        block
          local.get $i
          i32.load8_u
          i32.eqz
          br_if 0
          loop
            local.get $j
            i32.const 0
            i32.store8
            local.get $j
            local.get $i
            i32.add
            local.tee $j
            local.get $n
            i32.lt_u
            br_if 0
          end
        end
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br 0
      end
    end
    ;; count = sum of flags[0 .. n)
    i32.const 0
    local.set $p
    loop
      local.get $count
      local.get $p
      i32.load8_u
      i32.add
      local.set $count
      local.get $p
      i32.const 1
      i32.add
      local.tee $p
      local.get $n
      i32.lt_u
      br_if 0
    end
    local.get $count))
