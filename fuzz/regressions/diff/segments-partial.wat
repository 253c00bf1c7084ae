(module
  ;; Active segments are applied in order; the second data segment is out of bounds, so
  ;; instantiation traps after the first one wrote to the (imported, so still observable) memory
  ;; and after the element segment wrote to the imported table.
  (import "host" "memory" (memory 1 4))
  (import "host" "table" (table 2 20 funcref))
  (func $f)
  (elem (i32.const 1) $f)
  (data (i32.const 10) "written")
  (data (i32.const 65530) "too long for the page"))
