//! Code generation: turns each [`BlockIr`] into one chain of closure records.
//!
//! A block compiles to a [`Code`]: its statements and its terminator laid out one after the
//! other in a single allocation, each as a *record* (the address of its handler, then the
//! closure's captured operands). A statement's handler runs its closure and then jumps
//! straight to the next record, whose address is its own plus its (compile-time constant)
//! size. So moving from one statement to the next costs an add and an indirect jump, and the
//! only load on the way is the next handler's address, which the branch predictor runs ahead
//! of; no pointer is chased from one closure's environment to the next (the chain of
//! dependent loads that made a tree of separately boxed closures stall on every step). The
//! last record is the terminator, which returns the index of the next block to run (or
//! [`RETURN`]/[`SIGNAL`]), or continues directly in a later block ([`Target::tail`]).
//! Each handler also receives the value the previous record computed ([`Acc`]), so a record
//! reading what the one before it just wrote takes it from a register instead of waiting
//! for the slot's store to be read back ([`Chain::acc_holds`]).
//!
//! Submodules group the closure constructors by category; each specialises on operand shape
//! (slot or immediate) so the hot closures do no operand decoding at run time.

pub(crate) mod call;
pub(crate) mod control;
pub(crate) mod dispatch;
pub(crate) mod loops;
pub(crate) mod memory;
pub(crate) mod numeric;
pub(crate) mod state;

use crate::exec::Ctx;
use crate::module::ModuleInner;
use crate::profile::FunctionCounts;
use crate::translate::ir::{BinOp, BlockIr, FuncIr, Inst, LoadOp, Operand, Slot, StoreOp};
use std::mem::{align_of, needs_drop, size_of};
use std::sync::Arc;

/// A value one record hands the next in a register: the result of the statement it just did
/// (also written to its slot), or nothing meaningful. See [`Chain::acc_holds`].
pub(crate) type Acc = std::mem::MaybeUninit<u64>;

/// The machine code of one record; `ip` points at the record itself.
type Handler = unsafe fn(ip: *const u64, ctx: &mut Ctx, fp: *mut u64, acc: Acc) -> u32;

/// One closure in a chain: its handler, then its captured state.
#[repr(C)]
struct Record<F> {
    handler: Handler,
    f: F,
}

/// Runs the record at `ip`.
#[inline(always)]
unsafe fn enter(ip: *const u64, ctx: &mut Ctx, fp: *mut u64, acc: Acc) -> u32 {
    let handler = *(ip as *const Handler);
    handler(ip, ctx, fp, acc)
}

/// A statement record: runs the closure, then the record right after it (handing it the
/// closure's value, see [`Chain::op`]) unless the closure stopped (returned anything but
/// [`CONTINUE`]).
unsafe fn run_op<F: Fn(&mut Ctx, *mut u64, Acc) -> (u32, Acc)>(
    ip: *const u64,
    ctx: &mut Ctx,
    fp: *mut u64,
    acc: Acc,
) -> u32 {
    let (r, acc) = ((*(ip as *const Record<F>)).f)(ctx, fp, acc);
    if r != CONTINUE {
        return r;
    }
    enter(ip.add(size_of::<Record<F>>() / 8), ctx, fp, acc)
}

/// A terminator record: the closure decides where execution goes.
unsafe fn run_terminator<F: Fn(&mut Ctx, *mut u64, Acc) -> u32>(
    ip: *const u64,
    ctx: &mut Ctx,
    fp: *mut u64,
    acc: Acc,
) -> u32 {
    ((*(ip as *const Record<F>)).f)(ctx, fp, acc)
}

unsafe fn drop_record<F>(p: *mut u64) {
    std::ptr::drop_in_place(p as *mut Record<F>);
}

/// Drops a record in place.
type DropFn = unsafe fn(*mut u64);

/// Drop functions of the records that own resources, by word offset.
type Drops = Vec<(usize, DropFn)>;

/// A block under construction: statements are appended in execution order, and a terminator
/// finishes it into a [`Code`].
///
/// Some statements are not given a record of their own but held back as a [`Prefix`] and
/// done by the next record's handler before its own work. A copy between slots (or of a
/// constant) is fused into any next record: copies are the commonest statement in compiled
/// C, and most are followed by one other statement before the block ends. An `i32` add of an
/// immediate (or two in a row) is fused into the block's terminator: a loop's counter and
/// pointer steps right before its exit test, which then cost no record of their own. Two
/// copies in a row are held back together and done by the terminator when only statements it
/// takes over come in between ([`Chain::copy_pair`]). The fusion works for any record type
/// because the prefixes' shapes are fixed: each closure type gets prefixed twins when it is
/// monomorphised.
pub(crate) struct Chain {
    words: Vec<u64>,
    drops: Drops,
    /// A statement waiting to be fused into the next record.
    pending: Option<Prefix>,
    /// Two copies held back before `pending` (see [`Chain::copy_pair`]): done by the
    /// terminator if nothing else comes first, else by a record of their own. Kept compact:
    /// chains are moved by value on the way to their terminator.
    moves: Option<[HeldCopy; 2]>,
    /// The slot whose new value the last record hands the next one in a register, if any.
    acc: Option<Slot>,
    /// How many records were pushed (tests check that fusion happens; profiles report it).
    records: u32,
}

/// The largest record buffer kept for the next block (a giant block's is freed).
const SCRATCH_KEEP_WORDS: usize = 1 << 14;

thread_local! {
    /// The record buffer [`Chain`]s are built in, between two blocks.
    static SCRATCH: std::cell::Cell<Vec<u64>> = const { std::cell::Cell::new(Vec::new()) };
    /// The drop list [`Chain`]s are built with, between two blocks (a block with a call has
    /// one entry: the call's argument copies).
    static DROPS_SCRATCH: std::cell::Cell<Drops> = const { std::cell::Cell::new(Vec::new()) };
}

/// A statement a record can do before its own work (see [`Chain`]).
#[derive(Clone, Copy)]
enum Prefix {
    /// `dst = src`.
    Copy(Slot, Slot),
    /// `dst = value`.
    Const(Slot, u64),
    /// `dst = i32.add src k`.
    AddImm32(Slot, Slot, u32),
    /// Two `AddImm32` in order: a loop stepping both a pointer and a counter.
    AddImm32Pair(AddImm32, AddImm32),
    /// `dst = i32.and src k`: only fused into a record that reads `dst` (see [`Src`]).
    AndImm32(Slot, Slot, u32),
    /// `dst = i32.add a b`, or `t = i32.shl idx k; dst = i32.add base t` (an array element's
    /// address): only fused into a record that reads `dst` (an address or a loop bound
    /// computed just before its use), else it is one or two statements.
    AddSlots(AddSlots),
    /// `dst = i32.shl src k`: held back in case an add of two slots uses it (see
    /// [`AddSlots`]), else it is a statement.
    ShlImm32(Slot, Slot, u32),
    /// A zero-extending `i32` load: only fused into a terminator that reads `dst` (see
    /// [`TermSrc`]), else it is a statement.
    Load(LoadZx),
    /// A load, then an add of an immediate to its result: the shape of an interpreter's
    /// dispatch on an opcode byte (`op = *pc; switch (op - 1)`).
    LoadAdd(LoadZx, AddImm32),
}

/// A zero-extending `i32` load held back as a [`Prefix`].
#[derive(Clone, Copy)]
pub(crate) struct LoadZx {
    pub width: LoadWidth,
    pub dst: Slot,
    pub addr: Slot,
    pub offset: u32,
}

/// The loads a terminator can take over.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadWidth {
    /// `i32.load8_u`.
    U8,
    /// `i32.load`.
    U32,
}

impl Prefix {
    /// Whether this is a copy (of a slot or a constant), which fuses into any record.
    fn is_copy(&self) -> bool {
        matches!(self, Prefix::Copy(..) | Prefix::Const(..))
    }
}

/// The prefixes as types, so that each prefixed closure is specialised on its prefix.
trait PrefixOp: Copy + Send + Sync + 'static {
    /// Does the prefix's statement.
    fn apply(self, fp: *mut u64);
}

#[derive(Clone, Copy)]
struct CopySlot(Slot, Slot);
#[derive(Clone, Copy)]
struct SetConst(Slot, u64);
#[derive(Clone, Copy)]
pub(crate) struct AddImm32(Slot, Slot, u32);
#[derive(Clone, Copy)]
pub(crate) struct AndImm32(Slot, Slot, u32);
/// `dst = i32.add base (idx << k)` (see [`Prefix::AddSlots`]), with the shifted index also
/// written to slot `t` (the `i32.shl` before the add wrote it). A plain `dst = i32.add a b`
/// has `k == 0` and `t == dst` (that write is then overwritten), so both shapes share one
/// closure type per consumer.
#[derive(Clone, Copy)]
pub(crate) struct AddSlots {
    dst: Slot,
    base: Slot,
    idx: Slot,
    k: u32,
    t: Slot,
}
#[derive(Clone, Copy)]
struct Both<P: PrefixOp, Q: PrefixOp>(P, Q);

/// One copy of a [`Moves2`]: `dst = (slot src & mask) | value`, which is `dst = src` (all-ones
/// mask, zero value) or `dst = value` (zero mask). One closure type then serves every mix of
/// copy kinds without a branch on the kind.
#[derive(Clone, Copy)]
struct Move {
    dst: Slot,
    /// The source slot; `dst` itself for a constant (so the read is always in the frame).
    src: Slot,
    mask: u64,
    value: u64,
}

impl Move {
    fn new((dst, src): (Slot, Operand)) -> Move {
        match src {
            Operand::Slot(s) => Move { dst, src: s, mask: u64::MAX, value: 0 },
            Operand::Imm(v) => Move { dst, src: dst, mask: 0, value: v },
        }
    }

    /// Does the copy.
    ///
    /// # Safety
    /// The slots must lie inside the frame `fp`.
    #[inline(always)]
    unsafe fn apply(self, fp: *mut u64) {
        wr(fp, self.dst, (rd(fp, self.src) & self.mask) | self.value);
    }
}

/// Two copies done by a terminator before its operand (see [`MovesThen`]).
#[derive(Clone, Copy)]
struct Moves2([Move; 2]);

/// A copy held back by the chain: `dst = src` (a slot number or a constant), in 16 bytes.
#[derive(Clone, Copy)]
struct HeldCopy {
    dst: Slot,
    from_slot: bool,
    bits: u64,
}

impl HeldCopy {
    fn new((dst, src): (Slot, Operand)) -> HeldCopy {
        match src {
            Operand::Slot(s) => HeldCopy { dst, from_slot: true, bits: s as u64 },
            Operand::Imm(v) => HeldCopy { dst, from_slot: false, bits: v },
        }
    }

    fn get(self) -> (Slot, Operand) {
        (self.dst, if self.from_slot { Operand::Slot(self.bits as Slot) } else { Operand::Imm(self.bits) })
    }
}

impl Moves2 {
    /// Does both copies in order.
    ///
    /// # Safety
    /// The slots must lie inside the frame `fp`.
    #[inline(always)]
    unsafe fn apply(self, fp: *mut u64) {
        self.0[0].apply(fp);
        self.0[1].apply(fp);
    }
}

