//! Call closures: direct calls to the module's own functions jump straight to the callee's
//! compiled body; imported and indirect calls go through the store.

use super::{operand, rd, wr, Chain, Env, CONTINUE, SIGNAL};
use crate::engine::SigId;
use crate::error::TrapCode;
use crate::exec::{call_wasm, Ctx};
use crate::store::{CodePtr, FuncEntity};
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
            match resolve_indirect(ctx, sig, table, i) {
                Ok(f) => {
                    let cfp = fp.add(base as usize);
                    let ok = match &ctx.funcs[f as usize] {
                        FuncEntity::Wasm { instance, code, .. } if *instance == ctx.instance => {
                            let code = *code;
                            call_wasm(ctx, &*code.0, cfp)
                        }
                        _ => ctx.call_entity(f, cfp),
                    };
                    if !ok {
                        return SIGNAL;
                    }
                    moves.apply_after(fp);
                    CONTINUE
                }
                Err(code) => ctx.trap(code),
            }
        },
    )
}

#[inline]
fn resolve_indirect(ctx: &Ctx, sig: SigId, table: u32, i: u32) -> Result<u32, TrapCode> {
    let t = &ctx.tables[ctx.table_index(table)];
    let r = *t.elems.get(i as usize).ok_or(TrapCode::UndefinedElement)?;
    if r == 0 {
        return Err(TrapCode::UninitializedElement);
    }
    let f = (r - 1) as u32;
    if ctx.funcs[f as usize].sig() != sig {
        return Err(TrapCode::IndirectCallTypeMismatch);
    }
    Ok(f)
}
