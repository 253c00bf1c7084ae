//! An interpreter's opcode dispatch, `br_table (load8_u [pc] + k)` with many targets, runs
//! through a table indexed by the loaded byte (`engine/src/codegen/dispatch.rs`): every byte
//! must reach the target the `br_table` names for `byte + k` (wrapping, the default past the
//! end, with the add written either way round), the moves before the load must be done, and
//! a load out of bounds traps.

use engine::TrapCode;

mod common;
use common::instance;

/// Targets of the `br_table`: above the threshold for a table by byte.
const TARGETS: i32 = 70;

/// The immediates added to the byte: below zero (a wrap for small bytes, as `op - 1`), zero,
/// above zero, past every target, and large enough to wrap for large bytes.
const KS: [i32; 6] = [-1, 0, 5, -200, 100, i32::MAX - 100];

/// A function `run_K` per `k`: `a = 11; b = 29; br_table (load8_u [p] + k)` where target `i`
/// returns `1000 i + a + b` and the default `-1000 + a + b`; `bare_K` is the same without
/// the copies before the load (its targets return `1000 i`, the default `-1000`); `flip_K`
/// is `run_K` with the add written `k + byte`.
fn module() -> String {
    let mut m = String::from("(module (memory (export \"mem\") 1)\n");
    for k in KS {
        for (name, copies) in [("run", true), ("bare", false), ("flip", true)] {
            let mut f =
                format!("(func (export \"{name}_{k}\") (param $p i32) (result i32) (local $a i32) (local $b i32)\n");
            let labels: Vec<String> = (0..TARGETS).map(|i| format!("$t{i}")).collect();
            f.push_str("(block $default\n");
            for l in labels.iter().rev() {
                f.push_str(&format!("(block {l}\n"));
            }
            if copies {
                f.push_str("i32.const 11 local.set $a i32.const 29 local.set $b\n");
            }
            let index = if name == "flip" {
                format!("i32.const {k} local.get $p i32.load8_u")
            } else {
                format!("local.get $p i32.load8_u i32.const {k}")
            };
            f.push_str(&format!("{index} i32.add br_table {} $default)\n", labels.join(" ")));
            for i in 0..TARGETS {
                f.push_str(&format!("i32.const {} local.get $a i32.add local.get $b i32.add return)\n", 1000 * i));
            }
            f.push_str("i32.const -1000 local.get $a i32.add local.get $b i32.add)\n");
            m.push_str(&f);
        }
    }
    m.push(')');
    m
}

/// What the `br_table` picks for `byte` and `k`, as the specification says.
fn expected(byte: u8, k: i32, copies: bool) -> i32 {
    let index = (byte as u32).wrapping_add(k as u32);
    let base = if index < TARGETS as u32 { 1000 * index as i32 } else { -1000 };
    base + if copies { 40 } else { 0 }
}

#[test]
fn every_byte_reaches_its_target() {
    let (mut store, inst) = instance(&module());
    let mem = inst.get_memory(&store, "mem").unwrap();
    // Byte b at address 100 + b.
    for b in 0..=255u8 {
        mem.data_mut(&mut store)[100 + b as usize] = b;
    }
    for k in KS {
        for (name, copies) in [("run", true), ("bare", false), ("flip", true)] {
            let f = inst.get_typed_func::<i32, i32>(&store, &format!("{name}_{k}")).unwrap();
            for b in 0..=255u8 {
                let got = f.call(&mut store, 100 + b as i32).unwrap();
                assert_eq!(got, expected(b, k, copies), "{name}_{k} on byte {b}");
            }
        }
    }
}

#[test]
fn a_dispatch_load_out_of_bounds_traps() {
    let (mut store, inst) = instance(&module());
    for name in ["run_-1", "bare_5"] {
        let f = inst.get_typed_func::<i32, i32>(&store, name).unwrap();
        // The last byte of the one page loads; the next address is out of bounds.
        assert_eq!(
            f.call(&mut store, 65535).unwrap(),
            expected(0, if name == "run_-1" { -1 } else { 5 }, name.starts_with("run"))
        );
        let e = f.call(&mut store, 65536).unwrap_err();
        assert_eq!(e.as_trap_code(), Some(TrapCode::MemoryOutOfBounds), "{name}: {e}");
        let e = f.call(&mut store, -1).unwrap_err();
        assert_eq!(e.as_trap_code(), Some(TrapCode::MemoryOutOfBounds), "{name}: {e}");
    }
}
