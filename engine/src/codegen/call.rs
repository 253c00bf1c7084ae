//! Call closures: direct calls to the module's own functions jump straight to the callee's
//! compiled body; imported and indirect calls go through the store.

use super::{operand, rd, wr, Chain, Env, CONTINUE, SIGNAL};
use crate::engine::SigId;
use crate::error::TrapCode;
use crate::exec::{call_compiled_at, call_wasm, Ctx};
use crate::store::{CodePtr, FuncEntity, TableElem};
use crate::translate::ir::{Operand, Slot};

/// Copies folded into a call closure: argument moves before it, the result move after it.
#[derive(Default)]
pub(crate) struct Moves {
    pub before: Box<[(Slot, Operand)]>,
    pub after: Option<(Slot, Slot)>,
}

impl Moves {
    fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_none()
    }

    #[inline(always)]
    unsafe fn apply_before(&self, fp: *mut u64) {
        for &(dst, src) in self.before.iter() {
            wr(fp, dst, operand(fp, src));
        }
    }

    #[inline(always)]
    unsafe fn apply_after(&self, fp: *mut u64) {
        if let Some((dst, src)) = self.after {
            wr(fp, dst, rd(fp, src));
        }
    }
}

/// `call func` with the callee frame at slot `base`.
pub(crate) fn call(env: &Env<'_>, func: u32, base: Slot, moves: Moves, out: &mut Chain) {
    let m = env.module;
    if func >= m.num_imported_funcs {
        // Same module, same instance: the callee's code is known now.
        let code = CodePtr(&m.code[(func - m.num_imported_funcs) as usize]);
        if moves.is_empty() {
            return out.statement(
                #[inline(always)]
                move |ctx, fp| unsafe {
                    let code = code;
                    if !call_wasm(ctx, &*code.0, fp.add(base as usize)) {
                        return SIGNAL;
                    }
                    CONTINUE
                },
            );
        }
        out.statement(
            #[inline(always)]
            move |ctx, fp| unsafe {
                let code = code;
                moves.apply_before(fp);
                if !call_wasm(ctx, &*code.0, fp.add(base as usize)) {
                    return SIGNAL;
                }
                moves.apply_after(fp);
                CONTINUE
            },
        )
    } else {
        out.statement(
            #[inline(always)]
            move |ctx, fp| unsafe {
                moves.apply_before(fp);
                let f = ctx.func_index(func);
                if !ctx.call_entity(f, fp.add(base as usize)) {
                    return SIGNAL;
                }
                moves.apply_after(fp);
                CONTINUE
            },
        )
    }
}

/// `call_indirect` through table `table`, expecting signature `sig`.
pub(crate) fn call_indirect(sig: SigId, table: u32, index: Operand, base: Slot, moves: Moves, out: &mut Chain) {
    out.statement(
        #[inline(always)]
        move |ctx, fp| unsafe {
            // The moves first: one of them may be what puts the index in its slot (a block
            // parameter materialised at the call's base, say).
            moves.apply_before(fp);
            let i = operand(fp, index) as u32;
            let t = ctx.table_index(table);
            let Some(&e) = ctx.tables[t].elems.get(i as usize) else {
                return ctx.trap(TrapCode::UndefinedElement);
            };
            let cfp = fp.add(base as usize);
            // The common case, a compiled function of this instance with the expected
            // signature, is decided by the element alone; the rest takes the slow path.
            let ok = if e.sig == sig && e.instance == ctx.instance {
                call_compiled_at(ctx, &*e.compiled, e.entry, cfp)
            } else {
                match other_callee(ctx, sig, t, i as usize) {
                    Ok(f) => ctx.call_entity(f, cfp),
                    Err(code) => return ctx.trap(code),
                }
            };
            if !ok {
                return SIGNAL;
            }
            moves.apply_after(fp);
            CONTINUE
        },
    )
}

/// The store index of an indirect callee that is not a compiled Wasm function of the running
/// instance, or why the call traps. An element written before its function of this instance
/// was compiled is completed here (compiling the function if need be), so later calls take
/// the fast path.
#[cold]
#[inline(never)]
fn other_callee(ctx: &mut Ctx, sig: SigId, table: usize, i: usize) -> Result<u32, TrapCode> {
    let e = ctx.tables[table].elems[i];
    if e.bits == 0 {
        return Err(TrapCode::UninitializedElement);
    }
    if e.sig != sig {
        return Err(TrapCode::IndirectCallTypeMismatch);
    }
    let f = (e.bits - 1) as u32;
    if let FuncEntity::Wasm { instance, code, .. } = &ctx.funcs[f as usize] {
        // The element was written before the function was compiled (by an earlier direct
        // call or by nothing yet). SAFETY: the instance's module keeps the code alive. A
        // compile error is left to the call, which reports it.
        let code = unsafe { &*code.0 };
        if *instance == ctx.instance && (code.compiled.get().is_some() || code.compile_lazily().is_ok()) {
            let t = &mut ctx.tables[table];
            t.elems[i] = TableElem::new(&ctx.funcs, t.ty.element(), e.bits);
        }
    }
    Ok(f)
}
