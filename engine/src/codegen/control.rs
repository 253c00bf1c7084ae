//! Terminator closures: jumps, fused branches, `br_table`, return and trap.

use super::{numeric, operand, Code, RETURN};
use crate::translate::ir::{Operand, Terminator};

/// Compiles a block terminator.
pub(crate) fn terminator(term: &Terminator) -> Code {
    match term {
        &Terminator::Jump(t) => Code::new(move |_, _| t),
        &Terminator::Branch { cond, then, els } => numeric::branch(cond, then, els),
        Terminator::Table { index, targets, default } => {
            let targets = targets.clone();
            let default = *default;
            match *index {
                Operand::Slot(s) => Code::new(move |_, fp| {
                    let i = unsafe { super::rd(fp, s) } as u32 as usize;
                    *targets.get(i).unwrap_or(&default)
                }),
                imm => Code::new(move |_, fp| {
                    let i = unsafe { operand(fp, imm) } as u32 as usize;
                    *targets.get(i).unwrap_or(&default)
                }),
            }
        }
        Terminator::Return => Code::new(|_, _| RETURN),
        &Terminator::Trap(code) => Code::new(move |ctx, _| ctx.trap(code)),
    }
}
