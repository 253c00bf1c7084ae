//! Terminator closures: jumps, fused branches, `br_table`, return and trap.

use super::{numeric, operand, with_term_src, Chain, Code, FarTarget, Target, TermSrc, RETURN, SIGNAL};
use crate::translate::ir::{Operand, Slot, Terminator};

/// Finishes block `out` with its terminator; `target` says how to reach a block (index or
/// direct tail).
pub(crate) fn terminator(term: &Terminator, target: &dyn Fn(u32) -> Target, out: Chain) -> Code {
    match term {
        &Terminator::Jump(t) => numeric::goto(target(t), out),
        &Terminator::Branch { cond, then, els } => numeric::branch(cond, target(then), target(els), out),
        Terminator::Table { index, targets, default } => {
            let targets: Box<[FarTarget]> = targets.iter().map(|&t| FarTarget::new(target(t))).collect();
            let default = FarTarget::new(target(*default));
            match *index {
                // (A `br_table` on a byte load plus an immediate with many targets, an
                // interpreter's dispatch, is compiled by `dispatch` instead.)
                Operand::Slot(s) => slot_table(s, targets, default, out),
                imm => out.terminator(move |ctx, fp| {
                    let i = unsafe { operand(fp, imm) } as u32 as usize;
                    targets.get(i).unwrap_or(&default).go(ctx, fp)
                }),
            }
        }
        Terminator::Return => out.terminator(|_, _| RETURN),
        &Terminator::Trap(code) => out.terminator(move |ctx, _| ctx.trap(code)),
    }
}

/// `br_table` on slot `s` (or on what the terminator takes over to compute it).
fn slot_table(s: Slot, targets: Box<[FarTarget]>, default: FarTarget, mut out: Chain) -> Code {
    with_term_src!(out, s, |src| out.terminator_op(move |ctx, fp, acc| {
        let Some(i) = (unsafe { src.fetch(ctx, fp, acc) }) else { return SIGNAL };
        targets.get(i as u32 as usize).unwrap_or(&default).go(ctx, fp)
    }))
}
