//! Import matching and dispatch, for any engine: every function import of an emcc module is
//! matched by its module, name and type to an [`ImportFunc`], whose
//! [`call`](ImportFunc::call) runs the shared implementation against a [`HostContext`].
//!
//! - `env.invoke_<sig>` for any signature of `v i j f d` letters: the signature comes from the
//!   name, the legalization of its i64s from the import's type ([`Layout`]).
//! - `env._emscripten_throw_longjmp`: the engine's unwind signal ([`HostContext::longjmp`]).
//! - the other `env` functions and the `wasi_*` functions by name ([`Builtin`]), each with a
//!   logical signature against which the import's type is checked (again allowing legalized
//!   i64s).
//!
//! An engine adapter walks the module's imports, calls [`ImportFunc::resolve`] for each
//! function import and defines a host function that calls [`ImportFunc::call`] (or, for an
//! all-i32 `invoke_*` ([`ImportFunc::i32_invoke`]), a typed one that calls
//! [`invoke_i32`](crate::invoke_i32)).

use crate::host::HostContext;
use crate::sig::{Layout, Letter, Signature};
use engine::{FuncType, Val, ValType};
use smallvec::SmallVec;

/// A fixed-name `env` or WASI import implemented by this runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Builtin {
    Abort,
    AssertFail,
    Exit,
    SetTempRet0,
    GetTempRet0,
    MemcpyBig,
    ResizeHeap,
    Gettimeofday,
    ClockGettime,
    FdWrite,
    FdRead,
    FdClose,
    FdSeek,
    FdFdstatGet,
    ProcExit,
    ClockTimeGet,
    RandomGet,
    ArgsSizesGet,
    ArgsGet,
    EnvironSizesGet,
    EnvironGet,
}

impl Builtin {
    /// Runs the import on its logical arguments (i64s re-assembled); returns the logical
    /// result (`None` for `v`).
    ///
    /// # Errors
    /// A [`Fault`](crate::Fault) (exit, abort, out-of-bounds access, ...) as the engine's
    /// error, or what a call back into the module raised.
    #[inline]
    pub fn call<C: HostContext>(self, cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
        use crate::{env, wasi};
        match self {
            Builtin::Abort => env::abort(cx, args),
            Builtin::AssertFail => env::assert_fail(cx, args),
            Builtin::Exit => env::exit(cx, args),
            Builtin::SetTempRet0 => env::set_temp_ret0(cx, args),
            Builtin::GetTempRet0 => env::get_temp_ret0(cx, args),
            Builtin::MemcpyBig => env::memcpy_big(cx, args),
            Builtin::ResizeHeap => env::resize_heap(cx, args),
            Builtin::Gettimeofday => env::gettimeofday(cx, args),
            Builtin::ClockGettime => env::clock_gettime(cx, args),
            Builtin::FdWrite => wasi::fd_write(cx, args),
            Builtin::FdRead => wasi::fd_read(cx, args),
            Builtin::FdClose => wasi::fd_close(cx, args),
            Builtin::FdSeek => wasi::fd_seek(cx, args),
            Builtin::FdFdstatGet => wasi::fd_fdstat_get(cx, args),
            Builtin::ProcExit => wasi::proc_exit(cx, args),
            Builtin::ClockTimeGet => wasi::clock_time_get(cx, args),
            Builtin::RandomGet => wasi::random_get(cx, args),
            Builtin::ArgsSizesGet => wasi::args_sizes_get(cx, args),
            Builtin::ArgsGet => wasi::args_get(cx, args),
            Builtin::EnvironSizesGet => wasi::environ_sizes_get(cx, args),
            Builtin::EnvironGet => wasi::environ_get(cx, args),
        }
    }
}

/// What a function import resolves to.
#[derive(Debug, Clone)]
pub enum ImportFunc {
    /// `env.invoke_<sig>`: call a table entry, catching longjmps.
    Invoke(Layout),
    /// `env._emscripten_throw_longjmp`.
    ThrowLongjmp,
    /// A fixed-name `env` or WASI import, with the layout of its logical signature.
    Builtin(Layout, Builtin),
}

/// An `invoke_*` import eligible for the typed fast path: only i32 parameters after the
/// table index, and an i32 result or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I32Invoke {
    /// The signature, for error messages (`"viii"`).
    pub sig: String,
    /// The number of i32 arguments after the table index.
    pub arity: usize,
    /// Whether there is an i32 result.
    pub has_result: bool,
}

/// Expands `$mac!(ARGS; p0, p1, ...)` with as many parameter names as `$arity` (0 to 8): one
/// typed host closure per arity, for the all-i32 `invoke_*` ([`ImportFunc::i32_invoke`]) and
/// built-ins ([`ImportFunc::i32_builtin`]). Both engines' hosts define their imports with it.
#[macro_export]
macro_rules! with_i32_arity {
    ($arity:expr, $mac:ident!($($args:tt)*)) => {
        match $arity {
            0 => $mac!($($args)*;),
            1 => $mac!($($args)*; p0),
            2 => $mac!($($args)*; p0, p1),
            3 => $mac!($($args)*; p0, p1, p2),
            4 => $mac!($($args)*; p0, p1, p2, p3),
            5 => $mac!($($args)*; p0, p1, p2, p3, p4),
            6 => $mac!($($args)*; p0, p1, p2, p3, p4, p5),
            7 => $mac!($($args)*; p0, p1, p2, p3, p4, p5, p6),
            8 => $mac!($($args)*; p0, p1, p2, p3, p4, p5, p6, p7),
            n => unreachable!("typed host closures take at most 8 i32 parameters, not {n}"),
        }
    };
}

