//! Import resolution: every import of a module is matched by its module, name and type.
//!
//! - `env.invoke_<sig>` for any signature of `v i j f d` letters: the signature comes from the
//!   name, the legalization of its i64s from the import's type ([`Layout`]).
//! - the other `env` functions and the `wasi_*` functions by name, each with a logical
//!   signature against which the import's type is checked (again allowing legalized i64s).
//! - `env.memory` (a memory import) gets a fresh memory of the import's limits.
//!
//! Everything else, and any known name whose type does not fit, is unsupported: all of them are
//! reported together, by name and type, before instantiation ([`RunError::Link`]).

use crate::error::RunError;
use crate::invoke::{invoke, invoke_typed, throw_longjmp};
use crate::sig::{Layout, Letter, Signature};
use crate::state::HostState;
use crate::Handler;
use engine::{Caller, ExternType, FuncType, Linker, Memory, MemoryType, Module, Store, Val, ValType};
use smallvec::SmallVec;
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

/// What a function import resolves to.
enum FuncDef {
    Invoke(Layout),
    ThrowLongjmp,
    Fixed(Layout, Handler),
}

/// Matches one function import by module, name and type.
fn function_for(module: &str, name: &str, ty: &FuncType) -> Result<FuncDef, String> {
    let (sig, handler) = if module == "env" {
        if let Some(s) = name.strip_prefix("invoke_") {
            let sig = Signature::parse(s).ok_or_else(|| format!("'{s}' is not a signature of v/i/j/f/d letters"))?;
            return Layout::new(&sig, ty, &[ValType::I32]).map(FuncDef::Invoke);
        }
        if name == "_emscripten_throw_longjmp" {
            return if ty.params().is_empty() && ty.results().is_empty() {
                Ok(FuncDef::ThrowLongjmp)
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
    Layout::new(&sig, ty, &[]).map(|l| FuncDef::Fixed(l, handler))
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
            ExternType::Func(ft) => match function_for(m, n, ft) {
                Ok(def) => {
                    uses_invoke |= matches!(def, FuncDef::Invoke(_));
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
    ($linker:expr, $m:expr, $n:expr, $sig:expr, $void:expr; $($a:ident),*) => {{
        let sig: String = $sig;
        if $void {
            $linker.func_wrap($m, $n, move |mut caller: Caller<'_, HostState>, index: i32 $(, $a: i32)*| {
                invoke_typed::<($(typed_invoke!(@i32 $a),)*), ()>(&mut caller, &sig, index, ($($a,)*))
            })
        } else {
            $linker.func_wrap($m, $n, move |mut caller: Caller<'_, HostState>, index: i32 $(, $a: i32)*| {
                invoke_typed::<($(typed_invoke!(@i32 $a),)*), i32>(&mut caller, &sig, index, ($($a,)*))
            })
        }
    }};
    (@i32 $a:ident) => { i32 };
}

/// The typed fast path for an `invoke_*` import whose type is all i32 (up to 8 arguments after
/// the index) with an i32 or no result, if it applies.
fn define_typed_invoke(
    linker: &mut Linker<HostState>,
    m: &str,
    n: &str,
    layout: &Layout,
) -> Option<Result<(), engine::Error>> {
    let sig = layout.signature();
    if sig.params().iter().any(|l| *l != Letter::I32) || !matches!(sig.result(), Letter::I32 | Letter::Void) {
        return None;
    }
    let void = sig.result() == Letter::Void;
    let s = sig.to_string();
    let r = match sig.params().len() {
        0 => typed_invoke!(linker, m, n, s, void;),
        1 => typed_invoke!(linker, m, n, s, void; a),
        2 => typed_invoke!(linker, m, n, s, void; a, b),
        3 => typed_invoke!(linker, m, n, s, void; a, b, c),
        4 => typed_invoke!(linker, m, n, s, void; a, b, c, d),
        5 => typed_invoke!(linker, m, n, s, void; a, b, c, d, e),
        6 => typed_invoke!(linker, m, n, s, void; a, b, c, d, e, f),
        7 => typed_invoke!(linker, m, n, s, void; a, b, c, d, e, f, g),
        8 => typed_invoke!(linker, m, n, s, void; a, b, c, d, e, f, g, h),
        _ => return None,
    };
    Some(r.map(|_| ()))
}

fn define_func(linker: &mut Linker<HostState>, m: &str, n: &str, ty: &FuncType, def: FuncDef) -> Result<(), String> {
    if let FuncDef::Invoke(layout) = &def {
        if let Some(r) = define_typed_invoke(linker, m, n, layout) {
            return r.map_err(|e| e.to_string());
        }
    }
    let r = match def {
        FuncDef::Invoke(layout) => linker.func_new(m, n, ty.clone(), move |mut caller, params, results| {
            invoke(&mut caller, &layout, params, results)
        }),
        FuncDef::ThrowLongjmp => linker.func_new(m, n, ty.clone(), |_, _, _| Err(throw_longjmp())),
        FuncDef::Fixed(layout, handler) => linker.func_new(m, n, ty.clone(), move |mut caller, params, results| {
            call_fixed(&mut caller, &layout, handler, params, results)
        }),
    };
    r.map(|_| ()).map_err(|e| e.to_string())
}

#[inline]
fn call_fixed(
    caller: &mut Caller<'_, HostState>,
    layout: &Layout,
    handler: Handler,
    params: &[Val],
    results: &mut [Val],
) -> Result<(), engine::Error> {
    let mut args: SmallVec<[Val; 8]> = SmallVec::new();
    layout.decode(params, &mut args);
    let r = handler(caller, &args)?;
    if let Some(hi) = layout.encode_result(r, results) {
        caller.data_mut().temp_ret0 = hi;
    }
    Ok(())
}
