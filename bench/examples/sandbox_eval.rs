//! Times MicroQuickJS on one engine through the shared Emscripten layer:
//! `sandbox_eval engine|wasmi CODE [REPEAT]` prints the load time (compile, instantiate,
//! `sandbox_init`), then each evaluation's time and the completion value. Set `LAZY=1` for
//! lazy compilation on both engines (the start-up comparison).

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
    let lazy = std::env::var("LAZY").is_ok_and(|v| v == "1");
    let t = Instant::now();
    let mut eval: Box<dyn FnMut(&str) -> String> = match a[1].as_str() {
        "engine" => {
            let mut config = engine::Config::default();
            if lazy {
                config.compilation_mode(engine::CompilationMode::Lazy);
            }
            let mut js = EngineJs::with_engine(&engine::Engine::new(&config), &wasm);
            Box::new(move |c| js.eval(c))
        }
        "wasmi" => {
            let mut config = wasmi::Config::default();
            config.compilation_mode(if lazy {
                wasmi::CompilationMode::LazyTranslation
            } else {
                wasmi::CompilationMode::Eager
            });
            let mut js = WasmiJs::with_engine(&wasmi::Engine::new(&config), &wasm);
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
