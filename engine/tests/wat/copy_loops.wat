;; Copy and fill loops of the shapes the engine runs as native loops
;; (engine/src/codegen/loops.rs), as C's memcpy, memset and hand-written loops compile. Each returns a mix of every value its loop
;; leaves in a local, so a slot not written back on exit shows. engine/tests/loops.rs runs
;; them with and without the superinstruction and compares everything observable.
(module
  (memory (export "mem") 1)

  ;; musl's word loop: while (d < end) *d++ = *s++;  (tests the destination, repeats when true)
  (func (export "words") (param $d i32) (param $s i32) (param $n i32) (result i32)
    (local $end i32) (local $t i32)
    (local.set $end (i32.add (local.get $d) (local.get $n)))
    (loop $l
      (local.set $t (i32.load (local.get $s)))
      (i32.store (local.get $d) (local.get $t))
      (local.set $s (i32.add (local.get $s) (i32.const 4)))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get $d) (local.get $end))))
    (i32.add (i32.add (local.get $t) (i32.mul (local.get $d) (i32.const 3)))
             (i32.mul (local.get $s) (i32.const 7))))

  ;; A byte loop with two more counters (an LZ match copy): tests a counter against a slot.
  (func (export "bytes") (param $d i32) (param $s i32) (param $n i32) (result i32)
    (local $i i32) (local $left i32) (local $t i32)
    (local.set $left (i32.const 1000))
    (loop $l
      (local.set $t (i32.load8_u (local.get $s)))
      (i32.store8 (local.get $d) (local.get $t))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (local.set $left (i32.sub (local.get $left) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (i32.xor (i32.xor (local.get $t) (i32.shl (local.get $i) (i32.const 8)))
             (i32.xor (i32.shl (local.get $left) (i32.const 16))
                      (i32.add (local.get $d) (i32.mul (local.get $s) (i32.const 5))))))

  ;; Unrolled: four words per iteration, pointers stepped by subtracting -16, `<=` test.
  (func (export "unrolled") (param $d i32) (param $s i32) (param $last i32) (result i32)
    (local $t i32)
    (loop $l
      (local.set $t (i32.load offset=0 (local.get $s)))
      (i32.store offset=0 (local.get $d) (local.get $t))
      (local.set $t (i32.load offset=4 (local.get $s)))
      (i32.store offset=4 (local.get $d) (local.get $t))
      (local.set $t (i32.load offset=8 (local.get $s)))
      (i32.store offset=8 (local.get $d) (local.get $t))
      (local.set $t (i32.load offset=12 (local.get $s)))
      (i32.store offset=12 (local.get $d) (local.get $t))
      (local.set $s (i32.sub (local.get $s) (i32.const -16)))
      (local.set $d (i32.sub (local.get $d) (i32.const -16)))
      (br_if $l (i32.le_u (local.get $d) (local.get $last))))
    (i32.add (local.get $t) (i32.add (local.get $d) (i32.mul (local.get $s) (i32.const 9)))))

  ;; 64-bit words, tested on the source against a constant, leaving the loop when it holds.
  (func (export "dwords") (param $d i32) (param $s i32) (result i32)
    (local $t i64)
    (block $done
      (loop $l
        (local.set $t (i64.load (local.get $s)))
        (i64.store offset=8 (local.get $d) (local.get $t))
        (local.set $s (i32.add (local.get $s) (i32.const 8)))
        (local.set $d (i32.add (local.get $d) (i32.const 8)))
        (br_if $done (i32.ge_u (local.get $s) (i32.const 4096)))
        (br $l)))
    (i32.wrap_i64 (i64.add (local.get $t)
      (i64.extend_i32_u (i32.add (local.get $d) (i32.mul (local.get $s) (i32.const 11)))))))

  ;; Not a copy loop (three counters): the same work through the general lowering.
  (func (export "bytes_general") (param $d i32) (param $s i32) (param $n i32) (result i32)
    (local $i i32) (local $left i32) (local $up i32) (local $t i32)
    (loop $l
      (local.set $t (i32.load8_u (local.get $s)))
      (i32.store8 (local.get $d) (local.get $t))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (local.set $left (i32.sub (local.get $left) (i32.const 1)))
      (local.set $up (i32.add (local.get $up) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (local.get $t))

  ;; A strided byte fill (a sieve crossing off multiples): the step is a slot.
  (func (export "strided") (param $p i32) (param $step i32) (param $end i32) (result i32)
    (loop $l
      (i32.store8 (local.get $p) (i32.const 0))
      (local.set $p (i32.add (local.get $p) (local.get $step)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end))))
    (local.get $p))

  ;; Two words per iteration, a slot's value and a constant, and a count down to zero.
  (func (export "fill") (param $p i32) (param $v i32) (param $n i32) (result i32)
    (loop $l
      (i32.store (local.get $p) (local.get $v))
      (i32.store offset=4 (local.get $p) (i32.const -559038737))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.ne (local.get $n) (i32.const 0))))
    (i32.add (local.get $p) (i32.mul (local.get $n) (i32.const 3))))
;; strlen as LLVM rotates it: `do c = *p++; while (c)`, a sign-extended byte.
  (func (export "strlen") (param $p i32) (result i32)
    (local $start i32) (local $c i32)
    (local.set $start (local.get $p))
    (loop $l
      (local.set $c (i32.load8_s (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $l (local.get $c)))
    (i32.add (i32.sub (local.get $p) (local.get $start)) (i32.shl (local.get $c) (i32.const 16))))

  ;; A partition scan: `while (*--q > pivot)`, the pointer stepped before the load.
  (func (export "scan_down") (param $q i32) (param $pivot i32) (result i32)
    (local $v i32)
    (loop $l
      (local.set $q (i32.add (local.get $q) (i32.const -4)))
      (local.set $v (i32.load (local.get $q)))
      (br_if $l (i32.gt_s (local.get $v) (local.get $pivot))))
    (i32.xor (local.get $q) (i32.rotl (local.get $v) (i32.const 8))))

  ;; A 16-bit scan with the bound on the left and a counter: `while (limit > *p) p += 2, n++`.
  (func (export "scan_halves") (param $p i32) (param $limit i32) (result i32)
    (local $v i32) (local $n i32)
    (loop $l
      (local.set $v (i32.load16_u offset=2 (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 2)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_u (local.get $limit) (local.get $v))))
    (i32.add (local.get $p) (i32.add (i32.shl (local.get $n) (i32.const 20)) (local.get $v))))
)
