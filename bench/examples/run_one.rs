//! Runs one `(i32) -> i32` WAT workload on one engine, for instruction counting under
//! callgrind: `run_one engine|wasmi FILE.wat EXPORT ARG`; `run_one engine|wasmi c NAME` runs
//! a C benchmark program's `main` with its benchmark arguments instead (checking its output).
//! With `REPS=n` in the environment it runs n times and prints the fastest wall time to
//! stderr, for quick A/B checks (criterion's `cargo bench` stays the reference).

use bench::emscripten_cases::{c_case, EngineC, WasmiC};
use bench::{wat_module, OursI32, WasmiI32};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let reps: u32 = std::env::var("REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    if a.len() == 4 && a[2] == "c" {
        let case = c_case(&a[3]);
        let mut run: Box<dyn FnMut() -> String> = match a[1].as_str() {
            "engine" => {
                let mut p = EngineC::new(&case.wasm);
                Box::new(move || p.run(&case.args))
            }
            "wasmi" => {
                let mut p = WasmiC::new(&case.wasm);
                Box::new(move || p.run(&case.args))
            }
            other => {
                eprintln!("unknown engine {other}");
                std::process::exit(2);
            }
        };
        let out = timed(reps, &a[1], &a[3], &mut run);
        assert_eq!(out, case.expect, "the program's output");
        print!("{out}");
        return;
    }
    if a.len() != 5 {
        eprintln!("usage: run_one engine|wasmi FILE.wat EXPORT ARG | run_one engine|wasmi c NAME");
        std::process::exit(2);
    }
    let wasm = wat_module(&a[2]);
    let arg: i32 = a[4].parse().expect("ARG must be an i32");
    let mut call: Box<dyn FnMut() -> i32> = match a[1].as_str() {
        "engine" => {
            let mut f = OursI32::new(&wasm, &a[3]);
            Box::new(move || f.call(arg))
        }
        "wasmi" => {
            let mut f = WasmiI32::new(&wasm, &a[3]);
            Box::new(move || f.call(arg))
        }
        other => {
            eprintln!("unknown engine {other}");
            std::process::exit(2);
        }
    };
    let r = timed(reps, &a[1], &a[2], &mut call);
    println!("{r}");
}

/// Calls `f` `reps` times; with more than one, prints the fastest wall time to stderr.
fn timed<T>(reps: u32, engine: &str, name: &str, f: &mut dyn FnMut() -> T) -> T {
    let mut best = std::time::Duration::MAX;
    let mut r = None;
    for _ in 0..reps.max(1) {
        let start = std::time::Instant::now();
        r = Some(f());
        best = best.min(start.elapsed());
    }
    if reps > 1 {
        eprintln!("{engine} {name}: best of {reps}: {:.2} ms", best.as_secs_f64() * 1e3);
    }
    r.expect("at least one run")
}
