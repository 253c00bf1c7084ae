//! Errors and traps.
//!
//! A [`TrapCode`] is the small `Copy` value that statement closures report when Wasm execution
//! cannot continue; its `Display` text is the wording the official spec suite expects. An
//! [`Error`] is what the embedding API returns: a trap, a host error, the unwind signal (used by
//! Emscripten's longjmp), or a load/link/instantiation failure.

use std::fmt;

/// Why Wasm execution stopped abnormally. The message of each code matches the spec's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapCode {
    /// The `unreachable` instruction was executed.
    Unreachable,
    /// A load or store (or bulk memory op) touched bytes outside linear memory.
    MemoryOutOfBounds,
    /// A table access was out of bounds.
    TableOutOfBounds,
    /// `call_indirect` hit an index past the end of the table.
    UndefinedElement,
    /// `call_indirect` hit a null table entry.
    UninitializedElement,
    /// `call_indirect` found a function whose type differs from the expected one.
    IndirectCallTypeMismatch,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed division overflow (`MIN / -1`) or a float-to-int conversion out of range.
    IntegerOverflow,
    /// A float-to-int conversion of NaN.
    InvalidConversionToInteger,
    /// The call depth or native stack budget was exhausted.
    StackOverflow,
    /// The store ran out of fuel.
    OutOfFuel,
    /// Execution was interrupted from outside (deadline or epoch).
    Interrupted,
    /// A null reference was dereferenced.
    NullReference,
}

impl TrapCode {
    /// The spec-conformant message for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted (time limit reached or interrupt requested)",
            TrapCode::NullReference => "null reference",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for TrapCode {}

/// The category of an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Wasm execution trapped.
    Trap,
    /// A host function failed.
    Host,
    /// The unwind signal (raised by a host function, e.g. Emscripten's longjmp) reached a
    /// host frame.
    Unwind,
    /// The module's bytes are malformed or invalid.
    Compile,
    /// Imports could not be resolved or did not match.
    Link,
    /// Instantiation failed (e.g. a segment does not fit).
    Instantiate,
    /// Wrong use of the embedding API (type mismatch of arguments, foreign handle, ...).
    Usage,
}

enum Repr {
    Trap(TrapCode),
    Unwind(u64),
    Host(Box<dyn std::error::Error + Send + Sync>),
    Message(ErrorKind, String),
}

/// The error type of every fallible engine operation.
///
/// Traps and the unwind signal are allocation-free; other errors carry a message.
pub struct Error(Repr);

impl Error {
    /// An error raised by host code; it passes through Wasm frames unchanged.
    pub fn host(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error(Repr::Host(Box::new(e)))
    }

    /// A host error with just a message.
    pub fn msg(message: impl Into<String>) -> Error {
        Error(Repr::Message(ErrorKind::Host, message.into()))
    }

    /// The unwind signal with a payload: unwinds every Wasm frame up to the nearest host frame
    /// that catches it (see [`Error::unwind_payload`]). Used for Emscripten's longjmp.
    pub fn unwind(payload: u64) -> Error {
        Error(Repr::Unwind(payload))
    }

    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Repr::Message(kind, message.into()))
    }

    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match &self.0 {
            Repr::Trap(_) => ErrorKind::Trap,
            Repr::Unwind(_) => ErrorKind::Unwind,
            Repr::Host(_) => ErrorKind::Host,
            Repr::Message(k, _) => *k,
        }
    }

    /// The trap code, if this error is a trap.
    pub fn as_trap_code(&self) -> Option<TrapCode> {
        match self.0 {
            Repr::Trap(c) => Some(c),
            _ => None,
        }
    }

    /// The payload, if this error is the unwind signal.
    pub fn unwind_payload(&self) -> Option<u64> {
        match self.0 {
            Repr::Unwind(p) => Some(p),
            _ => None,
        }
    }

    /// The host error of type `E`, if this error is one.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match &self.0 {
            Repr::Host(e) => e.downcast_ref::<E>(),
            _ => None,
        }
    }
}

impl From<TrapCode> for Error {
    fn from(c: TrapCode) -> Error {
        Error(Repr::Trap(c))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Trap(c) => write!(f, "trap: {c}"),
            Repr::Unwind(p) => write!(f, "unwind signal ({p}) not caught by any host frame"),
            Repr::Host(e) => write!(f, "{e}"),
            Repr::Message(_, m) => f.write_str(m),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {})", self.kind(), self)
    }
}

impl std::error::Error for Error {}