/// A built-in import eligible for the typed fast path (see [`ImportFunc::i32_builtin`]): a
/// host closure with `arity` i32 parameters calls [`Builtin::call`] on them, without the
/// dynamically typed path's conversions of every argument and result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I32Builtin {
    /// The import.
    pub builtin: Builtin,
    /// The number of i32 parameters.
    pub arity: usize,
    /// Whether there is an i32 result.
    pub has_result: bool,
}

impl ImportFunc {
    /// Matches one function import by module, name and type.
    ///
    /// # Errors
    /// Why the import is not supported (unknown name, or a type that does not fit).
    pub fn resolve(module: &str, name: &str, ty: &FuncType) -> Result<ImportFunc, String> {
        let (sig, builtin) = if module == "env" {
            if let Some(s) = name.strip_prefix("invoke_") {
                let sig =
                    Signature::parse(s).ok_or_else(|| format!("'{s}' is not a signature of v/i/j/f/d letters"))?;
                return Layout::new(&sig, ty, &[ValType::I32]).map(ImportFunc::Invoke);
            }
            if name == "_emscripten_throw_longjmp" {
                return if ty.params().is_empty() && ty.results().is_empty() {
                    Ok(ImportFunc::ThrowLongjmp)
                } else {
                    Err("expected type () -> ()".into())
                };
            }
            crate::env::lookup(name).ok_or("not provided by this runtime")?
        } else if module.starts_with("wasi_") {
            crate::wasi::lookup(name).ok_or("not provided by this runtime")?
        } else {
            return Err("not provided by this runtime".into());
        };
        let sig = Signature::parse(sig).expect("built-in signatures are valid");
        Layout::new(&sig, ty, &[]).map(|l| ImportFunc::Builtin(l, builtin))
    }

    /// Whether this is an `invoke_*` (so the module must export what they need).
    pub fn is_invoke(&self) -> bool {
        matches!(self, ImportFunc::Invoke(_))
    }

    /// The typed fast path's shape if this is an all-i32 `invoke_*` with at most 8 arguments
    /// after the index and an i32 or no result.
    pub fn i32_invoke(&self) -> Option<I32Invoke> {
        let ImportFunc::Invoke(layout) = self else { return None };
        let sig = layout.signature();
        if sig.params().len() > 8
            || sig.params().iter().any(|l| *l != Letter::I32)
            || !matches!(sig.result(), Letter::I32 | Letter::Void)
        {
            return None;
        }
        Some(I32Invoke { sig: sig.to_string(), arity: sig.params().len(), has_result: sig.result() == Letter::I32 })
    }

    /// The typed fast path's shape if this is a built-in whose parameters are all i32 (at
    /// most 5) and whose result is an i32 or none: most of them (`emscripten_memcpy_big`, the
    /// `fd_*` calls, `setTempRet0`, ...). Their Wasm types are their logical signatures.
    pub fn i32_builtin(&self) -> Option<I32Builtin> {
        let ImportFunc::Builtin(layout, builtin) = self else { return None };
        let sig = layout.signature();
        if sig.params().len() > 5
            || sig.params().iter().any(|l| *l != Letter::I32)
            || !matches!(sig.result(), Letter::I32 | Letter::Void)
        {
            return None;
        }
        Some(I32Builtin { builtin: *builtin, arity: sig.params().len(), has_result: sig.result() == Letter::I32 })
    }

    /// Runs the import: `params` are its actual arguments, `results` its actual result slots
    /// (as the import's Wasm type has them: legalized i64s as two i32).
    ///
    /// # Errors
    /// What the import raises: a [`Fault`](crate::Fault), the longjmp signal, or what a
    /// call back into the module raised.
    #[inline]
    pub fn call<C: HostContext>(&self, cx: &mut C, params: &[Val], results: &mut [Val]) -> Result<(), C::Error> {
        match self {
            ImportFunc::Invoke(layout) => crate::invoke::invoke(cx, layout, params, results),
            ImportFunc::ThrowLongjmp => Err(C::longjmp()),
            ImportFunc::Builtin(layout, builtin) => {
                let mut args: SmallVec<[Val; 8]> = SmallVec::new();
                layout.decode(params, &mut args);
                let r = builtin.call(cx, &args)?;
                if let Some(hi) = layout.encode_result(r, results) {
                    cx.state_mut().temp_ret0 = hi;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{FuncType, ValType::*};

    fn resolve(module: &str, name: &str, params: &[engine::ValType], results: &[engine::ValType]) -> ImportFunc {
        ImportFunc::resolve(module, name, &FuncType::new(params.iter().copied(), results.iter().copied())).unwrap()
    }

    #[test]
    fn all_i32_builtins_take_the_typed_path() {
        let memcpy = resolve("env", "emscripten_memcpy_big", &[I32, I32, I32], &[I32]);
        assert_eq!(memcpy.i32_builtin(), Some(I32Builtin { builtin: Builtin::MemcpyBig, arity: 3, has_result: true }));
        let exit = resolve("env", "exit", &[I32], &[]);
        assert_eq!(exit.i32_builtin(), Some(I32Builtin { builtin: Builtin::Exit, arity: 1, has_result: false }));
        let abort = resolve("env", "abort", &[], &[]);
        assert_eq!(abort.i32_builtin(), Some(I32Builtin { builtin: Builtin::Abort, arity: 0, has_result: false }));
    }

    #[test]
    fn builtins_with_wider_values_and_invokes_do_not() {
        // fd_seek(fd, offset: i64, whence, newoffset) -> errno.
        let seek = resolve("wasi_snapshot_preview1", "fd_seek", &[I32, I64, I32, I32], &[I32]);
        assert_eq!(seek.i32_builtin(), None);
        let invoke = resolve("env", "invoke_vii", &[I32, I32, I32], &[]);
        assert_eq!(invoke.i32_builtin(), None);
        assert!(invoke.i32_invoke().is_some());
    }
}
