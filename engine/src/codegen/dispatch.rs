//! An interpreter's opcode dispatch as one record that jumps straight to the next opcode.
//!
//! MicroQuickJS's interpreter loop (and any `switch` on a byte in a C loop) lowers to a
//! dispatch block like `s4 = s3; s5 = s2 + 1; s7 = #11; op = load8_u [s2]; br_table op - 1`,
//! entered from the opcodes' latches (`pc = s5; goto dispatch`, `pc += 3; goto dispatch`).
//! Run as it is, every opcode costs a jump back to the driver loop (the dispatch block comes
//! before the opcodes, so the edge is backward), the driver's tick and call, and two records;
//! and the program counter reaches the byte load through the slot the latch has just written
//! (a store and the load reading it back, on the path to the jump that is mispredicted most).
//!
//! Instead the optimizer copies the dispatch block into the end of every block that jumps to
//! it (`translate::optimize`, `duplicate_dispatch`), like threaded code, and each copy is
//! one record here:
//! - [`split`] finds where a block's dispatch starts: the moves (copies, constants, `i32` adds
//!   of an immediate) before the byte load, the load, the add of the index and the
//!   `br_table`; [`plan`] evaluates them symbolically, so every slot they write is a constant
//!   or a slot of their start plus an immediate, and so is the byte's address: the latch's
//!   `pc = s5` makes the address `s5`, read once, not through the slot `s2`;
//! - the record loads the byte, looks its target up, does the moves (in an order where none
//!   overwrites what a later one reads, [`in_sequence`]) and jumps: to any block of the
//!   function, earlier or later, directly (the table is filled once every block is compiled,
//!   [`Tables::fill`]). Such a jump counts one unit of work, as the driver would; when the
//!   budget is used up, or the native stack is low (jumps that did not compile to tail calls
//!   would grow it), the record returns the target's index to the driver loop instead;
//! - all copies of one dispatch share one [`Table`] (the targets by byte, and what every copy
//!   writes the same: the byte, the index and the constants), so a copy's own record is the
//!   table, the address and its moves (a copy in half a word, an add in one): an
//!   interpreter has a copy per opcode, and these records share the data cache with
//!   everything else.

use super::memory::Mem;
use super::{rd, wr, Chain, Code, FarTarget, Target, THREAD_FORWARD};
use crate::error::TrapCode;
use crate::exec::stack_pointer;
use crate::translate::ir::{BinOp, BlockId, Inst, LoadOp, Operand, Slot, Terminator};
use std::cell::UnsafeCell;
use std::sync::Arc;

/// Native stack kept free below a dispatch record's jump (see [`crate::exec::Ctx`]'s
/// `stack_floor`).
pub(crate) const STACK_MARGIN: usize = 64 * 1024;

/// The fewest targets for which a `br_table` on a byte load plus an immediate gets a table
/// indexed by the byte: 256 entries of 16 bytes whatever the table's own length, worth it for
/// an interpreter's opcode dispatch, not for a small `switch`.
pub(crate) const BYTE_TABLE_MIN_TARGETS: usize = 64;

/// Most slot writes (besides the byte and the index) one dispatch record does.
pub(crate) const MAX_MOVES: usize = 6;

/// A value in terms of the slots at the block's start: a constant, or `slot src` plus an
/// `i32` immediate (truncated to 32 bits when `narrow`; a plain copy adds nothing).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    Constant(u64),
    Slot { src: Slot, add: u32, narrow: bool },
}

impl Value {
    fn slot(src: Slot) -> Value {
        Value::Slot { src, add: 0, narrow: false }
    }

    /// `i32.add self k`.
    fn add_i32(self, k: u32) -> Value {
        match self {
            Value::Constant(v) => Value::Constant((v as u32).wrapping_add(k) as u64),
            Value::Slot { src, add, .. } => Value::Slot { src, add: add.wrapping_add(k), narrow: true },
        }
    }

