//! Dynamic profile of the lowered code: runs a workload with block counting on and prints the
//! hottest blocks with their IR, then instruction shapes and adjacent pairs weighted by how
//! often they ran (what superinstructions and fusions would save, measured).
//!
//! `profile js 'CODE'` runs JavaScript on MicroQuickJS; `profile wat FILE.wat ARG` calls a
//! corpus workload's `run(ARG)`; `profile c NAME` runs a C benchmark program with its
//! benchmark arguments. `TOP=n` sets how many blocks and shapes are listed (20).

use bench::emscripten_cases::{c_case, mquickjs_wasm, EngineC, EngineJs};
use bench::shapes::ShapeCounts;
use bench::{wat_module, OursI32};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let top: usize = std::env::var("TOP").ok().and_then(|t| t.parse().ok()).unwrap_or(20);
    let profile = engine::BlockProfile::new();
    let mut config = engine::Config::default();
    config.profile_blocks(Some(profile.clone()));
    let eng = engine::Engine::new(&config);
    match (a.get(1).map(String::as_str), a.len()) {
        (Some("js"), 3) => println!("result: {}", EngineJs::with_engine(&eng, &mquickjs_wasm()).eval(&a[2])),
        (Some("wat"), 4) => {
            let arg: i32 = a[3].parse().expect("ARG must be an i32");
            println!("result: {}", OursI32::with_engine(&eng, &wat_module(&a[2]), "run").call(arg));
        }
        (Some("c"), 3) => {
            let case = c_case(&a[2]);
            print!("output: {}", EngineC::with_engine(&eng, &case.wasm).run(&case.args));
        }
        _ => {
            eprintln!("usage: profile js 'CODE' | profile wat FILE.wat ARG | profile c NAME");
            std::process::exit(2);
        }
    }
    let counts = profile.counts();
    // Dynamic IR instructions: each block's instructions and terminator, times its count.
    let weight = |c: &engine::BlockCount| c.count * c.ir.lines().count() as u64;
    let total: u64 = counts.iter().map(weight).sum();
    let entries: u64 = counts.iter().map(|c| c.count).sum();
    let records: u64 = counts.iter().map(|c| c.count * c.records as u64).sum();
    println!(
        "{entries} block entries, {total} IR instructions run ({:.2} per block), {records} records run ({:.2} per block)",
        total as f64 / entries as f64,
        records as f64 / entries as f64
    );
    let mut covered = 0;
    for c in counts.iter().take(top) {
        covered += weight(c);
        println!(
            "\n-- func {} b{}: {} entries, {} records, {:.2}% of instructions ({:.1}% cumulative)",
            c.func_index,
            c.block,
            c.count,
            c.records,
            weight(c) as f64 * 100.0 / total as f64,
            covered as f64 * 100.0 / total as f64
        );
        print!("{}", c.ir);
    }
    let mut shapes = ShapeCounts::default();
    for c in &counts {
        shapes.add_block(c.ir.lines(), c.count);
    }
    println!();
    shapes.print(top);
}
