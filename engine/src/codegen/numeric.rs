//! Closures for numeric statements (unary and binary operators, `select`, copies), the two-way
//! branch terminator with fused compares, and constant folding for the translator.
//!
//! Each operator's semantics is the matching function in [`crate::semantics`], named exactly
//! once, in the operator tables at the bottom of this file (`unops!`/`binops!`). The tables
//! expand into both the bit-level evaluators behind [`fold_unary`]/[`fold_binary`] and the
//! closure constructors [`unary`]/[`binary`], so folding and execution cannot disagree.
//!
//! The constructors are generic over the semantics function. Every function item is its own
//! zero-sized type, so each (operator, operand shape) pair monomorphises into a dedicated closure
//! with the operation inlined and its operands captured pre-decoded (a slot index, or the
//! immediate already converted to `i32`/`i64`/`f32`/`f64`): nothing is matched at run time.
//! Operands that are all immediates are evaluated once at construction, leaving a constant
//! store (or an unconditional trap), so no closure ever evaluates a constant expression.
//!
//! Slot encoding (see [`super`]): i32/f32 are stored zero-extended, i64/f64 as their bits,
//! references as a `u64` with 0 meaning null. Readers of 32-bit values ignore the upper bits.

use super::{
    rd, with_src, with_term_src, wr, Acc, Chain, Code, FromAcc, FromSlot, Src, Target, TermSrc, CONTINUE, SIGNAL,
};
use crate::error::TrapCode;
use crate::exec::Ctx;
use crate::semantics as s;
use crate::translate::ir::{BinOp, Cond, Operand, Slot, UnOp};

// ---------------------------------------------------------------------------------------------
// Value encoding
// ---------------------------------------------------------------------------------------------

/// A value type as carried in a `u64` slot or immediate.
trait Val: Copy + Send + Sync + 'static {
    /// Decodes slot bits (32-bit types ignore the upper half).
    fn decode(bits: u64) -> Self;
    /// Encodes into slot bits (32-bit types zero-extended).
    fn encode(self) -> u64;
}

impl Val for i32 {
    #[inline(always)]
    fn decode(bits: u64) -> Self {
        bits as u32 as i32
    }
    #[inline(always)]
    fn encode(self) -> u64 {
        self as u32 as u64
    }
}

impl Val for i64 {
    #[inline(always)]
    fn decode(bits: u64) -> Self {
        bits as i64
    }
    #[inline(always)]
    fn encode(self) -> u64 {
        self as u64
    }
}

impl Val for f32 {
    #[inline(always)]
    fn decode(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
    #[inline(always)]
    fn encode(self) -> u64 {
        self.to_bits() as u64
    }
}

impl Val for f64 {
    #[inline(always)]
    fn decode(bits: u64) -> Self {
        f64::from_bits(bits)
    }
    #[inline(always)]
    fn encode(self) -> u64 {
        self.to_bits()
    }
}

/// References (`funcref`/`externref`) are opaque 64-bit values.
impl Val for u64 {
    #[inline(always)]
    fn decode(bits: u64) -> Self {
        bits
    }
    #[inline(always)]
    fn encode(self) -> u64 {
        self
    }
}

/// A semantics function's return type: a plain value, or `Result` for operators that can trap.
/// Lets one generic constructor serve both; for plain values the error path is statically dead
/// and vanishes after inlining.
trait Ret {
    fn into_bits(self) -> Result<u64, TrapCode>;
}

impl<T: Val> Ret for T {
    #[inline(always)]
    fn into_bits(self) -> Result<u64, TrapCode> {
        Ok(self.encode())
    }
}

impl<T: Val> Ret for Result<T, TrapCode> {
    #[inline(always)]
    fn into_bits(self) -> Result<u64, TrapCode> {
        self.map(T::encode)
    }
}

/// `ref.is_null`: the only numeric-like operator without a counterpart in `semantics`.
#[inline(always)]
fn ref_is_null(r: u64) -> i32 {
    (r == 0) as i32
}

// ---------------------------------------------------------------------------------------------
// Shared closure plumbing
// ---------------------------------------------------------------------------------------------

/// The closure for an operation whose operands were all immediates: the outcome is already
/// known, so it is either a constant store or an unconditional trap.
fn settled(r: Result<u64, TrapCode>, dst: Slot, out: &mut Chain) {
    match r {
        Ok(v) => copy(dst, Operand::Imm(v), out),
        Err(c) => out.statement(move |ctx, _| ctx.trap(c)),
    }
}

/// The branch target for a condition; a plain `if` that LLVM lowers to a conditional move.
#[inline(always)]
fn pick(taken: bool, then: &Target, els: &Target, ctx: &mut Ctx, fp: *mut u64) -> u32 {
    if taken {
        then.go(ctx, fp)
    } else {
        els.go(ctx, fp)
    }
}

/// A terminator that always continues at `target`.
pub(crate) fn goto(target: Target, out: Chain) -> Code {
    match target.as_index() {
        Some(t) => out.terminator(move |_, _| t),
        None => out.terminator(move |ctx, fp| target.go(ctx, fp)),
    }
}

/// Reads an operand by matching at run time: only for the cold generic fallbacks.
#[inline(always)]
unsafe fn read(fp: *mut u64, o: Operand) -> u64 {
    match o {
        Operand::Slot(s) => rd(fp, s),
        Operand::Imm(v) => v,
    }
}

// ---------------------------------------------------------------------------------------------
// Generic constructors (monomorphised per semantics function)
// ---------------------------------------------------------------------------------------------

/// An operand of an operator, decoded: from a slot, from the value the previous record handed
/// on, or an immediate.
trait Arg<A>: Copy + Send + Sync + 'static {
    /// # Safety
    /// As for [`Src::get`].
    unsafe fn val(self, fp: *mut u64, acc: Acc) -> A;
}

/// An immediate operand, decoded at construction.
#[derive(Clone, Copy)]
struct Imm<A>(A);

impl<A: Val> Arg<A> for Imm<A> {
    #[inline(always)]
    unsafe fn val(self, _: *mut u64, _: Acc) -> A {
        self.0
    }
}

impl<A: Val> Arg<A> for FromSlot {
    #[inline(always)]
    unsafe fn val(self, fp: *mut u64, acc: Acc) -> A {
        A::decode(self.get(fp, acc))
    }
}

impl<A: Val> Arg<A> for FromAcc {
    #[inline(always)]
    unsafe fn val(self, fp: *mut u64, acc: Acc) -> A {
        A::decode(self.get(fp, acc))
    }
}

/// Stores an operator's result, hands it on to the next record and continues, or traps.
#[inline(always)]
fn finish_op(ctx: &mut Ctx, fp: *mut u64, dst: Slot, r: Result<u64, TrapCode>) -> (u32, Acc) {
    match r {
        Ok(v) => {
            // SAFETY: the translator only names slots inside the frame `fp` points at.
            unsafe { wr(fp, dst, v) };
            (CONTINUE, Acc::new(v))
        }
        Err(c) => (ctx.trap(c), Acc::uninit()),
    }
}

/// Whether slot operand `o` is the value the previous record hands on (see [`Chain::acc_holds`]).
fn from_acc(o: Operand, out: &Chain) -> bool {
    matches!(o, Operand::Slot(s) if out.acc_holds(s))
}

