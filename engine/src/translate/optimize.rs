//! Cheap clean-ups on the lowered IR of one function, run after translation.
//!
//! Structured control leaves small artefacts: join blocks that only move a result into slot
//! 0 and return, copies that undo each other, blocks that only jump. These passes remove them
//! without any global analysis:
//! - **jump threading**: a branch to an empty block that just jumps goes to its target;
//! - **tail duplication**: a jump to a tiny returning block is replaced by a copy of it, and
//!   a jump to a block of at most two copies that jumps on (an interpreter's loop latch,
//!   `pc = next; goto dispatch`) does the copies and jumps on itself; then a jump to an
//!   interpreter's opcode dispatch block does the dispatch itself;
//! - **known branches**: a branch on a slot the block (or its predecessor, through a small
//!   block) has just set to a constant goes straight to its target: the `label = 2; goto
//!   dispatch; dispatch: switch (label)` shape that relooped C code is full of;
//! - **terminator hoisting**: a jump to a block that is only a branch takes that branch
//!   itself (a loop header test, say), saving one block dispatch;
//! - **block merging**: a jump to a block with no other predecessor appends that block;
//! - **unreachable blocks** left behind are dropped;
//! - **copy clean-up** inside a returning block, where exactly the result slots are live at
//!   the end: a copy straight back (`a = b; b = a`) is dropped, a producer followed by a copy
//!   of its dead result writes the copy's destination directly, and dead pure writes go.

use super::ir::*;
use crate::codegen::numeric::fold_binary;

/// Largest returning block (in instructions) that is duplicated into its predecessors.
const TAIL_DUP_LIMIT: usize = 3;

/// Runs all passes. `results` is the number of result slots (`0..results`).
pub(crate) fn optimize(ir: &mut FuncIr, results: u32) {
    thread_jumps(ir);
    duplicate_return_tails(ir);
    duplicate_copy_latches(ir);
    duplicate_dispatch(ir);
    hoist_lone_terminators(ir);
    merge_single_predecessor_blocks(ir);
    // After merging, which gathers the constant writes of a chain of blocks into one; the
    // blocks whose other predecessors it removed then merge too.
    if fold_known_branches(ir) {
        merge_single_predecessor_blocks(ir);
    }
    for b in &mut ir.blocks {
        if b.term == Terminator::Return {
            clean_return_block(&mut b.insts, results);
        }
    }
    remove_unreachable(ir);
}

/// Drops blocks no longer reachable from the entry and renumbers the rest.
fn remove_unreachable(ir: &mut FuncIr) {
    let n = ir.blocks.len();
    let mut reachable = vec![false; n];
    let mut work = vec![0 as BlockId];
    reachable[0] = true;
    while let Some(b) = work.pop() {
        for s in ir.blocks[b as usize].term.successors() {
            if !reachable[s as usize] {
                reachable[s as usize] = true;
                work.push(s);
            }
        }
    }
    if reachable.iter().all(|&r| r) {
        return;
    }
    let mut new_index = vec![0 as BlockId; n];
    let mut next = 0;
    for i in 0..n {
        if reachable[i] {
            new_index[i] = next;
            next += 1;
        }
    }
    let old = std::mem::replace(&mut ir.blocks, Vec::with_capacity(next as usize));
    for (i, mut b) in old.into_iter().enumerate() {
        if !reachable[i] {
            continue;
        }
        match &mut b.term {
            Terminator::Jump(t) => *t = new_index[*t as usize],
            Terminator::Branch { then, els, .. } => {
                *then = new_index[*then as usize];
                *els = new_index[*els as usize];
            }
            Terminator::Table { targets, default, .. } => {
                for t in targets.iter_mut() {
                    *t = new_index[*t as usize];
                }
                *default = new_index[*default as usize];
            }
            Terminator::Return | Terminator::Trap(_) => {}
        }
        ir.blocks.push(b);
    }
}

fn thread_jumps(ir: &mut FuncIr) {
    let n = ir.blocks.len();
    // Where a jump to each block really lands, following empty jump-only blocks. Memoised
    // along the whole chain, so a long chain (deeply nested loops) costs linear time.
    let mut landing: Vec<Option<BlockId>> = vec![None; n];
    let mut path = Vec::new();
    let mut forward = |ir: &FuncIr, start: BlockId| -> BlockId {
        path.clear();
        let mut t = start;
        let end = loop {
            if let Some(l) = landing[t as usize] {
                break l;
            }
            match &ir.blocks[t as usize] {
                // The length bound guards against cycles of empty jumps.
                BlockIr { insts, term: Terminator::Jump(next) } if insts.is_empty() && path.len() < n => {
                    path.push(t);
                    t = *next;
                }
                _ => break t,
            }
        };
        for &p in &path {
            landing[p as usize] = Some(end);
        }
        end
    };
    for i in 0..n {
        let mut term = ir.blocks[i].term.clone();
        match &mut term {
            Terminator::Jump(t) => *t = forward(ir, *t),
            Terminator::Branch { then, els, .. } => {
                *then = forward(ir, *then);
                *els = forward(ir, *els);
            }
            Terminator::Table { targets, default, .. } => {
                for t in targets.iter_mut() {
                    *t = forward(ir, *t);
                }
                *default = forward(ir, *default);
            }
            Terminator::Return | Terminator::Trap(_) => {}
        }
        ir.blocks[i].term = term;
    }
}