    /// A plain copy of a slot.
    fn is_copy(&self) -> bool {
        matches!(self, Value::Slot { add: 0, narrow: false, .. })
    }

    /// A slot plus an `i32` immediate (truncated to 32 bits).
    fn is_add(&self) -> bool {
        matches!(self, Value::Slot { narrow: true, .. })
    }

    fn reads(self, slot: Slot) -> bool {
        self.reads_any(|s| s == slot)
    }

    fn reads_any(self, f: impl Fn(Slot) -> bool) -> bool {
        matches!(self, Value::Slot { src, .. } if f(src))
    }
}

/// A slot write of the block.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Move {
    dst: Slot,
    value: Value,
}

/// What one dispatch block does, in terms of the slots at its start (see the module header).
#[derive(Debug, PartialEq)]
pub(crate) struct Plan {
    /// The byte's address: the low 32 bits of this slot, plus `addr_add` (wrapping).
    addr: Slot,
    addr_add: u32,
    /// The load's static offset.
    offset: u64,
    /// Where the byte goes, and the index `byte + k` (`byte_dst` may equal `index_dst`).
    byte_dst: Slot,
    index_dst: Slot,
    k: u32,
    /// The other slot writes, each slot once, in an order in which doing them one after the
    /// other gives what the block gives (see [`in_sequence`]).
    moves: Vec<Move>,
}

/// The plan of a block of `insts` ending in `term`, if it is a dispatch block: only copies,
/// constants and `i32` adds or subtractions of an immediate, then `b = load8_u [a + offset]`,
/// `i = b + k` (or `- k`) and a `br_table` on `i` with at least
/// [`BYTE_TABLE_MIN_TARGETS`] targets; with at most [`MAX_MOVES`] other slots written (at
/// most [`MAX_COPIES`] copies, [`MAX_ADDS`] adds and [`MAX_CONSTANTS`] constants), every slot
/// a move reads or writes below 2^15, the address not a constant, the moves not a cycle, and
/// no copy overwriting a slot an add reads (the record does the copies first).
pub(crate) fn plan(insts: &[Inst], term: &Terminator) -> Option<Plan> {
    let Terminator::Table { index: Operand::Slot(index_dst), targets, .. } = term else { return None };
    if targets.len() < BYTE_TABLE_MIN_TARGETS {
        return None;
    }
    let [moves @ .., load, add] = insts else { return None };
    let &Inst::Load { op: LoadOp::I32Load8U, dst: byte_dst, addr: Operand::Slot(addr), offset } = load else {
        return None;
    };
    let k = add_of(add, byte_dst, *index_dst)?;
    // The value of every slot written so far, in terms of the start.
    let mut written: Vec<Move> = Vec::new();
    let value_of = |written: &[Move], s: Slot| written.iter().find(|m| m.dst == s).map_or(Value::slot(s), |m| m.value);
    for inst in moves {
        let (dst, value) = match *inst {
            Inst::Copy { dst, src: Operand::Slot(s) } => (dst, value_of(&written, s)),
            Inst::Copy { dst, src: Operand::Imm(v) } => (dst, Value::Constant(v)),
            Inst::Binary { .. } => {
                let (dst, src, k) = add_imm(inst)?;
                (dst, value_of(&written, src).add_i32(k))
            }
            _ => return None,
        };
        match written.iter_mut().find(|m| m.dst == dst) {
            Some(m) => m.value = value,
            None => written.push(Move { dst, value }),
        }
    }
    let Value::Slot { src: addr, add: addr_add, .. } = value_of(&written, addr) else { return None };
    // The load and the add write these last; a slot moved onto itself stays as it is.
    written.retain(|m| m.dst != byte_dst && m.dst != *index_dst && m.value != Value::slot(m.dst));
    // The record does the copies, then the adds, then the constants (see `record`), each kind
    // in a fixed number and with its slots in 15 bits.
    let count = |f: fn(&Value) -> bool| written.iter().filter(|m| f(&m.value)).count();
    let (copies, adds) = (count(Value::is_copy), count(Value::is_add));
    let constants = written.len() - copies - adds;
    let small = |s: Slot| s < 1 << 15;
    let fits = written.iter().all(|m| small(m.dst) && !matches!(m.value, Value::Slot { src, .. } if !small(src)));
    if copies > MAX_COPIES
        || adds > MAX_ADDS
        || constants > MAX_CONSTANTS
        || copies + adds + constants > MAX_MOVES
        || !fits
    {
        return None;
    }
    let moves = in_sequence(written)?;
    // Copies go first: none may overwrite a slot an add reads.
    let copied = |s: Slot| moves.iter().any(|m| m.value.is_copy() && m.dst == s);
    if moves.iter().any(|m| m.value.is_add() && m.value.reads_any(copied)) {
        return None;
    }
    Some(Plan { addr, addr_add, offset, byte_dst, index_dst: *index_dst, k, moves })
}

