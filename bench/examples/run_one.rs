//! Runs one `(i32) -> i32` WAT workload on one engine, for instruction counting under
//! callgrind: `run_one engine|wasmi FILE.wat EXPORT ARG`. With `REPS=n` in the environment
//! it runs the call n times and prints the fastest wall time to stderr, for quick A/B checks
//! (criterion's `cargo bench` stays the reference).

use bench::{wat_module, OursI32, WasmiI32};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 5 {
        eprintln!("usage: run_one engine|wasmi FILE.wat EXPORT ARG");
        std::process::exit(2);
    }
    let wasm = wat_module(&a[2]);
    let arg: i32 = a[4].parse().expect("ARG must be an i32");
    let reps: u32 = std::env::var("REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
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
    let mut best = std::time::Duration::MAX;
    let mut r = 0;
    for _ in 0..reps {
        let start = std::time::Instant::now();
        r = call();
        best = best.min(start.elapsed());
    }
    if reps > 1 {
        eprintln!("{} {}: best of {reps}: {:.2} ms", a[1], a[2], best.as_secs_f64() * 1e3);
    }
    println!("{r}");
}
