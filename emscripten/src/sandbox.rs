//! [`Sandbox`]: a typed API over the MicroQuickJS build in `corpus/out/mquickjs.wasm`
//! (wrapper `corpus/mquickjs/sandbox.c`: `sandbox_init`, `sandbox_eval`, `sandbox_get_error`,
//! plus emcc's `malloc`/`free`).
//!
//! ```no_run
//! use emscripten::Sandbox;
//! let wasm = std::fs::read("corpus/out/mquickjs.wasm").unwrap();
//! let mut js = Sandbox::new(&engine::Engine::default(), &wasm, 16 << 20).unwrap();
//! assert_eq!(js.eval("print('hi'); 1 + 2").unwrap(), "3");
//! assert_eq!(js.take_output(), "hi\n");
//! ```

use crate::error::RunError;
use crate::io::{Capture, Input, Sink};
use crate::program::{EmscriptenProgram, Options};
use engine::{Engine, TypedFunc};
use std::fmt;

/// The default JavaScript heap: 16 MiB (as host.js).
pub const DEFAULT_HEAP: u32 = 16 << 20;

/// A JavaScript exception: the text of `sandbox_get_error()` (`String(e)`, then `"\n"` and
/// `e.stack` when there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsException {
    text: Vec<u8>,
}

impl JsException {
    /// The message as raw bytes (MicroQuickJS's UTF-8, unchanged).
    pub fn bytes(&self) -> &[u8] {
        &self.text
    }

