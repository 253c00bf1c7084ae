//! Import resolution for this crate's engine: every import of a module is matched by its
//! module, name and type ([`ImportFunc::resolve`]) and defined in an `engine::Linker` as a host
//! function that runs the shared implementation through the engine adapter
//! (`engine_host.rs`).
//!
//! - `env.invoke_<sig>` with only i32 parameters and an i32 or no result get a typed closure
//!   per arity (the fast path), and so do the built-ins of such types
//!   ([`ImportFunc::i32_builtin`]); every other function import a dynamically typed one.
//! - `env.memory` (a memory import) gets a fresh memory of the import's limits.
//!
//! Everything else, and any known name whose type does not fit, is unsupported: all of them are
//! reported together, by name and type, before instantiation ([`RunError::Link`]).

use crate::error::RunError;
use crate::imports::{Builtin, I32Builtin, I32Invoke, ImportFunc};
use crate::invoke::invoke_i32;
use crate::state::HostState;
use engine::{Caller, ExternType, FuncType, Linker, Memory, MemoryType, Module, Store, Val};
use std::collections::HashSet;

/// The outcome of resolving a module's imports.
pub(crate) struct Resolved {
    /// A linker defining every import of the module.
    pub linker: Linker<HostState>,
    /// The memory created for an `env.memory` import, if any.
    pub imported_memory: Option<Memory>,
    /// Whether the module imports any `invoke_*` (and so needs the setjmp exports).
    pub uses_invoke: bool,
}

fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => format!("func {f}"),
        ExternType::Global(g) => format!("global {}", g.content()),
        ExternType::Memory(m) => format!("memory {} pages", m.minimum()),
        ExternType::Table(t) => format!("table of {}", t.element()),
    }
}

/// Builds a linker that provides every import of `module`, or reports all that it cannot.
pub(crate) fn resolve(store: &mut Store<HostState>, module: &Module) -> Result<Resolved, RunError> {
    let mut linker = Linker::new(store.engine());
    let mut unsupported = Vec::new();
    let mut seen = HashSet::new();
    let mut imported_memory = None;
    let mut uses_invoke = false;
    for (m, n, ty) in module.imports() {
        if !seen.insert((m.to_string(), n.to_string())) {
            continue;
        }
        let defined = match ty {
            ExternType::Func(ft) => match ImportFunc::resolve(m, n, ft) {
                Ok(def) => {
                    uses_invoke |= def.is_invoke();
                    define_func(&mut linker, m, n, ft, def)
                }
                Err(reason) => Err(reason),
            },
            ExternType::Memory(mt) if m == "env" && n == "memory" => {
                match Memory::new(&mut *store, MemoryType::new(mt.minimum(), mt.maximum())) {
                    Ok(mem) => {
                        imported_memory = Some(mem);
                        linker.define(m, n, mem).map(|_| ()).map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            _ => Err("not provided by this runtime".into()),
        };
        if let Err(reason) = defined {
            unsupported.push(format!("{m}.{n}: {} ({reason})", describe(ty)));
        }
    }
    if !unsupported.is_empty() {
        return Err(RunError::Link(unsupported));
    }
    Ok(Resolved { linker, imported_memory, uses_invoke })
}

/// Defines an all-i32 `invoke_*` with a typed closure: `$a` are the parameters after the index.
macro_rules! typed_invoke {
    ($linker:expr, $m:expr, $n:expr, $sig:expr, $has_result:expr; $($a:ident),*) => {{
        let sig: String = $sig;
        if $has_result {
            $linker.func_wrap($m, $n, move |mut caller: Caller<'_, HostState>, index: i32 $(, $a: i32)*| {
                invoke_i32(&mut caller, &sig, index, &[$($a),*], true)
            })
        } else {
            $linker.func_wrap($m, $n, move |mut caller: Caller<'_, HostState>, index: i32 $(, $a: i32)*| {
                invoke_i32(&mut caller, &sig, index, &[$($a),*], false).map(|_| ())
            })
        }
    }};
}

/// The typed fast path for an all-i32 `invoke_*` import.
fn define_typed_invoke(
    linker: &mut Linker<HostState>,
    m: &str,
    n: &str,
    shape: I32Invoke,
) -> Result<(), engine::Error> {
    let I32Invoke { sig: s, arity, has_result } = shape;
    let r = crate::with_i32_arity!(arity, typed_invoke!(linker, m, n, s, has_result));
    r.map(|_| ())
}

/// Defines an all-i32 built-in with a typed closure: `$a` are its parameters.
macro_rules! typed_builtin {
    ($linker:expr, $m:expr, $n:expr, $b:expr, $has_result:expr; $($a:ident),*) => {{
        let b: Builtin = $b;
        if $has_result {
            $linker.func_wrap($m, $n, move |mut caller: Caller<'_, HostState>, $($a: i32),*| {
                Ok(b.call(&mut caller, &[$(Val::I32($a)),*])?.and_then(|v| v.i32()).unwrap_or(0))
            })
        } else {
            $linker.func_wrap($m, $n, move |mut caller: Caller<'_, HostState>, $($a: i32),*| {
                b.call(&mut caller, &[$(Val::I32($a)),*]).map(|_| ())
            })
        }
    }};
}

/// The typed fast path for an all-i32 built-in.
fn define_typed_builtin(
    linker: &mut Linker<HostState>,
    m: &str,
    n: &str,
    shape: I32Builtin,
) -> Result<(), engine::Error> {
    let I32Builtin { builtin: b, arity, has_result } = shape;
    let r = crate::with_i32_arity!(arity, typed_builtin!(linker, m, n, b, has_result));
    r.map(|_| ())
}

fn define_func(linker: &mut Linker<HostState>, m: &str, n: &str, ty: &FuncType, def: ImportFunc) -> Result<(), String> {
    let r = match (def.i32_invoke(), def.i32_builtin()) {
        (Some(shape), _) => define_typed_invoke(linker, m, n, shape),
        (None, Some(shape)) => define_typed_builtin(linker, m, n, shape),
        (None, None) => linker
            .func_new(m, n, ty.clone(), move |mut caller, params, results| def.call(&mut caller, params, results))
            .map(|_| ()),
    };
    r.map_err(|e| e.to_string())
}
