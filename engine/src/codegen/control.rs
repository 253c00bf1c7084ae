//! Terminator closures: jumps, fused branches, `br_table`, return and trap.

use super::dispatch::BYTE_TABLE_MIN_TARGETS;
use super::{
    numeric, operand, with_term_src, ByteForward, ByteSrc, Chain, Code, FarTarget, Target, TermSrc, RETURN, SIGNAL,
};
use crate::translate::ir::{Operand, Slot, Terminator};

/// Finishes block `out` with its terminator; `target` says how to reach a block (index or
/// direct tail).
pub(crate) fn terminator(term: &Terminator, target: &dyn Fn(u32) -> Target, mut out: Chain) -> Code {
    match term {
        &Terminator::Jump(t) => numeric::goto(target(t), out),
        &Terminator::Branch { cond, then, els } => numeric::branch(cond, target(then), target(els), out),
        Terminator::Table { index, targets, default } => {
            let targets: Box<[FarTarget]> = targets.iter().map(|&t| FarTarget::new(target(t))).collect();
            let default = FarTarget::new(target(*default));
            match *index {
                Operand::Slot(s) => {
                    let byte = if targets.len() >= BYTE_TABLE_MIN_TARGETS { out.take_byte_forward(s) } else { None };
                    match byte {
                        Some(f) => {
                            let table = byte_table(&targets, default, f.k());
                            match f {
                                ByteForward::LoadAdd(src) => byte_dispatch(src, table, out),
                                ByteForward::MovesLoadAdd(src) => byte_dispatch(src, table, out),
                            }
                        }
                        None => slot_table(s, targets, default, out),
                    }
                }
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

/// The targets of `br_table (byte + k)` by byte: entry `b` is where index `b + k` (wrapping,
/// as `i32.add` does) goes, the default past the table's end.
fn byte_table(targets: &[FarTarget], default: FarTarget, k: u32) -> Box<[FarTarget; 256]> {
    Box::new(std::array::from_fn(|b| *targets.get((b as u32).wrapping_add(k) as usize).unwrap_or(&default)))
}

/// `br_table` on a byte load plus an immediate, through its table by byte: from the loaded
/// byte to the jump there is one load of the target (no add, no bounds check, no clamp).
fn byte_dispatch<S: ByteSrc>(src: S, table: Box<[FarTarget; 256]>, out: Chain) -> Code {
    out.terminator_op(move |ctx, fp, acc| {
        let Some(b) = (unsafe { src.fetch_byte(ctx, fp, acc) }) else { return SIGNAL };
        table[b as usize].go(ctx, fp)
    })
}
