//! Runs an `(i32) -> i32` export of a WAT file: `cargo run --release --example run_wat -- FILE EXPORT ARG`.
//! Handy for profiling single workloads.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: run_wat FILE.wat EXPORT ARG");
        std::process::exit(2);
    }
    let wasm = wat::parse_file(&args[1]).expect("wat");
    let mut config = engine::Config::default();
    if let Ok(d) = std::env::var("MAX_DEPTH") {
        config.max_call_depth(d.parse().unwrap());
    }
    let engine = engine::Engine::new(&config);
    let module = engine::Module::new(&engine, &wasm).expect("module");
    let mut store = engine::Store::new(&engine, ());
    let instance = engine::Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
    let f = instance.get_typed_func::<i32, i32>(&store, &args[2]).expect("export");
    let t = std::time::Instant::now();
    let r = f.call(&mut store, args[3].parse().expect("arg")).expect("call");
    println!("{r} in {:?}", t.elapsed());
}
