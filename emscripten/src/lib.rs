//! An Emscripten runtime for the engine: runs the `.wasm` that `emcc 3.1.6 -o X.js` writes
//! (the "JS-host" flavour with `invoke_*` imports) without its JavaScript glue, behaving like
//! the reference host `corpus/node/host.js` on V8.
//!
//! - [`EmscriptenProgram`]: load a module (imports resolved from each import's module, name
//!   and type, never from a fixed list of signatures; all unsupported imports are reported
//!   together), then [`run_main`](EmscriptenProgram::run_main)
//!   or [`call`](EmscriptenProgram::call) exports. Output goes to configurable [`Sink`]s.
//! - [`Sandbox`]: a typed API over the MicroQuickJS sandbox build
//!   (`corpus/out/mquickjs.wasm`): `eval(code) -> Result<String, JsError>`.
//! - [`RunError`]: how a run ended abnormally (exit, trap, abort, uncaught longjmp, load and
//!   link errors), with the exit status and stderr text host.js would give.
//! - [`HostContext`]: the engine-neutral interface every import is written against once
//!   ([`ImportFunc`], [`invoke_i32`]); this crate's engine implements it for
//!   `engine::Caller<'_, HostState>`, and another engine can too (the `bench` crate does so for
//!   wasmi 2.0, to run the same Emscripten programs on both).
//!
//! The ABI is described in `/work/shared/notes/emscripten-abi.md` and `corpus/README.md`.
//!
//! ```no_run
//! use emscripten::{EmscriptenProgram, Options};
//! let wasm = std::fs::read("corpus/out/c/setjmp_loop.wasm").unwrap();
//! let engine = engine::Engine::default();
//! let mut prog = EmscriptenProgram::load(&engine, &wasm, Options::default()).unwrap();
//! let status = prog.run_main(&["5"]).unwrap();
//! assert_eq!(status, 0);
//! ```

#![warn(missing_docs)]

mod engine_host;
mod env;
pub mod error;
pub mod host;
pub mod imports;
mod invoke;
pub mod io;
pub mod program;
mod resolve;
pub mod sandbox;
pub mod sig;
pub mod state;
mod wasi;

pub use engine_host::EngineExports;
pub use error::{Abort, Exit, HostTrap, RunError, LONGJMP_PAYLOAD};
pub use host::{CallError, Fault, HostContext};
pub use imports::{Builtin, I32Builtin, I32Invoke, ImportFunc};
pub use invoke::{invoke, invoke_i32};
pub use io::{Capture, Input, Io, Sink};
pub use program::{EmscriptenProgram, Limits, Options, THIS_PROGRAM};
pub use sandbox::{JsError, JsException, Sandbox, DEFAULT_HEAP};
pub use sig::{Layout, Letter, Signature};
pub use state::{c_bytes, HostState};
