//! Runs one `(i32) -> i32` WAT workload on one engine, for instruction counting under
//! callgrind: `run_one engine|wasmi FILE.wat EXPORT ARG`.

use bench::{wat_module, OursI32, WasmiI32};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 5 {
        eprintln!("usage: run_one engine|wasmi FILE.wat EXPORT ARG");
        std::process::exit(2);
    }
    let wasm = wat_module(&a[2]);
    let arg: i32 = a[4].parse().expect("ARG must be an i32");
    let r = match a[1].as_str() {
        "engine" => OursI32::new(&wasm, &a[3]).call(arg),
        "wasmi" => WasmiI32::new(&wasm, &a[3]).call(arg),
        other => {
            eprintln!("unknown engine {other}");
            std::process::exit(2);
        }
    };
    println!("{r}");
}
