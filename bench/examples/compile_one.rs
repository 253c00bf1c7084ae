//! Compiles one module on one engine (for instruction counting and quick timing):
//! `compile_one engine|engine-lazy|wasmi|wasmi-lazy FILE.wasm`. With `REPS=n` it then
//! compiles n more times and prints the fastest (warm allocator, as in `cargo bench`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes, to report the memory compiled code takes.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        // The system's realloc (often in place), as without this counter; the default
        // would allocate, copy and free, and skew the timings it prints.
        let q = System.realloc(p, l, new_size);
        if !q.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        }
        q
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes of function bodies in the code section.
fn code_bytes(wasm: &[u8]) -> usize {
    let mut n = 0;
    for p in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::CodeSectionEntry(body)) = p {
            n += body.range().len();
        }
    }
    n
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 3 {
        eprintln!("usage: compile_one engine|engine-lazy|wasmi|wasmi-lazy FILE.wasm");
        std::process::exit(2);
    }
    let wasm = std::fs::read(&a[2]).expect("read module");
    let code = code_bytes(&wasm);
    let before = LIVE.load(Ordering::Relaxed);
    let t = std::time::Instant::now();
    // The compiled module, kept alive until its memory is counted.
    let module = compile(&a[1], &wasm);
    let elapsed = t.elapsed();
    let live = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "{}: {elapsed:?}; {code} bytes of function bodies -> {live} bytes live after compilation ({:.1}x)",
        a[1],
        live as f64 / code as f64
    );
    drop(module);
    let reps: u32 = std::env::var("REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(0);
    if reps > 0 {
        let best = (0..reps)
            .map(|_| {
                let t = std::time::Instant::now();
                let m = compile(&a[1], &wasm);
                let e = t.elapsed();
                drop(m);
                e
            })
            .min()
            .unwrap_or_default();
        println!("{}: best of {reps} warm compilations: {best:?}", a[1]);
    }
}

/// Compiles `wasm` on the engine `which` names.
fn compile(which: &str, wasm: &[u8]) -> Box<dyn std::any::Any> {
    match which {
        "engine" | "engine-lazy" => {
            let mut config = engine::Config::default();
            if which == "engine-lazy" {
                config.compilation_mode(engine::CompilationMode::Lazy);
            }
            Box::new(engine::Module::new(&engine::Engine::new(&config), wasm).expect("compile"))
        }
        "wasmi" | "wasmi-lazy" => {
            let mut config = wasmi::Config::default();
            if which == "wasmi" {
                config.compilation_mode(wasmi::CompilationMode::Eager);
            }
            Box::new(wasmi::Module::new(&wasmi::Engine::new(&config), wasm).expect("compile"))
        }
        other => {
            eprintln!("unknown engine {other}");
            std::process::exit(2);
        }
    }
}