// SAFETY (all three): slots named by the translator lie inside the frame.
impl PrefixOp for CopySlot {
    #[inline(always)]
    fn apply(self, fp: *mut u64) {
        unsafe { wr(fp, self.0, rd(fp, self.1)) }
    }
}

impl PrefixOp for SetConst {
    #[inline(always)]
    fn apply(self, fp: *mut u64) {
        unsafe { wr(fp, self.0, self.1) }
    }
}

impl PrefixOp for AddImm32 {
    #[inline(always)]
    fn apply(self, fp: *mut u64) {
        unsafe { self.get(fp, Acc::uninit()) };
    }
}

impl PrefixOp for AndImm32 {
    #[inline(always)]
    fn apply(self, fp: *mut u64) {
        unsafe { self.get(fp, Acc::uninit()) };
    }
}

impl<P: PrefixOp, Q: PrefixOp> PrefixOp for Both<P, Q> {
    #[inline(always)]
    fn apply(self, fp: *mut u64) {
        self.0.apply(fp);
        self.1.apply(fp);
    }
}

/// `f` with `p` done first, as one closure.
#[inline(always)]
fn prefixed<P: PrefixOp, F: Fn(&mut Ctx, *mut u64) -> u32 + Send + Sync + 'static>(
    p: P,
    f: F,
) -> impl Fn(&mut Ctx, *mut u64) -> u32 + Send + Sync + 'static {
    move |ctx: &mut Ctx, fp: *mut u64| {
        p.apply(fp);
        f(ctx, fp)
    }
}

/// [`prefixed`] for closures that take and hand on a value (see [`Chain::op`]).
#[inline(always)]
fn prefixed_op<P: PrefixOp, R, F: Fn(&mut Ctx, *mut u64, Acc) -> R + Send + Sync + 'static>(
    p: P,
    f: F,
) -> impl Fn(&mut Ctx, *mut u64, Acc) -> R + Send + Sync + 'static {
    move |ctx: &mut Ctx, fp: *mut u64, acc: Acc| {
        p.apply(fp);
        f(ctx, fp, acc)
    }
}

/// A prefix as a statement of its own.
fn alone(_: &mut Ctx, _: *mut u64) -> u32 {
    CONTINUE
}

/// Where a record gets an `i32` operand: from its slot, or computed by the record itself from
/// the statement just before it, which it also performs (writing its destination, which may
/// be read later). Computing it in place keeps the value in a register: reading it back from
/// the frame would put a store-to-load forwarding delay on the path to the record's branch or
/// memory access. See [`Chain::take_forward`] and [`with_src`].
pub(crate) trait Src: Copy + Send + Sync + 'static {
    /// The operand's bits (zero-extended), after doing the fused statement if any; `acc`
    /// is the value the previous record handed on.
    ///
    /// # Safety
    /// The slots must lie inside the frame `fp`; `acc` must be set if the source reads it.
    unsafe fn get(self, fp: *mut u64, acc: Acc) -> u64;
}

/// The operand is read from its slot.
#[derive(Clone, Copy)]
pub(crate) struct FromSlot(pub Slot);

impl Src for FromSlot {
    #[inline(always)]
    unsafe fn get(self, fp: *mut u64, _: Acc) -> u64 {
        rd(fp, self.0)
    }
}

/// The operand is the value the previous record handed on (it also wrote it to the slot,
/// but reading the slot back would wait for the store).
#[derive(Clone, Copy)]
pub(crate) struct FromAcc;

impl Src for FromAcc {
    #[inline(always)]
    unsafe fn get(self, _: *mut u64, acc: Acc) -> u64 {
        acc.assume_init()
    }
}

/// The operand is `dst = i32.add src k`, done here (also its prefix form).
impl Src for AddImm32 {
    #[inline(always)]
    unsafe fn get(self, fp: *mut u64, _: Acc) -> u64 {
        let AddImm32(dst, src, k) = self;
        let v = (rd(fp, src) as u32).wrapping_add(k) as u64;
        wr(fp, dst, v);
        v
    }
}

/// The operand is `dst = i32.and src k`, done here (also its prefix form).
impl Src for AndImm32 {
    #[inline(always)]
    unsafe fn get(self, fp: *mut u64, _: Acc) -> u64 {
        let AndImm32(dst, src, k) = self;
        let v = (rd(fp, src) as u32 & k) as u64;
        wr(fp, dst, v);
        v
    }
}

/// The operand is `dst = i32.add base (idx << k)`, done here (with the shift's own write).
impl Src for AddSlots {
    #[inline(always)]
    unsafe fn get(self, fp: *mut u64, _: Acc) -> u64 {
        let AddSlots { dst, base, idx, k, t } = self;
        // Both operands are read before anything is written: `t` may be `idx`, and for a
        // plain add `t` is `dst`, which may be `base`.
        let scaled = (rd(fp, idx) as u32) << k;
        let base = rd(fp, base) as u32;
        wr(fp, t, scaled as u64);
        let v = base.wrapping_add(scaled) as u64;
        wr(fp, dst, v);
        v
    }
}

/// An [`AddImm32`] or [`AndImm32`] (per `F`) whose source is the value the previous record
/// handed on: a load or operator, then the add or and a branch or access takes over.
#[derive(Clone, Copy)]
pub(crate) struct OnAcc<F>(F);

impl Src for OnAcc<AddImm32> {
    #[inline(always)]
    unsafe fn get(self, fp: *mut u64, acc: Acc) -> u64 {
        let AddImm32(dst, _, k) = self.0;
        let v = (acc.assume_init() as u32).wrapping_add(k) as u64;
        wr(fp, dst, v);
        v
    }
}

impl Src for OnAcc<AndImm32> {
    #[inline(always)]
    unsafe fn get(self, fp: *mut u64, acc: Acc) -> u64 {
        let AndImm32(dst, _, k) = self.0;
        let v = (acc.assume_init() as u32 & k) as u64;
        wr(fp, dst, v);
        v
    }
}

/// A statement a record can take over to compute its operand (see [`Src`]).
pub(crate) enum Forward {
    Add(AddImm32),
    And(AndImm32),
    AddOnAcc(OnAcc<AddImm32>),
    AndOnAcc(OnAcc<AndImm32>),
    AddSlots(AddSlots),
}

/// Evaluates `$body` with `$s` bound to a [`Src`] for slot `$slot`: the pending statement
/// writing it when there is one (taken from chain `$out`), else the slot itself. `$body` is
/// monomorphised once per source kind.
macro_rules! with_src {
    ($out:expr, $slot:expr, |$s:ident| $body:expr) => {
        match $out.take_forward($slot) {
            Some($crate::codegen::Forward::Add($s)) => $body,
            Some($crate::codegen::Forward::And($s)) => $body,
            Some($crate::codegen::Forward::AddOnAcc($s)) => $body,
            Some($crate::codegen::Forward::AndOnAcc($s)) => $body,
            Some($crate::codegen::Forward::AddSlots($s)) => $body,
            None if $out.acc_holds($slot) => {
                let $s = $crate::codegen::FromAcc;
                $body
            }
            None => {
                let $s = $crate::codegen::FromSlot($slot);
                $body
            }
        }
    };
}
pub(crate) use with_src;

/// A terminator's operand source: any [`Src`], or also a load (or a load and an add) done by
/// the terminator itself, which may trap. Only terminators take loads over: there the
/// loaded value feeds a branch, whose direction the processor can only confirm once the
/// value is in, so every cycle on the way counts when it guessed wrong.
pub(crate) trait TermSrc: Copy + Send + Sync + 'static {
    /// The operand's bits, or `None` after recording a trap in `ctx`. By reference: taking
    /// `self` by value copied every field into a register up front, and the dispatch
    /// terminator (copies, load, add, `br_table`) then saved and restored five registers.
    ///
    /// # Safety
    /// As for [`Src::get`].
    unsafe fn fetch(&self, ctx: &mut Ctx, fp: *mut u64, acc: Acc) -> Option<u64>;
}

impl<S: Src> TermSrc for S {
    #[inline(always)]
    unsafe fn fetch(&self, _: &mut Ctx, fp: *mut u64, acc: Acc) -> Option<u64> {
        Some(self.get(fp, acc))
    }
}

/// A load done by the terminator (see [`TermSrc`]); `T` is the loaded word.
#[derive(Clone, Copy)]
pub(crate) struct LoadThen<T> {
    pub dst: Slot,
    pub addr: Slot,
    pub offset: u32,
    pub word: std::marker::PhantomData<fn() -> T>,
}

/// A load and then `add.dst = i32.add load.dst k`, done by the terminator.
#[derive(Clone, Copy)]
pub(crate) struct LoadAddThen<T> {
    pub load: LoadThen<T>,
    pub add: AddImm32,
}

impl<T: Copy + Into<u64> + 'static> TermSrc for LoadAddThen<T>
where
    LoadThen<T>: TermSrc,
{
    #[inline(always)]
    unsafe fn fetch(&self, ctx: &mut Ctx, fp: *mut u64, acc: Acc) -> Option<u64> {
        let v = self.load.fetch(ctx, fp, acc)?;
        // The add's source is the load's destination: use the loaded value, not the slot.
        let AddImm32(dst, _, k) = self.add;
        let r = (v as u32).wrapping_add(k) as u64;
        wr(fp, dst, r);
        Some(r)
    }
}

/// The byte loads with an add that a terminator can take over (see [`TermForward`]).
pub(crate) enum ByteForward {
    /// The load and the add.
    LoadAdd(LoadAddThen<u8>),
    /// Two held-back copies, then the load and the add.
    MovesLoadAdd(MovesThen<LoadAddThen<u8>>),
}

/// What a terminator can take over to compute its operand.
pub(crate) enum TermForward {
    Src(Forward),
    Load8(LoadThen<u8>),
    Load32(LoadThen<u32>),
    /// A byte load and an add, after two held-back copies or not.
    Byte(ByteForward),
    Load32Add(LoadAddThen<u32>),
}

/// Two held-back copies done by a terminator before it fetches its operand from `src` (see
/// [`Chain::copy_pair`]).
#[derive(Clone, Copy)]
pub(crate) struct MovesThen<S> {
    moves: Moves2,
    src: S,
}

impl<S: TermSrc> TermSrc for MovesThen<S> {
    #[inline(always)]
    unsafe fn fetch(&self, ctx: &mut Ctx, fp: *mut u64, acc: Acc) -> Option<u64> {
        self.moves.apply(fp);
        self.src.fetch(ctx, fp, acc)
    }
}

/// [`with_src`] for terminators: `$s` is a [`TermSrc`], which may also be a load.
macro_rules! with_term_src {
    ($out:expr, $slot:expr, |$s:ident| $body:expr) => {{
        use $crate::codegen::{ByteForward, Forward, TermForward};
        match $out.take_term_forward($slot) {
            Some(TermForward::Src(Forward::Add($s))) => $body,
            Some(TermForward::Src(Forward::And($s))) => $body,
            Some(TermForward::Src(Forward::AddOnAcc($s))) => $body,
            Some(TermForward::Src(Forward::AndOnAcc($s))) => $body,
            Some(TermForward::Src(Forward::AddSlots($s))) => $body,
            Some(TermForward::Load8($s)) => $body,
            Some(TermForward::Load32($s)) => $body,
            Some(TermForward::Byte(ByteForward::LoadAdd($s))) => $body,
            Some(TermForward::Byte(ByteForward::MovesLoadAdd($s))) => $body,
            Some(TermForward::Load32Add($s)) => $body,
            None if $out.term_acc_holds($slot) => {
                let $s = $crate::codegen::FromAcc;
                $body
            }
            None => {
                let $s = $crate::codegen::FromSlot($slot);
                $body
            }
        }
    }};
}
pub(crate) use with_term_src;

