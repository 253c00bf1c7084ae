;; A counter loop: measures the cost of one loop iteration (add, compare, branch).
;;
;; expect: run(10) = 10
;; expect: run(10000000) = 10000000
(module
  (func (export "count") (export "run") (param $n i32) (result i32)
    (local $i i32)
    block
      loop
        local.get $i
        i32.const 1
        i32.add
        local.tee $i
        local.get $n
        i32.lt_s
        br_if 0
      end
    end
    local.get $i))
