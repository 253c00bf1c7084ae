//! Errors: how a run of an Emscripten program can end other than by returning normally.
//!
//! Host functions signal non-local exits to the engine as errors that pass through every Wasm
//! frame unchanged: a [`Fault`](crate::Fault), which on this crate's engine becomes [`Exit`]
//! (`exit()`, `proc_exit()`), [`Abort`] (`abort()`, a failed `assert()`) or [`HostTrap`], and
//! the engine's unwind signal with [`LONGJMP_PAYLOAD`] (`longjmp`). At the API boundary they
//! become a [`RunError`].

use engine::{Error, ErrorKind};
use std::fmt;

/// The payload of the engine's unwind signal (`Error::unwind`) that
/// `_emscripten_throw_longjmp` raises and only `invoke_*` catch.
pub const LONGJMP_PAYLOAD: u64 = 0x454d_5f4c_4f4e_474a; // "EM_LONGJ"

/// The program asked to end with this status (`env.exit`, WASI `proc_exit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit(pub i32);

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit({})", self.0)
    }
}
impl std::error::Error for Exit {}

/// The program aborted; the message is emcc's (`Aborted()`,
/// `Aborted(Assertion failed: COND, at: FILE,LINE,FUNC)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abort(pub String);

impl fmt::Display for Abort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Abort {}

/// A trap raised by the host side (e.g. `invoke_*` of a null table entry), with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTrap(pub String);

impl fmt::Display for HostTrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for HostTrap {}

/// Why loading or running an Emscripten program failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The program called `exit(status)` / `proc_exit(status)`.
    Exit(i32),
    /// Wasm execution trapped (the engine's trap message, or a host-side trap's message).
    Trap(String),
    /// A `longjmp` that no `invoke_*` on the stack caught.
    UncaughtLongjmp,
    /// `abort()` or a failed `assert()`, with emcc's message.
    Abort(String),
    /// The module could not be compiled or instantiated, or lacks an export the runtime needs.
    Load(String),
    /// Imports this runtime cannot provide, each as `module.name: type (reason)`; all of them.
    Link(Vec<String>),
    /// Wrong use of the API (no such export, arguments that do not match, ...).
    Usage(String),
    /// The MicroQuickJS sandbox's `sandbox_init(heap_bytes)` returned 0.
    SandboxInit(u32),
}

impl RunError {
    /// The exit status the reference host (`corpus/node/host.js`) reports for this error:
    /// the status for [`RunError::Exit`] (masked to 0..=255), 134 for traps, aborts and
    /// uncaught longjmps, 1 for a failed `sandbox_init`, and 2 for load, link and usage errors.
    pub fn exit_status(&self) -> i32 {
        match self {
            RunError::Exit(s) => s & 255,
            RunError::Trap(_) | RunError::UncaughtLongjmp | RunError::Abort(_) => 134,
            RunError::SandboxInit(_) => 1,
            RunError::Load(_) | RunError::Link(_) | RunError::Usage(_) => 2,
        }
    }

    /// The line the reference host prints on stderr for this error (`None` for an exit).
    /// For traps our text is `trap: <the engine's message>` where host.js prints V8's message.
    pub fn stderr_message(&self) -> Option<String> {
        match self {
            RunError::Exit(_) => None,
            RunError::Abort(m) => Some(m.clone()),
            RunError::UncaughtLongjmp => Some("uncaught longjmp".into()),
            other => Some(other.to_string()),
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Exit(s) => write!(f, "exited with status {s}"),
            RunError::Trap(m) => write!(f, "trap: {m}"),
            RunError::UncaughtLongjmp => f.write_str("uncaught longjmp"),
            RunError::Abort(m) => f.write_str(m),
            RunError::Load(m) => f.write_str(m),
            RunError::Link(list) => write!(f, "{} unsupported import(s): {}", list.len(), list.join(", ")),
            RunError::Usage(m) => f.write_str(m),
            RunError::SandboxInit(heap) => write!(f, "sandbox_init({heap}) failed"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<Error> for RunError {
    /// Classifies an engine error raised while running Wasm code.
    fn from(e: Error) -> RunError {
        if e.unwind_payload() == Some(LONGJMP_PAYLOAD) {
            return RunError::UncaughtLongjmp;
        }
        if let Some(Exit(s)) = e.downcast_ref::<Exit>() {
            return RunError::Exit(*s);
        }
        if let Some(a) = e.downcast_ref::<Abort>() {
            return RunError::Abort(a.0.clone());
        }
        if let Some(t) = e.downcast_ref::<HostTrap>() {
            return RunError::Trap(t.0.clone());
        }
        if let Some(code) = e.as_trap_code() {
            return RunError::Trap(code.message().to_string());
        }
        match e.kind() {
            ErrorKind::Compile | ErrorKind::Instantiate => RunError::Load(e.to_string()),
            ErrorKind::Link => RunError::Link(vec![e.to_string()]),
            ErrorKind::Usage => RunError::Usage(e.to_string()),
            // another unwind payload, or a host error of a foreign type
            _ => RunError::Trap(e.to_string()),
        }
    }
}

impl From<crate::host::Fault> for RunError {
    /// Classifies a fault raised by a host function (for adapters of other engines, whose
    /// errors carry the [`Fault`](crate::Fault) itself).
    fn from(f: crate::host::Fault) -> RunError {
        use crate::host::Fault;
        match f {
            Fault::Exit(s) => RunError::Exit(s),
            Fault::Abort(m) => RunError::Abort(m),
            Fault::Trap(m) => RunError::Trap(m),
            Fault::MemoryOutOfBounds => RunError::Trap(engine::TrapCode::MemoryOutOfBounds.message().into()),
            Fault::TableOutOfBounds => RunError::Trap(engine::TrapCode::TableOutOfBounds.message().into()),
        }
    }
}