/// The moves in an order in which doing them one after the other gives what doing them all
/// at once does (no move overwrites a slot a later one reads), so the record keeps no value
/// waiting in a register; `None` for a cycle (`a = b; b = a`), which no order does.
fn in_sequence(mut parallel: Vec<Move>) -> Option<Vec<Move>> {
    let mut order = Vec::with_capacity(parallel.len());
    while !parallel.is_empty() {
        let free = (0..parallel.len())
            .find(|&i| parallel.iter().enumerate().all(|(j, m)| j == i || !m.value.reads(parallel[i].dst)))?;
        order.push(parallel.remove(free));
    }
    Some(order)
}

/// Where a block's dispatch starts, with its plan: the longest run of moves before the byte
/// load that [`plan`] takes, if the block ends in a dispatch at all.
pub(crate) fn split(insts: &[Inst], term: &Terminator) -> Option<(usize, Plan)> {
    let mut at = insts.len().checked_sub(2)?;
    let mut best = plan(&insts[at..], term)?;
    while at > 0 && is_move(&insts[at - 1]) {
        match plan(&insts[at - 1..], term) {
            Some(p) => (at, best) = (at - 1, p),
            None => break,
        }
    }
    Some((at, best))
}

/// Whether `inst` is a copy, a constant or an `i32` add of an immediate to a slot.
fn is_move(inst: &Inst) -> bool {
    match inst {
        Inst::Copy { .. } => true,
        Inst::Binary { .. } => add_imm(inst).is_some(),
        _ => false,
    }
}

/// Most constant writes one dispatch record does.
const MAX_CONSTANTS: usize = 3;

/// What every copy of one dispatch shares (see [`Table`]): the load's end past the address,
/// the byte's and the index's slots, the immediate added to the byte, and the constants
/// written (`constants` first entries; the count is part of the record's type).
#[derive(Clone, Copy, PartialEq)]
struct Common {
    end: u64,
    byte_dst: Slot,
    index_dst: Slot,
    k: u32,
    constants: [(Slot, u64); MAX_CONSTANTS],
}

/// A dispatch's targets by byte, filled once every block of the function is compiled (so
/// every target, earlier or later, is a direct jump), with each target's block index for the
/// way back through the driver loop, and what all copies of the dispatch share ([`Common`]):
/// every opcode of an interpreter ends in a copy of the dispatch (see
/// [`crate::translate::optimize`]), so each copy's own record holds only its moves.
pub(crate) struct Table {
    common: Common,
    entries: UnsafeCell<[FarTarget; 256]>,
    index: UnsafeCell<[BlockId; 256]>,
}

// SAFETY: written only by `Tables::fill`, before any code of the function runs.
unsafe impl Send for Table {}
unsafe impl Sync for Table {}

