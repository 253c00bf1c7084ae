//! A closure-compiled WebAssembly 2.0 engine.
//!
//! Modules are decoded and validated by wasmparser, then every function body is lowered at
//! load time into a tree of boxed Rust closures with pre-resolved branch targets and register
//! slots (see `docs/ARCHITECTURE.md`). The embedding API follows wasmtime and wasmi:
//! [`Engine`], [`Module`], [`Store`], [`Linker`], [`Instance`], [`Func`], [`TypedFunc`],
//! [`Caller`], [`Memory`], [`Table`], [`Global`], [`Val`], [`Error`], [`TrapCode`].
//!
//! ```
//! use engine::{Engine, Linker, Module, Store};
//! let engine = Engine::default();
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
//! assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
//! ```

#![warn(missing_docs)]

pub(crate) mod codegen;
pub(crate) mod engine;
pub mod error;
pub(crate) mod exec;
pub(crate) mod externals;
pub(crate) mod func;
pub(crate) mod instance;
pub(crate) mod linker;
pub(crate) mod module;
pub mod profile;
pub(crate) mod semantics;
pub(crate) mod store;
pub(crate) mod translate;
pub(crate) mod types;
pub(crate) mod value;

pub use crate::engine::{CompilationMode, Config, Engine};
pub use error::{Error, ErrorKind, TrapCode};
pub use externals::{Global, Memory, Table};
pub use func::{Caller, Func, HostReturn, IntoFunc, TypedFunc, WasmTy, WasmTyList};
pub use instance::{Extern, Instance};
pub use linker::Linker;
pub use module::Module;
pub use profile::{BlockCount, BlockProfile};
pub use store::{AsContext, AsContextMut, InterruptHandle, Store, StoreContext, StoreContextMut, StoreLimits};
pub use types::{ExternType, FuncType, GlobalType, MemoryType, Mutability, TableType, ValType};
pub use value::{ExternRef, Val};
