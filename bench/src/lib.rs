//! Shared benchmark workloads: each case is a module plus an entry point, runnable on this
//! engine and on wasmi 2.0 with identical inputs, and checked once before timing.

use std::path::PathBuf;

/// The repository's `corpus/` directory.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// Reads and assembles a WAT file from `corpus/wat/`.
pub fn wat_module(name: &str) -> Vec<u8> {
    let path = corpus_dir().join("wat").join(name);
    wat::parse_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A loaded `(i32) -> i32` export on this engine.
pub struct OursI32 {
    store: engine::Store<()>,
    func: engine::TypedFunc<i32, i32>,
}

impl OursI32 {
    /// Instantiates `wasm` and looks up `export`.
    pub fn new(wasm: &[u8], export: &str) -> Self {
        let e = engine::Engine::default();
        let m = engine::Module::new(&e, wasm).expect("module");
        let mut store = engine::Store::new(&e, ());
        let inst = engine::Linker::new(&e).instantiate(&mut store, &m).expect("instantiate");
        let func = inst.get_typed_func::<i32, i32>(&store, export).expect("export");
        OursI32 { store, func }
    }
    /// Calls the export.
    pub fn call(&mut self, x: i32) -> i32 {
        self.func.call(&mut self.store, x).expect("call")
    }
}

/// The same on wasmi 2.0.
pub struct WasmiI32 {
    store: wasmi::Store<()>,
    func: wasmi::TypedFunc<i32, i32>,
}

impl WasmiI32 {
    /// Instantiates `wasm` and looks up `export`.
    pub fn new(wasm: &[u8], export: &str) -> Self {
        let e = wasmi::Engine::default();
        let m = wasmi::Module::new(&e, wasm).expect("module");
        let mut store = wasmi::Store::new(&e, ());
        let inst = wasmi::Linker::new(&e).instantiate_and_start(&mut store, &m).expect("instantiate");
        let func = inst.get_typed_func::<i32, i32>(&store, export).expect("export");
        WasmiI32 { store, func }
    }
    /// Calls the export.
    pub fn call(&mut self, x: i32) -> i32 {
        self.func.call(&mut self.store, x).expect("call")
    }
}
