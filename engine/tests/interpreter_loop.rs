//! A bytecode interpreter written in WAT, shaped like the opcode loop of MicroQuickJS: its
//! dispatch block (`next = pc + 1; k = 7; br_table (load8_u [pc] - 1)`) is copied into the
//! end of every opcode (`engine/src/translate/optimize.rs`, `duplicate_dispatch`), and each
//! copy is one record that jumps straight to the next opcode, backward or forward
//! (`engine/src/codegen/dispatch.rs`). Random programs must give what a reference
//! interpreter in Rust gives, in eager and lazy compilation; a program that never halts must
//! run out of fuel, one unit per opcode; a dispatch past the end of memory traps.

use engine::{CompilationMode, Config, Engine, Instance, Linker, Module, Store, TrapCode};

/// Targets of the `br_table`: bytes 1 to 70 are opcodes, anything else the default.
const TARGETS: u32 = 70;
/// How many backward jumps (opcode 5) a run may take.
const LOOPS: i32 = 50;

/// The interpreter: `run(pc)` runs the program at `pc` and returns its accumulator.
fn module() -> String {
    let mut body = String::new();
    let labels: Vec<String> = (0..TARGETS).map(|i| format!("$t{i}")).collect();
    body.push_str("(block $default\n");
    for l in labels.iter().rev() {
        body.push_str(&format!("(block {l}\n"));
    }
    body.push_str(&format!(
        "local.get $pc i32.const 1 i32.add local.set $next
         i32.const 7 local.set $k
         local.get $pc i32.load8_u i32.const 1 i32.sub
         br_table {} $default)\n",
        labels.join(" ")
    ));
    let latch = "local.get $next local.set $pc br $top";
    let operand = "local.get $next i32.load8_u";
    for i in 0..TARGETS {
        let case = match i + 1 {
            1 => "local.get $acc return".to_string(),
            2 => format!("local.get $acc i32.const 1 i32.add local.set $acc {latch}"),
            3 => format!("local.get $acc i32.const 3 i32.mul local.get $k i32.add local.set $acc {latch}"),
            4 => format!(
                "local.get $acc {operand} i32.add local.set $acc
                 local.get $pc i32.const 2 i32.add local.set $pc br $top"
            ),
            5 => format!(
                "local.get $c i32.const 0 i32.gt_s
                 if
                   local.get $c i32.const 1 i32.sub local.set $c
                   {operand} local.set $pc
                 else
                   local.get $pc i32.const 2 i32.add local.set $pc
                 end
                 br $top"
            ),
            6 => format!("{operand} local.set $pc br $top"),
            _ => format!("local.get $acc i32.const 5 i32.mul i32.const {i} i32.add local.set $acc {latch}"),
        };
        body.push_str(&format!("{case})\n"));
    }
    body.push_str("i32.const -1 return\n");
    format!(
        r#"(module (memory (export "mem") 1)
          (func (export "run") (param $pc i32) (result i32)
            (local $next i32) (local $acc i32) (local $k i32) (local $c i32)
            i32.const {LOOPS} local.set $c
            (loop $top {body})
            unreachable))"#
    )
}

/// What `run(pc)` returns for `mem`, as the WAT above says.
fn reference(mem: &[u8], mut pc: usize) -> i32 {
    let (mut acc, mut c) = (0i32, LOOPS);
    loop {
        let byte = mem[pc] as u32;
        let operand = || mem[pc + 1] as usize;
        match byte {
            1 => return acc,
            2 => acc = acc.wrapping_add(1),
            3 => acc = acc.wrapping_mul(3).wrapping_add(7),
            4 => {
                acc = acc.wrapping_add(operand() as i32);
                pc += 2;
                continue;
            }
            5 if c > 0 => {
                c -= 1;
                pc = operand();
                continue;
            }
            5 => {
                pc += 2;
                continue;
            }
            6 => {
                pc = operand();
                continue;
            }
            b if (7..=TARGETS).contains(&b) => acc = acc.wrapping_mul(5).wrapping_add(b as i32 - 1),
            _ => return -1,
        }
        pc += 1;
    }
}

fn instance(mode: CompilationMode, fuel: bool) -> (Store<()>, Instance) {
    let mut config = Config::default();
    config.compilation_mode(mode).consume_fuel(fuel);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat::parse_str(module()).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, inst)
}

