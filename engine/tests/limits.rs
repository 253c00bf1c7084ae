//! Sandboxing limits: fuel, interruption from another thread, deadlines, memory and table
//! limits, and recovery of the store afterwards.

use engine::{Config, Engine, Linker, Module, Store, StoreLimits, TrapCode};
use std::time::{Duration, Instant};

const SPIN: &str = r#"(module
    (memory (export "mem") 1)
    (table 1 funcref)
    (func (export "spin") (loop br 0))
    (func (export "rec") (call 1))
    (func (export "count") (param i32) (result i32) (local i32)
        loop local.get 1 i32.const 1 i32.add local.tee 1 local.get 0 i32.lt_s br_if 0 end local.get 1)
    (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
    (func (export "tgrow") (param i32) (result i32) ref.null func local.get 0 table.grow 0))"#;

fn setup(config: &Config) -> (Store<()>, engine::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat::parse_str(SPIN).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, inst)
}

#[test]
fn fuel_stops_infinite_loops_and_recursion() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let (mut store, inst) = setup(&config);
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    assert_eq!(spin.call(&mut store, ()).unwrap_err().as_trap_code(), Some(TrapCode::OutOfFuel), "no fuel yet");
    store.set_fuel(1_000_000).unwrap();
    let e = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::OutOfFuel));
    assert_eq!(store.get_fuel().unwrap(), 0);
    store.set_fuel(50_000).unwrap();
    let rec = inst.get_typed_func::<(), ()>(&store, "rec").unwrap();
    let e = rec.call(&mut store, ()).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::OutOfFuel), "calls consume fuel");
    // Fuel left is readable and decreases by the work done.
    store.set_fuel(1_000_000).unwrap();
    let count = inst.get_typed_func::<i32, i32>(&store, "count").unwrap();
    assert_eq!(count.call(&mut store, 1000).unwrap(), 1000);
    let left = store.get_fuel().unwrap();
    assert!(left < 1_000_000 && left > 1_000_000 - 5_000, "fuel left {left}");
}

#[test]
fn tight_loops_consume_one_fuel_per_iteration_exactly() {
    // `count` is a one-block loop without calls, which keeps its fuel counter in a register:
    // the store must still see every unit, whether the loop ends or runs out.
    let mut config = Config::default();
    config.consume_fuel(true);
    let (mut store, inst) = setup(&config);
    let count = inst.get_typed_func::<i32, i32>(&store, "count").unwrap();
    let used = |n: i32, store: &mut Store<()>| {
        store.set_fuel(1_000_000).unwrap();
        assert_eq!(count.call(&mut *store, n).unwrap(), n);
        1_000_000 - store.get_fuel().unwrap()
    };
    let (a, b) = (used(1000, &mut store), used(3000, &mut store));
    assert_eq!(b - a, 2000, "one unit per iteration ({a} for 1000, {b} for 3000)");
    // Just enough fuel for 3000 iterations runs them; one unit less runs out.
    store.set_fuel(b).unwrap();
    assert_eq!(count.call(&mut store, 3000).unwrap(), 3000);
    assert_eq!(store.get_fuel().unwrap(), 0);
    store.set_fuel(b - 1).unwrap();
    let e = count.call(&mut store, 3000).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::OutOfFuel));
    assert_eq!(store.get_fuel().unwrap(), 0);
}

#[test]
fn fuel_is_an_error_when_not_enabled() {
    let (mut store, _) = setup(&Config::default());
    assert!(store.set_fuel(10).is_err());
    assert!(store.get_fuel().is_err());
}

#[test]
fn interrupt_from_another_thread_stops_promptly() {
    let (mut store, inst) = setup(&Config::default());
    let handle = store.interrupt_handle();
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let start = Instant::now();
    let e = spin.call(&mut store, ()).unwrap_err();
    t.join().unwrap();
    assert_eq!(e.as_trap_code(), Some(TrapCode::Interrupted));
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    // The store is usable again afterwards.
    let count = inst.get_typed_func::<i32, i32>(&store, "count").unwrap();
    assert_eq!(count.call(&mut store, 10).unwrap(), 10);
}

#[test]
fn deadline_stops_without_a_thread() {
    let (mut store, inst) = setup(&Config::default());
    store.set_deadline(Some(Duration::from_millis(30)));
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let start = Instant::now();
    assert_eq!(spin.call(&mut store, ()).unwrap_err().as_trap_code(), Some(TrapCode::Interrupted));
    assert!(start.elapsed() < Duration::from_secs(2));
    store.set_deadline(None);
    let count = inst.get_typed_func::<i32, i32>(&store, "count").unwrap();
    assert_eq!(count.call(&mut store, 10).unwrap(), 10);
}

#[test]
fn memory_and_table_limits_make_grow_fail() {
    let (mut store, inst) = setup(&Config::default());
    store.set_limits(StoreLimits { max_memory_bytes: 4 * 65536, max_table_elements: 5 });
    let grow = inst.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1, "past the limit");
    assert_eq!(grow.call(&mut store, 1).unwrap(), 3);
    let tgrow = inst.get_typed_func::<i32, i32>(&store, "tgrow").unwrap();
    assert_eq!(tgrow.call(&mut store, 4).unwrap(), 1);
    assert_eq!(tgrow.call(&mut store, 1).unwrap(), -1);
    // A module whose initial memory is over the limit does not instantiate.
    let engine = store.engine().clone();
    let big = Module::new(&engine, wat::parse_str("(module (memory 10))").unwrap()).unwrap();
    assert!(Linker::new(&engine).instantiate(&mut store, &big).is_err());
}