// SAFETY: `Chain::push` only accepts `Send + Sync` closures, which the chain owns.
unsafe impl Send for Chain {}
unsafe impl Sync for Chain {}

impl Chain {
    /// An empty chain.
    pub(crate) fn new() -> Chain {
        Chain::with_capacity(0)
    }

    /// An empty chain with room for `words` words of records.
    pub(crate) fn with_capacity(words: usize) -> Chain {
        // Chains are built in a buffer reused from block to block (per thread); a finished
        // block gets an exact-size copy. One allocation per block instead of an allocation
        // and a shrinking reallocation: allocation is a large share of compile time.
        let mut buf = SCRATCH.with(|s| s.take());
        buf.reserve(words);
        let drops = DROPS_SCRATCH.with(|s| s.take());
        Chain { words: buf, drops, pending: None, moves: None, acc: None, records: 0 }
    }

    fn push<F: Send + Sync + 'static>(&mut self, handler: Handler, f: F) {
        if self.moves.is_some() {
            self.flush_moves();
        }
        const { assert!(align_of::<F>() <= 8, "records are laid out in 8-byte words") };
        let at = self.words.len();
        self.words.resize(at + size_of::<Record<F>>() / 8, 0);
        // SAFETY: the words just reserved are exactly the record's size, and 8-byte aligned.
        unsafe { std::ptr::write(self.words.as_mut_ptr().add(at) as *mut Record<F>, Record { handler, f }) };
        if needs_drop::<F>() {
            self.drops.push((at, drop_record::<F>));
        }
        self.acc = None;
        self.records += 1;
    }

    /// Appends a copy `dst = src` (a self-copy is nothing); it is fused into the next record.
    pub(crate) fn copy(&mut self, dst: Slot, src: Operand) {
        let copy = match src {
            Operand::Slot(s) if s == dst => return,
            Operand::Slot(s) => Prefix::Copy(dst, s),
            Operand::Imm(v) => Prefix::Const(dst, v),
        };
        match self.pending.take() {
            None => {}
            Some(op) if !op.is_copy() => self.push_prefix(op),
            Some(first) => {
                // Two copies in a row: one record does both, the first as the second's prefix.
                self.pending = Some(first);
                return self.push_prefix(copy);
            }
        }
        self.pending = Some(copy);
    }

    /// Pushes the held-back copies as a record of their own. Not inlined: `push` is
    /// monomorphised for every record type.
    #[inline(never)]
    fn flush_moves(&mut self) {
        if let Some(m) = self.moves.take() {
            // The held-back copies come first; their record hands on the value it was
            // given, which they do not overwrite (see `copy_pair`).
            let acc = self.acc;
            numeric::copies(&m.map(HeldCopy::get), self);
            self.acc = acc;
        }
    }

    /// Appends two copies in order. With nothing pending, they are held back: if the block
    /// goes on with a byte load and an add of its result that the terminator takes over (a
    /// branch or a small `switch` on a byte), the terminator does the copies first; otherwise
    /// they become one record before the next one. (Only that shape gets the copies: a
    /// copy-pair twin of every terminator type added 0.27 MB of engine code and saved almost
    /// no more records. An interpreter's opcode dispatch, which this was made for, is now one
    /// record of its own, see [`dispatch`].)
    pub(crate) fn copy_pair(&mut self, first: (Slot, Operand), second: (Slot, Operand)) {
        if self.pending.is_some() || self.moves.is_some() {
            return numeric::copies(&[first, second], self);
        }
        if [first.0, second.0].iter().any(|&d| Some(d) == self.acc) {
            // The register no longer holds the slot's value once the copies are done.
            self.acc = None;
        }
        self.moves = Some([HeldCopy::new(first), HeldCopy::new(second)]);
    }

    /// Appends `dst = i32.add src k`; it is fused into the terminator if it comes right
    /// before it (a loop step before the exit test), else it is a statement.
    pub(crate) fn add_imm32(&mut self, dst: Slot, src: Slot, k: u32) {
        let add = Prefix::AddImm32(dst, src, k);
        match self.pending {
            None => self.pending = Some(add),
            Some(Prefix::AddImm32(d, s, j)) => {
                self.pending = Some(Prefix::AddImm32Pair(AddImm32(d, s, j), AddImm32(dst, src, k)))
            }
            Some(Prefix::Load(l)) if l.dst == src => self.pending = Some(Prefix::LoadAdd(l, AddImm32(dst, src, k))),
            // A copy is fused into the add's own record.
            Some(Prefix::Copy(..) | Prefix::Const(..)) => self.push_prefix(add),
            Some(_) => {
                // Whatever else was held back becomes a record; the add waits for the
                // terminator in its turn.
                let p = self.pending.take().expect("matched a pending statement");
                self.push_prefix(p);
                self.pending = Some(add);
            }
        }
    }

    /// Takes the pending statement if it is an `i32` add or and of an immediate writing
    /// `slot`, for the next record to do itself as the source of that operand (see [`Src`]).
    pub(crate) fn take_forward(&mut self, slot: Slot) -> Option<Forward> {
        let f = match self.pending {
            // The pending statement reads the slot the last record wrote: nothing came between.
            Some(Prefix::AddImm32(d, src, k)) if d == slot && self.acc == Some(src) => {
                Forward::AddOnAcc(OnAcc(AddImm32(d, src, k)))
            }
            Some(Prefix::AndImm32(d, src, k)) if d == slot && self.acc == Some(src) => {
                Forward::AndOnAcc(OnAcc(AndImm32(d, src, k)))
            }
            Some(Prefix::AddImm32(d, src, k)) if d == slot => Forward::Add(AddImm32(d, src, k)),
            Some(Prefix::AndImm32(d, src, k)) if d == slot => Forward::And(AndImm32(d, src, k)),
            Some(Prefix::AddSlots(add)) if add.dst == slot => Forward::AddSlots(add),
            Some(Prefix::LoadAdd(load, add)) if add.0 == slot => {
                // The load becomes a statement, which hands its value on; the add is done by
                // the record that reads it.
                self.pending = None;
                memory::push_load(load, self);
                return Some(if self.acc == Some(add.1) { Forward::AddOnAcc(OnAcc(add)) } else { Forward::Add(add) });
            }
            _ => return None,
        };
        self.pending = None;
        let written = match f {
            Forward::Add(AddImm32(d, ..))
            | Forward::And(AndImm32(d, ..))
            | Forward::AddOnAcc(OnAcc(AddImm32(d, ..)))
            | Forward::AndOnAcc(OnAcc(AndImm32(d, ..))) => [d, d],
            Forward::AddSlots(AddSlots { dst, t, .. }) => [dst, t],
        };
        if self.acc.is_some_and(|a| written.contains(&a)) {
            // The record does this statement before it reads other operands.
            self.acc = None;
        }
        Some(f)
    }

    /// Whether the next record may take `slot`'s value from the register the last record
    /// hands on ([`FromAcc`]): the last record wrote `slot` and passed the value on, and no
    /// statement fused into the next record writes it before.
    pub(crate) fn acc_holds(&self, slot: Slot) -> bool {
        self.acc == Some(slot)
            && match self.pending {
                None => true,
                Some(Prefix::Copy(d, _) | Prefix::Const(d, _)) => d != slot,
                Some(_) => false,
            }
    }

    /// [`Chain::acc_holds`] for the block's terminator, which also does a held-back add of
    /// an immediate as its prefix (without a record in between): a loop's step between the
    /// load of a value and the branch on it (`op = load8_u [pc]; pc += 1; br_table op`).
    pub(crate) fn term_acc_holds(&self, slot: Slot) -> bool {
        match self.pending {
            Some(Prefix::AddImm32(d, ..)) => self.acc == Some(slot) && d != slot,
            Some(Prefix::AddImm32Pair(AddImm32(d1, ..), AddImm32(d2, ..))) => {
                self.acc == Some(slot) && d1 != slot && d2 != slot
            }
            _ => self.acc_holds(slot),
        }
    }

    /// Whether the held-back statement is an `i32` add of an immediate writing `slot` (which
    /// [`Chain::take_forward`] gives as [`Forward::Add`] or [`Forward::AddOnAcc`]).
    pub(crate) fn pending_add_imm32(&self, slot: Slot) -> bool {
        matches!(self.pending, Some(Prefix::AddImm32(d, ..)) if d == slot)
    }

    /// Whether [`Chain::take_forward`] would give a source for `slot`.
    pub(crate) fn has_forward(&self, slot: Slot) -> bool {
        match self.pending {
            Some(Prefix::AddImm32(d, ..) | Prefix::AndImm32(d, ..) | Prefix::AddSlots(AddSlots { dst: d, .. })) => {
                d == slot
            }
            Some(Prefix::LoadAdd(_, add)) => add.0 == slot,
            _ => false,
        }
    }

    /// [`Chain::take_forward`] for a terminator, which can also take a pending load over.
    pub(crate) fn take_term_forward(&mut self, slot: Slot) -> Option<TermForward> {
        let load_then = |l: LoadZx| (l.dst, l.addr, l.offset);
        let f = match self.pending {
            Some(Prefix::Load(l)) if l.dst == slot => {
                let (dst, addr, offset) = load_then(l);
                match l.width {
                    LoadWidth::U8 => TermForward::Load8(LoadThen { dst, addr, offset, word: Default::default() }),
                    LoadWidth::U32 => TermForward::Load32(LoadThen { dst, addr, offset, word: Default::default() }),
                }
            }
            Some(Prefix::LoadAdd(l, add)) if add.0 == slot => {
                let (dst, addr, offset) = load_then(l);
                match l.width {
                    LoadWidth::U8 => TermForward::Byte(self.byte_forward(l, add)),
                    LoadWidth::U32 => TermForward::Load32Add(LoadAddThen {
                        load: LoadThen { dst, addr, offset, word: Default::default() },
                        add,
                    }),
                }
            }
            _ => return self.take_forward(slot).map(TermForward::Src),
        };
        self.pending = None;
        Some(f)
    }

    /// The held-back byte load `l` and add `add` (the pending prefix, which the caller takes)
    /// as a terminator's operand, with the two held-back copies before them if there are any:
    /// the copies came first, so the terminator does them before the load.
    fn byte_forward(&mut self, l: LoadZx, add: AddImm32) -> ByteForward {
        let src = LoadAddThen {
            load: LoadThen { dst: l.dst, addr: l.addr, offset: l.offset, word: Default::default() },
            add,
        };
        match self.moves.take() {
            Some([a, b]) => {
                ByteForward::MovesLoadAdd(MovesThen { moves: Moves2([Move::new(a.get()), Move::new(b.get())]), src })
            }
            None => ByteForward::LoadAdd(src),
        }
    }

    /// Appends a zero-extending `i32` load with a slot address; it is held back in case the
    /// block's terminator reads its result (see [`TermSrc`]).
    pub(crate) fn load_zx(&mut self, load: LoadZx) {
        if let Some(p) = self.pending.take() {
            self.push_prefix(p);
        }
        self.pending = Some(Prefix::Load(load));
    }

    /// Appends `dst = i32.and src k`; it is held back in case the next record reads `dst`
    /// and can do it itself (see [`Src`]), else it is a statement.
    pub(crate) fn and_imm32(&mut self, dst: Slot, src: Slot, k: u32) {
        if let Some(p) = self.pending.take() {
            self.push_prefix(p);
        }
        self.pending = Some(Prefix::AndImm32(dst, src, k));
    }

    /// Appends `dst = i32.add a b`; it is held back in case the next record reads `dst` and
    /// can do it itself (see [`Src`]), else it is a statement.
    pub(crate) fn add_slots(&mut self, dst: Slot, a: Slot, b: Slot) {
        let add = match self.pending {
            // `t = idx << k; dst = base + t`: one statement for a taker (`t != base`, so the
            // shift cannot change the base it reads).
            Some(Prefix::ShlImm32(t, idx, k)) if a != b && (a == t || b == t) => {
                self.pending = None;
                AddSlots { dst, base: if a == t { b } else { a }, idx, k, t }
            }
            _ => {
                if let Some(p) = self.pending.take() {
                    self.push_prefix(p);
                }
                AddSlots { dst, base: a, idx: b, k: 0, t: dst }
            }
        };
        self.pending = Some(Prefix::AddSlots(add));
    }

    /// Appends `dst = i32.shl src k`; it is held back in case an add of two slots uses it
    /// (an array index scaled to bytes), else it is a statement.
    pub(crate) fn shl_imm32(&mut self, dst: Slot, src: Slot, k: u32) {
        if let Some(p) = self.pending.take() {
            self.push_prefix(p);
        }
        self.pending = Some(Prefix::ShlImm32(dst, src, k & 31));
    }

    /// Appends a prefix as a statement of its own (any pending copy fused into it). Not
    /// inlined: the generic record constructors call it.
    #[inline(never)]
    fn push_prefix(&mut self, p: Prefix) {
        match p {
            Prefix::Copy(d, s) => self.statement(prefixed(CopySlot(d, s), alone)),
            Prefix::Const(d, v) => self.statement(prefixed(SetConst(d, v), alone)),
            Prefix::AddImm32(d, s, k) => self.push_imm32(d, s, k, u32::wrapping_add),
            Prefix::AddImm32Pair(a, b) => self.statement(prefixed(Both(a, b), alone)),
            Prefix::AndImm32(d, s, k) => self.push_imm32(d, s, k, |a, k| a & k),
            Prefix::AddSlots(AddSlots { dst, base, idx, k, t }) => {
                let index = if k == 0 && t == dst {
                    idx
                } else {
                    numeric::binary(BinOp::I32Shl, t, Operand::Slot(idx), Operand::Imm(k as u64), self);
                    t
                };
                numeric::binary(BinOp::I32Add, dst, Operand::Slot(base), Operand::Slot(index), self)
            }
            Prefix::ShlImm32(d, s, k) => {
                numeric::binary(BinOp::I32Shl, d, Operand::Slot(s), Operand::Imm(k as u64), self)
            }
            Prefix::Load(l) => memory::push_load(l, self),
            Prefix::LoadAdd(l, AddImm32(d, s, k)) => {
                memory::push_load(l, self);
                self.push_imm32(d, s, k, u32::wrapping_add)
            }
        }
    }

    /// `dst = f(src, k)` for an `i32` add or and of an immediate as a record of its own: it
    /// takes `src` from the previous record when it can and hands its result on.
    fn push_imm32<F: Fn(u32, u32) -> u32 + Copy + Send + Sync + 'static>(
        &mut self,
        dst: Slot,
        src: Slot,
        k: u32,
        f: F,
    ) {
        fn push<S: Src, F: Fn(u32, u32) -> u32 + Copy + Send + Sync + 'static>(
            out: &mut Chain,
            dst: Slot,
            s: S,
            k: u32,
            f: F,
        ) {
            // SAFETY: slots named by the translator lie inside the frame; `s` reads `acc`
            // only if the chain says the previous record set it.
            out.op(Some(dst), move |_, fp, acc| unsafe {
                let v = f(s.get(fp, acc) as u32, k) as u64;
                wr(fp, dst, v);
                (CONTINUE, Acc::new(v))
            })
        }
        if self.acc_holds(src) {
            push(self, dst, FromAcc, k, f)
        } else {
            push(self, dst, FromSlot(src), k, f)
        }
    }

    /// Appends a statement: `f` does its work and returns [`CONTINUE`], or stops execution
    /// by returning [`SIGNAL`] with the reason recorded in the context.
    pub(crate) fn statement<F: Fn(&mut Ctx, *mut u64) -> u32 + Send + Sync + 'static>(&mut self, f: F) {
        self.op(None, move |ctx: &mut Ctx, fp: *mut u64, _: Acc| (f(ctx, fp), Acc::uninit()))
    }

    /// Appends a statement `f` that does the copies `moves` and nothing else: it hands on
    /// the value it was given, so a record after it can still take that from the register
    /// (unless a copy, or a copy fused in front, overwrites the slot it holds).
    pub(crate) fn pass_on<F: Fn(&mut Ctx, *mut u64) -> u32 + Send + Sync + 'static>(
        &mut self,
        moves: &[(Slot, Operand)],
        f: F,
    ) {
        let keep = self.acc.filter(|&a| self.acc_holds(a) && moves.iter().all(|&(d, _)| d != a));
        self.op(keep, move |ctx: &mut Ctx, fp: *mut u64, acc: Acc| (f(ctx, fp), acc))
    }

    /// Appends a statement whose closure gets the value the previous record handed on (its
    /// operands may come from it: [`FromAcc`]) and returns, besides [`CONTINUE`] or
    /// [`SIGNAL`], the value to hand on: `dst`'s new value, if `dst` is given. Handing a
    /// result to the next record in a register keeps a store-to-load round trip through the
    /// frame off the path from one statement to the next.
    pub(crate) fn op<F: Fn(&mut Ctx, *mut u64, Acc) -> (u32, Acc) + Send + Sync + 'static>(
        &mut self,
        dst: Option<Slot>,
        f: F,
    ) {
        match self.pending.take() {
            None => self.push(run_op::<F>, f),
            Some(Prefix::Copy(d, s)) => self.push_op(prefixed_op(CopySlot(d, s), f)),
            Some(Prefix::Const(d, v)) => self.push_op(prefixed_op(SetConst(d, v), f)),
            Some(op) => {
                // Adds are fused into terminators only (fewer closure twins), ands and loads
                // only into records that take them over as an operand's source.
                self.push_prefix(op);
                self.push(run_op::<F>, f);
            }
        }
        self.acc = dst;
    }

    fn push_op<F: Fn(&mut Ctx, *mut u64, Acc) -> (u32, Acc) + Send + Sync + 'static>(&mut self, f: F) {
        self.push(run_op::<F>, f);
    }

    /// Appends the terminator and finishes the block: `f` returns the next block's index,
    /// [`RETURN`] or [`SIGNAL`] (or continues in a later block and returns what it returns).
    pub(crate) fn terminator<F: Fn(&mut Ctx, *mut u64) -> u32 + Send + Sync + 'static>(self, f: F) -> Code {
        self.terminator_op(move |ctx: &mut Ctx, fp: *mut u64, _: Acc| f(ctx, fp))
    }

    /// [`Chain::terminator`] for a closure that gets the value the previous record handed on.
    pub(crate) fn terminator_op<F: Fn(&mut Ctx, *mut u64, Acc) -> u32 + Send + Sync + 'static>(mut self, f: F) -> Code {
        match self.pending.take() {
            None => self.finish(f),
            Some(Prefix::Copy(d, s)) => self.finish(prefixed_op(CopySlot(d, s), f)),
            Some(Prefix::Const(d, v)) => self.finish(prefixed_op(SetConst(d, v), f)),
            Some(Prefix::AddImm32(d, s, k)) => self.finish(prefixed_op(AddImm32(d, s, k), f)),
            Some(Prefix::AddImm32Pair(a, b)) => self.finish(prefixed_op(Both(a, b), f)),
            Some(op @ (Prefix::AndImm32(..) | Prefix::AddSlots(..) | Prefix::ShlImm32(..) | Prefix::Load(..))) => {
                self.push_prefix(op);
                self.finish(f)
            }
            Some(Prefix::LoadAdd(l, AddImm32(d, s, k))) => {
                memory::push_load(l, &mut self);
                self.finish(prefixed_op(AddImm32(d, s, k), f))
            }
        }
    }

    fn finish<F: Fn(&mut Ctx, *mut u64, Acc) -> u32 + Send + Sync + 'static>(mut self, f: F) -> Code {
        self.push(run_terminator::<F>, f);
        self.done()
    }

    /// Copies the finished records out of the reused buffer.
    fn done(mut self) -> Code {
        // The drop list goes after the records, in the same allocation: (word offset,
        // drop function) pairs.
        let ndrops = self.drops.len();
        let mut words = Vec::with_capacity(self.words.len() + 2 * ndrops);
        words.extend_from_slice(&self.words);
        for &(at, drop) in &self.drops {
            words.extend_from_slice(&[at as u64, drop as usize as u64]);
        }
        let words = words.into_boxed_slice();
        // The records now live in `words` (moved bitwise, as any Rust value moves); the
        // buffer's copies are plain words with nothing to drop.
        let mut buf = std::mem::take(&mut self.words);
        if buf.capacity() <= SCRATCH_KEEP_WORDS {
            buf.clear();
            SCRATCH.with(|s| s.set(buf));
        }
        // Dropped by the `Code` from now on.
        let mut drops = std::mem::take(&mut self.drops);
        drops.clear();
        DROPS_SCRATCH.with(|s| s.set(drops));
        Code { words, drops: ndrops as u32, records: self.records }
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        for &(at, drop) in &self.drops {
            // SAFETY: each entry names a record written by `push` and not dropped yet.
            unsafe { drop(self.words.as_mut_ptr().add(at)) }
        }
    }
}