/// The dispatch tables of one function being compiled: one per distinct `br_table` and
/// [`Common`] part, shared by every copy of its dispatch.
#[derive(Default)]
pub(crate) struct Tables {
    tables: Vec<(Box<[BlockId]>, BlockId, Arc<Table>)>,
}

impl Tables {
    /// The table for the dispatch of `plan` ending in `term`.
    fn table_for(&mut self, term: &Terminator, common: Common) -> Arc<Table> {
        let Terminator::Table { targets, default, .. } = term else { unreachable!("a dispatch ends in a br_table") };
        let same = |(t, d, table): &&(Box<[BlockId]>, BlockId, Arc<Table>)| {
            t == targets && d == default && table.common == common
        };
        if let Some((.., t)) = self.tables.iter().find(same) {
            return t.clone();
        }
        let table = Arc::new(Table {
            common,
            entries: UnsafeCell::new([FarTarget::new(Target::index(*default)); 256]),
            index: UnsafeCell::new([*default; 256]),
        });
        self.tables.push((targets.clone(), *default, table.clone()));
        table
    }

    /// Fills every table, with `target(b)` the way to block `b`.
    pub(crate) fn fill(&mut self, target: impl Fn(BlockId) -> Target) {
        for (targets, default, table) in &self.tables {
            for b in 0..256 {
                let t = *targets.get((b as u32).wrapping_add(table.common.k) as usize).unwrap_or(default);
                // SAFETY: nothing runs the function's code yet (see `Table`).
                unsafe {
                    (*table.entries.get())[b] = FarTarget::new(target(t));
                    (*table.index.get())[b] = t;
                }
            }
        }
    }
}

/// `(dst, src, k)` of `dst = i32.add src k` (either way round, or `i32.sub src -k`), if
/// `inst` is one.
fn add_imm(inst: &Inst) -> Option<(Slot, Slot, u32)> {
    match *inst {
        Inst::Binary { op: BinOp::I32Add, dst, lhs: Operand::Slot(s), rhs: Operand::Imm(k) }
        | Inst::Binary { op: BinOp::I32Add, dst, lhs: Operand::Imm(k), rhs: Operand::Slot(s) } => {
            Some((dst, s, k as u32))
        }
        Inst::Binary { op: BinOp::I32Sub, dst, lhs: Operand::Slot(s), rhs: Operand::Imm(k) } => {
            Some((dst, s, (k as u32).wrapping_neg()))
        }
        _ => None,
    }
}

/// The `k` of `index = i32.add byte k` (or a subtraction), if `inst` is that.
fn add_of(inst: &Inst, byte: Slot, index: Slot) -> Option<u32> {
    add_imm(inst).filter(|&(dst, src, _)| dst == index && src == byte).map(|(.., k)| k)
}

/// A copy in the record, in half a word: `dst = slot src`.
#[derive(Clone, Copy)]
struct SlotCopy {
    dst: u16,
    src: u16,
}

/// An `i32` add of an immediate in the record, in one word: `dst = slot src + add`.
#[derive(Clone, Copy)]
struct SlotAdd {
    dst: u16,
    src: u16,
    add: u32,
}

/// The record's own operands: the table (with what all copies of the dispatch share), the
/// address, and the moves from slots, in one word or half a word each: every opcode of an
/// interpreter has a copy of the dispatch (see [`Table`]). One closure type per number of
/// adds, copies and constants, so all are unrolled and each move is one load and one store.
struct Fixed<const A: usize, const C: usize> {
    table: Arc<Table>,
    addr: Slot,
    addr_add: u32,
    adds: [SlotAdd; A],
    copies: [SlotCopy; C],
}

/// Most copies, adds and constants of one record (the closure types are their combinations).
const MAX_COPIES: usize = 4;
const MAX_ADDS: usize = 2;

