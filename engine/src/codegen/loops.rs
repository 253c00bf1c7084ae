//! Whole-loop superinstructions: a tight loop of a recognised shape runs as one native loop
//! instead of a record per statement and a pass through the self-loop wrapper per iteration.
//!
//! The shape is the **memory loop**, which is how C's `memcpy`, `memset` and `strlen`
//! (musl's, in every Emscripten module built without bulk memory) and hand-written copy, fill
//! and search loops compile. Its body is one of
//!
//! ```text
//! t = i32.load [a+o1]; i32.store [b+p1] = t   copy: pairs with the same a, b, t and width
//! i32.store [b+p1] = v                          fill: constants or unchanging slots
//! t = i32.load8_s [p+o]                         scan: one load, before or after the steps,
//!                                               that the exit test may read
//! ```
//!
//! and otherwise only steps on up to four slots (the pointers and counters): add or sub of a
//! constant, or add of a slot the loop leaves alone. The exit test is any `i32` compare (or
//! zero test) of a stepped slot or the scanned value with a constant or an unchanging slot,
//! `if i32.lt_u b n then <this block> else exit` or the other way round.
//!
//! Copy and fill widths: `i32.load8_u`/`i32.store8`, `i32.load`/`i32.store`,
//! `i64.load`/`i64.store`; scans: `i32.load`, `i32.load8_s/u`, `i32.load16_s/u`.
//! The native loop keeps the stepped slots in registers and writes them (and the word's
//! slot) back when the loop exits; it is monomorphised per number of stepped slots. It is
//! exact: every load and store happens in program order with its own bounds check (so
//! overlapping copies and a trap part-way leave memory exactly as the statements would), and
//! every repetition counts one unit of work, as the self-loop wrapper does (the budget kept
//! in a register is stored back on every way out). After a trap or a refused budget the function's frame is never read again, so the
//! slots are not written back on those paths. Block profiling (which counts every entry into
//! a block) turns the superinstructions off.

use super::memory::{Mem, Word};
use super::{operand, rd, wr, Chain, Code, Target, CONTINUE, SIGNAL};
use crate::error::TrapCode;
use crate::exec::Ctx;
use crate::translate::ir::{BinOp, BlockIr, Cond, Inst, LoadOp, Operand, Slot, StoreOp, Terminator};

/// An `i32` comparison, decided on `u32` bit patterns.
#[derive(Clone, Copy, Debug)]
enum Cmp {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

impl Cmp {
    fn of(op: BinOp) -> Option<Cmp> {
        Some(match op {
            BinOp::I32Eq => Cmp::Eq,
            BinOp::I32Ne => Cmp::Ne,
            BinOp::I32LtS => Cmp::LtS,
            BinOp::I32LtU => Cmp::LtU,
            BinOp::I32GtS => Cmp::GtS,
            BinOp::I32GtU => Cmp::GtU,
            BinOp::I32LeS => Cmp::LeS,
            BinOp::I32LeU => Cmp::LeU,
            BinOp::I32GeS => Cmp::GeS,
            BinOp::I32GeU => Cmp::GeU,
            _ => return None,
        })
    }

    /// The comparison as `(bias, pick, inverted)`: with `a = x ^ bias` and `b = y ^ bias`
    /// (a signed order is the unsigned order of the values with their sign bit flipped), it
    /// holds when `[a == b, a < b, a <= b][pick]` differs from `inverted`.
    fn normalised(self) -> (u32, u32, bool) {
        const SIGN: u32 = 0x8000_0000;
        match self {
            Cmp::Eq => (0, 0, false),
            Cmp::Ne => (0, 0, true),
            Cmp::LtU => (0, 1, false),
            Cmp::GeU => (0, 1, true),
            Cmp::LeU => (0, 2, false),
            Cmp::GtU => (0, 2, true),
            Cmp::LtS => (SIGN, 1, false),
            Cmp::GeS => (SIGN, 1, true),
            Cmp::LeS => (SIGN, 2, false),
            Cmp::GtS => (SIGN, 2, true),
        }
    }
}

/// A loop's exit test normalised (see [`Cmp::normalised`]): the loop goes on while
/// `[a == b, a < b, a <= b][pick]` equals `go_on`. On entry, once the bound is known, it
/// becomes one unsigned compare ([`Exit`]), so an iteration tests with an xor, a compare and
/// a branch: LLVM kept the three-way choice inside the loop (2 % of sort's instructions).
#[derive(Clone, Copy, PartialEq, Debug)]
struct Test {
    bias: u32,
    pick: u32,
    go_on: bool,
}

impl Test {
    fn new(cmp: Cmp, repeat_when: bool) -> Test {
        let (bias, pick, inverted) = cmp.normalised();
        Test { bias, pick, go_on: repeat_when != inverted }
    }