/// A compiled basic block: its records, contiguous in one allocation.
pub(crate) struct Code {
    /// The records, then the drop list of those that own resources (few blocks have any):
    /// `drops` pairs of (word offset, drop function) at the end.
    words: Box<[u64]>,
    drops: u32,
    /// How many records the block has, terminator included.
    pub(crate) records: u32,
}

const _: () = assert!(size_of::<Code>() == 24, "one Code per block: keep it small");

// SAFETY: built only by `Chain`, whose records are `Send + Sync`.
unsafe impl Send for Code {}
unsafe impl Sync for Code {}

impl Code {
    /// Runs the block from its first record.
    #[inline(always)]
    pub(crate) fn call(&self, ctx: &mut Ctx, fp: *mut u64) -> u32 {
        // SAFETY: a `Code` always holds at least its terminator record.
        unsafe { enter(self.words.as_ptr(), ctx, fp, Acc::uninit()) }
    }

    /// Where the block starts, for another block to continue in it directly. The `Code` must
    /// outlive every use: both live in the same function's code.
    pub(crate) fn entry(&self) -> Entry {
        let ip = self.words.as_ptr();
        // SAFETY: a `Code` always holds at least its terminator record.
        Entry { ip, handler: unsafe { *(ip as *const Handler) } }
    }
}

