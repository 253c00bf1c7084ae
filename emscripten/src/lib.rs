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

mod env;
pub mod error;
mod invoke;
pub mod io;
pub mod program;
mod resolve;
pub mod sandbox;
pub mod sig;
pub mod state;
mod wasi;

pub use error::{Abort, Exit, RunError, LONGJMP_PAYLOAD};
pub use io::{Capture, Input, Io, Sink};
pub use program::{EmscriptenProgram, Options, THIS_PROGRAM};
pub use sandbox::{JsError, JsException, Sandbox, DEFAULT_HEAP};
pub use sig::{Layout, Letter, Signature};
pub use state::HostState;

/// The implementation of a fixed-name import: logical arguments in (i64s re-assembled),
/// logical result out (`None` for `v`).
pub(crate) type Handler =
    fn(&mut engine::Caller<'_, HostState>, &[engine::Val]) -> Result<Option<engine::Val>, engine::Error>;
