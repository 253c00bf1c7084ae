//! Execution benchmarks (criterion): every case on this engine and on wasmi 2.0, same
//! module, same input, same host imports. Each case is checked once before timing.

use bench::{wat_cases, OursI32, WasmiI32};
use criterion::{criterion_group, criterion_main, Criterion};

fn execute(c: &mut Criterion) {
    for case in wat_cases() {
        let (arg, expect) = case.bench_point();
        let mut ours = OursI32::new(&case.wasm, "run");
        let mut theirs = WasmiI32::new(&case.wasm, "run");
        assert_eq!(ours.call(arg), expect, "{}: this engine", case.name);
        assert_eq!(theirs.call(arg), expect, "{}: wasmi", case.name);
        let mut g = c.benchmark_group(format!("execute/{}", case.name));
        g.sample_size(10);
        g.bench_function("engine", |b| b.iter(|| ours.call(arg)));
        g.bench_function("wasmi", |b| b.iter(|| theirs.call(arg)));
        g.finish();
    }
}

criterion_group!(benches, execute);
criterion_main!(benches);