impl Drop for Code {
    fn drop(&mut self) {
        let list = self.words.len() - 2 * self.drops as usize;
        for i in 0..self.drops as usize {
            let (at, drop) = (self.words[list + 2 * i] as usize, self.words[list + 2 * i + 1] as usize);
            // SAFETY: `Chain::done` wrote this pair from a (record offset, `DropFn`) entry of a
            // record written by `Chain::push`; each is dropped only here.
            unsafe {
                let drop: DropFn = std::mem::transmute::<usize, DropFn>(drop);
                drop(self.words.as_mut_ptr().add(at))
            }
        }
    }
}

/// The start of a block's code, not owning it: its first record and that record's handler.
/// Keeping the handler beside the address saves the load of it from the record on the way
/// into the block, a dependent load in front of the jump wherever the jump is mispredicted
/// (an indirect call's callee, the far side of a conditional branch).
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    ip: *const u64,
    handler: Handler,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        // The same record has the same handler.
        self.ip == other.ip
    }
}
impl Eq for Entry {}

// SAFETY: points into a `Code`, which is `Send + Sync`.
unsafe impl Send for Entry {}
unsafe impl Sync for Entry {}

impl Entry {
    /// No code: the entry of a table element that is not a compiled function (never run,
    /// see [`crate::store::TableElem`]).
    pub(crate) const NONE: Entry = Entry { ip: std::ptr::null(), handler: no_code };

    /// Runs the block.
    #[inline(always)]
    pub(crate) fn go(self, ctx: &mut Ctx, fp: *mut u64) -> u32 {
        // SAFETY: the block's `Code` outlives every entry into it (see `Code::entry`).
        unsafe { (self.handler)(self.ip, ctx, fp, Acc::uninit()) }
    }
}

/// The handler of [`Entry::NONE`]: traps, though nothing calls it.
unsafe fn no_code(_: *const u64, ctx: &mut Ctx, _: *mut u64, _: Acc) -> u32 {
    ctx.trap(crate::TrapCode::UninitializedElement)
}

/// Where a terminator continues: a block index returned to the driver loop, or (for a
/// later block, so no cycle can form) that block's code run directly in tail position.
///
/// One word: an index `i` is stored as `2i + 1`, a later block as the address of its first
/// record (8-byte aligned, so even). Branch records carry two targets and `br_table` one per
/// entry: at 16 bytes (an [`Entry`], with the handler beside the address) the records of an
/// interpreter's hot blocks no longer fitted the L1 data cache. The jump loads the handler
/// from the target record, which the target's own handler reads next anyway.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target(usize);

const _: () = assert!(size_of::<Target>() == 8, "targets are one word");

impl Target {
    /// Return block index `i` to the driver.
    pub(crate) fn index(i: u32) -> Target {
        Target((i as usize) << 1 | 1)
    }

    /// Continue in the block whose code starts at `e`.
    pub(crate) fn tail(e: Entry) -> Target {
        debug_assert!(e.ip as usize & 1 == 0, "records are word-aligned");
        Target(e.ip as usize)
    }

    /// The block index, if the target returns to the driver.
    pub(crate) fn as_index(self) -> Option<u32> {
        (self.0 & 1 != 0).then_some((self.0 >> 1) as u32)
    }

    /// Continues at the target.
    #[inline(always)]
    pub(crate) fn go(self, ctx: &mut Ctx, fp: *mut u64) -> u32 {
        if self.0 & 1 != 0 {
            (self.0 >> 1) as u32
        } else {
            // SAFETY: a tail target is the first record of a block of the same function,
            // whose code outlives every jump into it (see `Code::entry`).
            unsafe { enter(self.0 as *const u64, ctx, fp, Acc::uninit()) }
        }
    }
}

/// A [`Target`] that also carries a tail target's handler, so a mispredicted jump to it
/// waits for one load, not two: `br_table` entries (an interpreter's opcode dispatch, where
/// most jumps are mispredicted; its table is an allocation of its own, off the records).
#[derive(Clone, Copy)]
pub(crate) struct FarTarget {
    target: Target,
    handler: Option<Handler>,
}

impl FarTarget {
    /// `target`, with its handler read from the block it starts when it is a tail target.
    pub(crate) fn new(target: Target) -> FarTarget {
        // SAFETY: a tail target is the address of a block's first record.
        let handler = target.as_index().is_none().then(|| unsafe { *(target.0 as *const Handler) });
        FarTarget { target, handler }
    }

    /// Continues at the target.
    #[inline(always)]
    pub(crate) fn go(self, ctx: &mut Ctx, fp: *mut u64) -> u32 {
        match self.handler {
            // SAFETY: as for `Target::go`.
            Some(h) => unsafe { h(self.target.0 as *const u64, ctx, fp, Acc::uninit()) },
            None => (self.target.0 >> 1) as u32,
        }
    }
}

// SAFETY: a tail target points into a `Code`, which is `Send + Sync`.
unsafe impl Send for Target {}
unsafe impl Sync for Target {}
// SAFETY: as for `Target`.
unsafe impl Send for FarTarget {}
unsafe impl Sync for FarTarget {}

/// Returned by a terminator when the function returns normally.
pub(crate) const RETURN: u32 = u32::MAX;
/// Returned when execution must stop: the reason (trap, host error, unwind) is in the context.
pub(crate) const SIGNAL: u32 = u32::MAX - 1;
/// Returned by a statement's closure to go on with the next record (never seen outside).
pub(crate) const CONTINUE: u32 = u32::MAX - 2;

/// Reads a slot as raw bits.
#[inline(always)]
pub(crate) unsafe fn rd(fp: *mut u64, slot: u32) -> u64 {
    *fp.add(slot as usize)
}

/// Writes raw bits to a slot.
#[inline(always)]
pub(crate) unsafe fn wr(fp: *mut u64, slot: u32, v: u64) {
    *fp.add(slot as usize) = v;
}

/// Reads an operand (slot or immediate) on a cold path.
#[inline(always)]
pub(crate) unsafe fn operand(fp: *mut u64, op: crate::translate::ir::Operand) -> u64 {
    match op {
        crate::translate::ir::Operand::Slot(s) => rd(fp, s),
        crate::translate::ir::Operand::Imm(v) => v,
    }
}

/// What code generation needs from the module being compiled.
pub(crate) struct Env<'a> {
    pub module: &'a ModuleInner,
}

/// Whether terminators may continue directly in later blocks. Off in debug builds, where
/// the closures' tail calls are not turned into jumps and long forward chains would grow the
/// native stack; the driver loop handles every transfer there.
const THREAD_FORWARD: bool = !cfg!(debug_assertions);

/// Compiles a lowered function into its block closures.
///
/// Blocks are compiled last to first so that a jump or branch to a later block can run that
/// block's code directly (threaded code) instead of returning its index to the driver loop.
/// Backward edges (loops) always go through the driver, so the native stack stays bounded.
///
/// With `counts`, every block starts with a record counting its entries (block profiling).
pub(crate) fn compile(env: &Env<'_>, ir: &FuncIr, counts: Option<Arc<FunctionCounts>>) -> Box<[Code]> {
    let n = ir.blocks.len();
    let mut compiled: Vec<Option<Code>> = (0..n).map(|_| None).collect();
    let mut groups = Vec::new();
    let mut tables = dispatch::Tables::default();
    for i in (0..n).rev() {
        let b = &ir.blocks[i];
        let target = |t: u32| match &compiled[t as usize] {
            Some(c) if THREAD_FORWARD && t as usize > i => Target::tail(c.entry()),
            _ => Target::index(t),
        };
        let dispatch = dispatch::split(&b.insts, &b.term);
        // A block ending in a dispatch record jumps back to itself directly, like to any
        // other block (see `dispatch`): it needs no loop wrapper.
        let loops_to_itself = b.term.successors().any(|s| s == i as u32) && dispatch.is_none();
        // A loop of a shape with a native superinstruction (not while profiling blocks, which
        // counts entries per iteration) runs as that instead of records.
        if loops_to_itself && counts.is_none() {
            if let Some(code) = loops::memory_loop(b, i as u32, target) {
                compiled[i] = Some(code);
                continue;
            }
        }
        let mut out = Chain::with_capacity(4 * (b.insts.len() + 1));
        if let Some(counts) = &counts {
            let counts = counts.clone();
            out.statement(move |_, _| {
                counts.hit(i);
                CONTINUE
            });
        }
        let body = compile_block(env, b, dispatch, &target, &mut groups, &mut tables, out);
        if let Some(counts) = &counts {
            counts.set_records(i, body.records - 1);
        }
        let code = if loops_to_itself {
            // A block that branches to itself (a tight loop) iterates here, at a call site of
            // its own, instead of returning to the shared driver loop.
            let me = i as u32;
            if b.insts.iter().any(|inst| matches!(inst, Inst::Call { .. } | Inst::CallIndirect { .. })) {
                Chain::new().terminator(move |ctx: &mut Ctx, fp: *mut u64| loop {
                    let next = body.call(ctx, fp);
                    if next != me {
                        return next;
                    }
                    if !ctx.tick() {
                        return SIGNAL;
                    }
                })
            } else {
                // Nothing in the body counts work (no calls), so the loop keeps the budget
                // in a register (`Ctx::tick_local`).
                Chain::new().terminator(move |ctx: &mut Ctx, fp: *mut u64| {
                    let mut budget = ctx.budget;
                    loop {
                        let next = body.call(ctx, fp);
                        if next != me {
                            ctx.budget = budget;
                            return next;
                        }
                        if !ctx.tick_local(&mut budget) {
                            return SIGNAL;
                        }
                    }
                })
            }
        } else {
            body
        };
        compiled[i] = Some(code);
    }
    let compiled: Box<[Code]> = compiled.into_iter().map(|c| c.expect("every block compiled")).collect();
    // Every block's entry is known now: the dispatch records jump to any of them directly.
    tables.fill(|t| if THREAD_FORWARD { Target::tail(compiled[t as usize].entry()) } else { Target::index(t) });
    compiled
}

/// One closure's worth of IR: an instruction, or a call with the argument copies before it
/// and the copy of its result after it folded in (they would otherwise be closures of their
/// own, and calls are mostly surrounded by them).
enum Group<'a> {
    Single(&'a Inst),
    Call {
        call: &'a Inst,
        moves: call::Moves,
    },
    /// Two or more consecutive copies, done by one closure in order.
    Copies(Box<[(Slot, Operand)]>),
    /// `x = global.get g; y = x op #k; global.set g = y`: the C stack pointer's prologue.
    GlobalUpdate {
        global: u32,
        old: Slot,
        op: BinOp,
        imm: u64,
        new: Slot,
    },
    /// Two chained operators done by one record ([`numeric::f64_pair`], [`numeric::i32_pair`]).
    OperatorPair(&'a Inst, &'a Inst),
    /// Two loads of one word, as (destination, address, offset) ([`memory::load_pair`]).
    LoadPair(memory::PairWord, (Slot, Slot, u64), (Slot, Slot, u64)),
    /// Two stores of one word, as (address, value, offset) ([`memory::store_pair`]).
    StorePair(memory::PairWord, (Slot, Slot, u64), (Slot, Slot, u64)),
    /// A load whose value the next instruction stores, as (destination, address, offset)
    /// and (address, offset) ([`memory::load_store`]).
    LoadStore((LoadOp, StoreOp), (Slot, Slot, u64), (Slot, u64)),
    /// `y = x op #k; global.set g = y`: the stack pointer's epilogue.
    SetGlobalTo {
        op: BinOp,
        src: Slot,
        imm: u64,
        new: Slot,
        global: u32,
    },
}