/// Largest block (in instructions) a predecessor copies to skip its known branch.
const KNOWN_BRANCH_DUP_LIMIT: usize = 2;
/// How many such blocks one predecessor may skip in a row.
const KNOWN_BRANCH_CHAIN: usize = 4;

/// The constant `slot` holds after `parts` run in order, if a copy of an immediate (possibly
/// through other copies) set it last; `None` if unknown.
fn constant_after(parts: &[&[Inst]], mut slot: Slot) -> Option<u64> {
    for inst in parts.iter().rev().flat_map(|p| p.iter().rev()) {
        match *inst {
            Inst::Copy { dst, src } if dst == slot => match src {
                Operand::Imm(v) => return Some(v),
                Operand::Slot(s) => slot = s,
            },
            Inst::Store { .. } | Inst::GlobalSet { .. } => {}
            _ => match inst.single_dst() {
                Some(d) if d != slot => {}
                // Written by something else, or by a call that may write any slot.
                _ => return None,
            },
        }
    }
    None
}

/// Where `term` goes after `parts` run, if constants decide it.
fn known_target(term: &Terminator, parts: &[&[Inst]]) -> Option<BlockId> {
    let value = |o: Operand| match o {
        Operand::Imm(v) => Some(v),
        Operand::Slot(s) => constant_after(parts, s),
    };
    match *term {
        Terminator::Branch { cond, then, els } => {
            let taken = match cond {
                Cond::NonZero(o) => value(o)? as u32 != 0,
                Cond::Zero(o) => value(o)? as u32 == 0,
                Cond::Compare(op, a, b) => fold_binary(op, value(a)?, value(b)?)? as u32 != 0,
            };
            Some(if taken { then } else { els })
        }
        Terminator::Table { index, ref targets, default } => {
            Some(*targets.get(value(index)? as u32 as usize).unwrap_or(&default))
        }
        _ => None,
    }
}

/// Returns whether any branch was decided.
fn fold_known_branches(ir: &mut FuncIr) -> bool {
    let mut changed = false;
    for i in 0..ir.blocks.len() {
        if let Some(t) = known_target(&ir.blocks[i].term, &[&ir.blocks[i].insts]) {
            ir.blocks[i].term = Terminator::Jump(t);
            changed = true;
        }
        for _ in 0..KNOWN_BRANCH_CHAIN {
            let Terminator::Jump(t) = ir.blocks[i].term else { break };
            let next = &ir.blocks[t as usize];
            if t as usize == i
                || next.insts.len() > KNOWN_BRANCH_DUP_LIMIT
                || !matches!(next.term, Terminator::Branch { .. } | Terminator::Table { .. })
            {
                break;
            }
            let Some(u) = known_target(&next.term, &[&ir.blocks[i].insts, &next.insts]) else { break };
            let insts = next.insts.clone();
            let b = &mut ir.blocks[i];
            b.insts.extend(insts);
            b.term = Terminator::Jump(u);
            changed = true;
        }
    }
    changed
}

fn duplicate_return_tails(ir: &mut FuncIr) {
    duplicate_tails(ir, |t| t.term == Terminator::Return && t.insts.len() <= TAIL_DUP_LIMIT);
}

/// Largest number of copies in a block that only copies and jumps which a jump to it takes
/// over (an interpreter's loop latch: `pc = next; goto dispatch`).
const LATCH_COPIES: usize = 2;

fn duplicate_copy_latches(ir: &mut FuncIr) {
    duplicate_tails(ir, |t| {
        matches!(t.term, Terminator::Jump(_))
            && t.insts.len() <= LATCH_COPIES
            && t.insts.iter().all(|x| matches!(x, Inst::Copy { .. }))
    });
}

/// Replicates an interpreter's dispatch block (see [`crate::codegen::dispatch`]) into every
/// block that jumps to it, after the latches have been: each opcode then ends in a dispatch
/// of its own, which jumps to the next opcode directly instead of returning to the driver
/// loop to enter the dispatch block, and reads the program counter from the slot the latch
/// copies it from.
fn duplicate_dispatch(ir: &mut FuncIr) {
    duplicate_tails(ir, |t| crate::codegen::dispatch::plan(&t.insts, &t.term).is_some());
}

