//! Copy, fill and scan loops run as native superinstructions (`engine/src/codegen/loops.rs`) behave
//! exactly as the same loops lowered statement by statement: the same results, the same
//! memory (overlapping copies, traps part-way, pointers wrapping), the same fuel. Block profiling turns the
//! superinstructions off, so the two configurations below differ in just that.

use engine::{BlockProfile, Config, Engine, Error, Instance, Linker, Module, Store, TrapCode};

const WAT: &str = include_str!("wat/copy_loops.wat");

/// One instance of the test module, with (`native`) or without the superinstructions.
struct Run {
    store: Store<()>,
    instance: Instance,
}

impl Run {
    fn new(native: bool, fuel: bool) -> Run {
        let mut config = Config::default();
        config.consume_fuel(fuel);
        if !native {
            config.profile_blocks(Some(BlockProfile::new()));
        }
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat::parse_str(WAT).unwrap()).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
        let mut run = Run { store, instance };
        // A recognisable pattern: byte i holds a hash of i.
        for (i, b) in run.memory().iter_mut().enumerate() {
            *b = (i as u32).wrapping_mul(2654435761).rotate_right(13) as u8;
        }
        run
    }

    fn memory(&mut self) -> &mut [u8] {
        let mem = self.instance.get_memory(&self.store, "mem").unwrap();
        mem.data_mut(&mut self.store)
    }

    fn call(&mut self, name: &str, args: &[i32]) -> Result<i32, Error> {
        match *args {
            [a] => self.instance.get_typed_func::<i32, i32>(&self.store, name).unwrap().call(&mut self.store, a),
            [a, b] => self
                .instance
                .get_typed_func::<(i32, i32), i32>(&self.store, name)
                .unwrap()
                .call(&mut self.store, (a, b)),
            [a, b, c] => self
                .instance
                .get_typed_func::<(i32, i32, i32), i32>(&self.store, name)
                .unwrap()
                .call(&mut self.store, (a, b, c)),
            _ => unreachable!("one to three arguments"),
        }
    }
}

/// What a call left observable: its result or trap, and the whole memory.
fn outcome(run: &mut Run, name: &str, args: &[i32]) -> (Result<i32, Option<TrapCode>>, Vec<u8>) {
    let r = run.call(name, args).map_err(|e| e.as_trap_code());
    (r, run.memory().to_vec())
}

const CALLS: &[(&str, &[i32])] = &[
    ("words", &[1000, 2000, 400]),
    // Overlapping, unaligned, destination above the source: each word sees the last.
    ("words", &[2002, 2000, 64]),
    ("bytes", &[101, 100, 300]),
    ("bytes", &[3000, 3100, 50]),
    ("unrolled", &[8192, 5000, 12000]),
    ("dwords", &[16, 3000]),
    ("bytes_general", &[101, 100, 300]),
    // Out of bounds part-way: the stores before the trap stay done.
    ("words", &[65500, 0, 100]),
    ("words", &[0, 65530, 40]),
    ("bytes", &[65530, 7, 100]),
    ("unrolled", &[65520, 100, 70000]),
    ("dwords", &[65528, 40]),
    ("strided", &[4, 7, 60000]),
    ("strided", &[100, 0x7fff_fff0, 200]),
    // Stepping down by 4096 until the pointer wraps past zero.
    ("strided", &[65000, -4096, 70000]),
    ("fill", &[1024, 0x1234_5678, 100]),
    ("fill", &[65000, -1, 100]),
    ("strlen", &[0]),
    ("strlen", &[65000]),
    ("scan_down", &[4000, 100]),
    ("scan_down", &[60000, -2147483648]),
    ("scan_halves", &[0, 40000]),
    ("scan_halves", &[65000, 65535]),
];

#[test]
fn memory_loops_match_the_statement_by_statement_lowering() {
    for &(name, args) in CALLS {
        let native = outcome(&mut Run::new(true, false), name, args);
        let general = outcome(&mut Run::new(false, false), name, args);
        assert_eq!(native.0, general.0, "{name}{args:?}");
        assert!(native.1 == general.1, "{name}{args:?}: memories differ");
    }
}

#[test]
fn copy_loops_copy_forward_exactly() {
    // Against a reference copy in Rust: overlapping byte copy smears the first byte.
    let mut run = Run::new(true, false);
    let before = run.memory().to_vec();
    run.call("bytes", &[101, 100, 300]).unwrap();
    let mut want = before.clone();
    for i in 0..300 {
        want[101 + i] = want[100 + i];
    }
    assert!(run.memory() == &want[..]);
    assert!(run.memory()[101..401].iter().all(|&b| b == before[100]), "a forward byte copy onto itself smears");
    // A trap part-way: every word before the one that does not fit is copied.
    let mut run = Run::new(true, false);
    let before = run.memory().to_vec();
    let e = run.call("words", &[65500, 0, 100]).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::MemoryOutOfBounds));
    let mut want = before.clone();
    want.copy_within(0..36, 65500);
    assert!(run.memory() == &want[..], "9 words copied, then the trap");
}

#[test]
fn memory_loops_consume_the_same_fuel() {
    for &(name, args) in CALLS {
        // Enough fuel, and amounts that run out inside the loops.
        for fuel in [1_000_000, 3, 40, 77] {
            let mut results = Vec::new();
            for native in [true, false] {
                let mut run = Run::new(native, true);
                run.store.set_fuel(fuel).unwrap();
                let (r, mem) = outcome(&mut run, name, args);
                results.push((r, mem, run.store.get_fuel().unwrap()));
            }
            let (n, g) = (&results[0], &results[1]);
            assert_eq!((&n.0, n.2), (&g.0, g.2), "{name}{args:?} with fuel {fuel}");
            assert!(n.1 == g.1, "{name}{args:?} with fuel {fuel}: memories differ");
        }
    }
}