fn copies_of(insts: &[Inst]) -> Box<[(Slot, Operand)]> {
    insts
        .iter()
        .map(|c| match *c {
            Inst::Copy { dst, src } => (dst, src),
            _ => unreachable!("only copies"),
        })
        .collect()
}

/// Recognises the stack-pointer update shapes at `insts[i..]`; returns the group and its length.
fn global_update(insts: &[Inst], i: usize) -> Option<(Group<'static>, usize)> {
    let is_add_sub = |op: BinOp| matches!(op, BinOp::I32Add | BinOp::I32Sub);
    match insts.get(i..i + 3) {
        Some(
            &[Inst::GlobalGet { dst: old, global }, Inst::Binary { op, dst: new, lhs: Operand::Slot(x), rhs: Operand::Imm(imm) }, Inst::GlobalSet { global: g2, src: Operand::Slot(y) }],
        ) if x == old && y == new && g2 == global && is_add_sub(op) => {
            return Some((Group::GlobalUpdate { global, old, op, imm, new }, 3));
        }
        _ => {}
    }
    match insts.get(i..i + 2) {
        Some(
            &[Inst::Binary { op, dst: new, lhs: Operand::Slot(src), rhs: Operand::Imm(imm) }, Inst::GlobalSet { global, src: Operand::Slot(y) }],
        ) if y == new && is_add_sub(op) => Some((Group::SetGlobalTo { op, src, imm, new, global }, 2)),
        _ => None,
    }
}

fn call_base(inst: &Inst) -> Option<Slot> {
    match *inst {
        Inst::Call { base, .. } | Inst::CallIndirect { base, .. } => Some(base),
        _ => None,
    }
}

/// The two instructions at the start of `insts` as one record's group, if they are a pair
/// one record does: two loads or two stores of one word, a load and a store of its value, or
/// two chained operators.
fn pair_group(insts: &[Inst]) -> Option<Group<'_>> {
    match *insts {
        [Inst::Load { op: o1, dst: d1, addr: Operand::Slot(a1), offset: f1 }, Inst::Load { op: o2, dst: d2, addr: Operand::Slot(a2), offset: f2 }, ..] =>
        {
            // A 32-bit load that ends the block is left to the terminator, which may take it
            // over (see `memory::load`).
            memory::pair_word(o1, o2)
                .filter(|&w| w == memory::PairWord::U64 || insts.len() > 2)
                .map(|w| Group::LoadPair(w, (d1, a1, f1), (d2, a2, f2)))
        }
        [Inst::Store { op: o1, addr: Operand::Slot(a1), value: Operand::Slot(v1), offset: f1 }, Inst::Store { op: o2, addr: Operand::Slot(a2), value: Operand::Slot(v2), offset: f2 }, ..] => {
            memory::store_pair_word(o1, o2).map(|w| Group::StorePair(w, (a1, v1, f1), (a2, v2, f2)))
        }
        [Inst::Load { op, dst, addr: Operand::Slot(a), offset: o }, Inst::Store { op: st, addr: Operand::Slot(b), value: Operand::Slot(v), offset: p }, ..]
            if v == dst && b != dst && memory::moves_word(op, st) =>
        {
            Some(Group::LoadStore((op, st), (dst, a, o), (b, p)))
        }
        [ref first @ Inst::Binary { .. }, ref second @ Inst::Binary { .. }, ..] if operator_pair(first, second) => {
            Some(Group::OperatorPair(first, second))
        }
        _ => None,
    }
}

/// Splits a block's instructions into closures' worth, into `groups` (cleared first; one
/// vector reused for every block of a function).
fn group<'a>(insts: &'a [Inst], groups: &mut Vec<Group<'a>>) {
    groups.clear();
    let mut i = 0;
    while i < insts.len() {
        if let Some((g, len)) = global_update(insts, i) {
            groups.push(g);
            i += len;
            continue;
        }
        if let Some(g) = pair_group(&insts[i..]) {
            groups.push(g);
            i += 2;
            continue;
        }
        let mut j = i;
        while j < insts.len() && matches!(insts[j], Inst::Copy { .. }) {
            j += 1;
        }
        let Some(base) = insts.get(j).and_then(call_base) else {
            match j - i {
                0 => {}
                1 => groups.push(Group::Single(&insts[i])),
                _ => groups.push(Group::Copies(copies_of(&insts[i..j]))),
            }
            if j < insts.len() {
                // Not a call: leave it to the next round (it may start a pattern).
                i = j;
                if global_update(insts, j).is_none() {
                    groups.push(Group::Single(&insts[j]));
                    i = j + 1;
                }
            } else {
                i = j;
            }
            continue;
        };
        // Copies into the argument area (slots from `base` up) go into the call.
        let mut k = j;
        while k > i && matches!(insts[k - 1], Inst::Copy { dst, .. } if dst >= base) {
            k -= 1;
        }
        groups.extend(insts[i..k].iter().map(Group::Single));
        let before = copies_of(&insts[k..j]);
        let after = match insts.get(j + 1) {
            Some(&Inst::Copy { dst, src: Operand::Slot(src) }) if src >= base => Some((dst, src)),
            _ => None,
        };
        groups.push(Group::Call { call: &insts[j], moves: call::Moves { before, after } });
        i = j + 1 + usize::from(after.is_some());
    }
}

/// Appends block `b` to `out` (whose buffer was reserved with room for four words per
/// instruction: most records take two to four, and the surplus is returned when the chain is
/// finished).
fn compile_block<'a>(
    env: &Env<'_>,
    b: &'a BlockIr,
    dispatch: Option<(usize, dispatch::Plan)>,
    target: &dyn Fn(u32) -> Target,
    groups: &mut Vec<Group<'a>>,
    tables: &mut dispatch::Tables,
    mut out: Chain,
) -> Code {
    // A block ending in an interpreter's opcode dispatch ([`dispatch::split`]): the
    // instructions before it as usual, the dispatch as one record.
    let (insts, dispatch) = match dispatch {
        Some((at, plan)) => (&b.insts[..at], Some(plan)),
        None => (&b.insts[..], None),
    };
    group(insts, groups);
    for g in groups.drain(..) {
        let out = &mut out;
        match g {
            Group::Single(inst) => instruction(env, inst, out),
            Group::Call { call: &Inst::Call { func, base }, moves } => call::call(env, func, base, moves, out),
            Group::Call { call: &Inst::CallIndirect { type_index, table, index, base }, moves } => {
                call::call_indirect(env.module.type_sigs[type_index as usize], table, index, base, moves, out)
            }
            Group::Call { .. } => unreachable!("grouped calls are calls"),
            Group::Copies(moves) => match *moves {
                [first, second] => out.copy_pair(first, second),
                _ => numeric::copies(&moves, out),
            },
            Group::GlobalUpdate { global, old, op, imm, new } => state::global_update(global, old, op, imm, new, out),
            Group::SetGlobalTo { op, src, imm, new, global } => state::set_global_to(op, src, imm, new, global, out),
            Group::OperatorPair(first, second) => operator_pair_record(env, first, second, out),
            Group::LoadPair(w, first, second) => memory::load_pair(w, first, second, out),
            Group::StorePair(w, first, second) => memory::store_pair(w, first, second, out),
            Group::LoadStore(ops, load, store) => memory::load_store(ops, load, store, out),
        }
    }
    match dispatch {
        Some(plan) => dispatch::compile(&plan, &b.term, tables, out),
        None => control::terminator(&b.term, target, out),
    }
}

/// The two operators' shapes for [`numeric::f64_pair`] and [`numeric::i32_pair`], if both
/// are binary operators whose first operand is a slot.
type PairShape = ((BinOp, Slot, Slot, Operand), (BinOp, Slot, Operand, Operand));

fn pair_shape(first: &Inst, second: &Inst) -> Option<PairShape> {
    match (first, second) {
        (
            &Inst::Binary { op: o1, dst: d1, lhs: Operand::Slot(a), rhs: b },
            &Inst::Binary { op: o2, dst: d2, lhs: l, rhs: r },
        ) => Some(((o1, d1, a, b), (o2, d2, l, r))),
        _ => None,
    }
}

/// The `f64` form of a pair shape: every operand a slot.
fn f64_shape(((o1, d1, a, b), (o2, d2, l, r)): PairShape) -> Option<(numeric::SlotBinary, numeric::SlotBinary)> {
    match (b, l, r) {
        (Operand::Slot(b), Operand::Slot(l), Operand::Slot(r)) => Some(((o1, d1, a, b), (o2, d2, l, r))),
        _ => None,
    }
}

/// Whether two operators in a row are a pair one record does ([`operator_pair_record`]).
fn operator_pair(first: &Inst, second: &Inst) -> bool {
    pair_shape(first, second).is_some_and(|p| {
        f64_shape(p).is_some_and(|(f, s)| numeric::f64_pair_fits(f, s)) || numeric::i32_pair_fits(p.0, p.1)
    })
}

/// Appends two chained operators as one record ([`numeric::f64_pair`], [`numeric::i32_pair`]),
/// or as one record each should the builders not take them.
fn operator_pair_record(env: &Env<'_>, first: &Inst, second: &Inst, out: &mut Chain) {
    let done = pair_shape(first, second).is_some_and(|p| match f64_shape(p) {
        Some((f, s)) if numeric::f64_pair(f, s, out) => true,
        _ => numeric::i32_pair(p.0, p.1, out),
    });
    debug_assert!(done, "grouped as a pair");
    if !done {
        instruction(env, first, out);
        instruction(env, second, out);
    }
}

