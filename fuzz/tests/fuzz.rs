//! Bounded smoke runs of both fuzzers (deterministic seeds), the kept regression inputs, and
//! checks that the oracle itself sees what it should.

use fuzz::diff::{self, Value, Verdict};
use fuzz::{generate, mutate, RunOptions};

fn wat_case(src: &str) -> generate::Generated {
    generate::Generated { wasm: wat::parse_str(src).expect("wat"), canonical_nans: false, imports: true }
}

#[test]
fn diff_smoke() {
    let opts = RunOptions { cases: 3000, seed: 1, ..RunOptions::default() };
    let (stats, failures) = fuzz::run_diff(&opts);
    eprintln!("{stats:?}");
    for f in &failures {
        eprintln!("case {}: {}", f.index, f.message);
    }
    assert!(
        failures.is_empty(),
        "{} divergences/panics (replay with `cargo run --release -p fuzz -- diff --seed 1 --start N --cases 1`)",
        failures.len()
    );
    // The oracle is not vacuous: modules compile and run, calls return and trap in many ways.
    assert_eq!(stats.cases, 3000);
    assert!(stats.compiled >= 2900, "{stats:?}");
    assert!(stats.instantiated >= 2500, "{stats:?}");
    assert!(stats.calls >= 15_000, "{stats:?}");
    assert!(stats.calls - stats.calls_trapped >= 5_000, "{stats:?}");
    assert!(stats.lazy == 1500);
    for kind in
        ["Host", "Trap(Unreachable)", "Trap(MemoryOutOfBounds)", "Trap(TableOutOfBounds)", "Trap(IntegerOverflow)"]
    {
        assert!(stats.failure_kinds.get(kind).copied().unwrap_or(0) > 0, "no {kind} in {:?}", stats.failure_kinds);
    }
}

#[test]
fn mutate_smoke() {
    let seeds = mutate::load_seeds(&mutate::default_root());
    assert!(seeds.len() >= 8 + 11, "corpus/wat and wasm-smith seeds: {}", seeds.len());
    let opts = RunOptions { cases: 3000, seed: 1, ..RunOptions::default() };
    let (stats, failures) = fuzz::run_mutate(&opts, &seeds);
    eprintln!("{stats:?}");
    for f in &failures {
        eprintln!("case {}: {}", f.index, f.message);
    }
    assert!(
        failures.is_empty(),
        "{} panics (replay with `cargo run --release -p fuzz -- mutate --seed 1 --start N --cases 1`)",
        failures.len()
    );
    assert_eq!(stats.cases, 3000);
    assert!(stats.compiled > 0 && stats.instantiated > 0, "{stats:?}");
}