/// A random program of `len` bytes at the start of `mem`, ending in a halt: opcodes with
/// their operands, backward and forward jumps inside the program, and now and then a byte
/// that is no opcode.
fn program(seed: &mut u64, len: usize) -> Vec<u8> {
    let mut next = || {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 33) as usize
    };
    let mut p = Vec::with_capacity(len);
    while p.len() < len - 2 {
        match next() % 10 {
            0 => p.extend([4, (next() % 256) as u8]),
            1 => p.extend([5, (next() % len) as u8]),
            2 => p.push(2),
            3 => p.push(3),
            4 if next() % 20 == 0 => p.push([0, 71, 200, 255][next() % 4]),
            _ => p.push(7 + (next() % (TARGETS as usize - 6)) as u8),
        }
    }
    p.push(1);
    p
}

#[test]
fn random_programs_run_as_the_reference_says() {
    for mode in [CompilationMode::Eager, CompilationMode::Lazy] {
        let (mut store, inst) = instance(mode, false);
        let mem = inst.get_memory(&store, "mem").unwrap();
        let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
        let mut seed = 20261126;
        let mut halted = 0;
        for _ in 0..300 {
            let p = program(&mut seed, 200);
            let data = mem.data_mut(&mut store);
            data[..256].fill(0);
            data[..p.len()].copy_from_slice(&p);
            let want = reference(&data[..256], 0);
            halted += usize::from(want != -1);
            assert_eq!(run.call(&mut store, 0).unwrap(), want, "{mode:?}: program {p:?}");
        }
        // Most programs reach their halt; the others stop at a byte that is no opcode.
        assert!(halted > 100, "{halted} of 300 programs halted");
    }
}

#[test]
fn every_opcode_ends_in_a_dispatch_of_its_own() {
    let mut config = Config::default();
    config.keep_ir(true);
    let module = Module::new(&Engine::new(&config), wat::parse_str(module()).unwrap()).unwrap();
    let ir = module.function_ir(0).unwrap();
    // The entry, and every opcode but the halt (opcode 1), opcode 5 on both its ways: none
    // jumps to a dispatch block.
    let dispatches = ir.lines().filter(|l| l.trim_start().starts_with("br_table")).count();
    assert_eq!(dispatches, 1 + (TARGETS as usize - 1) + 1, "{ir}");
    assert!(!ir.lines().any(|l| l.trim_start().starts_with("jump")), "{ir}");
}

#[test]
fn a_program_that_never_halts_runs_out_of_fuel_one_unit_per_opcode() {
    let (mut store, inst) = instance(CompilationMode::Eager, true);
    let mem = inst.get_memory(&store, "mem").unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    // `2 2 5 0 ... 1`: two increments, then back to the start `LOOPS` times, then halt.
    mem.data_mut(&mut store)[..6].copy_from_slice(&[2, 2, 5, 0, 1, 0]);
    let used = |store: &mut Store<()>| {
        store.set_fuel(1_000_000).unwrap();
        let acc = run.call(&mut *store, 0).unwrap();
        (acc, 1_000_000 - store.get_fuel().unwrap())
    };
    let (acc, fuel) = used(&mut store);
    assert_eq!(acc, 2 * (LOOPS + 1));
    // Three opcodes per pass, `LOOPS + 1` passes and the halt: one unit each, and the call.
    // (Debug builds thread no jumps: every jump goes through the driver loop, which counts
    // the branches inside opcodes too.)
    let opcodes = 3 * (LOOPS as u64 + 1) + 1;
    if cfg!(debug_assertions) {
        assert!(fuel > opcodes, "fuel used for {opcodes} opcodes: {fuel}");
    } else {
        assert_eq!(fuel, opcodes + 1, "fuel used for {opcodes} opcodes");
    }
    // `6 0`: jump to itself forever.
    mem.data_mut(&mut store)[..2].copy_from_slice(&[6, 0]);
    store.set_fuel(100_000).unwrap();
    let e = run.call(&mut store, 0).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::OutOfFuel), "{e}");
    assert_eq!(store.get_fuel().unwrap(), 0);
}

#[test]
fn a_dispatch_past_the_end_of_memory_traps() {
    let (mut store, inst) = instance(CompilationMode::Eager, false);
    let mem = inst.get_memory(&store, "mem").unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    // Two increments in the last two bytes: the third dispatch reads past the end.
    mem.data_mut(&mut store)[65534..].copy_from_slice(&[2, 2]);
    let e = run.call(&mut store, 65534).unwrap_err();
    assert_eq!(e.as_trap_code(), Some(TrapCode::MemoryOutOfBounds), "{e}");
    mem.data_mut(&mut store)[65535] = 1;
    assert_eq!(run.call(&mut store, 65534).unwrap(), 1);
}