fn instruction(env: &Env<'_>, inst: &Inst, out: &mut Chain) {
    match *inst {
        Inst::Copy { dst, src } => numeric::copy(dst, src, out),
        Inst::Unary { op, dst, src } => numeric::unary(op, dst, src, out),
        Inst::Binary { op: BinOp::I32Add, dst, lhs: Operand::Slot(a), rhs: Operand::Imm(k) }
        | Inst::Binary { op: BinOp::I32Add, dst, lhs: Operand::Imm(k), rhs: Operand::Slot(a) } => {
            out.add_imm32(dst, a, k as u32)
        }
        Inst::Binary { op: BinOp::I32Sub, dst, lhs: Operand::Slot(a), rhs: Operand::Imm(k) } => {
            out.add_imm32(dst, a, (k as u32).wrapping_neg())
        }
        Inst::Binary { op: BinOp::I32And, dst, lhs: Operand::Slot(a), rhs: Operand::Imm(k) }
        | Inst::Binary { op: BinOp::I32And, dst, lhs: Operand::Imm(k), rhs: Operand::Slot(a) } => {
            out.and_imm32(dst, a, k as u32)
        }
        Inst::Binary { op: BinOp::I32Add, dst, lhs: Operand::Slot(a), rhs: Operand::Slot(b) } => {
            out.add_slots(dst, a, b)
        }
        Inst::Binary { op: BinOp::I32Shl, dst, lhs: Operand::Slot(a), rhs: Operand::Imm(k) } => {
            out.shl_imm32(dst, a, k as u32)
        }
        Inst::Binary { op, dst, lhs, rhs } => numeric::binary(op, dst, lhs, rhs, out),
        Inst::Select { dst, cond, a, b } => numeric::select(dst, cond, a, b, out),
        Inst::Load { op, dst, addr, offset } => memory::load(op, dst, addr, offset, out),
        Inst::Store { op, addr, value, offset } => memory::store(op, addr, value, offset, out),
        Inst::Call { func, base } => call::call(env, func, base, call::Moves::default(), out),
        Inst::CallIndirect { type_index, table, index, base } => call::call_indirect(
            env.module.type_sigs[type_index as usize],
            table,
            index,
            base,
            call::Moves::default(),
            out,
        ),
        _ => state::instruction(inst, out),
    }
}