    /// The test against the bound `rhs` (the compare's other operand, unbiased) as one
    /// unsigned compare on 33 bits.
    ///
    /// The relation first: `a == b` is `x ^ rhs < 1`; `a < b` is `x ^ bias < b`; `a <= b`
    /// is `x ^ bias < b + 1` (on 33 bits, so `b = u32::MAX` holds for every `x`). Its
    /// negation, `y >= l` for `y = x ^ k` below 2^32, is `!y < 2^32 - l`.
    #[inline(always)]
    fn at(self, rhs: u32) -> Exit {
        let b = (rhs ^ self.bias) as u64;
        let (k, limit) = match self.pick {
            0 => (rhs, 1),
            1 => (self.bias, b),
            _ => (self.bias, b + 1),
        };
        if self.go_on {
            Exit { k, limit }
        } else {
            Exit { k: !k, limit: (1 << 32) - limit }
        }
    }
}

/// A loop's exit test against its bound: the loop goes on while `x ^ k < limit`.
#[derive(Clone, Copy)]
struct Exit {
    k: u32,
    limit: u64,
}

impl Exit {
    /// Whether the loop goes on after an iteration leaving `x`.
    #[inline(always)]
    fn goes_on(self, x: u32) -> bool {
        ((x ^ self.k) as u64) < self.limit
    }
}

/// The memory word a loop moves or writes.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Width {
    U8,
    U32,
    U64,
}

/// The most slots a loop may step (pointers and counters together).
const MAX_STEPS: usize = 4;

/// What one iteration does to memory.
#[derive(Debug)]
enum Body {
    /// `t = load [a+o1]; store [b+o2] = t` per pair, in order; `a` is step 0, `b` step 1.
    Copy { t: Slot, pairs: Box<[(u32, u32)]> },
    /// `store [b+o] = v` per entry, in order, each `v` a constant or a slot the loop leaves
    /// alone; `b` is step 0.
    Fill { stores: Box<[(u32, Operand)]> },
    /// `t = load [p+o]`, the value the test reads; `p` is step 0, stepped before the load
    /// when `pre`.
    Scan { t: Slot, offset: u32, pre: bool },
}

/// How a scan loop's load reads its `i32`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Ext {
    U8,
    S8,
    U16,
    S16,
    U32,
}

/// The monomorphic form a recognised loop compiles to.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Copy(Width),
    Fill(Width),
    Scan(Ext),
}

/// What the exit test compares.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Tested {
    /// A stepped slot (index into the steps).
    Step(usize),
    /// The value a scan loop loaded.
    Loaded,
}

/// A recognised memory loop (see the module documentation).
#[derive(Debug)]
struct MemLoop {
    body: Body,
    /// The stepped slots, pointers first, and what each iteration adds to each (wrapping): a
    /// constant, or a slot the loop leaves alone (read once, on entry).
    steps: [(Slot, Operand); MAX_STEPS],
    n_steps: usize,
    /// The exit test: the loop repeats while `test` says it goes on for `tested` against
    /// `rhs`. `rhs` is a constant or a slot the loop leaves alone.
    test: Test,
    tested: Tested,
    rhs: Operand,
    /// The block the loop exits to.
    exit: u32,
}

fn load_store_width(load: LoadOp, store: StoreOp) -> Option<Width> {
    match (load, store) {
        (LoadOp::I32Load8U, StoreOp::I32Store8) => Some(Width::U8),
        (LoadOp::I32Load, StoreOp::I32Store) => Some(Width::U32),
        (LoadOp::I64Load, StoreOp::I64Store) => Some(Width::U64),
        _ => None,
    }
}

fn store_width(store: StoreOp) -> Option<Width> {
    match store {
        StoreOp::I32Store8 => Some(Width::U8),
        StoreOp::I32Store => Some(Width::U32),
        StoreOp::I64Store => Some(Width::U64),
        _ => None,
    }
}

fn scan_ext(load: LoadOp) -> Option<Ext> {
    match load {
        LoadOp::I32Load8U => Some(Ext::U8),
        LoadOp::I32Load8S => Some(Ext::S8),
        LoadOp::I32Load16U => Some(Ext::U16),
        LoadOp::I32Load16S => Some(Ext::S16),
        LoadOp::I32Load => Some(Ext::U32),
        _ => None,
    }
}

/// `x = x + k`, `x = x - k` or `x = x + y` as the slot and what is added (wrapping).
fn step_of(inst: &Inst) -> Option<(Slot, Operand)> {
    let &Inst::Binary { op, dst, lhs: Operand::Slot(x), rhs } = inst else { return None };
    let by = match (op, rhs) {
        (BinOp::I32Add, Operand::Imm(k)) => Operand::Imm(k as u32 as u64),
        (BinOp::I32Sub, Operand::Imm(k)) => Operand::Imm((k as u32).wrapping_neg() as u64),
        (BinOp::I32Add, Operand::Slot(y)) => Operand::Slot(y),
        _ => return None,
    };
    (x == dst).then_some((x, by))
}