/// Finishes `out` with the dispatch record of `plan` for a block ending in `term`, sharing
/// its table with the function's other copies of the same dispatch (see [`Tables`]).
pub(crate) fn compile(plan: &Plan, term: &Terminator, tables: &mut Tables, out: Chain) -> Code {
    let (mut copies, mut adds, mut constants, mut k) = (Vec::new(), Vec::new(), [(0, 0); MAX_CONSTANTS], 0);
    for m in &plan.moves {
        match m.value {
            Value::Constant(v) => {
                constants[k] = (m.dst, v);
                k += 1;
            }
            Value::Slot { src, add: 0, narrow: false } => copies.push(SlotCopy { dst: m.dst as u16, src: src as u16 }),
            Value::Slot { src, add, .. } => adds.push(SlotAdd { dst: m.dst as u16, src: src as u16, add }),
        }
    }
    let common =
        Common { end: plan.offset + 1, byte_dst: plan.byte_dst, index_dst: plan.index_dst, k: plan.k, constants };
    let table = tables.table_for(term, common);
    macro_rules! by_counts {
        ($(($a:literal, $c:literal, $k:literal)),*) => {
            match (adds.len(), copies.len(), k) {
                $(($a, $c, $k) => record::<$a, $c, $k>(plan, &adds, &copies, table, out),)*
                (a, c, k) => unreachable!("plan() allows no {a} adds, {c} copies and {k} constants"),
            }
        };
    }
    by_counts!(
        (0, 0, 0),
        (0, 0, 1),
        (0, 0, 2),
        (0, 0, 3),
        (0, 1, 0),
        (0, 1, 1),
        (0, 1, 2),
        (0, 1, 3),
        (0, 2, 0),
        (0, 2, 1),
        (0, 2, 2),
        (0, 2, 3),
        (0, 3, 0),
        (0, 3, 1),
        (0, 3, 2),
        (0, 3, 3),
        (0, 4, 0),
        (0, 4, 1),
        (0, 4, 2),
        (1, 0, 0),
        (1, 0, 1),
        (1, 0, 2),
        (1, 0, 3),
        (1, 1, 0),
        (1, 1, 1),
        (1, 1, 2),
        (1, 1, 3),
        (1, 2, 0),
        (1, 2, 1),
        (1, 2, 2),
        (1, 2, 3),
        (1, 3, 0),
        (1, 3, 1),
        (1, 3, 2),
        (1, 4, 0),
        (1, 4, 1),
        (2, 0, 0),
        (2, 0, 1),
        (2, 0, 2),
        (2, 0, 3),
        (2, 1, 0),
        (2, 1, 1),
        (2, 1, 2),
        (2, 1, 3),
        (2, 2, 0),
        (2, 2, 1),
        (2, 2, 2),
        (2, 3, 0),
        (2, 3, 1),
        (2, 4, 0)
    )
}

fn record<const A: usize, const C: usize, const K: usize>(
    plan: &Plan,
    adds: &[SlotAdd],
    copies: &[SlotCopy],
    table: Arc<Table>,
    out: Chain,
) -> Code {
    let p = Fixed::<A, C> {
        table,
        addr: plan.addr,
        addr_add: plan.addr_add,
        adds: std::array::from_fn(|i| adds[i]),
        copies: std::array::from_fn(|i| copies[i]),
    };
    out.terminator_op(move |ctx, fp, _| {
        // SAFETY: slots named by the translator lie inside the frame; `ending_at` only gives
        // in-bounds pointers; the table was filled before the function could run.
        unsafe {
            let t = &*p.table;
            let c = &t.common;
            let a = (rd(fp, p.addr) as u32).wrapping_add(p.addr_add) as u64;
            let Some(byte) = Mem::of(ctx).ending_at::<u8>(a + c.end) else {
                return out_of_bounds(ctx);
            };
            let b = *byte as usize;
            let target = (*t.entries.get())[b];
            // The copies, then the adds (no copy overwrites what an add reads, see `plan`),
            // each in an order where none overwrites what a later one reads.
            for m in p.copies {
                wr(fp, m.dst as Slot, rd(fp, m.src as Slot));
            }
            for m in p.adds {
                wr(fp, m.dst as Slot, (rd(fp, m.src as Slot) as u32).wrapping_add(m.add) as u64);
            }
            for &(dst, v) in &c.constants[..K] {
                wr(fp, dst, v);
            }
            wr(fp, c.byte_dst, b as u64);
            wr(fp, c.index_dst, (b as u32).wrapping_add(c.k) as u64);
            // The jump may go back (the next opcode's block may come first): it counts as
            // work like any backward transfer. When the budget is used up (or the native stack
            // is low), the driver loop takes the transfer over and ticks for it (without a call
            // here, nothing has to be kept in registers the callee must preserve). Debug
            // builds, which thread no jumps, always go through the driver.
            if THREAD_FORWARD && ctx.budget > 0 && stack_pointer() >= ctx.stack_floor {
                ctx.budget -= 1;
                target.go(ctx, fp)
            } else {
                (*t.index.get())[b]
            }
        }
    })
}