/// Helpers for the closure constructors' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Chain, Code};

    /// What the terminator of a [`done`] block returns.
    pub(crate) const DONE: u32 = 7;

    /// A block of the statements `build` appends, ending in a terminator returning [`DONE`].
    pub(crate) fn done(build: impl FnOnce(&mut Chain)) -> Code {
        let mut c = Chain::new();
        build(&mut c);
        c.terminator(|_, _| DONE)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{done, DONE};
    use super::*;

    /// Index targets keep every block index; tail targets run the block (and a `br_table`
    /// entry runs the same block through the handler it carries).
    #[test]
    fn one_word_targets_keep_indices_and_run_tails() {
        let mut mem = [0u8; 0];
        let mut ctx = Ctx::for_tests(&mut mem);
        let mut frame = [0u64; 1];
        for i in [0, 1, 2, 4095, u32::MAX >> 1, SIGNAL - 1] {
            let t = Target::index(i);
            assert_eq!(t.as_index(), Some(i));
            assert_eq!(t.go(&mut ctx, frame.as_mut_ptr()), i);
            assert_eq!(FarTarget::new(t).go(&mut ctx, frame.as_mut_ptr()), i);
        }
        let later = Chain::new().terminator(|_, fp| unsafe { rd(fp, 0) as u32 + 7 });
        let t = Target::tail(later.entry());
        assert_eq!(t.as_index(), None);
        frame[0] = 35;
        assert_eq!(t.go(&mut ctx, frame.as_mut_ptr()), 42);
        assert_eq!(FarTarget::new(t).go(&mut ctx, frame.as_mut_ptr()), 42);
    }

    /// A statement that can be held back and fused, for the reference semantics.
    #[derive(Clone, Copy, Debug)]
    enum Step {
        Copy(Slot, Slot),
        Const(Slot, u64),
        Add(Slot, Slot, u32),
        /// Two copies at once ([`Chain::copy_pair`]), the second a constant.
        Pair(Slot, Slot, Slot, u64),
        /// `i32.add` of two slots ([`Chain::add_slots`]).
        AddSlots(Slot, Slot, Slot),
        /// `i32.mul` by 3: a record of its own that hands its result on in the register.
        Mul3(Slot, Slot),
        /// `i32.shl` by an immediate ([`Chain::shl_imm32`]): with an [`Step::AddSlots`]
        /// after it that reads it, an array element's address.
        Shl(Slot, Slot, u32),
    }

    fn apply(frame: &mut [u64], step: Step) {
        let i32 = |v: u64| v as u32;
        match step {
            Step::Copy(d, s) => frame[d as usize] = frame[s as usize],
            Step::Const(d, v) => frame[d as usize] = v,
            Step::Add(d, s, k) => frame[d as usize] = i32(frame[s as usize]).wrapping_add(k) as u64,
            Step::Pair(d1, s1, d2, v2) => {
                frame[d1 as usize] = frame[s1 as usize];
                frame[d2 as usize] = v2;
            }
            Step::AddSlots(d, a, b) => {
                frame[d as usize] = i32(frame[a as usize]).wrapping_add(i32(frame[b as usize])) as u64
            }
            Step::Mul3(d, s) => frame[d as usize] = i32(frame[s as usize]).wrapping_mul(3) as u64,
            Step::Shl(d, s, k) => frame[d as usize] = (i32(frame[s as usize]) << (k & 31)) as u64,
        }
    }

    fn append(c: &mut Chain, step: Step) {
        match step {
            Step::Copy(d, s) => c.copy(d, Operand::Slot(s)),
            Step::Const(d, v) => c.copy(d, Operand::Imm(v)),
            Step::Add(d, s, k) => c.add_imm32(d, s, k),
            Step::Pair(d1, s1, d2, v2) => c.copy_pair((d1, Operand::Slot(s1)), (d2, Operand::Imm(v2))),
            Step::AddSlots(d, a, b) => c.add_slots(d, a, b),
            Step::Mul3(d, s) => numeric::binary(BinOp::I32Mul, d, Operand::Slot(s), Operand::Imm(3), c),
            Step::Shl(d, s, k) => c.shl_imm32(d, s, k),
        }
    }

    /// Every sequence of up to four fusable statements, over overlapping slots so that
    /// reordering or dropping one (or reading a stale register) would show, gives the same
    /// frame as doing them in order, whether the terminator reads nothing or takes over the
    /// last statement as its operand.
    #[test]
    fn fused_prefixes_keep_program_order() {
        use crate::translate::ir::Cond;
        let steps = [
            Step::Copy(0, 1),
            Step::Copy(1, 2),
            Step::Const(2, 0xFFFF_FFFF_0000_0007),
            Step::Add(1, 1, 8),
            Step::Add(0, 1, u32::MAX),
            Step::Add(2, 0, 3),
            Step::Pair(0, 2, 1, 5),
            Step::Pair(2, 1, 0, 0x1_0000_0001),
            Step::AddSlots(1, 0, 2),
            Step::AddSlots(0, 0, 1),
            Step::Mul3(1, 0),
            Step::Mul3(2, 2),
            Step::Shl(1, 1, 2),
            Step::Shl(0, 2, 35),
        ];
        let mut seqs: Vec<Vec<Step>> = vec![vec![]];
        for _ in 0..4 {
            let longer: Vec<Vec<Step>> = seqs
                .iter()
                .filter(|s| s.len() == seqs.last().unwrap().len())
                .flat_map(|s| steps.iter().map(move |&st| [s.clone(), vec![st]].concat()))
                .collect();
            seqs.extend(longer);
        }
        for seq in &seqs {
            let start = [10u64, 0xFFFF_FFFF, 0x1_0000_0020];
            let mut want = start;
            seq.iter().for_each(|&st| apply(&mut want, st));
            let code = done(|c| seq.iter().for_each(|&st| append(c, st)));
            let mut frame = start;
            let mut ctx = Ctx::for_tests(&mut []);
            assert_eq!(code.call(&mut ctx, frame.as_mut_ptr()), DONE);
            assert_eq!(frame, want, "{seq:?}");
            // The same block ending in a branch on each slot: the terminator may take the
            // last statement over, or read the register.
            for slot in 0..3u32 {
                let mut c = Chain::new();
                seq.iter().for_each(|&st| append(&mut c, st));
                let cond = Cond::Compare(BinOp::I32LtU, Operand::Slot(slot), Operand::Imm(12));
                let code = numeric::branch(cond, Target::index(1), Target::index(2), c);
                let mut frame = start;
                let taken = if (want[slot as usize] as u32) < 12 { 1 } else { 2 };
                assert_eq!(code.call(&mut ctx, frame.as_mut_ptr()), taken, "{seq:?} branch on s{slot}");
                assert_eq!(frame, want, "{seq:?} branch on s{slot}");
            }
        }
    }

    /// Two copies before a terminator that takes over a load and an add (an interpreter's
    /// dispatch: `a = #k; b = #j; op = load8_u [pc]; br_table op - 1`) are its prefix.
    #[test]
    fn copies_before_a_dispatch_are_the_terminators_prefix() {
        use crate::translate::ir::Cond;
        let mut mem = [0u8; 16];
        mem[3] = 6;
        let build = |c: &mut Chain| {
            c.copy_pair((1, Operand::Imm(11)), (2, Operand::Slot(0)));
            c.load_zx(LoadZx { width: LoadWidth::U8, dst: 3, addr: 0, offset: 0 });
            c.add_imm32(4, 3, u32::MAX);
        };
        let mut c = Chain::new();
        build(&mut c);
        let cond = Cond::Compare(BinOp::I32Eq, Operand::Slot(4), Operand::Imm(5));
        let code = numeric::branch(cond, Target::index(1), Target::index(2), c);
        assert_eq!(code.records, 1);
        let mut frame = [3u64, 0, 0, 0, 0];
        let mut ctx = Ctx::for_tests(&mut mem);
        assert_eq!(code.call(&mut ctx, frame.as_mut_ptr()), 1);
        assert_eq!(frame, [3, 11, 3, 6, 5]);
        // Anything else after the copies: they become a record of their own, in order.
        let code = done(|c| {
            build(c);
            c.copy(0, Operand::Imm(9));
        });
        assert_eq!(code.records, 4, "copies, load, add, then the copy fused into the terminator");
        let mut frame = [3u64, 0, 0, 0, 0];
        assert_eq!(code.call(&mut ctx, frame.as_mut_ptr()), DONE);
        assert_eq!(frame, [9, 11, 3, 6, 5]);
    }

    /// A loop's latch (a pointer step and a counter step before the exit test) is one record.
    #[test]
    fn two_adds_fuse_into_the_terminator() {
        let code = done(|c| {
            c.add_imm32(0, 0, 8);
            c.add_imm32(1, 1, 1);
        });
        assert_eq!(code.records, 1);
        let code = done(|c| {
            c.copy(2, Operand::Slot(0));
            c.add_imm32(1, 1, 1);
        });
        assert_eq!(code.records, 2, "a copy is fused into the add, the add into the terminator");
    }

    /// A record taking over the add or and before it (`Src`) computes the same operand and
    /// still writes the statement's destination, for every consumer shape that does it.
    #[test]
    fn forwarded_operands_match_the_statements_they_replace() {
        use crate::translate::ir::{BinOp, Cond};
        let mut mem = [0u8; 64];
        mem[12..16].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        // Each case: (fused add or and, consumer) and the expected terminator result and slots.
        type Build = fn(&mut Chain);
        type Eval = fn(u64) -> u64;
        let producers: [(&str, Build, Eval); 2] = [
            ("add", |c| c.add_imm32(1, 0, 4), |x| (x as u32).wrapping_add(4) as u64),
            ("and", |c| c.and_imm32(1, 0, 0xC), |x| x & 0xC),
        ];
        for (name, produce, eval) in producers {
            for x in [0u64, 3, 8, 12, 0xFFFF_FFFC] {
                let v = eval(x);
                let taken = |t: bool| if t { 10 } else { 20 };
                type Consumer = fn(Chain) -> Code;
                let consumers: [(Consumer, u32); 5] = [
                    (
                        |c| numeric::branch(Cond::NonZero(Operand::Slot(1)), Target::index(10), Target::index(20), c),
                        taken(v != 0),
                    ),
                    (
                        |c| numeric::branch(Cond::Zero(Operand::Slot(1)), Target::index(10), Target::index(20), c),
                        taken(v == 0),
                    ),
                    (
                        |c| {
                            numeric::branch(
                                Cond::Compare(BinOp::I32LtU, Operand::Slot(1), Operand::Imm(8)),
                                Target::index(10),
                                Target::index(20),
                                c,
                            )
                        },
                        taken(v < 8),
                    ),
                    (
                        |c| {
                            numeric::branch(
                                Cond::Compare(BinOp::I32LtU, Operand::Slot(1), Operand::Slot(0)),
                                Target::index(10),
                                Target::index(20),
                                c,
                            )
                        },
                        taken((v as u32) < (x as u32)),
                    ),
                    (
                        |c| {
                            numeric::branch(
                                Cond::Compare(BinOp::I32GtU, Operand::Imm(8), Operand::Slot(1)),
                                Target::index(10),
                                Target::index(20),
                                c,
                            )
                        },
                        taken(8 > v as u32),
                    ),
                ];
                for (i, (consume, want)) in consumers.into_iter().enumerate() {
                    let mut c = Chain::new();
                    produce(&mut c);
                    let code = consume(c);
                    assert_eq!(code.records, 1, "{name} is done by consumer {i}");
                    let mut frame = [x, 0x5A5A, 0];
                    let mut ctx = Ctx::for_tests(&mut mem);
                    assert_eq!(code.call(&mut ctx, frame.as_mut_ptr()), want, "{name} x={x} consumer {i}");
                    assert_eq!(frame, [x, v, 0], "{name} x={x} consumer {i}");
                }
                // A load and a store through the computed address, a store of the computed value.
                let in_bounds = v + 4 <= mem.len() as u64;
                let code = done(|c| {
                    produce(c);
                    memory::load(crate::translate::ir::LoadOp::I32Load8U, 2, Operand::Slot(1), 0, c);
                });
                assert_eq!(code.records, 2);
                let mut frame = [x, 0x5A5A, 0];
                let mut ctx = Ctx::for_tests(&mut mem);
                let r = code.call(&mut ctx, frame.as_mut_ptr());
                assert_eq!(frame[1], v);
                if v < mem.len() as u64 {
                    assert_eq!((r, frame[2]), (DONE, mem[v as usize] as u64), "{name} x={x}");
                } else {
                    assert_eq!(r, SIGNAL, "{name} x={x}");
                }
                for value_first in [false, true] {
                    let mut m = mem;
                    let code = done(|c| {
                        produce(c);
                        let (addr, value) = if value_first { (2, 1) } else { (1, 2) };
                        memory::store(
                            crate::translate::ir::StoreOp::I32Store,
                            Operand::Slot(addr),
                            Operand::Slot(value),
                            0,
                            c,
                        );
                    });
                    assert_eq!(code.records, 2);
                    let mut frame = [x, 0x5A5A, if value_first { 16 } else { 0xABCD }];
                    let mut ctx = Ctx::for_tests(&mut m);
                    let r = code.call(&mut ctx, frame.as_mut_ptr());
                    if value_first {
                        assert_eq!((r, frame[1]), (DONE, v));
                        assert_eq!(u32::from_le_bytes(m[16..20].try_into().unwrap()) as u64, v);
                    } else if in_bounds {
                        assert_eq!((r, frame[1]), (DONE, v));
                        assert_eq!(u32::from_le_bytes(m[v as usize..v as usize + 4].try_into().unwrap()), 0xABCD);
                    } else {
                        assert_eq!(r, SIGNAL);
                    }
                }
            }
        }
    }

    /// Terminators take over a load (and an add to its result) before them: same branch,
    /// same slots written, and a trap when the load is out of bounds.
    #[test]
    fn terminators_taking_over_loads_match_the_statements() {
        use crate::translate::ir::{BinOp, Cond, LoadOp};
        let mut mem = [0u8; 32];
        mem[4] = 3;
        mem[8..12].copy_from_slice(&0x8000_0002u32.to_le_bytes());
        for (op, width) in [(LoadOp::I32Load8U, 1u64), (LoadOp::I32Load, 4)] {
            for addr in [0u64, 4, 8, 30, 31, 0xFFFF_FFFF] {
                let loaded = (addr + width <= mem.len() as u64).then(|| {
                    let mut b = [0u8; 8];
                    b[..width as usize].copy_from_slice(&mem[addr as usize..(addr + width) as usize]);
                    u64::from_le_bytes(b)
                });
                for with_add in [false, true] {
                    let v = loaded.map(|l| if with_add { (l as u32).wrapping_sub(1) as u64 } else { l });
                    let cond_slot = if with_add { 2 } else { 1 };
                    type Consumer = fn(Chain, Slot) -> Code;
                    type Expect = fn(u64) -> u32;
                    let consumers: [(Consumer, Expect); 3] = [
                        (
                            |c, s| {
                                numeric::branch(
                                    Cond::NonZero(Operand::Slot(s)),
                                    Target::index(10),
                                    Target::index(20),
                                    c,
                                )
                            },
                            |v| {
                                if v as u32 != 0 {
                                    10
                                } else {
                                    20
                                }
                            },
                        ),
                        (
                            |c, s| {
                                numeric::branch(
                                    Cond::Compare(BinOp::I32LtS, Operand::Slot(s), Operand::Imm(3)),
                                    Target::index(10),
                                    Target::index(20),
                                    c,
                                )
                            },
                            |v| if (v as i32) < 3 { 10 } else { 20 },
                        ),
                        (
                            |c, s| {
                                control::terminator(
                                    &crate::translate::ir::Terminator::Table {
                                        index: Operand::Slot(s),
                                        targets: Box::new([30, 31, 32]),
                                        default: 33,
                                    },
                                    &|t| Target::index(t),
                                    c,
                                )
                            },
                            |v| 30 + (v as u32).min(3),
                        ),
                    ];
                    for (i, (consume, want)) in consumers.into_iter().enumerate() {
                        let mut c = Chain::new();
                        memory::load(op, 1, Operand::Slot(0), 0, &mut c);
                        if with_add {
                            c.add_imm32(2, 1, u32::MAX);
                        }
                        let code = consume(c, cond_slot);
                        assert_eq!(code.records, 1, "{op:?} add={with_add} consumer {i}");
                        let mut frame = [addr, 0x5A5A, 0x5A5A];
                        let mut ctx = Ctx::for_tests(&mut mem);
                        let r = code.call(&mut ctx, frame.as_mut_ptr());
                        match (loaded, v) {
                            (Some(l), Some(v)) => {
                                assert_eq!(r, want(v), "{op:?} addr={addr} add={with_add} consumer {i}");
                                assert_eq!(frame, [addr, l, if with_add { v } else { 0x5A5A }]);
                            }
                            _ => {
                                assert_eq!(r, SIGNAL, "{op:?} addr={addr} consumer {i}");
                                assert!(matches!(
                                    ctx.signal,
                                    crate::exec::Signal::Trap(crate::TrapCode::MemoryOutOfBounds)
                                ));
                            }
                        }
                    }
                }
            }
        }
        // Not read by the terminator: the load stays a statement of its own, in order.
        let code = done(|c| {
            memory::load(LoadOp::I32Load8U, 1, Operand::Slot(0), 0, c);
            c.add_imm32(2, 1, 5);
        });
        assert_eq!(code.records, 2);
        let mut frame = [4u64, 0, 0];
        let mut ctx = Ctx::for_tests(&mut mem);
        assert_eq!(code.call(&mut ctx, frame.as_mut_ptr()), DONE);
        assert_eq!(frame, [4, 3, 8]);
    }

    /// Values handed from record to record in a register (`Acc`) are the values the slots
    /// hold: a chain where every record reads what the one before it wrote, through each
    /// consumer shape that takes the register (operator operands on either side, a unary
    /// operator, an add/and record of its own, an and taken over by a load, a load address,
    /// a stored value, a compare-branch's right operand), checked against plain arithmetic.
    #[test]
    fn values_handed_on_in_registers_match_the_slots() {
        use crate::translate::ir::{BinOp, Cond, LoadOp, StoreOp, UnOp};
        let mut mem = [0u8; 64];
        for (i, b) in mem.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37) ^ 0xA5;
        }
        for x in [0u64, 1, 7, 0x55, 0x1234, 0xFFFF_FFFF] {
            let mut c = Chain::new();
            numeric::binary(BinOp::I32Xor, 1, Operand::Slot(0), Operand::Imm(0x55), &mut c);
            assert!(c.acc_holds(1));
            numeric::binary(BinOp::I32Shl, 2, Operand::Slot(1), Operand::Imm(2), &mut c);
            numeric::binary(BinOp::I32Sub, 3, Operand::Imm(100), Operand::Slot(2), &mut c);
            numeric::binary(BinOp::I32Add, 4, Operand::Slot(0), Operand::Slot(3), &mut c);
            c.and_imm32(5, 4, 0x3C);
            memory::load(LoadOp::I32Load16U, 6, Operand::Slot(5), 0, &mut c);
            numeric::unary(UnOp::I32Eqz, 7, Operand::Slot(6), &mut c);
            c.add_imm32(8, 7, 40);
            c.copy(9, Operand::Imm(48));
            assert!(!c.acc_holds(9), "a fused copy overwrites what the register held");
            memory::store(StoreOp::I32Store, Operand::Slot(9), Operand::Slot(8), 0, &mut c);
            memory::load(LoadOp::I32Load, 10, Operand::Slot(9), 0, &mut c);
            numeric::binary(BinOp::I32Add, 11, Operand::Slot(10), Operand::Imm(1), &mut c);
            assert!(c.acc_holds(11));
            let code = numeric::branch(
                Cond::Compare(BinOp::I32LtU, Operand::Slot(0), Operand::Slot(11)),
                Target::index(10),
                Target::index(20),
                c,
            );
            let x32 = x as u32;
            let s1 = x32 ^ 0x55;
            let s2 = s1 << 2;
            let s3 = 100u32.wrapping_sub(s2);
            let s4 = x32.wrapping_add(s3);
            let s5 = s4 & 0x3C;
            let s6 = u16::from_le_bytes([mem[s5 as usize], mem[s5 as usize + 1]]) as u32;
            let s7 = (s6 == 0) as u32;
            let s8 = s7 + 40;
            let want = [x32, s1, s2, s3, s4, s5, s6, s7, s8, 48, s8, s8 + 1].map(|v| v as u64);
            let mut frame = [0u64; 12];
            frame[0] = x;
            let mut m = mem;
            let mut ctx = Ctx::for_tests(&mut m);
            let r = code.call(&mut ctx, frame.as_mut_ptr());
            assert_eq!(frame, want, "x={x}");
            assert_eq!(r, if x32 < s8 + 1 { 10 } else { 20 }, "x={x}");
        }
    }
}
