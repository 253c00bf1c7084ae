//! End-to-end checks of the embedding API on small modules.

use engine::{Caller, Engine, Error, Func, Linker, Module, Store, TrapCode, Val};

mod common;
use common::instance;

#[test]
fn fib_recursive() {
    let (mut store, inst) = instance(
        r#"(module (func $fib (export "fib") (param i32) (result i32)
            local.get 0 i32.const 2 i32.lt_s
            if (result i32) local.get 0
            else local.get 0 i32.const 1 i32.sub call $fib
                 local.get 0 i32.const 2 i32.sub call $fib i32.add end))"#,
    );
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
}

#[test]
fn counter_loop() {
    let (mut store, inst) = instance(
        r#"(module (func (export "count") (param i32) (result i32) (local i32)
            block loop
              local.get 1 i32.const 1 i32.add local.tee 1
              local.get 0 i32.ge_s br_if 1 br 0
            end end local.get 1))"#,
    );
    let f = inst.get_typed_func::<i32, i32>(&store, "count").unwrap();
    assert_eq!(f.call(&mut store, 1000).unwrap(), 1000);
}

#[test]
fn traps_and_host_calls() {
    let engine = Engine::default();
    let wat = r#"(module
        (import "env" "double" (func $d (param i64) (result i64)))
        (memory (export "mem") 1)
        (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
        (func (export "call_host") (param i64) (result i64) local.get 0 call $d)
        (func (export "oob") (result i32) i32.const 65536 i32.load))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .func_wrap("env", "double", |mut caller: Caller<'_, u32>, x: i64| {
            *caller.data_mut() += 1;
            x * 2
        })
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let div = inst.get_typed_func::<(i32, i32), i32>(&store, "div").unwrap();
    assert_eq!(div.call(&mut store, (7, 2)).unwrap(), 3);
    let e = div.call(&mut store, (7, 0)).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::IntegerDivideByZero));
    let h = inst.get_func(&store, "call_host").unwrap();
    let mut out = [Val::I64(0)];
    h.call(&mut store, &[Val::I64(21)], &mut out).unwrap();
    assert_eq!(out[0], Val::I64(42));
    assert_eq!(*store.data(), 1);
    let oob = inst.get_typed_func::<(), i32>(&store, "oob").unwrap();
    assert_eq!(oob.call(&mut store, ()).unwrap_err().as_trap_code(), Some(TrapCode::MemoryOutOfBounds));
}

#[test]
fn unwind_signal_passes_through_wasm_frames() {
    let engine = Engine::default();
    let wat = r#"(module
        (import "env" "throw" (func $t))
        (func $deep (param i32) local.get 0 if local.get 0 i32.const 1 i32.sub call $deep else call $t end)
        (func (export "run") (param i32) local.get 0 call $deep))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "throw", || -> Result<(), Error> { Err(Error::unwind(7)) }).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<i32, ()>(&store, "run").unwrap();
    let e = run.call(&mut store, 100).unwrap_err();
    assert_eq!(e.unwind_payload(), Some(7));
    // The store is still usable afterwards.
    let e = run.call(&mut store, 3).unwrap_err();
    assert_eq!(e.unwind_payload(), Some(7));
    let _ = Func::wrap(&mut store, |x: i32| x);
}

#[test]
fn deep_recursion_traps_cleanly() {
    let (mut store, inst) = instance(
        r#"(module (func $r (export "r") (param i32) (result i32)
            local.get 0 i32.eqz if (result i32) i32.const 0
            else local.get 0 i32.const 1 i32.sub call $r i32.const 1 i32.add end))"#,
    );
    let r = inst.get_typed_func::<i32, i32>(&store, "r").unwrap();
    assert_eq!(r.call(&mut store, 20_000).unwrap(), 20_000);
    let e = r.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::StackOverflow));
}

#[test]
fn deep_recursion_on_a_small_host_stack() {
    // Whatever the host thread's stack, deep recursion ends in a trap, not a SIGSEGV.
    let handle = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(|| {
            let (mut store, inst) = instance(
                r#"(module (func $r (export "r") (param i32) (result i32)
                    local.get 0 i32.eqz if (result i32) i32.const 0
                    else local.get 0 i32.const 1 i32.sub call $r i32.const 1 i32.add end))"#,
            );
            let r = inst.get_typed_func::<i32, i32>(&store, "r").unwrap();
            assert_eq!(r.call(&mut store, 50_000).unwrap(), 50_000);
            let e = r.call(&mut store, 1_000_000).unwrap_err();
            assert_eq!(e.as_trap_code(), Some(TrapCode::StackOverflow));
            assert_eq!(e.to_string(), "trap: call stack exhausted");
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn malformed_bytes_are_errors_not_panics() {
    let engine = Engine::default();
    let good =
        wat::parse_str(r#"(module (memory 1) (func (export "f") (param i32) (result i32) local.get 0))"#).unwrap();
    for cut in 0..good.len() {
        // Cutting at a section boundary leaves a valid module; anywhere else it is an error.
        let r = Module::new(&engine, &good[..cut]);
        assert!(cut >= 8 || r.is_err(), "truncated header at {cut} accepted");
    }
    assert!(Module::new(&engine, &good[..good.len() - 1]).is_err());
    for i in 0..good.len() {
        for bit in 0..8 {
            let mut b = good.clone();
            b[i] ^= 1 << bit;
            let _ = Module::new(&engine, &b); // must not panic
        }
    }
    assert!(Module::new(&engine, b"garbage").is_err());
}

#[test]
fn lazy_compilation_runs_the_same_code() {
    let mut config = engine::Config::default();
    config.compilation_mode(engine::CompilationMode::Lazy);
    let engine = Engine::new(&config);
    let wat = r#"(module (func $fib (export "fib") (param i32) (result i32)
        local.get 0 i32.const 2 i32.lt_s
        if (result i32) local.get 0
        else local.get 0 i32.const 1 i32.sub call $fib
             local.get 0 i32.const 2 i32.sub call $fib i32.add end)
        (func (export "bad") (param i32) (result i32) local.get 0 i32.const 0 i32.div_u))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    assert_eq!(module.code_stats().1, 0, "nothing compiled before the first call");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
    let bad = inst.get_typed_func::<i32, i32>(&store, "bad").unwrap();
    assert_eq!(bad.call(&mut store, 1).unwrap_err().as_trap_code(), Some(TrapCode::IntegerDivideByZero));
    // Validation stays eager: an invalid body is rejected at load time.
    let invalid = wat::parse_str(r#"(module (func (result i32) i64.const 1))"#);
    assert!(invalid.is_err() || Module::new(&engine, invalid.unwrap()).is_err());
    let bytes = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 10, 6, 1, 4, 0, 66, 1, 11];
    assert!(Module::new(&engine, bytes).is_err(), "i64 result where i32 is declared");
}