/// Replaces each jump to another block that `takes` accepts by a copy of that block's
/// instructions and terminator.
fn duplicate_tails(ir: &mut FuncIr, takes: impl Fn(&BlockIr) -> bool) {
    // `takes` asked once per block, not once per jump to it (an interpreter has a hundred
    // jumps to its dispatch block), and again for a block that has grown.
    let mut taken: Vec<Option<bool>> = vec![None; ir.blocks.len()];
    for i in 0..ir.blocks.len() {
        if let Terminator::Jump(t) = ir.blocks[i].term {
            let target = &ir.blocks[t as usize];
            if t as usize != i && *taken[t as usize].get_or_insert_with(|| takes(target)) {
                let (insts, term) = (target.insts.clone(), target.term.clone());
                let b = &mut ir.blocks[i];
                b.insts.extend(insts);
                b.term = term;
                taken[i] = None;
            }
        }
    }
}

fn hoist_lone_terminators(ir: &mut FuncIr) {
    for i in 0..ir.blocks.len() {
        if let Terminator::Jump(t) = ir.blocks[i].term {
            let target = &ir.blocks[t as usize];
            if t as usize != i && target.insts.is_empty() && !matches!(target.term, Terminator::Jump(_)) {
                ir.blocks[i].term = target.term.clone();
            }
        }
    }
}

fn merge_single_predecessor_blocks(ir: &mut FuncIr) {
    let n = ir.blocks.len();
    let mut preds = vec![0u32; n];
    for b in &ir.blocks {
        for s in b.term.successors() {
            preds[s as usize] += 1;
        }
    }
    for i in 0..n {
        // Follow a chain: i absorbs t, then whatever t jumped to, and so on.
        while let Terminator::Jump(t) = ir.blocks[i].term {
            let t = t as usize;
            if t == i || t == 0 || preds[t] != 1 {
                break;
            }
            let absorbed = std::mem::replace(
                &mut ir.blocks[t],
                BlockIr { insts: Vec::new(), term: Terminator::Trap(crate::TrapCode::Unreachable) },
            );
            preds[t] = 0;
            let b = &mut ir.blocks[i];
            b.insts.extend(absorbed.insts);
            b.term = absorbed.term;
        }
    }
}

/// Whether removing this instruction (when its result is unused) changes nothing else.
fn is_pure(inst: &Inst) -> bool {
    match inst {
        Inst::Copy { .. } | Inst::Select { .. } | Inst::GlobalGet { .. } | Inst::MemorySize { .. } => true,
        Inst::Unary { op, .. } => !matches!(
            op,
            UnOp::I32TruncF32S
                | UnOp::I32TruncF32U
                | UnOp::I32TruncF64S
                | UnOp::I32TruncF64U
                | UnOp::I64TruncF32S
                | UnOp::I64TruncF32U
                | UnOp::I64TruncF64S
                | UnOp::I64TruncF64U
        ),
        Inst::Binary { op, .. } => !op.can_trap(),
        _ => false,
    }
}

fn reads(inst: &Inst, out: &mut Vec<Slot>) {
    let mut op = |o: &Operand| {
        if let Operand::Slot(s) = o {
            out.push(*s)
        }
    };
    match inst {
        Inst::Copy { src, .. } | Inst::Unary { src, .. } => op(src),
        Inst::Binary { lhs, rhs, .. } => {
            op(lhs);
            op(rhs)
        }
        Inst::Select { cond, a, b, .. } => {
            op(cond);
            op(a);
            op(b)
        }
        _ => {}
    }
}

fn clean_return_block(insts: &mut Vec<Inst>, results: u32) {
    // A copy straight back: `a = b; b = a`.
    let mut i = 1;
    while i < insts.len() {
        if let (Inst::Copy { dst: a, src: Operand::Slot(b) }, Inst::Copy { dst: b2, src: Operand::Slot(a2) }) =
            (&insts[i - 1], &insts[i])
        {
            if a == a2 && b == b2 {
                insts.remove(i);
                continue;
            }
        }
        i += 1;
    }
    // Backward over the pure suffix, with the result slots live at the end.
    let mut live: Vec<Slot> = (0..results).collect();
    let mut i = insts.len();
    let mut buf = Vec::new();
    while i > 0 {
        i -= 1;
        if !is_pure(&insts[i]) {
            break;
        }
        let dst = insts[i].single_dst().expect("pure instructions write one slot");
        if !live.contains(&dst) {
            insts.remove(i);
            continue;
        }
        // `x = op ...; y = x` with x dead afterwards: let the producer write y.
        if let Inst::Copy { src: Operand::Slot(x), .. } = insts[i] {
            if i > 0 && x != dst && !live.contains(&x) && is_pure(&insts[i - 1]) && insts[i - 1].single_dst() == Some(x)
            {
                *insts[i - 1].single_dst_mut().expect("pure") = dst;
                insts.remove(i);
                continue;
            }
        }
        live.retain(|&s| s != dst);
        buf.clear();
        reads(&insts[i], &mut buf);
        live.extend(buf.iter().copied());
    }
}