#[cold]
#[inline(never)]
fn out_of_bounds(ctx: &mut crate::exec::Ctx) -> u32 {
    ctx.trap(TrapCode::MemoryOutOfBounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_term(index: Slot) -> Terminator {
        Terminator::Table { index: Operand::Slot(index), targets: vec![1; 100].into(), default: 2 }
    }

    fn add(dst: Slot, src: Slot, k: i64) -> Inst {
        Inst::Binary { op: BinOp::I32Add, dst, lhs: Operand::Slot(src), rhs: Operand::Imm(k as u64) }
    }

    fn copy(dst: Slot, src: Slot) -> Inst {
        Inst::Copy { dst, src: Operand::Slot(src) }
    }

    fn load8(dst: Slot, addr: Slot, offset: u64) -> Inst {
        Inst::Load { op: LoadOp::I32Load8U, dst, addr: Operand::Slot(addr), offset }
    }

    fn narrow(src: Slot, add: u32) -> Value {
        Value::Slot { src, add, narrow: true }
    }

    #[test]
    fn latch_and_dispatch_read_the_counter_from_the_latch_source() {
        // `s2 = s5; s4 = s3; s5 = s2 + 1; s7 = #11; s10 = load8_u [s2]; s33 = s10 - 1`.
        let insts = [
            copy(2, 5),
            copy(4, 3),
            add(5, 2, 1),
            Inst::Copy { dst: 7, src: Operand::Imm(11) },
            load8(10, 2, 0),
            Inst::Binary { op: BinOp::I32Sub, dst: 33, lhs: Operand::Slot(10), rhs: Operand::Imm(1) },
        ];
        let p = plan(&insts, &table_term(33)).expect("a dispatch block");
        assert_eq!((p.addr, p.addr_add, p.offset, p.byte_dst, p.index_dst, p.k), (5, 0, 0, 10, 33, u32::MAX));
        // `s2 = s5` before `s5 = s5 + 1`, which overwrites what it reads.
        assert_eq!(
            p.moves,
            [
                Move { dst: 2, value: Value::slot(5) },
                Move { dst: 4, value: Value::slot(3) },
                Move { dst: 5, value: narrow(5, 1) },
                Move { dst: 7, value: Value::Constant(11) },
            ]
        );
    }

    #[test]
    fn added_addresses_overwritten_slots_and_moves_in_order() {
        // `s3 = s2; s2 = s2 + 3; s2 = s2 - 1; s9 = #5; s9 = s9 + 1; s4 = s4;
        //  s1 = load8_u [s2 + 7]; s1 = s1 + 2`.
        let insts = [
            copy(3, 2),
            add(2, 2, 3),
            add(2, 2, -1),
            Inst::Copy { dst: 9, src: Operand::Imm(5) },
            add(9, 9, 1),
            copy(4, 4),
            load8(1, 2, 7),
            add(1, 1, 2),
        ];
        let p = plan(&insts, &table_term(1)).expect("a dispatch block");
        assert_eq!((p.addr, p.addr_add, p.offset, p.byte_dst, p.index_dst, p.k), (2, 2, 7, 1, 1, 2));
        assert_eq!(
            p.moves,
            [
                Move { dst: 3, value: Value::slot(2) },
                Move { dst: 2, value: narrow(2, 2) },
                Move { dst: 9, value: Value::Constant(6) },
            ]
        );
    }

    #[test]
    fn other_shapes_are_not_dispatch_blocks() {
        let tail = [load8(10, 2, 0), add(33, 10, -1)];
        let with = |before: &[Inst]| [before, &tail[..]].concat();
        assert!(plan(&with(&[]), &table_term(33)).is_some());
        // A store, a load or another operator before the byte load.
        let store = Inst::Store {
            op: crate::translate::ir::StoreOp::I32Store,
            addr: Operand::Slot(1),
            value: Operand::Slot(2),
            offset: 0,
        };
        assert!(plan(&with(&[store]), &table_term(33)).is_none());
        assert!(plan(&with(&[load8(3, 1, 0)]), &table_term(33)).is_none());
        let mul = Inst::Binary { op: BinOp::I32Mul, dst: 4, lhs: Operand::Slot(4), rhs: Operand::Imm(3) };
        assert!(plan(&with(&[mul]), &table_term(33)).is_none());
        // A constant address, too many moves of a kind or in all, a cycle of moves, a copy
        // overwriting what an add reads, an index that is not the byte plus a constant, a
        // short table.
        let constant_pc = Inst::Copy { dst: 2, src: Operand::Imm(100) };
        assert!(plan(&with(&[constant_pc]), &table_term(33)).is_none());
        let limit = |n: usize, make: &dyn Fn(Slot) -> Inst| {
            let insts: Vec<Inst> = (40..40 + n as Slot + 1).map(make).collect();
            assert!(plan(&with(&insts), &table_term(33)).is_none(), "{} of {:?}", n + 1, insts[0]);
            assert!(plan(&with(&insts[1..]), &table_term(33)).is_some(), "{n} of {:?}", insts[0]);
        };
        limit(MAX_COPIES, &|d| copy(d, 1));
        limit(MAX_ADDS, &|d| add(d, 1, 3));
        limit(MAX_CONSTANTS, &|d| Inst::Copy { dst: d, src: Operand::Imm(9) });
        let all: Vec<Inst> = [copy(40, 1), copy(41, 1), copy(42, 1), add(43, 1, 1), add(44, 1, 1)]
            .into_iter()
            .chain((45..47).map(|d| Inst::Copy { dst: d, src: Operand::Imm(9) }))
            .collect();
        assert!(all.len() > MAX_MOVES && plan(&with(&all), &table_term(33)).is_none());
        assert!(plan(&with(&all[1..]), &table_term(33)).is_some());
        assert!(plan(&with(&[copy(40, 5), copy(5, 6), copy(6, 40)]), &table_term(33)).is_none());
        assert!(plan(&with(&[add(40, 5, 1), copy(5, 6)]), &table_term(33)).is_none());
        assert!(plan(&with(&[copy(40, 5), add(5, 6, 1)]), &table_term(33)).is_some());
        assert!(plan(&with(&[copy(40_000, 1)]), &table_term(33)).is_none());
        assert!(plan(&with(&[copy(1, 40_000)]), &table_term(33)).is_none());
        assert!(plan(&[load8(10, 2, 0), add(33, 11, -1)], &table_term(33)).is_none());
        let short = Terminator::Table { index: Operand::Slot(33), targets: vec![1; 10].into(), default: 2 };
        assert!(plan(&tail, &short).is_none());
    }
}