/// `dst = f(src)`.
fn un<A: Val, R: Ret>(f: impl Fn(A) -> R + Send + Sync + 'static, dst: Slot, src: Operand, out: &mut Chain) {
    match src {
        Operand::Slot(_) if from_acc(src, out) => un_op(f, dst, FromAcc, out),
        Operand::Slot(a) => un_op(f, dst, FromSlot(a), out),
        Operand::Imm(a) => settled(f(A::decode(a)).into_bits(), dst, out),
    }
}

fn un_op<A: Val, R: Ret>(f: impl Fn(A) -> R + Send + Sync + 'static, dst: Slot, a: impl Arg<A>, out: &mut Chain) {
    out.op(Some(dst), move |ctx, fp, acc| {
        // SAFETY: slots named by the translator lie inside the frame; `acc` is read only
        // when the chain says the previous record set it.
        let r = f(unsafe { a.val(fp, acc) });
        finish_op(ctx, fp, dst, r.into_bits())
    })
}

/// `dst = f(lhs, rhs)`, one closure per operand shape. A slot operand the previous record
/// just wrote comes from the value it handed on.
fn bin<A: Val, R: Ret>(
    f: impl Fn(A, A) -> R + Send + Sync + 'static,
    dst: Slot,
    lhs: Operand,
    rhs: Operand,
    out: &mut Chain,
) {
    match (lhs, rhs) {
        (Operand::Slot(_), Operand::Slot(b)) if from_acc(lhs, out) => bin_op(f, dst, FromAcc, FromSlot(b), out),
        (Operand::Slot(a), Operand::Slot(_)) if from_acc(rhs, out) => bin_op(f, dst, FromSlot(a), FromAcc, out),
        (Operand::Slot(a), Operand::Slot(b)) => bin_op(f, dst, FromSlot(a), FromSlot(b), out),
        (Operand::Slot(_), Operand::Imm(b)) if from_acc(lhs, out) => bin_op(f, dst, FromAcc, Imm(A::decode(b)), out),
        (Operand::Slot(a), Operand::Imm(b)) => bin_op(f, dst, FromSlot(a), Imm(A::decode(b)), out),
        (Operand::Imm(a), Operand::Slot(_)) if from_acc(rhs, out) => bin_op(f, dst, Imm(A::decode(a)), FromAcc, out),
        (Operand::Imm(a), Operand::Slot(b)) => bin_op(f, dst, Imm(A::decode(a)), FromSlot(b), out),
        (Operand::Imm(a), Operand::Imm(b)) => settled(f(A::decode(a), A::decode(b)).into_bits(), dst, out),
    }
}

fn bin_op<A: Val, R: Ret>(
    f: impl Fn(A, A) -> R + Send + Sync + 'static,
    dst: Slot,
    a: impl Arg<A>,
    b: impl Arg<A>,
    out: &mut Chain,
) {
    out.op(Some(dst), move |ctx, fp, acc| {
        // SAFETY: as in `un_op`.
        let r = unsafe { f(a.val(fp, acc), b.val(fp, acc)) };
        finish_op(ctx, fp, dst, r.into_bits())
    })
}

/// Evaluates `$body` with `$f` bound to the semantics function of operator `$op`: one of the
/// listed ones, else the last (the caller has checked the operator is among them). Each
/// operator gets its own monomorphised closure.
macro_rules! with_op {
    ($op:expr, |$f:ident| { $($name:ident => $func:path),* ; _ => $last:path }, $body:expr) => {
        match $op {
            $(BinOp::$name => {
                let $f = $func;
                $body
            })*
            _ => {
                let $f = $last;
                $body
            }
        }
    };
}

/// One operator with every operand a slot: `(op, dst, lhs, rhs)`.
pub(crate) type SlotBinary = (BinOp, Slot, Slot, Slot);

/// Two chained `f64` operators as one record: `d1 = f1(a, b)`, then `d2 = f2(d1, c)` (or
/// `f2(c, d1)`): `x * y + z`, `(x - y) * k`, `x * y * z`, the commonest pairs in C's float
/// kernels (a matrix product's inner loop, an n-body step). Both results are written; the
/// second is handed on. `a` or `b` may be the value the previous record handed on. Returns
/// false (and appends nothing) for other operators or operand shapes.
pub(crate) fn f64_pair(first: SlotBinary, second: SlotBinary, out: &mut Chain) -> bool {
    if !f64_pair_fits(first, second) {
        return false;
    }
    let ((op1, d1, a, b), (op2, d2, l, r)) = (first, second);
    let (c, d1_left) = if l == d1 { (r, true) } else { (l, false) };
    with_op!(op1, |f1| { F64Add => s::f64_add, F64Sub => s::f64_sub; _ => s::f64_mul }, with_op!(op2, |f2| {
        F64Add => s::f64_add, F64Sub => s::f64_sub; _ => s::f64_mul }, {
        let from_acc = |x: Slot| out.acc_holds(x);
        match (from_acc(a), from_acc(b), d1_left) {
            (true, _, true) => pair::<_, _, _, _, _, _, true>(f1, f2, FromAcc, FromSlot(b), FromSlot(c), d1, d2, out),
            (true, _, false) => pair::<_, _, _, _, _, _, false>(f1, f2, FromAcc, FromSlot(b), FromSlot(c), d1, d2, out),
            (_, true, true) => pair::<_, _, _, _, _, _, true>(f1, f2, FromSlot(a), FromAcc, FromSlot(c), d1, d2, out),
            (_, true, false) => pair::<_, _, _, _, _, _, false>(f1, f2, FromSlot(a), FromAcc, FromSlot(c), d1, d2, out),
            (_, _, true) => pair::<_, _, _, _, _, _, true>(f1, f2, FromSlot(a), FromSlot(b), FromSlot(c), d1, d2, out),
            (_, _, false) => pair::<_, _, _, _, _, _, false>(f1, f2, FromSlot(a), FromSlot(b), FromSlot(c), d1, d2, out),
        }
    }));
    true
}

/// Two chained `i32` operators as one record: `d1 = f1(a, b)`, then `d2 = f2(d1, c)` with
/// `f2` commutative (`add`, `xor`, `or`, `and`, so `d1`'s side does not matter): the shift,
/// rotate and xor chains of hashing and checksum code (`rotl(x, 6) ^ rotl(x, 11)`,
/// `(c >> 8) ^ t`). `b` and `c` are slots or immediates; `a` may be the value the previous
/// record handed on. The first operators that other fusions take over (an add, sub or and of
/// an immediate, a shift left by one, an add of two slots) are left to them. Returns false
/// (and appends nothing) for other shapes.
pub(crate) fn i32_pair(
    first: (BinOp, Slot, Slot, Operand),
    second: (BinOp, Slot, Operand, Operand),
    out: &mut Chain,
) -> bool {
    if !i32_pair_fits(first, second) {
        return false;
    }
    let ((op1, d1, a, b), (op2, d2, l, r)) = (first, second);
    let c = if l == Operand::Slot(d1) { r } else { l };
    macro_rules! arg {
        ($o:expr, |$x:ident| $body:expr) => {
            match $o {
                Operand::Slot(x) => {
                    let $x = FromSlot(x);
                    $body
                }
                Operand::Imm(v) => {
                    let $x = Imm(v as i32);
                    $body
                }
            }
        };
    }
    let a_acc = out.acc_holds(a);
    with_op!(op1, |f1| { I32Xor => s::i32_xor, I32Or => s::i32_or, I32Mul => s::i32_mul, I32Rotl => s::i32_rotl,
        I32Rotr => s::i32_rotr, I32ShrU => s::i32_shr_u; _ => s::i32_shr_s }, with_op!(op2, |f2| {
        I32Add => s::i32_add, I32Xor => s::i32_xor, I32Or => s::i32_or; _ => s::i32_and }, arg!(b, |b| arg!(c, |c| {
        // `f2` is commutative: `d1` goes on the left whichever side it was on.
        if a_acc {
            pair::<_, _, _, _, _, _, true>(f1, f2, FromAcc, b, c, d1, d2, out)
        } else {
            pair::<_, _, _, _, _, _, true>(f1, f2, FromSlot(a), b, c, d1, d2, out)
        }
    }))));
    true
}

