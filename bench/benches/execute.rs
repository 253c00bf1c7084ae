//! Execution benchmarks: each case on this engine and on wasmi 2.0, same module, same input.

use bench::{wat_module, OursI32, WasmiI32};
use criterion::{criterion_group, criterion_main, Criterion};

fn i32_case(c: &mut Criterion, name: &str, file: &str, export: &str, arg: i32, expect: i32) {
    let wasm = wat_module(file);
    let mut ours = OursI32::new(&wasm, export);
    let mut theirs = WasmiI32::new(&wasm, export);
    // Check once before timing: a broken engine cannot win.
    assert_eq!(ours.call(arg), expect, "{name}: this engine");
    assert_eq!(theirs.call(arg), expect, "{name}: wasmi");
    let mut g = c.benchmark_group(format!("execute/{name}"));
    g.sample_size(10);
    g.bench_function("engine", |b| b.iter(|| ours.call(arg)));
    g.bench_function("wasmi", |b| b.iter(|| theirs.call(arg)));
    g.finish();
}

fn execute(c: &mut Criterion) {
    i32_case(c, "fib_recursive", "fib.wat", "fib", 30, 832_040);
    i32_case(c, "counter", "counter.wat", "count", 10_000_000, 10_000_000);
}

criterion_group!(benches, execute);
criterion_main!(benches);