/// The memory part of a loop body: its instructions up to the steps, or (a scan) around
/// them. Returns the body, its kind, the pointers (steps 0 and 1) and the step instructions.
fn body_of(insts: &[Inst]) -> Option<(Body, Kind, Vec<Slot>, Vec<&Inst>)> {
    let mut i = 0;
    Some(match *insts.first()? {
        // Copy pairs: same word slot, pointers and width.
        Inst::Load { dst: t, addr: Operand::Slot(a), .. } if matches!(insts.get(1), Some(Inst::Store { .. })) => {
            let mut pairs = Vec::new();
            let mut width = None;
            while let (
                Some(&Inst::Load { op, dst, addr: Operand::Slot(from), offset: o1 }),
                Some(&Inst::Store { op: sop, addr: Operand::Slot(b), value: Operand::Slot(v), offset: o2 }),
            ) = (insts.get(i), insts.get(i + 1))
            {
                let w = load_store_width(op, sop)?;
                // The loaded word is what is stored, and the pointers are not the word's slot.
                if dst != t || from != a || v != t || t == b || a == b || width.is_some_and(|x| x != (w, b)) {
                    return None;
                }
                width = Some((w, b));
                pairs.push((u32::try_from(o1).ok()?, u32::try_from(o2).ok()?));
                i += 2;
            }
            let (w, b) = width?;
            (Body::Copy { t, pairs: pairs.into_boxed_slice() }, Kind::Copy(w), vec![a, b], insts[i..].iter().collect())
        }
        // Stores of constants or unchanging slots through one pointer.
        Inst::Store { addr: Operand::Slot(b), .. } => {
            let mut stores = Vec::new();
            let mut width = None;
            while let Some(&Inst::Store { op, addr: Operand::Slot(to), value, offset }) = insts.get(i) {
                let w = store_width(op)?;
                if to != b || width.is_some_and(|x| x != w) || value == Operand::Slot(b) {
                    return None;
                }
                width = Some(w);
                stores.push((u32::try_from(offset).ok()?, value));
                i += 1;
            }
            (Body::Fill { stores: stores.into_boxed_slice() }, Kind::Fill(width?), vec![b], insts[i..].iter().collect())
        }
        // A scan: one load among the steps.
        _ => {
            let at = insts.iter().position(|inst| matches!(inst, Inst::Load { .. }))?;
            let Inst::Load { op, dst: t, addr: Operand::Slot(p), offset } = insts[at] else { return None };
            let ext = scan_ext(op)?;
            if t == p {
                return None;
            }
            let pre = insts[..at].iter().any(|inst| step_of(inst).is_some_and(|(x, _)| x == p));
            let steps = insts[..at].iter().chain(&insts[at + 1..]).collect();
            (Body::Scan { t, offset: u32::try_from(offset).ok()?, pre }, Kind::Scan(ext), vec![p], steps)
        }
    })
}

/// The mirror of a comparison: `a op b` is `b mirror(op) a`.
fn mirrored(op: BinOp) -> BinOp {
    match op {
        BinOp::I32LtS => BinOp::I32GtS,
        BinOp::I32LtU => BinOp::I32GtU,
        BinOp::I32GtS => BinOp::I32LtS,
        BinOp::I32GtU => BinOp::I32LtU,
        BinOp::I32LeS => BinOp::I32GeS,
        BinOp::I32LeU => BinOp::I32GeU,
        BinOp::I32GeS => BinOp::I32LeS,
        BinOp::I32GeU => BinOp::I32LeU,
        other => other,
    }
}

/// Recognises a memory loop in block `me`, which branches to itself.
fn recognise(block: &BlockIr, me: u32) -> Option<(MemLoop, Kind)> {
    let (body, kind, pointers, step_insts) = body_of(&block.insts)?;
    // Only steps besides the memory part, each slot once; the pointers must be stepped.
    let mut steps: Vec<(Slot, Operand)> = pointers.iter().map(|&p| (p, Operand::Imm(u64::MAX))).collect();
    let mut stepped = vec![false; pointers.len()];
    for inst in step_insts {
        let (x, by) = step_of(inst)?;
        match steps.iter().position(|&(s, _)| s == x) {
            Some(p) if p < pointers.len() && !stepped[p] => {
                steps[p].1 = by;
                stepped[p] = true;
            }
            Some(_) => return None,
            None if steps.len() == MAX_STEPS => return None,
            None => steps.push((x, by)),
        }
    }
    if stepped.contains(&false) {
        return None;
    }
    let Terminator::Branch { cond, then, els } = block.term else { return None };
    let (repeat_when, exit) = match (then == me, els == me) {
        (true, false) => (true, els),
        (false, true) => (false, then),
        _ => return None,
    };
    let word = match body {
        Body::Copy { t, .. } | Body::Scan { t, .. } => Some(t),
        Body::Fill { .. } => None,
    };
    // The test compares a stepped slot, or the value a scan loaded, with something else.
    let testable = |s: Slot| match steps.iter().position(|&(x, _)| x == s) {
        Some(i) => Some(Tested::Step(i)),
        None if matches!(body, Body::Scan { t, .. } if t == s) => Some(Tested::Loaded),
        None => None,
    };
    let (op, tested, rhs) = match cond {
        Cond::Compare(op, Operand::Slot(l), rhs) if testable(l).is_some() => (op, testable(l)?, rhs),
        Cond::Compare(op, lhs, Operand::Slot(r)) if testable(r).is_some() => (mirrored(op), testable(r)?, lhs),
        Cond::NonZero(Operand::Slot(s)) => (BinOp::I32Ne, testable(s)?, Operand::Imm(0)),
        Cond::Zero(Operand::Slot(s)) => (BinOp::I32Eq, testable(s)?, Operand::Imm(0)),
        _ => return None,
    };
    let cmp = Cmp::of(op)?;
    // What is read once on entry must be left alone by the loop: not stepped, not the word.
    let varies = |o: &Operand| matches!(*o, Operand::Slot(s) if Some(s) == word || steps.iter().any(|&(x, _)| x == s));
    let fill_varies = matches!(&body, Body::Fill { stores } if stores.iter().any(|(_, v)| varies(v)));
    if varies(&rhs) || steps.iter().any(|(_, by)| varies(by)) || fill_varies {
        return None;
    }
    let n_steps = steps.len();
    let mut all = [(0, Operand::Imm(0)); MAX_STEPS];
    all[..n_steps].copy_from_slice(&steps);
    let test = Test::new(cmp, repeat_when);
    Some((MemLoop { body, steps: all, n_steps, test, tested, rhs, exit }, kind))
}

