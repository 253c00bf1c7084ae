//! Exact instruction counts (iai-callgrind, under valgrind) for the cases of `execute.rs`, on
//! this engine and on wasmi 2.0, with the same case names. Stable on shared machines, unlike
//! wall time.
//!
//! Needs valgrind and the runner: `apt-get install -y valgrind`,
//! `cargo install iai-callgrind-runner --version 0.16.1`, then
//! `cargo bench -p bench --bench iai`. Loading (compiling, instantiating, `sandbox_init`)
//! happens in the setup functions, which are not counted; only the measured call is. Each
//! measured function checks its result (a wrong one panics) and returns its state, so that
//! dropping the instance is not counted either.
//!
//! Groups and functions map onto the criterion names: group `execute_c` with functions
//! `engine_c`/`wasmi_c` and bench id `sha256` is `execute/c/sha256` on `engine`/`wasmi`. The
//! case lists are written out below (iai-callgrind needs them literally): add new corpus
//! cases here too.

use bench::emscripten_cases::{
    c_case, compile_engine, compile_wasmi, instantiate_engine, instantiate_wasmi, js_case, largest_c_module,
    mquickjs_wasm, EngineC, EngineJs, WasmiC, WasmiJs,
};
use bench::{wat_cases, OursI32, WasmiI32};
use emscripten::EmscriptenProgram;
use iai_callgrind::{library_benchmark, library_benchmark_group, main, Callgrind, LibraryBenchmarkConfig};
use std::hint::black_box;

// ---------------------------------------------------------------------------------------------
// execute/wat

fn wat(name: &str) -> (Vec<u8>, i32, i32) {
    let c = wat_cases().into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"));
    let (arg, expect) = c.bench_point();
    (c.wasm, arg, expect)
}

fn setup_wat_engine(name: &str) -> (OursI32, i32, i32) {
    let (wasm, arg, expect) = wat(name);
    (OursI32::new(&wasm, "run"), arg, expect)
}

fn setup_wat_wasmi(name: &str) -> (WasmiI32, i32, i32) {
    let (wasm, arg, expect) = wat(name);
    (WasmiI32::new(&wasm, "run"), arg, expect)
}

#[library_benchmark]
#[bench::br_table_fsm(args = ("br_table_fsm"), setup = setup_wat_engine)]
#[bench::bulk_memory(args = ("bulk_memory"), setup = setup_wat_engine)]
#[bench::call_indirect(args = ("call_indirect"), setup = setup_wat_engine)]
#[bench::counter(args = ("counter"), setup = setup_wat_engine)]
#[bench::crc32(args = ("crc32"), setup = setup_wat_engine)]
#[bench::fib(args = ("fib"), setup = setup_wat_engine)]
#[bench::fib_iter(args = ("fib_iter"), setup = setup_wat_engine)]
#[bench::host_calls(args = ("host_calls"), setup = setup_wat_engine)]
#[bench::matmul(args = ("matmul"), setup = setup_wat_engine)]
#[bench::sieve(args = ("sieve"), setup = setup_wat_engine)]
#[bench::sort(args = ("sort"), setup = setup_wat_engine)]
fn engine_wat((mut f, arg, expect): (OursI32, i32, i32)) -> OursI32 {
    assert_eq!(f.call(black_box(arg)), expect);
    f
}

#[library_benchmark]
#[bench::br_table_fsm(args = ("br_table_fsm"), setup = setup_wat_wasmi)]
#[bench::bulk_memory(args = ("bulk_memory"), setup = setup_wat_wasmi)]
#[bench::call_indirect(args = ("call_indirect"), setup = setup_wat_wasmi)]
#[bench::counter(args = ("counter"), setup = setup_wat_wasmi)]
#[bench::crc32(args = ("crc32"), setup = setup_wat_wasmi)]
#[bench::fib(args = ("fib"), setup = setup_wat_wasmi)]
#[bench::fib_iter(args = ("fib_iter"), setup = setup_wat_wasmi)]
#[bench::host_calls(args = ("host_calls"), setup = setup_wat_wasmi)]
#[bench::matmul(args = ("matmul"), setup = setup_wat_wasmi)]
#[bench::sieve(args = ("sieve"), setup = setup_wat_wasmi)]
#[bench::sort(args = ("sort"), setup = setup_wat_wasmi)]
fn wasmi_wat((mut f, arg, expect): (WasmiI32, i32, i32)) -> WasmiI32 {
    assert_eq!(f.call(black_box(arg)), expect);
    f
}

library_benchmark_group!(name = execute_wat; benchmarks = engine_wat, wasmi_wat);

// ---------------------------------------------------------------------------------------------
// execute/c

fn setup_c_engine(name: &str) -> (EngineC, Vec<String>, String) {
    let c = c_case(name);
    (EngineC::new(&c.wasm), c.args, c.expect)
}

fn setup_c_wasmi(name: &str) -> (WasmiC, Vec<String>, String) {
    let c = c_case(name);
    (WasmiC::new(&c.wasm), c.args, c.expect)
}

#[library_benchmark]
#[bench::expr_parse(args = ("expr_parse"), setup = setup_c_engine)]
#[bench::lz(args = ("lz"), setup = setup_c_engine)]
#[bench::nbody(args = ("nbody"), setup = setup_c_engine)]
#[bench::qsort(args = ("qsort"), setup = setup_c_engine)]
#[bench::sha256(args = ("sha256"), setup = setup_c_engine)]
fn engine_c((mut p, args, expect): (EngineC, Vec<String>, String)) -> EngineC {
    assert_eq!(p.run(black_box(&args)), expect);
    p
}

