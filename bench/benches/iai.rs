//! Exact instruction counts (iai-callgrind, under valgrind) for the execute cases, on this
//! engine and on wasmi 2.0. Stable on shared machines, unlike wall time.
//!
//! Needs valgrind and the runner: `cargo install iai-callgrind-runner --version 0.16.1`,
//! then `cargo bench -p bench --bench iai`. Module loading happens in the setup functions,
//! which are not counted; only the call of `run(ARG)` is.

use bench::{wat_cases, OursI32, WasmiI32};
use iai_callgrind::{library_benchmark, library_benchmark_group, main};
use std::hint::black_box;

fn case(name: &str) -> (Vec<u8>, i32, i32) {
    let c = wat_cases().into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"));
    let (arg, expect) = c.bench_point();
    (c.wasm, arg, expect)
}

fn setup_engine(name: &str) -> (OursI32, i32, i32) {
    let (wasm, arg, expect) = case(name);
    (OursI32::new(&wasm, "run"), arg, expect)
}

fn setup_wasmi(name: &str) -> (WasmiI32, i32, i32) {
    let (wasm, arg, expect) = case(name);
    (WasmiI32::new(&wasm, "run"), arg, expect)
}

#[library_benchmark]
#[benches::wat(
    args = ["br_table_fsm", "bulk_memory", "call_indirect", "counter", "crc32", "fib", "fib_iter", "host_calls", "matmul", "sieve", "sort"],
    setup = setup_engine
)]
fn engine((mut f, arg, expect): (OursI32, i32, i32)) -> i32 {
    let r = f.call(black_box(arg));
    assert_eq!(r, expect);
    r
}

#[library_benchmark]
#[benches::wat(
    args = ["br_table_fsm", "bulk_memory", "call_indirect", "counter", "crc32", "fib", "fib_iter", "host_calls", "matmul", "sieve", "sort"],
    setup = setup_wasmi
)]
fn wasmi((mut f, arg, expect): (WasmiI32, i32, i32)) -> i32 {
    let r = f.call(black_box(arg));
    assert_eq!(r, expect);
    r
}

library_benchmark_group!(name = execute; benchmarks = engine, wasmi);
main!(library_benchmark_groups = execute);
