//! Wall-time benchmarks (criterion): every case on this engine and on wasmi 2.0, same module,
//! same input, same host imports (for Emscripten modules: the `emscripten` crate's import
//! layer on both). Each case is checked once on both engines before timing, so a broken
//! engine cannot win. Groups (case ids `GROUP/CASE/engine` and `GROUP/CASE/wasmi`):
//!
//! - `execute/wat/*`: the WAT kernels of `corpus/wat/` (`run(ARG)`);
//! - `execute/c/*`: the C benchmark programs of `corpus/c/` (`main` with their `bench-args`);
//! - `execute/js/*`: MicroQuickJS scripts through `sandbox_eval`;
//! - `compile/eager/*`, `compile/lazy/*`: `Module::new` of `mquickjs.wasm` and of the largest C
//!   module (`largest_c`), with eager compilation on both, then lazy on both (this engine's
//!   `CompilationMode::Lazy`, wasmi's `LazyTranslation`);
//! - `instantiate/mquickjs`: instantiating `mquickjs.wasm` with the Emscripten imports
//!   (including `__wasm_call_ctors`).
//!
//! Kept short (10 samples, 0.5 s warm-up, 2 s measurement) so a full `cargo bench` stays
//! within minutes; `docs/BENCHMARKS.md` is generated from the results by
//! `cargo run --release -p bench --bin report`.

use bench::emscripten_cases::{
    c_cases, compile_engine, compile_wasmi, instantiate_engine, instantiate_wasmi, largest_c_module, mquickjs_wasm,
    EngineC, EngineJs, WasmiC, WasmiJs, JS_CASES, JS_HEAP,
};
use bench::wasmi_host::WasmiSandbox;
use bench::{wat_cases, OursI32, WasmiI32};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use emscripten::{EmscriptenProgram, Options, Sandbox};
use std::hint::black_box;
use std::time::Duration;

fn group<'a>(c: &'a mut Criterion, name: &str, long: bool) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    if long {
        // iterations of tens of milliseconds: one iteration per sample is plenty
        g.sampling_mode(SamplingMode::Flat);
    }
    g
}

fn execute_wat(c: &mut Criterion) {
    for case in wat_cases() {
        let (arg, expect) = case.bench_point();
        let mut ours = OursI32::new(&case.wasm, "run");
        let mut theirs = WasmiI32::new(&case.wasm, "run");
        assert_eq!(ours.call(arg), expect, "{}: this engine", case.name);
        assert_eq!(theirs.call(arg), expect, "{}: wasmi", case.name);
        let mut g = group(c, &format!("execute/wat/{}", case.name), false);
        g.bench_function("engine", |b| b.iter(|| ours.call(black_box(arg))));
        g.bench_function("wasmi", |b| b.iter(|| theirs.call(black_box(arg))));
        g.finish();
    }
}

fn execute_c(c: &mut Criterion) {
    for case in c_cases() {
        let mut ours = EngineC::new(&case.wasm);
        let mut theirs = WasmiC::new(&case.wasm);
        assert_eq!(ours.run(&case.args), case.expect, "{}: this engine", case.name);
        assert_eq!(theirs.run(&case.args), case.expect, "{}: wasmi", case.name);
        let mut g = group(c, &format!("execute/c/{}", case.name), true);
        g.bench_function("engine", |b| b.iter(|| ours.run(&case.args)));
        g.bench_function("wasmi", |b| b.iter(|| theirs.run(&case.args)));
        g.finish();
    }
}

fn execute_js(c: &mut Criterion) {
    let wasm = mquickjs_wasm();
    for case in JS_CASES {
        let mut ours = EngineJs::new(&wasm);
        let mut theirs = WasmiJs::new(&wasm);
        assert_eq!(ours.eval(case.code), case.expect, "{}: this engine", case.name);
        assert_eq!(theirs.eval(case.code), case.expect, "{}: wasmi", case.name);
        let mut g = group(c, &format!("execute/js/{}", case.name), true);
        g.bench_function("engine", |b| b.iter(|| ours.eval(case.code)));
        g.bench_function("wasmi", |b| b.iter(|| theirs.eval(case.code)));
        g.finish();
    }
}

/// The modules of the compile group: `mquickjs` and `largest_c`.
fn compile_modules() -> Vec<(&'static str, Vec<u8>)> {
    vec![("mquickjs", mquickjs_wasm()), ("largest_c", largest_c_module().1)]
}

/// Checks that a module compiled in this mode works: MicroQuickJS evaluates `1 + 2`, the C
/// program's `main` returns 0.
fn check_compiled(name: &str, wasm: &[u8], lazy: bool) {
    let ours = compile_engine(wasm, lazy);
    let theirs = compile_wasmi(wasm, lazy);
    if name == "mquickjs" {
        let p = EmscriptenProgram::instantiate(&ours, Options::captured().0).expect("instantiate");
        let mut js = Sandbox::from_program(p, JS_HEAP).expect("sandbox");
        assert_eq!(js.eval("1 + 2").expect("eval"), "3", "compiled mquickjs on this engine (lazy: {lazy})");
        let mut js = WasmiSandbox::instantiate(&theirs, JS_HEAP).expect("sandbox on wasmi");
        assert_eq!(js.eval("1 + 2").expect("eval"), "3", "compiled mquickjs on wasmi (lazy: {lazy})");
    } else {
        assert_eq!(instantiate_engine(&ours).run_main::<&str>(&[]), Ok(0), "{name} on this engine (lazy: {lazy})");
        assert_eq!(instantiate_wasmi(&theirs).run_main::<&str>(&[]), Ok(0), "{name} on wasmi (lazy: {lazy})");
    }
}

fn compile(c: &mut Criterion) {
    for (mode, lazy) in [("eager", false), ("lazy", true)] {
        for (name, wasm) in compile_modules() {
            check_compiled(name, &wasm, lazy);
            let mut g = group(c, &format!("compile/{mode}/{name}"), false);
            g.bench_function("engine", |b| b.iter(|| compile_engine(black_box(&wasm), lazy)));
            g.bench_function("wasmi", |b| b.iter(|| compile_wasmi(black_box(&wasm), lazy)));
            g.finish();
        }
    }
}

fn instantiate(c: &mut Criterion) {
    let wasm = mquickjs_wasm();
    let ours = compile_engine(&wasm, false);
    let theirs = compile_wasmi(&wasm, false);
    assert!(instantiate_engine(&ours).has_export("sandbox_eval"));
    let mut js = WasmiSandbox::instantiate(&theirs, JS_HEAP).expect("sandbox on wasmi");
    assert_eq!(js.eval("6 * 7").expect("eval"), "42");
    let mut g = group(c, "instantiate/mquickjs", false);
    g.bench_function("engine", |b| b.iter(|| instantiate_engine(&ours)));
    g.bench_function("wasmi", |b| b.iter(|| instantiate_wasmi(&theirs)));
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = execute_wat, execute_c, execute_js, compile, instantiate
}
criterion_main!(benches);