/// Whether [`i32_pair`] takes these two operators.
pub(crate) fn i32_pair_fits(first: (BinOp, Slot, Slot, Operand), second: (BinOp, Slot, Operand, Operand)) -> bool {
    let ((op1, d1, _, b), (op2, _, l, r)) = (first, second);
    // `d1` is exactly one of the second operator's operands.
    let reads_d1 = (l == Operand::Slot(d1)) != (r == Operand::Slot(d1));
    let first_ok = matches!(
        (op1, b),
        (BinOp::I32Xor | BinOp::I32Or | BinOp::I32Mul, _)
            | (BinOp::I32Rotl | BinOp::I32Rotr | BinOp::I32ShrU | BinOp::I32ShrS, Operand::Imm(_))
    );
    reads_d1 && first_ok && matches!(op2, BinOp::I32Add | BinOp::I32Xor | BinOp::I32Or | BinOp::I32And)
}

/// Whether [`f64_pair`] takes these two operators.
pub(crate) fn f64_pair_fits(first: SlotBinary, second: SlotBinary) -> bool {
    let float = |op: BinOp| matches!(op, BinOp::F64Add | BinOp::F64Sub | BinOp::F64Mul);
    // `d1` is exactly one of the second operator's operands (the other is read after `d1` is
    // written, so it must be another slot).
    float(first.0) && float(second.0) && ((second.2 == first.1) != (second.3 == first.1))
}

/// The record of [`f64_pair`] and [`i32_pair`]: `d1 = f1(a, b)`, then `d2 = f2(d1, c)`, or
/// `f2(c, d1)` unless `D1_LEFT`.
#[allow(clippy::too_many_arguments)]
fn pair<V, F1, F2, A, B, C, const D1_LEFT: bool>(f1: F1, f2: F2, a: A, b: B, c: C, d1: Slot, d2: Slot, out: &mut Chain)
where
    V: Val,
    F1: Fn(V, V) -> V + Copy + Send + Sync + 'static,
    F2: Fn(V, V) -> V + Copy + Send + Sync + 'static,
    A: Arg<V>,
    B: Arg<V>,
    C: Arg<V>,
{
    out.op(Some(d2), move |_, fp, acc| {
        // SAFETY: slots named by the translator lie inside the frame; `acc` is read only when
        // the chain says the previous record set it (`c` never is `d1`, so reading it after
        // `d1` is written reads what the second operator would).
        unsafe {
            let t = f1(a.val(fp, acc), b.val(fp, acc));
            wr(fp, d1, t.encode());
            let c = c.val(fp, acc);
            let v = if D1_LEFT { f2(t, c) } else { f2(c, t) }.encode();
            wr(fp, d2, v);
            (CONTINUE, Acc::new(v))
        }
    })
}

/// A branch on comparison `f(lhs, rhs)` (0 or 1), one closure per operand shape.
fn br_cmp<A: Val>(
    f: impl Fn(A, A) -> i32 + Send + Sync + 'static,
    lhs: Operand,
    rhs: Operand,
    then: Target,
    els: Target,
    mut out: Chain,
) -> Code {
    // A slot operand written by the statement just before comes from that statement, done
    // here (`with_src!`): the loop counter of `i += 1; if i < n`, the tag of `t & 7 == 1`.
    // SAFETY (all closures): slots named by the translator lie inside the frame.
    match (lhs, rhs) {
        // `i < n` with `n` just computed (a pending statement never writes `b` here).
        (Operand::Slot(a), Operand::Slot(b)) if a != b && out.term_acc_holds(b) => {
            out.terminator_op(move |ctx, fp, acc| {
                let (a, b) = unsafe { (rd(fp, a), FromAcc.get(fp, acc)) };
                pick(f(A::decode(a), A::decode(b)) != 0, &then, &els, ctx, fp)
            })
        }
        (Operand::Slot(a), Operand::Slot(b)) => with_term_src!(out, a, |a| out.terminator_op(move |ctx, fp, acc| {
            let Some(a) = (unsafe { a.fetch(ctx, fp, acc) }) else { return SIGNAL };
            let b = unsafe { rd(fp, b) };
            pick(f(A::decode(a), A::decode(b)) != 0, &then, &els, ctx, fp)
        })),
        (Operand::Slot(a), Operand::Imm(b)) => {
            let b = A::decode(b);
            with_term_src!(out, a, |a| out.terminator_op(move |ctx, fp, acc| {
                let Some(a) = (unsafe { a.fetch(ctx, fp, acc) }) else { return SIGNAL };
                pick(f(A::decode(a), b) != 0, &then, &els, ctx, fp)
            }))
        }
        (Operand::Imm(a), Operand::Slot(b)) => {
            let a = A::decode(a);
            with_src!(out, b, |b| out.terminator_op(move |ctx, fp, acc| pick(
                f(a, A::decode(unsafe { b.get(fp, acc) })) != 0,
                &then,
                &els,
                ctx,
                fp
            )))
        }
        (Operand::Imm(a), Operand::Imm(b)) => goto(if f(A::decode(a), A::decode(b)) != 0 { then } else { els }, out),
    }
}