    /// The message (lossy UTF-8).
    pub fn message(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// Why [`Sandbox::eval`] produced no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsError {
    /// The script threw (syntax errors included).
    Exception(JsException),
    /// There was no memory inside the module for the script's text (`malloc` failed).
    OutOfMemory,
    /// The Wasm code itself failed (trap, abort, uncaught longjmp, exit). The sandbox is not
    /// usable afterwards: later calls return the same error.
    Fatal(RunError),
}

impl JsError {
    /// The exception, if this is one.
    pub fn exception(&self) -> Option<&JsException> {
        if let JsError::Exception(e) = self {
            Some(e)
        } else {
            None
        }
    }
}

impl fmt::Display for JsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsError::Exception(e) => f.write_str(e.message().trim_end_matches('\n')),
            JsError::OutOfMemory => f.write_str("malloc for the script failed"),
            JsError::Fatal(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for JsError {}

impl From<RunError> for JsError {
    fn from(e: RunError) -> JsError {
        JsError::Fatal(e)
    }
}

/// A MicroQuickJS context inside its own Wasm instance.
pub struct Sandbox {
    program: EmscriptenProgram,
    output: Option<Capture>,
    init: TypedFunc<i32, i32>,
    eval: TypedFunc<(i32, i32), i32>,
    get_error: TypedFunc<(), i32>,
    malloc: TypedFunc<i32, i32>,
    free: TypedFunc<i32, ()>,
    broken: Option<RunError>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox").field("program", &self.program).finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Loads the sandbox module and creates a context with a `heap_bytes` JavaScript heap.
    /// What scripts print is captured (see [`take_output`](Sandbox::take_output)); stderr
    /// goes to the process's stderr.
    ///
    /// # Errors
    /// Load/link errors, [`RunError::SandboxInit`] if `sandbox_init` returned 0 (e.g. a heap
    /// below 4096 bytes).
    pub fn new(engine: &Engine, wasm: &[u8], heap_bytes: u32) -> Result<Sandbox, RunError> {
        let output = Capture::new();
        let options = Options { stdout: Sink::Capture(output.clone()), stdin: Input::Empty, ..Options::default() };
        let mut s = Sandbox::from_program(EmscriptenProgram::load(engine, wasm, options)?, heap_bytes)?;
        s.output = Some(output);
        Ok(s)
    }

    /// Like [`new`](Sandbox::new), with the program's streams given by `options`.
    ///
    /// # Errors
    /// As for [`new`](Sandbox::new).
    pub fn with_options(engine: &Engine, wasm: &[u8], heap_bytes: u32, options: Options) -> Result<Sandbox, RunError> {
        let output = match &options.stdout {
            Sink::Capture(c) => Some(c.clone()),
            _ => None,
        };
        let mut s = Sandbox::from_program(EmscriptenProgram::load(engine, wasm, options)?, heap_bytes)?;
        s.output = output;
        Ok(s)
    }

    /// Wraps a loaded program that exports the sandbox API and calls `sandbox_init`.
    ///
    /// # Errors
    /// [`RunError::Load`] if an export is missing or has another type;
    /// [`RunError::SandboxInit`] if `sandbox_init` returned 0.
    pub fn from_program(program: EmscriptenProgram, heap_bytes: u32) -> Result<Sandbox, RunError> {
        let need = |e: RunError| RunError::Load(format!("not a MicroQuickJS sandbox module: {e}"));
        if program.memory().is_none() {
            return Err(RunError::Load("not a MicroQuickJS sandbox module: no memory export".into()));
        }
        let mut s = Sandbox {
            init: program.typed_func("sandbox_init").map_err(need)?,
            eval: program.typed_func("sandbox_eval").map_err(need)?,
            get_error: program.typed_func("sandbox_get_error").map_err(need)?,
            malloc: program.typed_func("malloc").map_err(need)?,
            free: program.typed_func("free").map_err(need)?,
            program,
            output: None,
            broken: None,
        };
        s.reset(heap_bytes)?;
        Ok(s)
    }

    /// Calls `sandbox_init(heap_bytes)` again: a fresh context (globals are gone).
    ///
    /// # Errors
    /// [`RunError::SandboxInit`] if it returned 0, or how the call failed.
    pub fn reset(&mut self, heap_bytes: u32) -> Result<(), RunError> {
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        let r = self.init.call(self.program.store_mut(), heap_bytes as i32);
        self.program.flush();
        match r {
            Ok(0) => Err(RunError::SandboxInit(heap_bytes)),
            Ok(_) => Ok(()),
            Err(e) => Err(self.fatal(e.into())),
        }
    }

    fn fatal(&mut self, e: RunError) -> RunError {
        self.broken = Some(e.clone());
        e
    }

    /// Evaluates `code` as a global script; returns `String(completion value)`.
    ///
    /// # Errors
    /// [`JsError::Exception`] with `sandbox_get_error()`'s text if the script threw.
    pub fn eval(&mut self, code: &str) -> Result<String, JsError> {
        self.eval_bytes(code.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// [`eval`](Sandbox::eval) on raw bytes, returning the raw bytes of the result (for output
    /// that must be byte-identical to the reference host's).
    ///
    /// # Errors
    /// As for [`eval`](Sandbox::eval).
    pub fn eval_bytes(&mut self, code: &[u8]) -> Result<Vec<u8>, JsError> {
        if let Some(e) = &self.broken {
            return Err(JsError::Fatal(e.clone()));
        }
        let r = self.eval_inner(code);
        self.program.flush();
        match r {
            Err(JsError::Fatal(e)) => Err(JsError::Fatal(self.fatal(e))),
            other => other,
        }
    }

    fn eval_inner(&mut self, code: &[u8]) -> Result<Vec<u8>, JsError> {
        let len = i32::try_from(code.len()).ok().filter(|&l| l < i32::MAX).ok_or(JsError::OutOfMemory)?;
        let store = self.program.store_mut();
        let p = self.malloc.call(&mut *store, len + 1).map_err(RunError::from)?;
        if p == 0 {
            return Err(JsError::OutOfMemory);
        }
        let mut text = Vec::with_capacity(code.len() + 1);
        text.extend_from_slice(code);
        text.push(0);
        self.program.write_memory(p as u32, &text)?;
        let store = self.program.store_mut();
        let r = self.eval.call(&mut *store, (p, len)).map_err(RunError::from)?;
        self.free.call(&mut *store, p).map_err(RunError::from)?;
        if r == 0 {
            let e = self.get_error.call(&mut *store, ()).map_err(RunError::from)?;
            let text = self.program.read_c_string(e as u32)?;
            return Err(JsError::Exception(JsException { text }));
        }
        Ok(self.program.read_c_string(r as u32)?)
    }

    /// Takes what scripts printed since the last call (empty unless stdout is captured, as with
    /// [`new`](Sandbox::new)).
    pub fn take_output(&mut self) -> String {
        self.program.flush();
        self.output.as_ref().map(|c| String::from_utf8_lossy(&c.take()).into_owned()).unwrap_or_default()
    }

    /// The capture buffer of the program's stdout, if it is captured.
    pub fn output(&self) -> Option<&Capture> {
        self.output.as_ref()
    }

    /// The underlying program.
    pub fn program(&self) -> &EmscriptenProgram {
        &self.program
    }

    /// The underlying program, mutably (e.g. to write to its streams in order).
    pub fn program_mut(&mut self) -> &mut EmscriptenProgram {
        &mut self.program
    }
}