#[test]
fn regressions_diff() {
    let files = fuzz::regression_files("diff");
    assert!(!files.is_empty());
    let errors: Vec<String> = files.iter().filter_map(|f| fuzz::replay_diff_file(f).err()).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn regressions_mutate() {
    let files = fuzz::regression_files("mutate");
    assert!(!files.is_empty());
    let errors: Vec<String> = files.iter().filter_map(|f| fuzz::replay_mutate_file(f).err()).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Each trap kind is produced by both engines and classified the same way.
#[test]
fn oracle_trap_mapping() {
    let cases: &[(&str, &str)] = &[
        ("Trap(Unreachable)", "(func (export \"f\") unreachable)"),
        ("Trap(MemoryOutOfBounds)", "(memory 1) (func (export \"f\") (result i32) i32.const 65536 i32.load)"),
        (
            "Trap(TableOutOfBounds)",
            "(type $t (func)) (table 2 funcref) (func (export \"f\") i32.const 5 call_indirect (type $t))",
        ),
        ("Trap(IndirectCallToNull)", "(type $t (func)) (table 2 funcref) (func (export \"f\") i32.const 1 call_indirect (type $t))"),
        (
            "Trap(IndirectCallTypeMismatch)",
            "(type $t (func (result i32))) (table funcref (elem $g)) (func $g) (func (export \"f\") (result i32) i32.const 0 call_indirect (type $t))",
        ),
        ("Trap(IntegerDivideByZero)", "(func (export \"f\") (result i32) i32.const 1 i32.const 0 i32.div_u)"),
        ("Trap(IntegerOverflow)", "(func (export \"f\") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s)"),
        ("Trap(InvalidConversionToInteger)", "(func (export \"f\") (result i32) f32.const nan i32.trunc_f32_s)"),
        ("Host", "(import \"host\" \"fail\" (func $fail (param i32) (result i32))) (func (export \"f\") (result i32) i32.const 3 call $fail)"),
        ("Trap(TableOutOfBounds)", "(table 1 funcref) (func (export \"f\") (result funcref) i32.const 1 table.get 0)"),
    ];
    let oracle = diff::Oracle::new();
    for (kind, body) in cases {
        for lazy in [false, true] {
            let mut stats = diff::DiffStats::default();
            let v = oracle.run_module(&wat_case(&format!("(module {body})")), 0, lazy, &mut stats);
            assert_eq!(v, Verdict::Agree, "{kind}: {body}");
            assert_eq!(
                stats.failure_kinds.get(*kind).copied(),
                Some(diff::ROUNDS as u64),
                "{kind}: {:?}",
                stats.failure_kinds
            );
        }
    }
}

/// Unbounded recursion exhausts the stack on both sides; the case ends there, accepted.
#[test]
fn oracle_stack_exhaustion() {
    let oracle = diff::Oracle::new();
    let mut stats = diff::DiffStats::default();
    let g = wat_case("(module (func $f (export \"f\") (param i64) (result i64) local.get 0 call $f))");
    assert_eq!(oracle.run_module(&g, 0, false, &mut stats), Verdict::Agree);
    assert_eq!(stats.stack_exhaustion, 1, "{stats:?}");
    assert_eq!(stats.stack_exhaustion_one_side, 0, "{stats:?}");
}

/// A trap in segment initialisation fails instantiation on both sides, after the earlier
/// segments have been written to the imported memory (compared).
#[test]
fn oracle_instantiation_failure() {
    let oracle = diff::Oracle::new();
    let mut stats = diff::DiffStats::default();
    let g = wat_case(
        r#"(module (import "host" "memory" (memory 1 4))
            (data (i32.const 0) "abc") (data (i32.const 65535) "xy"))"#,
    );
    assert_eq!(oracle.run_module(&g, 0, false, &mut stats), Verdict::Agree);
    assert_eq!(stats.instantiation_failed, 1, "{stats:?}");
    let g = wat_case(r#"(module (func $s unreachable) (start $s))"#);
    assert_eq!(oracle.run_module(&g, 0, true, &mut stats), Verdict::Agree);
    assert_eq!(stats.instantiation_failed, 2, "{stats:?}");
}

/// State is compared: memory, globals, host log and results, after every call.
#[test]
fn oracle_compares_state() {
    let oracle = diff::Oracle::new();
    let mut stats = diff::DiffStats::default();
    let g = wat_case(
        r#"(module
            (import "host" "log_i64" (func $log (param i64)))
            (import "host" "mix" (func $mix (param i64 f64) (result i32 i64)))
            (memory (export "m") 1 2)
            (global $g (export "g") (mut i64) (i64.const 5))
            (func (export "f") (param i64 f64) (result i32 i64 f64)
                (i64.store (i32.const 8) (local.get 0))
                (global.set $g (i64.add (global.get $g) (local.get 0)))
                (call $log (global.get $g))
                (call $mix (local.get 0) (local.get 1))
                (f64.div (local.get 1) (f64.const 0)))
            (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#,
    );
    for lazy in [false, true] {
        assert_eq!(oracle.run_module(&g, 42, lazy, &mut stats), Verdict::Agree);
    }
    assert_eq!(stats.calls, 2 * 2 * diff::ROUNDS as u64);
    assert_eq!(stats.calls_trapped, 0);
}

#[test]
fn nan_tolerance() {
    assert!(diff::values_match(&Value::F32(0x7fc0_0000), &Value::F32(0xffc0_0001), false));
    assert!(!diff::values_match(&Value::F32(0x7fc0_0000), &Value::F32(0xffc0_0001), true));
    assert!(!diff::values_match(&Value::F32(0x7fc0_0000), &Value::F64(0x7ff8_0000_0000_0000), false));
    assert!(!diff::values_match(&Value::F64(0), &Value::F64(0x8000_0000_0000_0000), false));
    assert!(diff::values_match(&Value::F64(0x7ff8_0000_0000_0000), &Value::F64(0xfff8_0000_0000_0001), false));
    assert!(!diff::values_match(&Value::I32(1), &Value::I32(2), false));
    let mut a = vec![0u8; 32];
    let mut b = vec![0u8; 32];
    a[4..8].copy_from_slice(&0x7fc0_0000u32.to_le_bytes());
    b[4..8].copy_from_slice(&0xffc0_0000u32.to_le_bytes());
    assert!(diff::memory_diff_explained_by_nans(&a, &b));
    b[20] = 1;
    assert!(!diff::memory_diff_explained_by_nans(&a, &b));
}

#[test]
fn fuel_export_is_added() {
    let engine = engine::Engine::default();
    for i in 0..50u64 {
        let input = fuzz::diff_input(99, i);
        let g = generate::generate(&input).expect("generate");
        let m = engine::Module::new(&engine, &g.wasm).expect("valid");
        assert!(
            m.exports().any(|(n, t)| n == generate::FUEL_EXPORT && matches!(t, engine::ExternType::Global(_))),
            "case {i}"
        );
    }
}

#[test]
fn mutations_are_deterministic() {
    let seeds = mutate::load_seeds(&mutate::default_root());
    for i in 0..100 {
        let a = mutate::mutate(&mut fuzz::rng::Rng::for_case(3, i), &seeds);
        let b = mutate::mutate(&mut fuzz::rng::Rng::for_case(3, i), &seeds);
        assert_eq!(a, b);
    }
    assert_eq!(fuzz::diff_input(5, 17), fuzz::diff_input(5, 17));
    assert_ne!(fuzz::diff_input(5, 17), fuzz::diff_input(5, 18));
}

/// Bugs found and not yet fixed in the engine (`fuzz/regressions/open/`): each must pass once
/// its fix lands (then it moves to `diff/` or `mutate/`). Run with `-- --ignored`. Each file
/// runs on a thread with a time limit, so a hang fails instead of blocking.
#[test]
#[ignore]
fn regressions_open() {
    let mut errors = Vec::new();
    for f in fuzz::regression_files("open") {
        let (tx, rx) = std::sync::mpsc::channel();
        let path = f.clone();
        std::thread::spawn(move || {
            let r = if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("deadline")) {
                fuzz::replay_mutate_file(&path)
            } else {
                fuzz::replay_diff_file(&path)
            };
            let _ = tx.send(r);
        });
        match rx.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(e),
            Err(_) => errors.push(format!("{}: still running after 20 s", f.display())),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The tie-breaker works: on wasmi 2.0.0's `if`-parameter bug, wasmi 0.31 sides with this
/// engine and the case is counted as "wasmi outvoted", not as a divergence.
#[test]
fn wasmi_bug_is_outvoted() {
    let src = std::fs::read_to_string(fuzz::regressions_dir().join("diff/wasmi2-if-param-local-set.wat")).unwrap();
    let g = generate::Generated { wasm: wat::parse_str(&src).unwrap(), canonical_nans: true, imports: false };
    let oracle = diff::Oracle::new();
    for lazy in [false, true] {
        let mut stats = diff::DiffStats::default();
        let v = oracle.run_module(&g, 0, lazy, &mut stats);
        assert!(matches!(v, Verdict::WasmiOutvoted(_)), "{v:?}");
        assert_eq!((stats.wasmi_outvoted, stats.divergences), (1, 0));
    }
}
