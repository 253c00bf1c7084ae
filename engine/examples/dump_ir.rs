//! Prints the lowered IR of every function of a module (WAT or binary):
//! `cargo run --release -p engine --example dump_ir -- FILE [FUNC_INDEX]`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: dump_ir FILE [FUNC_INDEX]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).expect("read");
    let wasm = wat::parse_bytes(&bytes).expect("wat").into_owned();
    let mut config = engine::Config::default();
    config.keep_ir(true);
    let module = engine::Module::new(&engine::Engine::new(&config), &wasm).expect("module");
    let only: Option<u32> = args.get(2).map(|s| s.parse().expect("index"));
    for i in 0.. {
        if only.is_some_and(|o| o != i) {
            if only.is_some_and(|o| i > o) {
                break;
            }
            continue;
        }
        match module.function_ir(i) {
            Some(ir) => println!("func {i}: {ir}"),
            None if module.imports().count() as u32 > i => continue,
            None => break,
        }
    }
}