/// Compiles block `me` as a memory loop if it is one; `target` resolves the exit block.
pub(crate) fn memory_loop(block: &BlockIr, me: u32, target: impl Fn(u32) -> Target) -> Option<Code> {
    let (l, kind) = recognise(block, me)?;
    let exit = target(l.exit);
    // One closure per number of stepped slots: the entry reads and the exit writes unrolled.
    Some(match l.n_steps {
        1 => build::<1>(l, kind, exit),
        2 => build::<2>(l, kind, exit),
        3 => build::<3>(l, kind, exit),
        _ => build::<4>(l, kind, exit),
    })
}

/// The closure for a loop of `kind` with `N` stepped slots.
fn build<const N: usize>(l: MemLoop, kind: Kind, exit: Target) -> Code {
    let out = Chain::new();
    // SAFETY (all closures): slots named by the translator lie inside the frame.
    match kind {
        // A copy steps two pointers at least.
        Kind::Copy(_) if N < 2 => unreachable!("a copy loop steps both pointers"),
        Kind::Copy(Width::U8) => out.terminator(move |ctx, fp| unsafe { copy::<u8, N>(&l, exit, ctx, fp) }),
        Kind::Copy(Width::U32) => out.terminator(move |ctx, fp| unsafe { copy::<u32, N>(&l, exit, ctx, fp) }),
        Kind::Copy(Width::U64) => out.terminator(move |ctx, fp| unsafe { copy::<u64, N>(&l, exit, ctx, fp) }),
        Kind::Fill(Width::U8) => out.terminator(move |ctx, fp| unsafe { fill::<u8, N>(&l, exit, ctx, fp) }),
        Kind::Fill(Width::U32) => out.terminator(move |ctx, fp| unsafe { fill::<u32, N>(&l, exit, ctx, fp) }),
        Kind::Fill(Width::U64) => out.terminator(move |ctx, fp| unsafe { fill::<u64, N>(&l, exit, ctx, fp) }),
        Kind::Scan(Ext::U8) => out.terminator(move |ctx, fp| unsafe { scan::<u8, N>(&l, exit, ctx, fp, |v| v as u32) }),
        Kind::Scan(Ext::S8) => {
            out.terminator(move |ctx, fp| unsafe { scan::<u8, N>(&l, exit, ctx, fp, |v| v as i8 as u32) })
        }
        Kind::Scan(Ext::U16) => {
            out.terminator(move |ctx, fp| unsafe { scan::<u16, N>(&l, exit, ctx, fp, |v| v as u32) })
        }
        Kind::Scan(Ext::S16) => {
            out.terminator(move |ctx, fp| unsafe { scan::<u16, N>(&l, exit, ctx, fp, |v| v as i16 as u32) })
        }
        Kind::Scan(Ext::U32) => out.terminator(move |ctx, fp| unsafe { scan::<u32, N>(&l, exit, ctx, fp, |v| v) }),
    }
}

/// A copy loop: [`run`] with the copy pairs as the body.
///
/// # Safety
/// As for [`run`].
#[inline(always)]
unsafe fn copy<W: Word, const N: usize>(l: &MemLoop, exit: Target, ctx: &mut Ctx, fp: *mut u64) -> u32 {
    let Body::Copy { t, pairs } = &l.body else { unreachable!("compiled for a copy") };
    let mut word = 0u64;
    let r = run::<N>(l, ctx, fp, |r, _, mem| {
        for &(o1, o2) in pairs.iter() {
            let v: W = mem.read(r[0] as u64 + o1 as u64)?;
            mem.write(r[1] as u64 + o2 as u64, v)?;
            word = v.into();
        }
        Some(0)
    });
    if r == CONTINUE {
        wr(fp, *t, word);
        exit.go(ctx, fp)
    } else {
        r
    }
}

