//! Helpers shared by the engine's integration tests.

use engine::{Engine, Instance, Linker, Module, Store};

/// Compiles `wat` with the default engine and instantiates it without imports.
pub fn instance(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, inst)
}
