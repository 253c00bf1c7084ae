//! Engine bugs found by the fuzzers, each kept as a test with its minimal reproduction.

use engine::{Engine, Module, TrapCode};
use std::time::{Duration, Instant};

mod common;
use common::instance;

/// `call_indirect` whose index is a block parameter: the copy that materialises the parameter
/// was folded into the call closure, which read the index before applying it.
#[test]
fn call_indirect_index_from_a_block_parameter() {
    let (mut store, inst) = instance(
        r#"(module (type $t (func)) (table 2 funcref) (global $i (mut i32) (i32.const 7))
            (func (export "f") (local i32)
              global.get $i local.set 0 local.get 0
              block (param i32) call_indirect (type $t) end)
            (func (export "g") (global.set $i (i32.const 1))))"#,
    );
    let f = inst.get_typed_func::<(), ()>(&store, "f").unwrap();
    let g = inst.get_typed_func::<(), ()>(&store, "g").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap_err().as_trap_code(), Some(TrapCode::UndefinedElement));
    g.call(&mut store, ()).unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap_err().as_trap_code(), Some(TrapCode::UninitializedElement));
}

/// `select` with a constant condition picked a stack slot without moving it to its new stack
/// position, so the next value overwrote it.
#[test]
fn select_with_a_constant_condition_keeps_the_picked_value() {
    let (mut store, inst) = instance(
        r#"(module (global $g (mut i32) (i32.const 1))
            (func (export "f") (result i32) (local i32)
              i32.const 0 local.get 0 i32.clz i32.const 0 select global.get $g i32.xor))"#,
    );
    let f = inst.get_typed_func::<(), i32>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 33);
}

/// A deadline must bound exponential recursion too, not only loops.
#[test]
fn deadline_stops_runaway_recursion() {
    let (mut store, inst) = instance(
        r#"(module (func $fib (export "fib") (param $n i32) (result i32)
            local.get $n i32.const -62 i32.lt_s
            if (result i32) local.get $n
            else local.get $n i32.const 1 i32.sub call $fib
                 local.get $n i32.const 2 i32.sub call $fib i32.add end))"#,
    );
    store.set_deadline(Some(Duration::from_millis(50)));
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    let start = Instant::now();
    let e = fib.call(&mut store, 30).unwrap_err();
    assert!(matches!(e.as_trap_code(), Some(TrapCode::Interrupted | TrapCode::StackOverflow)), "{e}");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

/// Found by the fuzzing campaign: compile time was quadratic in the nesting depth of loops
/// (jump threading followed every chain of empty loop headers from every block).
#[test]
fn deeply_nested_loops_compile_in_linear_time() {
    let depth = 40_000;
    let wat = format!("(module (func {}{}))", "(loop ".repeat(depth), ")".repeat(depth));
    let wasm = wat::parse_str(&wat).unwrap();
    let start = Instant::now();
    Module::new(&Engine::default(), &wasm).unwrap();
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
}