/// A fill loop: [`run`] with the stores as the body.
///
/// # Safety
/// As for [`run`].
#[inline(always)]
unsafe fn fill<W: Word, const N: usize>(l: &MemLoop, exit: Target, ctx: &mut Ctx, fp: *mut u64) -> u32 {
    let Body::Fill { stores } = &l.body else { unreachable!("compiled for a fill") };
    let r = run::<N>(l, ctx, fp, |r, _, mem| {
        for &(o, v) in stores.iter() {
            mem.write(r[0] as u64 + o as u64, W::wrap(operand(fp, v)))?;
        }
        Some(0)
    });
    if r == CONTINUE {
        exit.go(ctx, fp)
    } else {
        r
    }
}

/// A scan loop: [`run`] with the load as the body; `ext` extends the word to the `i32`.
///
/// # Safety
/// As for [`run`].
#[inline(always)]
unsafe fn scan<W: Word, const N: usize>(
    l: &MemLoop,
    exit: Target,
    ctx: &mut Ctx,
    fp: *mut u64,
    ext: impl Fn(W) -> u32,
) -> u32 {
    let Body::Scan { t, offset, pre } = l.body else { unreachable!("compiled for a scan") };
    let mut loaded = 0u32;
    let r = run::<N>(l, ctx, fp, |r, by, mem| {
        // Stepped before the load: the address the load saw (the steps come after the body).
        let p = if pre { r[0].wrapping_add(by[0]) } else { r[0] };
        loaded = ext(mem.read::<W>(p as u64 + offset as u64)?);
        Some(loaded)
    });
    if r == CONTINUE {
        wr(fp, t, loaded as u64);
        exit.go(ctx, fp)
    } else {
        r
    }
}

/// Reads and writes of the loop's words, unaligned, bounds-checked against the memory as the
/// loop entered it (no call in the loop: the memory cannot grow or move meanwhile).
impl Mem {
    #[inline(always)]
    unsafe fn read<W: Word>(self, ea: u64) -> Option<W> {
        // SAFETY: `ending_at` only returns addresses of words inside the memory.
        self.ending_at::<W>(ea + size_of::<W>() as u64).map(|p| p.read_unaligned())
    }

    #[inline(always)]
    unsafe fn write<W: Word>(self, ea: u64, v: W) -> Option<()> {
        // SAFETY: as for `read`.
        self.ending_at::<W>(ea + size_of::<W>() as u64).map(|p| p.write_unaligned(v))
    }
}