/// A branch on any other binary operator's i32 result (non-zero = taken). The translator only
/// fuses integer compares, which [`br_cmp`] covers; this keeps [`branch`] total at the cost of
/// matching on the operator at run time.
fn br_generic(op: BinOp, lhs: Operand, rhs: Operand, then: Target, els: Target, out: Chain) -> Code {
    if let (Operand::Imm(a), Operand::Imm(b)) = (lhs, rhs) {
        return match eval_binary(op, a, b) {
            Ok(v) => goto(if v as u32 != 0 { then } else { els }, out),
            Err(c) => out.terminator(move |ctx, _| ctx.trap(c)),
        };
    }
    out.terminator(move |ctx, fp| {
        // SAFETY: slots named by the translator lie inside the frame.
        let (a, b) = unsafe { (read(fp, lhs), read(fp, rhs)) };
        match eval_binary(op, a, b) {
            Ok(v) => pick(v as u32 != 0, &then, &els, ctx, fp),
            Err(c) => ctx.trap(c),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Public constructors
// ---------------------------------------------------------------------------------------------

/// `dst = src`. A self-copy compiles to nothing; others are fused into the next record.
pub(crate) fn copy(dst: Slot, src: Operand, out: &mut Chain) {
    out.copy(dst, src);
}

/// Several copies in order, as one closure (runs of copies are common at block ends and
/// before branches).
pub(crate) fn copies(moves: &[(Slot, Operand)], out: &mut Chain) {
    // The common shapes get closures with plain fields; a run-time operand match per move
    // would cost more than the dispatch it saves.
    let bits = |o: Operand| match o {
        Operand::Slot(s) => (true, s as u64),
        Operand::Imm(v) => (false, v),
    };
    // SAFETY (all closures): slots named by the translator lie inside the frame.
    match *moves {
        [(d1, Operand::Slot(s1)), (d2, Operand::Slot(s2))] => out.pass_on(moves, move |_ctx, fp| unsafe {
            wr(fp, d1, rd(fp, s1));
            wr(fp, d2, rd(fp, s2));
            CONTINUE
        }),
        [(d1, Operand::Slot(s1)), (d2, Operand::Imm(v2))] => out.pass_on(moves, move |_ctx, fp| unsafe {
            wr(fp, d1, rd(fp, s1));
            wr(fp, d2, v2);
            CONTINUE
        }),
        [(d1, Operand::Imm(v1)), (d2, Operand::Slot(s2))] => out.pass_on(moves, move |_ctx, fp| unsafe {
            wr(fp, d1, v1);
            wr(fp, d2, rd(fp, s2));
            CONTINUE
        }),
        [(d1, Operand::Imm(v1)), (d2, Operand::Imm(v2))] => out.pass_on(moves, move |_ctx, fp| unsafe {
            wr(fp, d1, v1);
            wr(fp, d2, v2);
            CONTINUE
        }),
        _ => {
            let ops: Box<[(Slot, bool, u64)]> = moves.iter().map(|&(d, o)| (d, bits(o).0, bits(o).1)).collect();
            out.pass_on(moves, move |_ctx, fp| {
                for &(dst, is_slot, v) in ops.iter() {
                    unsafe { wr(fp, dst, if is_slot { rd(fp, v as u32) } else { v }) };
                }
                CONTINUE
            })
        }
    }
}

/// `dst = if cond != 0 { a } else { b }`; `cond` is an i32, `a`/`b` any 64-bit bits.
pub(crate) fn select(dst: Slot, cond: Operand, a: Operand, b: Operand, out: &mut Chain) {
    let c = match cond {
        Operand::Imm(c) => return copy(dst, if c as u32 != 0 { a } else { b }, out),
        Operand::Slot(c) => c,
    };
    // Written as a value choice (not control flow) so it compiles branch-free: `select` is
    // typically used precisely where the condition is unpredictable.
    // SAFETY (all closures): slots named by the translator lie inside the frame.
    match (a, b) {
        (Operand::Slot(a), Operand::Slot(b)) => out.statement(move |_ctx, fp| {
            unsafe {
                let (x, y) = (rd(fp, a), rd(fp, b));
                wr(fp, dst, if rd(fp, c) as u32 != 0 { x } else { y });
            }
            CONTINUE
        }),
        (Operand::Slot(a), Operand::Imm(y)) => out.statement(move |_ctx, fp| {
            unsafe {
                let x = rd(fp, a);
                wr(fp, dst, if rd(fp, c) as u32 != 0 { x } else { y });
            }
            CONTINUE
        }),
        (Operand::Imm(x), Operand::Slot(b)) => out.statement(move |_ctx, fp| {
            unsafe {
                let y = rd(fp, b);
                wr(fp, dst, if rd(fp, c) as u32 != 0 { x } else { y });
            }
            CONTINUE
        }),
        (Operand::Imm(x), Operand::Imm(y)) => out.statement(move |_ctx, fp| {
            unsafe { wr(fp, dst, if rd(fp, c) as u32 != 0 { x } else { y }) };
            CONTINUE
        }),
    }
}

/// The two-way branch terminator: continues at `then` when `cond` holds, else at `els`.
pub(crate) fn branch(cond: Cond, then: Target, els: Target, mut out: Chain) -> Code {
    let may_trap = matches!(cond, Cond::Compare(op, ..) if op.can_trap());
    if then == els && !may_trap {
        return goto(then, out);
    }
    // SAFETY (slot closures): slots named by the translator lie inside the frame.
    match cond {
        Cond::NonZero(Operand::Slot(s)) => with_term_src!(out, s, |s| out.terminator_op(move |ctx, fp, acc| {
            let Some(v) = (unsafe { s.fetch(ctx, fp, acc) }) else { return SIGNAL };
            pick(v as u32 != 0, &then, &els, ctx, fp)
        })),
        Cond::Zero(Operand::Slot(s)) => with_term_src!(out, s, |s| out.terminator_op(move |ctx, fp, acc| {
            let Some(v) = (unsafe { s.fetch(ctx, fp, acc) }) else { return SIGNAL };
            pick(v as u32 == 0, &then, &els, ctx, fp)
        })),
        Cond::NonZero(Operand::Imm(v)) => goto(if v as u32 != 0 { then } else { els }, out),
        Cond::Zero(Operand::Imm(v)) => goto(if v as u32 == 0 { then } else { els }, out),
        Cond::Compare(op, a, b) => {
            if op.is_int_compare() {
                compare_branch(op, a, b, then, els, out).expect("integer compares have a fused branch")
            } else {
                br_generic(op, a, b, then, els, out)
            }
        }
    }
}

/// Constant-folds a unary operator on slot-encoded bits; `None` if it would trap.
pub(crate) fn fold_unary(op: UnOp, v: u64) -> Option<u64> {
    eval_unary(op, v).ok()
}

/// Constant-folds a binary operator on slot-encoded bits; `None` if it would trap.
pub(crate) fn fold_binary(op: BinOp, a: u64, b: u64) -> Option<u64> {
    eval_binary(op, a, b).ok()
}

// ---------------------------------------------------------------------------------------------
// Operator tables: the single place each operator is bound to its semantics
// ---------------------------------------------------------------------------------------------

macro_rules! unops {
    ($($op:ident => $f:path,)*) => {
        /// Evaluates a unary operator on slot-encoded bits.
        fn eval_unary(op: UnOp, v: u64) -> Result<u64, TrapCode> {
            match op {
                $(UnOp::$op => $f(Val::decode(v)).into_bits(),)*
            }
        }

        /// `dst = op src`, as a closure specialised for the operator and operand shape.
        pub(crate) fn unary(op: UnOp, dst: Slot, src: Operand, out: &mut Chain) {
            match op {
                $(UnOp::$op => un($f, dst, src, out),)*
            }
        }

        #[cfg(test)]
        const ALL_UNOPS: &[UnOp] = &[$(UnOp::$op),*];
    };
}

macro_rules! binops {
    (
        compare { $($cop:ident => $cf:path,)* }
        other { $($op:ident => $f:path,)* }
    ) => {
        /// Evaluates a binary operator on slot-encoded bits.
        fn eval_binary(op: BinOp, a: u64, b: u64) -> Result<u64, TrapCode> {
            match op {
                $(BinOp::$cop => $cf(Val::decode(a), Val::decode(b)).into_bits(),)*
                $(BinOp::$op => $f(Val::decode(a), Val::decode(b)).into_bits(),)*
            }
        }

        /// `dst = lhs op rhs`, as a closure specialised for the operator and operand shapes.
        pub(crate) fn binary(op: BinOp, dst: Slot, lhs: Operand, rhs: Operand, out: &mut Chain) {
            match op {
                $(BinOp::$cop => bin($cf, dst, lhs, rhs, out),)*
                $(BinOp::$op => bin($f, dst, lhs, rhs, out),)*
            }
        }

        /// A specialised compare-and-branch, for the operators in the `compare` group.
        fn compare_branch(op: BinOp, lhs: Operand, rhs: Operand, then: Target, els: Target, out: Chain) -> Option<Code> {
            match op {
                $(BinOp::$cop => Some(br_cmp($cf, lhs, rhs, then, els, out)),)*
                _ => None,
            }
        }

        #[cfg(test)]
        const ALL_BINOPS: &[BinOp] = &[$(BinOp::$cop,)* $(BinOp::$op),*];
    };
}

unops! {
    I32Eqz => s::i32_eqz, I32Clz => s::i32_clz, I32Ctz => s::i32_ctz, I32Popcnt => s::i32_popcnt,
    I32Extend8S => s::i32_extend8_s, I32Extend16S => s::i32_extend16_s,
    I64Eqz => s::i64_eqz, I64Clz => s::i64_clz, I64Ctz => s::i64_ctz, I64Popcnt => s::i64_popcnt,
    I64Extend8S => s::i64_extend8_s, I64Extend16S => s::i64_extend16_s, I64Extend32S => s::i64_extend32_s,
    F32Abs => s::f32_abs, F32Neg => s::f32_neg, F32Ceil => s::f32_ceil, F32Floor => s::f32_floor,
    F32Trunc => s::f32_trunc, F32Nearest => s::f32_nearest, F32Sqrt => s::f32_sqrt,
    F64Abs => s::f64_abs, F64Neg => s::f64_neg, F64Ceil => s::f64_ceil, F64Floor => s::f64_floor,
    F64Trunc => s::f64_trunc, F64Nearest => s::f64_nearest, F64Sqrt => s::f64_sqrt,
    I32WrapI64 => s::i32_wrap_i64, I64ExtendI32S => s::i64_extend_i32_s, I64ExtendI32U => s::i64_extend_i32_u,
    I32TruncF32S => s::i32_trunc_f32_s, I32TruncF32U => s::i32_trunc_f32_u,
    I32TruncF64S => s::i32_trunc_f64_s, I32TruncF64U => s::i32_trunc_f64_u,
    I64TruncF32S => s::i64_trunc_f32_s, I64TruncF32U => s::i64_trunc_f32_u,
    I64TruncF64S => s::i64_trunc_f64_s, I64TruncF64U => s::i64_trunc_f64_u,
    I32TruncSatF32S => s::i32_trunc_sat_f32_s, I32TruncSatF32U => s::i32_trunc_sat_f32_u,
    I32TruncSatF64S => s::i32_trunc_sat_f64_s, I32TruncSatF64U => s::i32_trunc_sat_f64_u,
    I64TruncSatF32S => s::i64_trunc_sat_f32_s, I64TruncSatF32U => s::i64_trunc_sat_f32_u,
    I64TruncSatF64S => s::i64_trunc_sat_f64_s, I64TruncSatF64U => s::i64_trunc_sat_f64_u,
    F32ConvertI32S => s::f32_convert_i32_s, F32ConvertI32U => s::f32_convert_i32_u,
    F32ConvertI64S => s::f32_convert_i64_s, F32ConvertI64U => s::f32_convert_i64_u,
    F64ConvertI32S => s::f64_convert_i32_s, F64ConvertI32U => s::f64_convert_i32_u,
    F64ConvertI64S => s::f64_convert_i64_s, F64ConvertI64U => s::f64_convert_i64_u,
    F32DemoteF64 => s::f32_demote_f64, F64PromoteF32 => s::f64_promote_f32,
    RefIsNull => ref_is_null,
}

binops! {
    // Integer compares: the ones the translator fuses into branches (`BinOp::is_int_compare`).
    compare {
        I32Eq => s::i32_eq, I32Ne => s::i32_ne, I32LtS => s::i32_lt_s, I32LtU => s::i32_lt_u,
        I32GtS => s::i32_gt_s, I32GtU => s::i32_gt_u, I32LeS => s::i32_le_s, I32LeU => s::i32_le_u,
        I32GeS => s::i32_ge_s, I32GeU => s::i32_ge_u,
        I64Eq => s::i64_eq, I64Ne => s::i64_ne, I64LtS => s::i64_lt_s, I64LtU => s::i64_lt_u,
        I64GtS => s::i64_gt_s, I64GtU => s::i64_gt_u, I64LeS => s::i64_le_s, I64LeU => s::i64_le_u,
        I64GeS => s::i64_ge_s, I64GeU => s::i64_ge_u,
    }
    other {
        F32Eq => s::f32_eq, F32Ne => s::f32_ne, F32Lt => s::f32_lt, F32Gt => s::f32_gt,
        F32Le => s::f32_le, F32Ge => s::f32_ge,
        F64Eq => s::f64_eq, F64Ne => s::f64_ne, F64Lt => s::f64_lt, F64Gt => s::f64_gt,
        F64Le => s::f64_le, F64Ge => s::f64_ge,
        I32Add => s::i32_add, I32Sub => s::i32_sub, I32Mul => s::i32_mul,
        I32DivS => s::i32_div_s, I32DivU => s::i32_div_u, I32RemS => s::i32_rem_s, I32RemU => s::i32_rem_u,
        I32And => s::i32_and, I32Or => s::i32_or, I32Xor => s::i32_xor,
        I32Shl => s::i32_shl, I32ShrS => s::i32_shr_s, I32ShrU => s::i32_shr_u,
        I32Rotl => s::i32_rotl, I32Rotr => s::i32_rotr,
        I64Add => s::i64_add, I64Sub => s::i64_sub, I64Mul => s::i64_mul,
        I64DivS => s::i64_div_s, I64DivU => s::i64_div_u, I64RemS => s::i64_rem_s, I64RemU => s::i64_rem_u,
        I64And => s::i64_and, I64Or => s::i64_or, I64Xor => s::i64_xor,
        I64Shl => s::i64_shl, I64ShrS => s::i64_shr_s, I64ShrU => s::i64_shr_u,
        I64Rotl => s::i64_rotl, I64Rotr => s::i64_rotr,
        F32Add => s::f32_add, F32Sub => s::f32_sub, F32Mul => s::f32_mul, F32Div => s::f32_div,
        F32Min => s::f32_min, F32Max => s::f32_max, F32Copysign => s::f32_copysign,
        F64Add => s::f64_add, F64Sub => s::f64_sub, F64Mul => s::f64_mul, F64Div => s::f64_div,
        F64Min => s::f64_min, F64Max => s::f64_max, F64Copysign => s::f64_copysign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::testing::{done, DONE};
    use crate::codegen::SIGNAL;
    use crate::exec::Signal;
    use TrapCode::{IntegerDivideByZero, IntegerOverflow, InvalidConversionToInteger};

    /// Pre-fills the destination slot, so tests can tell whether it was written.
    const UNTOUCHED: u64 = 0x5A5A_5A5A_5A5A_5A5A;

    /// The single place a test context is built (numeric closures never touch memory).
    fn test_ctx(mem: &mut [u8]) -> Ctx {
        Ctx::for_tests(mem)
    }

    /// Interesting bit patterns for every type; some carry garbage above bit 31, which 32-bit
    /// readers must ignore.
    const POOL: &[u64] = &[
        0,
        1,
        2,
        31,
        32,
        63,
        0x7FFF_FFFF,
        0x8000_0000,
        0xFFFF_FFFF,
        0xDEAD_BEEF_0000_0005,
        0x8000_0000_0000_0000,
        0x7FFF_FFFF_FFFF_FFFF,
        u64::MAX,
        0x3FC0_0000,           // f32 1.5
        0xBF80_0000,           // f32 -1.0
        0x4F80_0000,           // f32 2^32
        0x7FC0_0001,           // f32 NaN with payload
        0x7F80_0000,           // f32 +inf
        0x4004_0000_0000_0000, // f64 2.5
        0xC1E0_0000_0000_0000, // f64 -2^31
        0x41F0_0000_0000_0000, // f64 2^32
        0x7FF8_0000_0000_0001, // f64 NaN with payload
        0xFFF0_0000_0000_0000, // f64 -inf
    ];

    enum Outcome {
        Value(u64),
        Trapped(TrapCode),
    }

    /// Runs `code` on `frame`, returning the outcome read from `dst` or the trap signal.
    fn run(code: &Code, frame: &mut [u64], dst: Slot) -> Outcome {
        let mut ctx = test_ctx(&mut []);
        match code.call(&mut ctx, frame.as_mut_ptr()) {
            DONE => Outcome::Value(frame[dst as usize]),
            SIGNAL => match ctx.signal {
                Signal::Trap(c) => {
                    assert_eq!(frame[dst as usize], UNTOUCHED, "a trapping op wrote its destination");
                    Outcome::Trapped(c)
                }
                _ => panic!("SIGNAL without a trap"),
            },
            r => panic!("unexpected return {r}"),
        }
    }

    /// Whether `got` and `want` are the same result of the operator named `name`. The payload
    /// of a NaN result is nondeterministic in Wasm, and in practice too: LLVM may commute
    /// `a + b`, which changes whose payload x86 propagates when both inputs are NaN. So any
    /// two NaNs of the result type (the name's prefix) agree.
    fn same(name: &str, got: u64, want: u64) -> bool {
        let nan32 = |v: u64| v >> 32 == 0 && f32::from_bits(v as u32).is_nan();
        let nan64 = |v: u64| f64::from_bits(v).is_nan();
        got == want
            || (name.starts_with("f32.") && nan32(got) && nan32(want))
            || (name.starts_with("f64.") && nan64(got) && nan64(want))
    }

    fn check(got: Outcome, want: Result<u64, TrapCode>, name: &str, what: &dyn Fn() -> String) {
        match (got, want) {
            (Outcome::Value(g), Ok(w)) => {
                assert!(same(name, g, w), "{}: got {g:#x}, want {w:#x}", what())
            }
            (Outcome::Trapped(g), Err(w)) => assert_eq!(g, w, "{}", what()),
            (Outcome::Value(g), Err(w)) => panic!("{}: got {g:#x}, want trap {w:?}", what()),
            (Outcome::Trapped(g), Ok(w)) => panic!("{}: got trap {g:?}, want {w:#x}", what()),
        }
    }

    fn slot_or_imm(imm: bool, slot: Slot, v: u64) -> Operand {
        if imm {
            Operand::Imm(v)
        } else {
            Operand::Slot(slot)
        }
    }

    fn bin_value(op: BinOp, a: u64, b: u64) -> Result<u64, TrapCode> {
        let mut frame = [0, 0, UNTOUCHED];
        run(&done(|c| binary(op, 2, Operand::Imm(a), Operand::Imm(b), c)), &mut frame, 2).into()
    }

    impl From<Outcome> for Result<u64, TrapCode> {
        fn from(o: Outcome) -> Self {
            match o {
                Outcome::Value(v) => Ok(v),
                Outcome::Trapped(c) => Err(c),
            }
        }
    }

    /// A fused pair of `f64` operators leaves the frame as the two records would, whichever
    /// operand of the second is the first's result, with either operand of the first handed
    /// on by the record before, and with destinations aliasing operands.
    #[test]
    fn float_pairs_match_two_records() {
        use BinOp::{F64Add, F64Div, F64Mul, F64Sub};
        let vals = [1.5f64, -2.25, 0.0, -0.0, 1e300, f64::INFINITY, f64::NAN, 3.0];
        // Slots: 0 = a, 1 = b, 2 = c, 3 and 4 = destinations, 5 = a producer's source.
        let frame_of =
            |a: f64, b: f64, c: f64| [a.to_bits(), b.to_bits(), c.to_bits(), UNTOUCHED, UNTOUCHED, 7f64.to_bits()];
        for op1 in [F64Add, F64Sub, F64Mul] {
            for op2 in [F64Add, F64Sub, F64Mul] {
                for d1_left in [true, false] {
                    // No producer, or one writing `a` or `b` and handing it on.
                    for producer in [None, Some(0), Some(1)] {
                        for (d1, d2) in [(3, 4), (0, 4), (3, 3), (3, 2)] {
                            let other = if d1 == 2 { 0 } else { 2 };
                            let (l, r) = if d1_left { (d1, other) } else { (other, d1) };
                            let build = |fused: bool, c: &mut Chain| {
                                if let Some(p) = producer {
                                    binary(F64Mul, p, Operand::Slot(5), Operand::Slot(p), c);
                                }
                                if fused {
                                    assert!(f64_pair((op1, d1, 0, 1), (op2, d2, l, r), c));
                                } else {
                                    binary(op1, d1, Operand::Slot(0), Operand::Slot(1), c);
                                    binary(op2, d2, Operand::Slot(l), Operand::Slot(r), c);
                                }
                            };
                            let (want_code, got_code) = (done(|c| build(false, c)), done(|c| build(true, c)));
                            assert_eq!(got_code.records + 1, want_code.records, "one record for the pair");
                            for &a in &vals {
                                for &b in &vals {
                                    for &cv in &vals {
                                        let (mut want, mut got) = (frame_of(a, b, cv), frame_of(a, b, cv));
                                        let _ = run(&want_code, &mut want, 3);
                                        let _ = run(&got_code, &mut got, 3);
                                        for i in 0..want.len() {
                                            assert!(
                                                same("f64.", got[i], want[i]),
                                                "{op1} {op2} d1_left {d1_left} producer {producer:?} d1 {d1} d2 {d2} \
                                                 ({a}, {b}, {cv}): slot {i} {:#x} vs {:#x}",
                                                got[i],
                                                want[i]
                                            );
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Shapes it leaves alone: the first's result read twice or not at all, other operators.
        let mut c = Chain::new();
        assert!(!f64_pair((F64Mul, 3, 0, 1), (F64Add, 4, 3, 3), &mut c));
        assert!(!f64_pair((F64Mul, 3, 0, 1), (F64Add, 4, 0, 1), &mut c));
        assert!(!f64_pair((F64Div, 3, 0, 1), (F64Add, 4, 3, 2), &mut c));
        assert!(!f64_pair((F64Mul, 3, 0, 1), (BinOp::F32Add, 4, 3, 2), &mut c));
        assert_eq!(c.records, 0);
    }

    /// A fused pair of `i32` operators leaves the frame as the two records would, for every
    /// operator pair it takes, immediate or slot operands, the first operand handed on by the
    /// record before, and destinations aliasing operands.
    #[test]
    fn int_pairs_match_two_records() {
        use BinOp::*;
        let vals: [u64; 6] = [0, 1, 0x8000_0000, 0xFFFF_FFFF, 0x1234_5678, 31];
        // Slots: 0 = a, 1 = b, 2 = c, 3 and 4 = destinations, 5 = a producer's source.
        let mut fused_pairs = 0;
        for op1 in [I32Xor, I32Or, I32Mul, I32Rotl, I32Rotr, I32ShrU, I32ShrS, I32Add, I32And, I32Shl] {
            for op2 in [I32Add, I32Xor, I32Or, I32And, I32Sub, I32Mul] {
                for (b, c) in [
                    (Operand::Slot(1), Operand::Slot(2)),
                    (Operand::Imm(7), Operand::Imm(0xF0F0)),
                    (Operand::Imm(33), Operand::Slot(2)),
                ] {
                    for d1_left in [true, false] {
                        for producer in [false, true] {
                            for (d1, d2) in [(3, 4), (0, 4), (3, 3), (3, 2)] {
                                let c = if c == Operand::Slot(d1) { Operand::Slot(1) } else { c };
                                let (l, r) = if d1_left { (Operand::Slot(d1), c) } else { (c, Operand::Slot(d1)) };
                                if !i32_pair_fits((op1, d1, 0, b), (op2, d2, l, r)) {
                                    continue;
                                }
                                fused_pairs += 1;
                                let build = |fused: bool, ch: &mut Chain| {
                                    if producer {
                                        binary(I32Xor, 0, Operand::Slot(5), Operand::Slot(0), ch);
                                    }
                                    if fused {
                                        assert!(i32_pair((op1, d1, 0, b), (op2, d2, l, r), ch));
                                    } else {
                                        binary(op1, d1, Operand::Slot(0), b, ch);
                                        binary(op2, d2, l, r, ch);
                                    }
                                };
                                let (want_code, got_code) = (done(|ch| build(false, ch)), done(|ch| build(true, ch)));
                                assert_eq!(got_code.records + 1, want_code.records, "one record for the pair");
                                for &x in &vals {
                                    for &y in &vals {
                                        let frame = [x, y, x ^ y, UNTOUCHED, UNTOUCHED, 0x0F0F_0F0F];
                                        let (mut want, mut got) = (frame, frame);
                                        let _ = run(&want_code, &mut want, 3);
                                        let _ = run(&got_code, &mut got, 3);
                                        assert_eq!(got, want, "{op1} {op2} {b:?} {c:?} d1_left {d1_left} producer {producer} d1 {d1} d2 {d2} ({x:#x}, {y:#x})");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // 7 first operators (4 only with an immediate) times 4 second ones were fused.
        assert!(fused_pairs > 200, "{fused_pairs}");
    }

    #[test]
    fn every_binop_agrees_with_fold_in_every_shape() {
        for &op in ALL_BINOPS {
            for &a in POOL {
                for &b in POOL {
                    let want = eval_binary(op, a, b);
                    assert_eq!(fold_binary(op, a, b), want.ok());
                    for shape in 0..4 {
                        let (li, ri) = (shape & 1 != 0, shape & 2 != 0);
                        let c = done(|c| binary(op, 2, slot_or_imm(li, 0, a), slot_or_imm(ri, 1, b), c));
                        let mut frame = [a, b, UNTOUCHED];
                        let what = || format!("{op} {a:#x} {b:#x} shape {shape}");
                        check(run(&c, &mut frame, 2), want, op.name(), &what);
                        assert_eq!(&frame[..2], &[a, b], "{}", what());
                    }
                }
            }
        }
    }

    #[test]
    fn every_unop_agrees_with_fold_in_every_shape() {
        for &op in ALL_UNOPS {
            for &a in POOL {
                let want = eval_unary(op, a);
                assert_eq!(fold_unary(op, a), want.ok());
                for imm in [false, true] {
                    let c = done(|c| unary(op, 1, slot_or_imm(imm, 0, a), c));
                    let mut frame = [a, UNTOUCHED];
                    check(run(&c, &mut frame, 1), want, op.name(), &|| format!("{op} {a:#x} imm {imm}"));
                }
            }
        }
    }

    #[test]
    fn binop_results_use_the_slot_encoding() {
        use BinOp::*;
        assert_eq!(bin_value(I32Add, 0xFFFF_FFFF, 1), Ok(0));
        assert_eq!(bin_value(I32Sub, 0, 1), Ok(0xFFFF_FFFF), "i32 results are zero-extended");
        assert_eq!(bin_value(I32Add, 0xAAAA_0000_0000_0002, 3), Ok(5), "upper bits are ignored");
        assert_eq!(bin_value(I64Sub, 0, 1), Ok(u64::MAX));
        assert_eq!(bin_value(I32LtS, 0xFFFF_FFFF, 0), Ok(1));
        assert_eq!(bin_value(I32LtU, 0xFFFF_FFFF, 0), Ok(0));
        assert_eq!(bin_value(I64LtS, 0xFFFF_FFFF, 0), Ok(0));
        assert_eq!(bin_value(I32Shl, 1, 33), Ok(2));
        assert_eq!(bin_value(I64Rotr, 1, 1), Ok(0x8000_0000_0000_0000));
        assert_eq!(bin_value(I32DivS, 7, 0), Err(IntegerDivideByZero));
        assert_eq!(bin_value(I32DivS, 0x8000_0000, 0xFFFF_FFFF), Err(IntegerOverflow));
        assert_eq!(bin_value(I32RemS, 0x8000_0000, 0xFFFF_FFFF), Ok(0));
        assert_eq!(bin_value(I64DivU, 7, 0), Err(IntegerDivideByZero));
        assert_eq!(bin_value(I32DivU, 7, 0x1_0000_0000), Err(IntegerDivideByZero), "divisor's upper bits ignored");
        let f32b = |x: f32| x.to_bits() as u64;
        let f64b = |x: f64| x.to_bits();
        assert_eq!(bin_value(F32Add, f32b(1.5), f32b(1.5)), Ok(f32b(3.0)));
        assert_eq!(bin_value(F32Min, f32b(-0.0), f32b(0.0)), Ok(f32b(-0.0)));
        assert_eq!(bin_value(F64Mul, f64b(2.5), f64b(-2.0)), Ok(f64b(-5.0)));
        assert_eq!(bin_value(F64Lt, f64b(1.0), f64b(f64::NAN)), Ok(0));
        assert_eq!(bin_value(F32Ne, f32b(f32::NAN), f32b(f32::NAN)), Ok(1));
        assert_eq!(bin_value(F64Copysign, f64b(2.5), f64b(-0.0)), Ok(f64b(-2.5)));
    }

    #[test]
    fn unop_results_use_the_slot_encoding() {
        use UnOp::*;
        let un = |op, v| fold_unary(op, v);
        assert_eq!(un(I32Eqz, 0x1_0000_0000), Some(1), "upper bits are ignored");
        assert_eq!(un(I64Eqz, 0x1_0000_0000), Some(0));
        assert_eq!(un(I32Clz, 0), Some(32));
        assert_eq!(un(I64Ctz, 0), Some(64));
        assert_eq!(un(I32Extend8S, 0x80), Some(0xFFFF_FF80));
        assert_eq!(un(I64Extend32S, 0x8000_0000), Some(0xFFFF_FFFF_8000_0000));
        assert_eq!(un(I32WrapI64, 0x1_2345_6789), Some(0x2345_6789));
        assert_eq!(un(I64ExtendI32S, 0xFFFF_FFFF), Some(u64::MAX));
        assert_eq!(un(I64ExtendI32U, 0xABCD_0000_FFFF_FFFF), Some(0xFFFF_FFFF));
        assert_eq!(un(F32Neg, 0x7FC0_0001), Some(0xFFC0_0001), "NaN payload kept");
        assert_eq!(un(F64Abs, (-2.5f64).to_bits()), Some(2.5f64.to_bits()));
        assert_eq!(un(F64PromoteF32, 1.5f32.to_bits() as u64), Some(1.5f64.to_bits()));
        assert_eq!(un(F32DemoteF64, 1.5f64.to_bits()), Some(1.5f32.to_bits() as u64));
        assert_eq!(un(I32TruncF32S, (-1.5f32).to_bits() as u64), Some(0xFFFF_FFFF));
        assert_eq!(un(I32TruncSatF64U, (-1e10f64).to_bits()), Some(0));
        assert_eq!(un(F32ConvertI32U, 0xFFFF_FFFF), Some(4294967296f32.to_bits() as u64));
        assert_eq!(un(RefIsNull, 0), Some(1));
        assert_eq!(un(RefIsNull, 5), Some(0));
        assert_eq!(eval_unary(I32TruncF32S, f32::NAN.to_bits() as u64), Err(InvalidConversionToInteger));
        assert_eq!(eval_unary(I32TruncF32U, 3e10f32.to_bits() as u64), Err(IntegerOverflow));
        assert_eq!(un(I64TruncF64U, f64::INFINITY.to_bits()), None);
    }

    #[test]
    fn division_by_zero_signals_a_trap() {
        let c = done(|c| binary(BinOp::I32DivS, 2, Operand::Slot(0), Operand::Slot(1), c));
        let mut frame = [10u64, 0, UNTOUCHED];
        let mut ctx = test_ctx(&mut []);
        assert_eq!(c.call(&mut ctx, frame.as_mut_ptr()), SIGNAL);
        assert!(matches!(ctx.signal, Signal::Trap(IntegerDivideByZero)));
        assert_eq!(frame[2], UNTOUCHED);
        // Trapping with all-immediate operands is decided at construction but still happens at run time.
        let c = done(|c| binary(BinOp::I64RemU, 0, Operand::Imm(1), Operand::Imm(0), c));
        let mut ctx = test_ctx(&mut []);
        assert_eq!(c.call(&mut ctx, frame.as_mut_ptr()), SIGNAL);
        assert!(matches!(ctx.signal, Signal::Trap(IntegerDivideByZero)));
    }

    #[test]
    fn destination_may_alias_an_operand() {
        let c = done(|c| binary(BinOp::I32Sub, 1, Operand::Slot(0), Operand::Slot(1), c));
        let mut frame = [10u64, 3];
        assert!(matches!(run(&c, &mut frame, 1), Outcome::Value(7)));
        let c = done(|c| unary(UnOp::I64Popcnt, 0, Operand::Slot(0), c));
        let mut frame = [u64::MAX];
        assert!(matches!(run(&c, &mut frame, 0), Outcome::Value(64)));
        let c = done(|c| select(0, Operand::Slot(0), Operand::Slot(1), Operand::Slot(0), c));
        let mut frame = [1u64, 42];
        assert!(matches!(run(&c, &mut frame, 0), Outcome::Value(42)));
    }

    #[test]
    fn copy_and_select_in_every_shape() {
        let mut frame = [9u64, UNTOUCHED];
        assert!(matches!(run(&done(|c| copy(1, Operand::Slot(0), c)), &mut frame, 1), Outcome::Value(9)));
        assert!(matches!(run(&done(|c| copy(1, Operand::Imm(u64::MAX), c)), &mut frame, 1), Outcome::Value(u64::MAX)));
        assert!(matches!(run(&done(|c| copy(0, Operand::Slot(0), c)), &mut frame, 0), Outcome::Value(9)));

        // cond in slot 0, candidates in slots 1 and 2, result in slot 3.
        let (x, y) = (0x1111_2222_3333_4444u64, 0xAAAA_BBBB_CCCC_DDDDu64);
        for cond in [0u64, 1, 0xFFFF_FFFF, 0x1_0000_0000] {
            let want = if cond as u32 != 0 { x } else { y };
            for shape in 0..8 {
                let (ci, ai, bi) = (shape & 1 != 0, shape & 2 != 0, shape & 4 != 0);
                let c = done(|c| select(3, slot_or_imm(ci, 0, cond), slot_or_imm(ai, 1, x), slot_or_imm(bi, 2, y), c));
                let mut frame = [cond, x, y, UNTOUCHED];
                check(run(&c, &mut frame, 3), Ok(want), "select", &|| format!("select {cond:#x} shape {shape}"));
            }
        }
    }

    /// Runs a branch terminator, returning the block it chose or the trap.
    fn take(code: &Code, frame: &mut [u64]) -> Result<u32, TrapCode> {
        let mut ctx = test_ctx(&mut []);
        match code.call(&mut ctx, frame.as_mut_ptr()) {
            SIGNAL => match ctx.signal {
                Signal::Trap(c) => Err(c),
                _ => panic!("SIGNAL without a trap"),
            },
            b => Ok(b),
        }
    }

    #[test]
    fn fused_compare_branches_agree_with_fold_in_every_shape() {
        let (then, els) = (11, 22);
        for &op in ALL_BINOPS {
            assert_eq!(
                compare_branch(
                    op,
                    Operand::Slot(0),
                    Operand::Slot(1),
                    Target::index(0),
                    Target::index(1),
                    Chain::new()
                )
                .is_some(),
                op.is_int_compare()
            );
            // Non-compares and float compares go through the generic fallback; cover a few.
            if !op.is_int_compare() && !matches!(op, BinOp::F64Lt | BinOp::I32And | BinOp::I32DivU) {
                continue;
            }
            for &a in POOL {
                for &b in POOL {
                    let want = eval_binary(op, a, b).map(|v| if v as u32 != 0 { then } else { els });
                    for shape in 0..4 {
                        let (li, ri) = (shape & 1 != 0, shape & 2 != 0);
                        let cond = Cond::Compare(op, slot_or_imm(li, 0, a), slot_or_imm(ri, 1, b));
                        let mut frame = [a, b];
                        assert_eq!(
                            take(&branch(cond, Target::index(then), Target::index(els), Chain::new()), &mut frame),
                            want,
                            "{op} {a:#x} {b:#x} shape {shape}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn zero_and_nonzero_branches() {
        for v in [0u64, 1, 0x8000_0000, 0x1_0000_0000] {
            let nz = v as u32 != 0;
            let mut frame = [v];
            for imm in [false, true] {
                let o = slot_or_imm(imm, 0, v);
                assert_eq!(
                    take(&branch(Cond::NonZero(o), Target::index(1), Target::index(2), Chain::new()), &mut frame),
                    Ok(if nz { 1 } else { 2 })
                );
                assert_eq!(
                    take(&branch(Cond::Zero(o), Target::index(1), Target::index(2), Chain::new()), &mut frame),
                    Ok(if nz { 2 } else { 1 })
                );
            }
        }
        // Equal targets: no test needed, unless the compare itself can trap.
        let mut frame = [0u64];
        assert_eq!(
            take(
                &branch(Cond::NonZero(Operand::Slot(0)), Target::index(5), Target::index(5), Chain::new()),
                &mut frame
            ),
            Ok(5)
        );
        let cond = Cond::Compare(BinOp::I32DivU, Operand::Imm(1), Operand::Slot(0));
        assert_eq!(
            take(&branch(cond, Target::index(5), Target::index(5), Chain::new()), &mut frame),
            Err(IntegerDivideByZero)
        );
    }
}
