//! Counts lowered instruction shapes over modules, to choose superinstructions by measurement:
//! `cargo run --release -p bench --example shapes -- FILE.wasm...` (static counts: each
//! instruction once, however often it runs; `examples/profile.rs` weighs them by execution).

use bench::shapes::ShapeCounts;

fn main() {
    let mut config = engine::Config::default();
    config.keep_ir(true);
    let eng = engine::Engine::new(&config);
    let mut counts = ShapeCounts::default();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let wasm = wat::parse_bytes(&bytes).unwrap_or_else(|e| panic!("{path}: {e}")).into_owned();
        let module = engine::Module::new(&eng, &wasm).unwrap_or_else(|e| panic!("{path}: {e}"));
        let imported = module.imports().filter(|(_, _, t)| matches!(t, engine::ExternType::Func(_))).count() as u32;
        let mut i = imported;
        while let Some(ir) = module.function_ir(i) {
            for block in ir.split("\nb").skip(1) {
                counts.add_block(block.lines().skip(1), 1);
            }
            i += 1;
        }
    }
    counts.print(40);
}