/// Runs the loop's iterations: `body` (given the stepped values and the steps; `None` when
/// an access is out of bounds, else the value a scan loaded), the steps, the test. Returns
/// [`CONTINUE`] when the test exits the loop, with the stepped slots written back;
/// [`SIGNAL`] after a trap or a refused work budget.
///
/// # Safety
/// The loop's slots lie inside the frame at `fp`.
#[inline(always)]
unsafe fn run<const N: usize>(
    l: &MemLoop,
    ctx: &mut Ctx,
    fp: *mut u64,
    mut body: impl FnMut(&[u32; MAX_STEPS], &[u32; MAX_STEPS], Mem) -> Option<u32>,
) -> u32 {
    // The stepped values live in registers while the loop runs; the steps and the bound are
    // read once.
    let mut r = [0u32; MAX_STEPS];
    let mut by = [0u32; MAX_STEPS];
    // Index loops over the constant `N`: unrolled with `r` in registers (sieve's fill loop
    // ran 7 % more instructions written with zipped iterators).
    #[allow(clippy::needless_range_loop)]
    for i in 0..N {
        r[i] = rd(fp, l.steps[i].0) as u32;
        by[i] = operand(fp, l.steps[i].1) as u32;
    }
    let exit = l.test.at(operand(fp, l.rhs) as u32);
    let mem = Mem::of(ctx);
    let mut budget = ctx.budget;
    loop {
        let Some(loaded) = body(&r, &by, mem) else {
            ctx.budget = budget;
            return ctx.trap(TrapCode::MemoryOutOfBounds);
        };
        #[allow(clippy::needless_range_loop)]
        for i in 0..N {
            r[i] = r[i].wrapping_add(by[i]);
        }
        // A constant index per arm keeps `r` in registers.
        let x = match l.tested {
            Tested::Step(0) => r[0],
            Tested::Step(1) => r[1],
            Tested::Step(2) => r[2],
            Tested::Step(_) => r[3],
            Tested::Loaded => loaded,
        };
        if !exit.goes_on(x) {
            ctx.budget = budget;
            for (&(slot, _), &v) in l.steps[..N].iter().zip(&r) {
                wr(fp, slot, v as u64);
            }
            return CONTINUE;
        }
        // A repetition: one unit of work, as the self-loop wrapper counts it.
        if !ctx.tick_local(&mut budget) {
            return SIGNAL;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::ir::BlockIr;

    fn load(dst: Slot, addr: Slot, offset: u64) -> Inst {
        Inst::Load { op: LoadOp::I32Load, dst, addr: Operand::Slot(addr), offset }
    }
    fn store(addr: Slot, value: Slot, offset: u64) -> Inst {
        Inst::Store { op: StoreOp::I32Store, addr: Operand::Slot(addr), value: Operand::Slot(value), offset }
    }
    fn step(x: Slot, op: BinOp, k: u64) -> Inst {
        Inst::Binary { op, dst: x, lhs: Operand::Slot(x), rhs: Operand::Imm(k) }
    }
    fn block(insts: Vec<Inst>, term: Terminator) -> BlockIr {
        BlockIr { insts, term }
    }
    fn branch(op: BinOp, l: Slot, r: Operand, then: u32, els: u32) -> Terminator {
        Terminator::Branch { cond: Cond::Compare(op, Operand::Slot(l), r), then, els }
    }

    /// The test, made one compare against its bound, agrees with each comparison's
    /// definition on boundary values, both ways round (repeating when it holds or fails).
    #[test]
    fn normalised_tests_compare_exactly() {
        let direct = |c: Cmp, a: u32, b: u32| {
            let (sa, sb) = (a as i32, b as i32);
            match c {
                Cmp::Eq => a == b,
                Cmp::Ne => a != b,
                Cmp::LtS => sa < sb,
                Cmp::LtU => a < b,
                Cmp::GtS => sa > sb,
                Cmp::GtU => a > b,
                Cmp::LeS => sa <= sb,
                Cmp::LeU => a <= b,
                Cmp::GeS => sa >= sb,
                Cmp::GeU => a >= b,
            }
        };
        let values = [
            0,
            1,
            2,
            0x1234_5678,
            0x7fff_fffe,
            0x7fff_ffff,
            0x8000_0000,
            0x8000_0001,
            0x8765_4321,
            0xffff_fffe,
            0xffff_ffff,
        ];
        let cmps = [Cmp::Eq, Cmp::Ne, Cmp::LtS, Cmp::LtU, Cmp::GtS, Cmp::GtU, Cmp::LeS, Cmp::LeU, Cmp::GeS, Cmp::GeU];
        for c in cmps {
            for repeat_when in [true, false] {
                let t = Test::new(c, repeat_when);
                for a in values {
                    for b in values {
                        assert_eq!(t.at(b).goes_on(a), direct(c, a, b) == repeat_when, "{c:?} {a:#x} {b:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn recognises_musl_word_copy() {
        let b = block(
            vec![load(6, 1, 0), store(2, 6, 0), step(1, BinOp::I32Add, 4), step(2, BinOp::I32Add, 4)],
            branch(BinOp::I32LtU, 2, Operand::Slot(4), 3, 4),
        );
        let (l, w) = recognise(&b, 3).expect("a copy loop");
        assert_eq!(w, Kind::Copy(Width::U32));
        assert!(matches!(l.body, Body::Copy { t: 6, ref pairs } if pairs[..] == [(0, 0)]));
        assert_eq!(&l.steps[..l.n_steps], &[(1, Operand::Imm(4)), (2, Operand::Imm(4))]);
        assert_eq!((l.tested, l.test, l.exit), (Tested::Step(1), Test::new(Cmp::LtU, true), 4));
    }

    #[test]
    fn rejects_what_it_cannot_do_exactly() {
        let ok = || vec![load(6, 1, 0), store(2, 6, 0), step(1, BinOp::I32Add, 4), step(2, BinOp::I32Add, 4)];
        let term = || branch(BinOp::I32LtU, 2, Operand::Slot(4), 3, 4);
        assert!(recognise(&block(ok(), term()), 3).is_some());
        // The bound changes in the loop.
        assert!(recognise(&block(ok(), branch(BinOp::I32LtU, 2, Operand::Slot(1), 3, 4)), 3).is_none());
        // The test reads an unstepped slot.
        assert!(recognise(&block(ok(), branch(BinOp::I32LtU, 9, Operand::Imm(0), 3, 4)), 3).is_none());
        // The stored value is not the loaded word.
        let mut v = ok();
        v[1] = store(2, 7, 0);
        assert!(recognise(&block(v, term()), 3).is_none());
        // The word's slot is a pointer.
        let mut v = ok();
        v[0] = load(1, 1, 0);
        assert!(recognise(&block(v, term()), 3).is_none());
        // A pointer is not stepped.
        assert!(recognise(&block(ok()[..3].to_vec(), term()), 3).is_none());
        // A slot stepped twice, five stepped slots, a step that is not an add.
        let mut v = ok();
        v.push(step(1, BinOp::I32Add, 4));
        assert!(recognise(&block(v, term()), 3).is_none());
        let mut v = ok();
        v.extend([step(7, BinOp::I32Sub, 1), step(8, BinOp::I32Sub, 1), step(9, BinOp::I32Sub, 1)]);
        assert!(recognise(&block(v, term()), 3).is_none());
        // A step by a slot the loop changes.
        let mut v = ok();
        v.push(Inst::Binary { op: BinOp::I32Add, dst: 7, lhs: Operand::Slot(7), rhs: Operand::Slot(6) });
        assert!(recognise(&block(v, term()), 3).is_none());
        let mut v = ok();
        v.push(step(7, BinOp::I32Mul, 3));
        assert!(recognise(&block(v, term()), 3).is_none());
        // Both arms repeat, or neither does.
        assert!(recognise(&block(ok(), branch(BinOp::I32LtU, 2, Operand::Slot(4), 3, 3)), 3).is_none());
        assert!(recognise(&block(ok(), branch(BinOp::I32LtU, 2, Operand::Slot(4), 5, 4)), 3).is_none());
        // An i64 compare.
        assert!(recognise(&block(ok(), branch(BinOp::I64LtU, 2, Operand::Slot(4), 3, 4)), 3).is_none());
    }

    /// The loops of `engine/tests/wat/copy_loops.wat` (which `engine/tests/loops.rs` runs
    /// with and without the superinstructions) are all recognised, but for the one made not to be.
    #[test]
    fn recognises_the_test_modules_loops() {
        let mut config = crate::Config::default();
        config.keep_ir(true);
        let engine = crate::Engine::new(&config);
        let wasm = wat::parse_str(include_str!("../../tests/wat/copy_loops.wat")).unwrap();
        let module = crate::Module::new(&engine, wasm).unwrap();
        let found: Vec<Option<Kind>> = module
            .inner
            .irs
            .iter()
            .map(|f| {
                let mut loops = (0..f.blocks.len() as u32)
                    .filter(|&i| f.blocks[i as usize].term.successors().any(|s| s == i))
                    .map(|i| recognise(&f.blocks[i as usize], i).map(|(_, w)| w));
                let first = loops.next().expect("each function has a loop");
                assert!(loops.next().is_none(), "one loop per function");
                first
            })
            .collect();
        use Kind::*;
        let copies = [Copy(Width::U32), Copy(Width::U8), Copy(Width::U32), Copy(Width::U64)].map(Some);
        let others = [Fill(Width::U8), Fill(Width::U32), Scan(Ext::S8), Scan(Ext::U32), Scan(Ext::U16)].map(Some);
        let want: Vec<Option<Kind>> = copies.into_iter().chain([None]).chain(others).collect();
        assert_eq!(found, want);
    }

    /// A small deterministic generator (xorshift), so the random shapes below need no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[self.below(xs.len() as u64) as usize]
        }
    }

    /// A random memory loop as a WAT function `run(a, b, k) -> i32` mixing every local it
    /// leaves, over a one-page exported memory.
    fn random_loop(rng: &mut Rng) -> String {
        // Copies (half), fills, and scans (a load the test may read, the pointer `$b`).
        let kind = rng.pick(&["copy", "copy", "fill", "scan"]);
        let (load, store, word) = match (kind, rng.below(5)) {
            ("scan", 0) => ("i32.load8_u", "", "i32"),
            ("scan", 1) => ("i32.load8_s", "", "i32"),
            ("scan", 2) => ("i32.load16_u", "", "i32"),
            ("scan", 3) => ("i32.load16_s", "", "i32"),
            ("scan", _) => ("i32.load", "", "i32"),
            (_, 0 | 1) => ("i32.load8_u", "i32.store8", "i32"),
            (_, 2 | 3) => ("i32.load", "i32.store", "i32"),
            _ => ("i64.load", "i64.store", "i64"),
        };
        let mut body = String::new();
        let scan_load = |rng: &mut Rng| format!("(local.set $t ({load} offset={} (local.get $b)))\n", rng.below(40));
        let entries = if kind == "scan" { 0 } else { 1 + rng.below(4) };
        for _ in 0..entries {
            let (o1, o2) = (rng.below(40), rng.below(40));
            if kind == "copy" {
                body += &format!("(local.set $t ({load} offset={o1} (local.get $a))) ({store} offset={o2} (local.get $b) (local.get $t))\n");
            } else if rng.below(2) == 0 {
                body += &format!("({store} offset={o2} (local.get $b) ({word}.const {}))\n", rng.next() as i32);
            } else {
                let v = if word == "i64" { "(i64.extend_i32_u (local.get $k))" } else { "(local.get $k)" };
                body += &format!("({store} offset={o2} (local.get $b) {v})\n");
            }
        }
        // A scan loads before or after the steps.
        let load_first = rng.below(2) == 0;
        if kind == "scan" && load_first {
            body += &scan_load(rng);
        }
        let step = |rng: &mut Rng| match rng.below(4) {
            0 => "(local.get $k)".to_string(),
            _ => format!("(i32.const {})", rng.below(33) as i32 - 16),
        };
        let mut stepped = vec!["$b"];
        if kind == "copy" {
            stepped.push("$a");
        }
        stepped.extend(["$c", "$d"].iter().take(rng.below(3) as usize));
        for x in &stepped {
            let op = rng.pick(&["i32.add", "i32.sub"]);
            let by = step(rng);
            // Subtracting a slot is not a step the recognizer takes: the loop stays general.
            let by = if op == "i32.sub" && by.contains("$k") { "(i32.const 3)".to_string() } else { by };
            body += &format!("(local.set {x} ({op} (local.get {x}) {by}))\n");
        }
        if kind == "scan" && !load_first {
            body += &scan_load(rng);
        }
        let tested = match kind {
            "scan" if rng.below(4) != 0 => "$t",
            _ => stepped[rng.below(stepped.len() as u64) as usize],
        };
        let cmp = rng.pick(&["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]);
        let rhs = match rng.below(3) {
            0 => "(local.get $k)".to_string(),
            1 => format!("(i32.const {})", rng.below(256) as i32 - 128),
            _ => format!("(i32.const {})", rng.below(70000)),
        };
        let test = match rng.below(6) {
            0 => format!("(local.get {tested})"),
            1 => format!("(i32.eqz (local.get {tested}))"),
            2 => format!("(i32.{cmp} {rhs} (local.get {tested}))"),
            _ => format!("(i32.{cmp} (local.get {tested}) {rhs})"),
        };
        let lp = if rng.below(2) == 0 {
            format!("(loop $l {body} (br_if $l {test}))")
        } else {
            format!("(block $done (loop $l {body} (br_if $done {test}) (br $l)))")
        };
        format!(
            r#"(module (memory (export "mem") 1)
              (func (export "run") (param $a i32) (param $b i32) (param $k i32) (result i32)
                (local $c i32) (local $d i32) (local $t {word})
                (local.set $c (i32.mul (local.get $k) (i32.const 7)))
                (local.set $d (i32.const 1000))
                {lp}
                (i32.xor (i32.xor (local.get $a) (i32.rotl (local.get $b) (i32.const 8)))
                  (i32.xor (i32.rotl (local.get $c) (i32.const 16))
                    (i32.xor (i32.rotl (local.get $d) (i32.const 24)) {t})))))"#,
            t = if word == "i64" { "(i32.wrap_i64 (local.get $t))" } else { "(local.get $t)" },
        )
    }

    /// Result (or trap), memory and fuel left after `run(args)` with `fuel`, with or without
    /// the superinstructions (block profiling turns them off).
    fn outcome(wasm: &[u8], native: bool, args: (i32, i32, i32), fuel: u64) -> (Result<i32, String>, Vec<u8>, u64) {
        use crate::{BlockProfile, Engine, Linker, Store};
        let mut config = crate::Config::default();
        config.consume_fuel(true);
        if !native {
            config.profile_blocks(Some(BlockProfile::new()));
        }
        let engine = Engine::new(&config);
        let module = crate::Module::new(&engine, wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
        let mem = instance.get_memory(&store, "mem").unwrap();
        for (i, b) in mem.data_mut(&mut store).iter_mut().enumerate() {
            *b = (i as u32).wrapping_mul(2654435761).rotate_right(11) as u8;
        }
        store.set_fuel(fuel).unwrap();
        let run = instance.get_typed_func::<(i32, i32, i32), i32>(&store, "run").unwrap();
        let r = run.call(&mut store, args).map_err(|e| e.to_string());
        (r, mem.data(&store).to_vec(), store.get_fuel().unwrap())
    }

    /// Random memory loops (widths, offsets, pointer and counter steps, constant or slot
    /// bounds, every compare, both branch senses) run exactly as their general lowering:
    /// results, traps, memory and fuel, including loops that run out of fuel or memory.
    #[test]
    fn random_memory_loops_match_the_general_lowering() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut recognised = 0;
        const CASES: usize = 600;
        for case in 0..CASES {
            let text = random_loop(&mut rng);
            let wasm = wat::parse_str(&text).unwrap();
            let mut config = crate::Config::default();
            config.keep_ir(true);
            let module = crate::Module::new(&crate::Engine::new(&config), &wasm).unwrap();
            let f = &module.inner.irs[0];
            if (0..f.blocks.len()).any(|i| recognise(&f.blocks[i], i as u32).is_some()) {
                recognised += 1;
            }
            for _ in 0..3 {
                let pointer = |rng: &mut Rng| match rng.below(4) {
                    0 => 65536 - 200 + rng.below(240) as i32,
                    _ => rng.below(60000) as i32,
                };
                let (a, b) = (pointer(&mut rng), pointer(&mut rng));
                let k = rng.below(40) as i32 - 8;
                let fuel = [30, 700, 5000][rng.below(3) as usize];
                let native = outcome(&wasm, true, (a, b, k), fuel);
                let general = outcome(&wasm, false, (a, b, k), fuel);
                assert_eq!(
                    (&native.0, native.2),
                    (&general.0, general.2),
                    "case {case} run({a}, {b}, {k}) fuel {fuel}:\n{text}"
                );
                assert!(native.1 == general.1, "case {case} run({a}, {b}, {k}) fuel {fuel}: memories differ\n{text}");
            }
        }
        // Most shapes are memory loops (the rest step by a subtracted slot or fail a rule).
        assert!(recognised > CASES * 2 / 3, "{recognised} of {CASES} recognised");
    }
}
