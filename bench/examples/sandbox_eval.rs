//! Times MicroQuickJS on one engine through the shared Emscripten layer:
//! `sandbox_eval engine|wasmi CODE [REPEAT]` prints the load time (compile, instantiate,
//! `sandbox_init`), then each evaluation's time and the completion value.

use bench::emscripten_cases::{mquickjs_wasm, EngineJs, WasmiJs};
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: sandbox_eval engine|wasmi CODE [REPEAT]");
        std::process::exit(2);
    }
    let repeat: usize = a.get(3).map_or(1, |r| r.parse().expect("REPEAT must be a number"));
    let wasm = mquickjs_wasm();
    let t = Instant::now();
    let mut eval: Box<dyn FnMut(&str) -> String> = match a[1].as_str() {
        "engine" => {
            let mut js = EngineJs::new(&wasm);
            Box::new(move |c| js.eval(c))
        }
        "wasmi" => {
            let mut js = WasmiJs::new(&wasm);
            Box::new(move |c| js.eval(c))
        }
        other => {
            eprintln!("unknown engine {other}");
            std::process::exit(2);
        }
    };
    println!("{}: load + sandbox_init {:.2?}", a[1], t.elapsed());
    for _ in 0..repeat {
        let t = Instant::now();
        let v = eval(&a[2]);
        println!("{}: eval {:.2?} -> {v}", a[1], t.elapsed());
    }
}
