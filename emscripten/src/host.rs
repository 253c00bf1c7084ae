//! The engine-neutral interface the Emscripten imports are written against: [`HostContext`].
//!
//! Every import (`invoke_*` with its i64 legalization and longjmp catching,
//! `_emscripten_throw_longjmp`, the `env` functions, WASI) is implemented once, generically,
//! in terms of this trait; see [`ImportFunc`](crate::ImportFunc) and
//! [`invoke_i32`](crate::invoke_i32). An engine supplies an adapter: the host context of one
//! import call (for this crate's engine: `engine::Caller<'_, HostState>`, implemented in
//! `engine_host.rs`; `bench/src/wasmi_host.rs` does the same for wasmi 2.0).
//!
//! The adapter provides what the imports need from the engine and nothing more:
//!
//! - the [`HostState`] (streams, argv/environ, `tempRet0`) and the linear memory's bytes,
//!   memory growth;
//! - the module's runtime exports: `stackSave`, `stackRestore`, `setThrew`,
//!   `__errno_location`, and calls of `__indirect_function_table[index]` with values (a
//!   dynamically typed call, and optionally a typed all-i32 one for speed);
//! - how the longjmp unwind signal is represented in its error type, and how faults raised by
//!   the host side ([`Fault`]) become its errors.
//!
//! Values and types are this crate's plain data types from `engine` (`Val` with floats as
//! bits, `ValType`, `FuncType`): an adapter for another engine converts at its boundary.

use crate::state::HostState;
use engine::Val;
use std::fmt;

/// A non-local exit or trap raised by a host function itself (not by Wasm code), before it
/// becomes an engine's error through `From<Fault>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `exit(status)` / `proc_exit(status)`.
    Exit(i32),
    /// `abort()` or a failed `assert()`, with emcc's message.
    Abort(String),
    /// A host-side trap with its message (e.g. `invoke_*` of a null table entry).
    Trap(String),
    /// An access outside linear memory (the engine's own out-of-bounds trap).
    MemoryOutOfBounds,
    /// A table index outside `__indirect_function_table` (the engine's own trap).
    TableOutOfBounds,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Exit(s) => write!(f, "exit({s})"),
            Fault::Abort(m) | Fault::Trap(m) => f.write_str(m),
            Fault::MemoryOutOfBounds => f.write_str(engine::TrapCode::MemoryOutOfBounds.message()),
            Fault::TableOutOfBounds => f.write_str(engine::TrapCode::TableOutOfBounds.message()),
        }
    }
}

impl std::error::Error for Fault {}

/// Why calling `__indirect_function_table[index]` did not return normally.
#[derive(Debug)]
pub enum CallError<E> {
    /// The index is outside the table.
    OutOfBounds,
    /// The entry is null.
    Null,
    /// The table does not hold function references.
    NotFuncref,
    /// The entry's type does not match the call; the entry's actual type, as text.
    WrongType(String),
    /// The function ran and raised this error (trap, host error, the longjmp signal, ...).
    Failed(E),
}

impl<E> From<E> for CallError<E> {
    fn from(e: E) -> Self {
        CallError::Failed(e)
    }
}

/// What the Emscripten imports need from the engine during one import call.
///
/// Implemented by an engine's host-call context (its `Caller`, or a thin wrapper around it).
pub trait HostContext {
    /// The engine's error type, as host functions return it.
    type Error: From<Fault>;
    /// The adapter's part of the host state: typically the export handles cached after
    /// instantiation.
    type Exports;

    /// The host state of the running program.
    fn state(&self) -> &HostState<Self::Exports>;
    /// The host state, mutably.
    fn state_mut(&mut self) -> &mut HostState<Self::Exports>;

    /// The bytes of the program's linear memory (exported `memory` or imported `env.memory`).
    ///
    /// # Errors
    /// A trap if the module has no memory.
    fn memory(&mut self) -> Result<&mut [u8], Self::Error>;
    /// Grows linear memory by `delta` 64 KiB pages; whether it succeeded.
    fn memory_grow(&mut self, delta: u32) -> bool;

    /// Whether the module exports what `invoke_*` needs (`stackSave`, `stackRestore`,
    /// `setThrew`, `__indirect_function_table`).
    fn has_invoke_exports(&self) -> bool;
    /// Calls the module's `stackSave()`.
    ///
    /// # Errors
    /// Whatever the call raises.
    fn stack_save(&mut self) -> Result<i32, Self::Error>;
    /// Calls the module's `stackRestore(sp)`.
    ///
    /// # Errors
    /// Whatever the call raises.
    fn stack_restore(&mut self, sp: i32) -> Result<(), Self::Error>;
    /// Calls the module's `setThrew(threw, value)`.
    ///
    /// # Errors
    /// Whatever the call raises.
    fn set_threw(&mut self, threw: i32, value: i32) -> Result<(), Self::Error>;
    /// The address of `errno`, from the module's `__errno_location()`; `None` when the module
    /// exports no `__errno_location`.
    ///
    /// # Errors
    /// Whatever the call raises.
    fn errno_location(&mut self) -> Result<Option<u32>, Self::Error>;

    /// Calls `__indirect_function_table[index]` with `args` (logical values: real i64s),
    /// writing its results to `results` (empty or one value of the expected type).
    ///
    /// # Errors
    /// See [`CallError`].
    fn call_table(&mut self, index: u32, args: &[Val], results: &mut [Val]) -> Result<(), CallError<Self::Error>>;

    /// The same for a function of only i32 parameters and an i32 result (`has_result`) or none
    /// (then the returned value is 0): the fast path of every `invoke_*` of MicroQuickJS. The
    /// default goes through [`call_table`](HostContext::call_table); adapters override it
    /// with a typed call that boxes no values.
    ///
    /// # Errors
    /// See [`CallError`].
    fn call_table_i32(&mut self, index: u32, args: &[i32], has_result: bool) -> Result<i32, CallError<Self::Error>> {
        let vals: smallvec::SmallVec<[Val; 8]> = args.iter().map(|&a| Val::I32(a)).collect();
        let mut out = [Val::I32(0)];
        let n = usize::from(has_result);
        self.call_table(index, &vals, &mut out[..n])?;
        Ok(if has_result { out[0].i32().unwrap_or(0) } else { 0 })
    }

    /// The unwind signal `_emscripten_throw_longjmp` raises: it must pass through every Wasm
    /// frame up to the nearest host frame unchanged.
    fn longjmp() -> Self::Error;
    /// Whether `error` is that signal (only `invoke_*` catch it).
    fn is_longjmp(error: &Self::Error) -> bool;
}
