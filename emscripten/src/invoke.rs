//! `env.invoke_<sig>(index, args...)` and `env._emscripten_throw_longjmp()`: Emscripten's
//! setjmp/longjmp protocol, written once against [`HostContext`].
//!
//! A function that calls `setjmp` makes every call that might `longjmp` through an
//! `invoke_<sig>` import. The host saves the C stack pointer, calls
//! `__indirect_function_table[index](args...)`, and if that call is unwound by a longjmp
//! (the engine's unwind signal, [`HostContext::longjmp`], raised by
//! `_emscripten_throw_longjmp`) restores the stack pointer, calls `setThrew(1, 0)` and returns
//! zero; the module's own code then finds the target `setjmp` from `__THREW__`/`__threwValue`.
//! Any other error (trap, exit, abort, other unwind payloads) passes through unchanged.
//!
//! The signature comes from the import's name; the legalization of each i64 from the import's
//! Wasm type ([`Layout`]). The path is allocation-free: arguments live in inline `SmallVec`s
//! and the adapters keep the exports cached in the host state.

use crate::host::{CallError, Fault, HostContext};
use crate::sig::{Layout, ResultSlot};
use engine::Val;
use smallvec::SmallVec;
use std::fmt::Display;

#[cold]
fn no_exports(sig: &dyn Display) -> Fault {
    Fault::Trap(format!(
        "invoke_{sig}: the module does not export stackSave, stackRestore, setThrew and __indirect_function_table"
    ))
}

/// The error for a table call that did not run (or a failure passed on unchanged).
#[cold]
fn call_failed<E: From<Fault>>(e: CallError<E>, sig: &dyn Display, index: u32) -> E {
    match e {
        CallError::OutOfBounds => Fault::TableOutOfBounds.into(),
        CallError::Null => Fault::Trap(format!("invoke_{sig}: null table entry {index}")).into(),
        CallError::NotFuncref => Fault::Trap("__indirect_function_table is not a funcref table".into()).into(),
        CallError::WrongType(ty) => Fault::Trap(format!("invoke_{sig}: table entry {index} has type {ty}")).into(),
        CallError::Failed(e) => e,
    }
}

/// After a longjmp unwound the table call: `stackRestore(sp)`, `setThrew(1, 0)`.
#[inline(always)]
fn caught<C: HostContext>(cx: &mut C, sp: i32) -> Result<(), C::Error> {
    cx.stack_restore(sp)?;
    cx.set_threw(1, 0)
}

/// The body of `invoke_<sig>`: `raw` are the import's actual arguments (the table index
/// first), `results` its actual result slot.
///
/// # Errors
/// Whatever the called function raises other than a longjmp; a trap for a bad table entry.
pub fn invoke<C: HostContext>(cx: &mut C, layout: &Layout, raw: &[Val], results: &mut [Val]) -> Result<(), C::Error> {
    if !cx.has_invoke_exports() {
        return Err(no_exports(layout.signature()).into());
    }
    let index = raw[0].i32().unwrap_or(0) as u32;
    let mut args: SmallVec<[Val; 8]> = SmallVec::new();
    layout.decode(raw, &mut args);

    let sp = cx.stack_save()?;
    let mut out = [Val::I32(0)];
    let out = match layout.signature().result().val_type() {
        Some(t) => {
            out[0] = Val::default_for(t);
            &mut out[..]
        }
        None => &mut out[..0],
    };
    match cx.call_table(index, &args, out) {
        Ok(()) => {
            if let Some(v) = out.first() {
                match layout.result_slot() {
                    ResultSlot::Split => {
                        let v = v.i64().unwrap_or(0);
                        cx.state_mut().temp_ret0 = (v >> 32) as i32;
                        results[0] = Val::I32(v as i32);
                    }
                    _ => results[0] = *v,
                }
            }
            Ok(())
        }
        Err(CallError::Failed(e)) if C::is_longjmp(&e) => {
            caught(cx, sp)?;
            // zero of the import's result type; tempRet0 is left alone
            layout.zero_result(results);
            Ok(())
        }
        Err(e) => Err(call_failed(e, layout.signature(), index)),
    }
}

/// The body of an `invoke_<sig>` whose import has only i32 parameters (`args`, after the
/// table `index`) and an i32 result (`has_result`) or none (then the value returned is 0):
/// every invoke of MicroQuickJS. Goes through [`HostContext::call_table_i32`], which
/// adapters implement with typed calls, so no value is boxed.
///
/// # Errors
/// As for [`invoke`].
#[inline(always)]
pub fn invoke_i32<C: HostContext>(
    cx: &mut C,
    sig: &str,
    index: i32,
    args: &[i32],
    has_result: bool,
) -> Result<i32, C::Error> {
    if !cx.has_invoke_exports() {
        return Err(no_exports(&sig).into());
    }
    let sp = cx.stack_save()?;
    match cx.call_table_i32(index as u32, args, has_result) {
        Ok(r) => Ok(r),
        Err(CallError::Failed(e)) if C::is_longjmp(&e) => {
            caught(cx, sp)?;
            Ok(0)
        }
        Err(e) => Err(call_failed(e, &sig, index as u32)),
    }
}
