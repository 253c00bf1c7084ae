//! Terminator closures: jumps, fused branches, `br_table`, return and trap.

use super::{numeric, operand, Code, Target, RETURN};
use crate::translate::ir::{Operand, Terminator};

/// Compiles a block terminator; `target` says how to reach a block (index or direct tail).
pub(crate) fn terminator(term: &Terminator, target: &dyn Fn(u32) -> Target) -> Code {
    match term {
        &Terminator::Jump(t) => match target(t) {
            Target::Index(t) => Code::new(move |_, _| t),
            Target::Tail(code) => code,
        },
        &Terminator::Branch { cond, then, els } => numeric::branch(cond, target(then), target(els)),
        Terminator::Table { index, targets, default } => {
            let targets: Box<[Target]> = targets.iter().map(|&t| target(t)).collect();
            let default = target(*default);
            match *index {
                Operand::Slot(s) => Code::new(move |ctx, fp| {
                    let i = unsafe { super::rd(fp, s) } as u32 as usize;
                    targets.get(i).unwrap_or(&default).go(ctx, fp)
                }),
                imm => Code::new(move |ctx, fp| {
                    let i = unsafe { operand(fp, imm) } as u32 as usize;
                    targets.get(i).unwrap_or(&default).go(ctx, fp)
                }),
            }
        }
        Terminator::Return => Code::new(|_, _| RETURN),
        &Terminator::Trap(code) => Code::new(move |ctx, _| ctx.trap(code)),
    }
}
