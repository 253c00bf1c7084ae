//! `env.invoke_<sig>(index, args...)` and `env._emscripten_throw_longjmp()`: Emscripten's
//! setjmp/longjmp protocol.
//!
//! A function that calls `setjmp` makes every call that might `longjmp` through an
//! `invoke_<sig>` import. The host saves the C stack pointer, calls
//! `__indirect_function_table[index](args...)`, and if that call is unwound by a longjmp
//! (the engine's unwind signal with [`LONGJMP_PAYLOAD`], raised by
//! `_emscripten_throw_longjmp`) restores the stack pointer, calls `setThrew(1, 0)` and returns
//! zero; the module's own code then finds the target `setjmp` from `__THREW__`/`__threwValue`.
//! Any other error (trap, exit, abort, other unwind payloads) passes through unchanged.
//!
//! The signature comes from the import's name; the legalization of each i64 from the import's
//! Wasm type ([`Layout`]). The path is allocation-free: arguments live in inline `SmallVec`s
//! and the exports are cached in the host state.

use crate::error::{host_trap, LONGJMP_PAYLOAD};
use crate::sig::{Layout, ResultSlot};
use crate::state::HostState;
use engine::{Caller, Error, ErrorKind, TrapCode, Val, WasmTyList};
use smallvec::SmallVec;

/// `_emscripten_throw_longjmp()`: the unwind signal that only `invoke_*` catch.
pub(crate) fn throw_longjmp() -> Error {
    Error::unwind(LONGJMP_PAYLOAD)
}

/// The body of `invoke_<sig>`: `raw` are the import's actual arguments (the table index
/// first), `results` its actual result slot.
pub(crate) fn invoke(
    caller: &mut Caller<'_, HostState>,
    layout: &Layout,
    raw: &[Val],
    results: &mut [Val],
) -> Result<(), Error> {
    let Some(ex) = caller.data().cached.invoke else {
        return Err(host_trap(format!(
            "invoke_{}: the module does not export stackSave, stackRestore, setThrew and __indirect_function_table",
            layout.signature()
        )));
    };
    let index = raw[0].i32().unwrap_or(0) as u32;
    let mut args: SmallVec<[Val; 8]> = SmallVec::new();
    layout.decode(raw, &mut args);

    let sp = ex.stack_save.call(&mut *caller, ())?;
    let func = match ex.table.get(&*caller, index) {
        Some(Val::FuncRef(Some(f))) => f,
        Some(Val::FuncRef(None)) => {
            return Err(host_trap(format!("invoke_{}: null table entry {index}", layout.signature())))
        }
        Some(_) => return Err(host_trap("__indirect_function_table is not a funcref table")),
        None => return Err(TrapCode::TableOutOfBounds.into()),
    };
    let mut out = [Val::I32(0)];
    let out = match layout.signature().result().val_type() {
        Some(_) => &mut out[..],
        None => &mut out[..0],
    };
    match func.call(&mut *caller, &args, out) {
        Ok(()) => {
            if let Some(v) = out.first() {
                match layout.result_slot() {
                    ResultSlot::Split => {
                        let v = v.i64().unwrap_or(0);
                        caller.data_mut().temp_ret0 = (v >> 32) as i32;
                        results[0] = Val::I32(v as i32);
                    }
                    _ => results[0] = *v,
                }
            }
            Ok(())
        }
        Err(e) if e.unwind_payload() == Some(LONGJMP_PAYLOAD) => {
            ex.stack_restore.call(&mut *caller, sp)?;
            ex.set_threw.call(&mut *caller, (1, 0))?;
            // zero of the import's result type; tempRet0 is left alone
            layout.zero_result(results);
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::Usage => {
            Err(host_trap(format!("invoke_{}: table entry {index} has type {}", layout.signature(), func.ty(&*caller))))
        }
        Err(e) => Err(e),
    }
}

/// The body of an `invoke_*` whose import has only i32 parameters and an i32 or no result
/// (every invoke of MicroQuickJS): typed from end to end, without boxing values as [`Val`]s.
#[inline]
pub(crate) fn invoke_typed<P: WasmTyList, R: WasmTyList + Default>(
    caller: &mut Caller<'_, HostState>,
    sig: &str,
    index: i32,
    args: P,
) -> Result<R, Error> {
    let Some(ex) = caller.data().cached.invoke else {
        return Err(host_trap(format!(
            "invoke_{sig}: the module does not export stackSave, stackRestore, setThrew and __indirect_function_table"
        )));
    };
    let sp = ex.stack_save.call(&mut *caller, ())?;
    let func = match ex.table.get(&*caller, index as u32) {
        Some(Val::FuncRef(Some(f))) => f,
        Some(Val::FuncRef(None)) => return Err(host_trap(format!("invoke_{sig}: null table entry {index}"))),
        Some(_) => return Err(host_trap("__indirect_function_table is not a funcref table")),
        None => return Err(TrapCode::TableOutOfBounds.into()),
    };
    let typed = func
        .typed::<P, R>(&*caller)
        .map_err(|_| host_trap(format!("invoke_{sig}: table entry {index} has type {}", func.ty(&*caller))))?;
    match typed.call(&mut *caller, args) {
        Ok(r) => Ok(r),
        Err(e) if e.unwind_payload() == Some(LONGJMP_PAYLOAD) => {
            ex.stack_restore.call(&mut *caller, sp)?;
            ex.set_threw.call(&mut *caller, (1, 0))?;
            Ok(R::default())
        }
        Err(e) => Err(e),
    }
}
