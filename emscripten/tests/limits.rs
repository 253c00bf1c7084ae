//! Sandbox limits: a runaway or greedy MicroQuickJS script is stopped by a time limit, fuel or
//! a memory cap with a clear error, and the host can start a fresh sandbox afterwards.

mod common;

use common::corpus_bytes;
use emscripten::{JsError, Limits, Options, RunError, Sandbox, DEFAULT_HEAP};
use engine::{Config, Engine};
use std::time::{Duration, Instant};

fn sandbox(engine: &Engine, limits: Limits) -> Sandbox {
    let wasm = corpus_bytes("mquickjs.wasm");
    let options = Options { limits, ..Options::default() };
    Sandbox::with_options(engine, &wasm, DEFAULT_HEAP, options).expect("sandbox")
}

fn fatal(r: Result<String, JsError>) -> RunError {
    match r {
        Err(JsError::Fatal(e)) => e,
        other => panic!("expected the limit to stop the sandbox, got {other:?}"),
    }
}

#[test]
fn timeout_stops_an_infinite_loop_and_a_fresh_sandbox_works() {
    let engine = Engine::default();
    let mut sb = sandbox(&engine, Limits { timeout: Some(Duration::from_millis(300)), ..Limits::default() });
    let start = Instant::now();
    let e = fatal(sb.eval("while (true) {}"));
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    assert!(e.to_string().contains("interrupted"), "{e}");
    let mut fresh = sandbox(&engine, Limits::default());
    assert_eq!(fresh.eval("1 + 2").unwrap(), "3");
}

#[test]
fn fuel_stops_a_runaway_script() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let mut sb = sandbox(&engine, Limits { fuel: Some(50_000_000), ..Limits::default() });
    assert_eq!(sb.eval("var s = 0; for (var i = 0; i < 1000; i++) s += i; s").unwrap(), "499500");
    let e = fatal(sb.eval("for (;;) {}"));
    assert!(e.to_string().contains("all fuel consumed"), "{e}");
    let mut fresh = sandbox(&engine, Limits { fuel: Some(50_000_000), ..Limits::default() });
    assert_eq!(fresh.eval("6 * 7").unwrap(), "42");
}

#[test]
fn memory_cap_makes_sandbox_init_fail_cleanly() {
    let engine = Engine::default();
    let wasm = corpus_bytes("mquickjs.wasm");
    let options = Options { limits: Limits { max_memory: Some(4 << 20), ..Limits::default() }, ..Options::default() };
    // A 16 MiB JS heap cannot be allocated under a 4 MiB memory cap.
    assert!(Sandbox::with_options(&engine, &wasm, DEFAULT_HEAP, options).is_err());
}