#[library_benchmark]
#[bench::expr_parse(args = ("expr_parse"), setup = setup_c_wasmi)]
#[bench::lz(args = ("lz"), setup = setup_c_wasmi)]
#[bench::nbody(args = ("nbody"), setup = setup_c_wasmi)]
#[bench::qsort(args = ("qsort"), setup = setup_c_wasmi)]
#[bench::sha256(args = ("sha256"), setup = setup_c_wasmi)]
fn wasmi_c((mut p, args, expect): (WasmiC, Vec<String>, String)) -> WasmiC {
    assert_eq!(p.run(black_box(&args)), expect);
    p
}

library_benchmark_group!(name = execute_c; benchmarks = engine_c, wasmi_c);

// ---------------------------------------------------------------------------------------------
// execute/js

fn setup_js_engine(name: &str) -> (EngineJs, &'static str, &'static str) {
    let c = js_case(name);
    (EngineJs::new(&mquickjs_wasm()), c.code, c.expect)
}

fn setup_js_wasmi(name: &str) -> (WasmiJs, &'static str, &'static str) {
    let c = js_case(name);
    (WasmiJs::new(&mquickjs_wasm()), c.code, c.expect)
}

#[library_benchmark]
#[bench::fib(args = ("fib"), setup = setup_js_engine)]
#[bench::json(args = ("json"), setup = setup_js_engine)]
#[bench::numeric_loop(args = ("numeric_loop"), setup = setup_js_engine)]
#[bench::objects(args = ("objects"), setup = setup_js_engine)]
#[bench::regexp(args = ("regexp"), setup = setup_js_engine)]
#[bench::sort(args = ("sort"), setup = setup_js_engine)]
#[bench::string_build(args = ("string_build"), setup = setup_js_engine)]
fn engine_js((mut js, code, expect): (EngineJs, &'static str, &'static str)) -> EngineJs {
    assert_eq!(js.eval(black_box(code)), expect);
    js
}

#[library_benchmark]
#[bench::fib(args = ("fib"), setup = setup_js_wasmi)]
#[bench::json(args = ("json"), setup = setup_js_wasmi)]
#[bench::numeric_loop(args = ("numeric_loop"), setup = setup_js_wasmi)]
#[bench::objects(args = ("objects"), setup = setup_js_wasmi)]
#[bench::regexp(args = ("regexp"), setup = setup_js_wasmi)]
#[bench::sort(args = ("sort"), setup = setup_js_wasmi)]
#[bench::string_build(args = ("string_build"), setup = setup_js_wasmi)]
fn wasmi_js((mut js, code, expect): (WasmiJs, &'static str, &'static str)) -> WasmiJs {
    assert_eq!(js.eval(black_box(code)), expect);
    js
}

library_benchmark_group!(name = execute_js; benchmarks = engine_js, wasmi_js);

// ---------------------------------------------------------------------------------------------
// compile/eager, compile/lazy

fn module_bytes(name: &str) -> Vec<u8> {
    match name {
        "mquickjs" => mquickjs_wasm(),
        "largest_c" => largest_c_module().1,
        other => panic!("no module {other}"),
    }
}

#[library_benchmark]
#[bench::mquickjs(args = ("mquickjs"), setup = module_bytes)]
#[bench::largest_c(args = ("largest_c"), setup = module_bytes)]
fn engine_eager(wasm: Vec<u8>) -> engine::Module {
    compile_engine(black_box(&wasm), false)
}

#[library_benchmark]
#[bench::mquickjs(args = ("mquickjs"), setup = module_bytes)]
#[bench::largest_c(args = ("largest_c"), setup = module_bytes)]
fn wasmi_eager(wasm: Vec<u8>) -> wasmi::Module {
    compile_wasmi(black_box(&wasm), false)
}

#[library_benchmark]
#[bench::mquickjs(args = ("mquickjs"), setup = module_bytes)]
#[bench::largest_c(args = ("largest_c"), setup = module_bytes)]
fn engine_lazy(wasm: Vec<u8>) -> engine::Module {
    compile_engine(black_box(&wasm), true)
}

#[library_benchmark]
#[bench::mquickjs(args = ("mquickjs"), setup = module_bytes)]
#[bench::largest_c(args = ("largest_c"), setup = module_bytes)]
fn wasmi_lazy(wasm: Vec<u8>) -> wasmi::Module {
    compile_wasmi(black_box(&wasm), true)
}

library_benchmark_group!(name = compile_eager; benchmarks = engine_eager, wasmi_eager);
library_benchmark_group!(name = compile_lazy; benchmarks = engine_lazy, wasmi_lazy);

// ---------------------------------------------------------------------------------------------
// instantiate

fn setup_instantiate_engine(_: &str) -> engine::Module {
    compile_engine(&mquickjs_wasm(), false)
}

fn setup_instantiate_wasmi(_: &str) -> wasmi::Module {
    compile_wasmi(&mquickjs_wasm(), false)
}

#[library_benchmark]
#[bench::mquickjs(args = ("mquickjs"), setup = setup_instantiate_engine)]
fn engine_instantiate(module: engine::Module) -> (EmscriptenProgram, engine::Module) {
    let p = instantiate_engine(black_box(&module));
    assert!(p.has_export("sandbox_eval"));
    (p, module)
}

#[library_benchmark]
#[bench::mquickjs(args = ("mquickjs"), setup = setup_instantiate_wasmi)]
fn wasmi_instantiate(module: wasmi::Module) -> (bench::wasmi_host::WasmiProgram, wasmi::Module) {
    (instantiate_wasmi(black_box(&module)), module)
}

library_benchmark_group!(name = instantiate; benchmarks = engine_instantiate, wasmi_instantiate);

main!(
    config = LibraryBenchmarkConfig::default().tool(Callgrind::with_args(["--cache-sim=no"]));
    library_benchmark_groups = execute_wat, execute_c, execute_js, compile_eager, compile_lazy, instantiate
);
