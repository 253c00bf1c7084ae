//! Closures for linear-memory loads and stores.
//!
//! The effective address is `(addr as u32) + offset`, computed in `u64` so it cannot wrap
//! (`offset < 2^32`), and an access of `N` bytes is in bounds iff `ea + N <= mem_len`. Most
//! closures keep `offset + N` instead of the offset, so one sum gives both the bounds check
//! and (minus `N`, a displacement in the machine instruction) the access ([`host_end`]). The
//! memory base and length are re-read from [`Ctx`] on every access because `memory.grow` (in
//! this or any called function) may move and resize the memory between two accesses.
//!
//! As in [`super::numeric`], the constructors are generic over the memory word type (and, for
//! loads, the extension function), so each operator and operand shape (address slot or
//! immediate; for stores also value slot or immediate) gets its own closure with immediates
//! pre-decoded. Accesses use unaligned reads/writes because Wasm allows any alignment.

use super::{rd, with_src, wr, Acc, Chain, Forward, FromAcc, FromSlot, LoadThen, LoadWidth, Src, TermSrc, CONTINUE};
use crate::error::TrapCode;
use crate::exec::Ctx;
use crate::translate::ir::{LoadOp, Operand, Slot, StoreOp};
use std::mem::size_of;

// Wasm memory is little-endian and the accesses below copy bytes in host order.
#[cfg(target_endian = "big")]
compile_error!("the engine's memory accesses assume a little-endian host");

/// The host address of the `size_of::<T>()` bytes that end at `end`, the effective address
/// plus the access's size, or `None` if they are not all inside the current memory. A
/// closure adds its offset and its size once, when it is built ([`end_of`]): at run time the
/// bounds check and the access share one sum (`ea + N <= len`, then the word at `end - N`).
#[inline(always)]
fn host_end<T>(ctx: &Ctx, end: u64) -> Option<*mut T> {
    Mem::of(ctx).ending_at(end)
}

/// What a closure adds to an address to get the end of its access: the static offset (under
/// 2^32 for a 32-bit memory) plus the word's size.
fn end_of<T>(offset: u64) -> u64 {
    offset + size_of::<T>() as u64
}

/// The current memory's base and length, as one access reads them or as a loop without calls
/// keeps them in registers (it cannot grow or move meanwhile).
#[derive(Clone, Copy)]
pub(super) struct Mem {
    base: *mut u8,
    len: u64,
}

impl Mem {
    #[inline(always)]
    pub(super) fn of(ctx: &Ctx) -> Mem {
        Mem { base: ctx.mem_base, len: ctx.mem_len as u64 }
    }

    /// [`host_end`] for this memory, the one bounds check of every access. `end` is an
    /// effective address plus `size_of::<T>()` (as [`end_of`] builds it), so it is never
    /// below that size.
    #[inline(always)]
    pub(super) fn ending_at<T>(self, end: u64) -> Option<*mut T> {
        if end <= self.len {
            // SAFETY: `size_of::<T>() <= end <= len` (see above), so the word lies inside the
            // memory.
            Some(unsafe { self.base.add(end as usize).sub(size_of::<T>()) }.cast::<T>())
        } else {
            None
        }
    }
}

/// A memory word a store writes (the low `size_of::<Self>()` bytes of a slot) or a load
/// reads (zero-extended back into one).
pub(super) trait Word: Copy + Into<u64> + Send + Sync + 'static {
    fn wrap(bits: u64) -> Self;
}

macro_rules! word {
    ($($t:ty),*) => {$(
        impl Word for $t {
            #[inline(always)]
            fn wrap(bits: u64) -> Self {
                bits as $t
            }
        }
    )*};
}
word!(u8, u16, u32, u64);

/// `dst = ext(mem[addr + offset] as T)`.
fn ld<T: Copy + 'static>(
    ext: impl Fn(T) -> u64 + Send + Sync + 'static,
    dst: Slot,
    addr: Operand,
    offset: u64,
    out: &mut Chain,
) {
    // SAFETY (both closures): slots named by the translator lie inside the frame, and
    // `host_end` only returns pointers to in-bounds bytes, which may be unaligned.
    let end = end_of::<T>(offset);
    match addr {
        Operand::Slot(a) => with_src!(out, a, |a| out.op(Some(dst), move |ctx, fp, acc| {
            let end = unsafe { a.get(fp, acc) } as u32 as u64 + end;
            let Some(p) = host_end::<T>(ctx, end) else {
                return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
            };
            let v = ext(unsafe { p.read_unaligned() });
            unsafe { wr(fp, dst, v) };
            (CONTINUE, Acc::new(v))
        })),
        Operand::Imm(a) => {
            let end = a as u32 as u64 + end;
            out.op(Some(dst), move |ctx, fp, _| {
                let Some(p) = host_end::<T>(ctx, end) else {
                    return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
                };
                let v = ext(unsafe { p.read_unaligned() });
                unsafe { wr(fp, dst, v) };
                (CONTINUE, Acc::new(v))
            })
        }
    }
}

/// `mem[addr + offset] = value as T` (truncated to the word).
fn st<T: Word>(addr: Operand, value: Operand, offset: u64, out: &mut Chain) {
    // The address is checked before the value is read: both are plain slot reads, so the
    // order is unobservable, and it keeps the shapes uniform.
    // SAFETY (all closures): slots named by the translator lie inside the frame, and
    // `host_end` only returns pointers to in-bounds bytes, which may be unaligned.
    match (addr, value) {
        // The address or else the value may come from the statement before (`with_src!`).
        (Operand::Slot(a), Operand::Slot(v)) => match out.take_forward(a) {
            Some(Forward::Add(a)) => st_slots::<T>(a, FromSlot(v), offset, out),
            Some(Forward::And(a)) => st_slots::<T>(a, FromSlot(v), offset, out),
            Some(Forward::AddOnAcc(a)) => st_slots::<T>(a, FromSlot(v), offset, out),
            Some(Forward::AndOnAcc(a)) => st_slots::<T>(a, FromSlot(v), offset, out),
            Some(Forward::AddSlots(a)) => st_slots::<T>(a, FromSlot(v), offset, out),
            None if out.acc_holds(a) => st_slots::<T>(FromAcc, FromSlot(v), offset, out),
            None => with_src!(out, v, |v| st_slots::<T>(FromSlot(a), v, offset, out)),
        },
        (Operand::Slot(a), Operand::Imm(v)) => {
            let (v, end) = (T::wrap(v), end_of::<T>(offset));
            out.statement(move |ctx, fp| {
                let end = unsafe { rd(fp, a) } as u32 as u64 + end;
                let Some(p) = host_end::<T>(ctx, end) else {
                    return ctx.trap(TrapCode::MemoryOutOfBounds);
                };
                unsafe { p.write_unaligned(v) };
                CONTINUE
            })
        }
        (Operand::Imm(a), Operand::Slot(v)) => {
            let end = a as u32 as u64 + end_of::<T>(offset);
            out.statement(move |ctx, fp| {
                let Some(p) = host_end::<T>(ctx, end) else {
                    return ctx.trap(TrapCode::MemoryOutOfBounds);
                };
                unsafe { p.write_unaligned(T::wrap(rd(fp, v))) };
                CONTINUE
            })
        }
        (Operand::Imm(a), Operand::Imm(v)) => {
            let (end, v) = (a as u32 as u64 + end_of::<T>(offset), T::wrap(v));
            out.statement(move |ctx, _fp| {
                let Some(p) = host_end::<T>(ctx, end) else {
                    return ctx.trap(TrapCode::MemoryOutOfBounds);
                };
                unsafe { p.write_unaligned(v) };
                CONTINUE
            })
        }
    }
}

/// `mem[a + offset] = v as T` for slot operands; `a` is got before `v` (the address is
/// checked first, as in [`st`]'s other shapes).
fn st_slots<T: Word>(a: impl Src, v: impl Src, offset: u64, out: &mut Chain) {
    // SAFETY: slots named by the translator lie inside the frame, and `host_end` only
    // returns pointers to in-bounds bytes, which may be unaligned.
    let end = end_of::<T>(offset);
    out.op(None, move |ctx, fp, acc| {
        let end = unsafe { a.get(fp, acc) } as u32 as u64 + end;
        let Some(p) = host_end::<T>(ctx, end) else {
            return (ctx.trap(TrapCode::MemoryOutOfBounds), acc);
        };
        unsafe { p.write_unaligned(T::wrap(v.get(fp, acc))) };
        (CONTINUE, acc)
    })
}

/// Pushes a held-back load (see [`super::Prefix::Load`]) as a statement of its own.
pub(super) fn push_load(l: super::LoadZx, out: &mut Chain) {
    let (dst, addr, offset) = (l.dst, Operand::Slot(l.addr), l.offset as u64);
    match l.width {
        LoadWidth::U8 => ld(|v: u8| v as u64, dst, addr, offset, out),
        LoadWidth::U32 => ld(|v: u32| v as u64, dst, addr, offset, out),
    }
}

impl<T: Copy + Into<u64> + 'static> TermSrc for LoadThen<T> {
    #[inline(always)]
    unsafe fn fetch(&self, ctx: &mut Ctx, fp: *mut u64, _: Acc) -> Option<u64> {
        let end = rd(fp, self.addr) as u32 as u64 + end_of::<T>(self.offset as u64);
        let Some(p) = host_end::<T>(ctx, end) else {
            ctx.trap(TrapCode::MemoryOutOfBounds);
            return None;
        };
        // SAFETY: `host_end` only returns pointers to in-bounds bytes, which may be unaligned.
        let v: u64 = p.read_unaligned().into();
        wr(fp, self.dst, v);
        Some(v)
    }
}

/// `dst = op [addr + offset]`, sign- or zero-extended per the operator into the slot encoding
/// (i32 results zero-extended to 64 bits even when sign-extended to 32).
pub(crate) fn load(op: LoadOp, dst: Slot, addr: Operand, offset: u64, out: &mut Chain) {
    match op {
        // A zero-extending i32 load the block's terminator may read is held back, for the
        // terminator to do it (unless its address comes from the statement just before).
        LoadOp::I32Load | LoadOp::I32Load8U
            if matches!(addr, Operand::Slot(a) if !out.has_forward(a)) && offset <= u32::MAX as u64 =>
        {
            let Operand::Slot(a) = addr else { unreachable!("matched a slot") };
            let width = if op == LoadOp::I32Load { LoadWidth::U32 } else { LoadWidth::U8 };
            out.load_zx(super::LoadZx { width, dst, addr: a, offset: offset as u32 })
        }
        LoadOp::I32Load | LoadOp::F32Load | LoadOp::I64Load32U => ld(|v: u32| v as u64, dst, addr, offset, out),
        LoadOp::I64Load | LoadOp::F64Load => ld(|v: u64| v, dst, addr, offset, out),
        LoadOp::I32Load8S => ld(|v: i8| v as i32 as u32 as u64, dst, addr, offset, out),
        LoadOp::I32Load16S => ld(|v: i16| v as i32 as u32 as u64, dst, addr, offset, out),
        LoadOp::I32Load8U | LoadOp::I64Load8U => ld(|v: u8| v as u64, dst, addr, offset, out),
        LoadOp::I32Load16U | LoadOp::I64Load16U => ld(|v: u16| v as u64, dst, addr, offset, out),
        LoadOp::I64Load8S => ld(|v: i8| v as i64 as u64, dst, addr, offset, out),
        LoadOp::I64Load16S => ld(|v: i16| v as i64 as u64, dst, addr, offset, out),
        LoadOp::I64Load32S => ld(|v: i32| v as i64 as u64, dst, addr, offset, out),
    }
}

/// The word a load reads if it zero-extends a 32-bit word (`i32.load`, `f32.load`,
/// `i64.load32_u`) or reads a whole 64-bit one, the loads [`load_pair`] and [`load_store`]
/// take.
fn load_word(op: LoadOp) -> Option<PairWord> {
    match op {
        LoadOp::I32Load | LoadOp::F32Load | LoadOp::I64Load32U => Some(PairWord::U32),
        LoadOp::I64Load | LoadOp::F64Load => Some(PairWord::U64),
        _ => None,
    }
}

/// The word a 32-bit or 64-bit store writes, the stores [`store_pair`] and [`load_store`] take.
fn store_word(op: StoreOp) -> Option<PairWord> {
    match op {
        StoreOp::I32Store | StoreOp::F32Store | StoreOp::I64Store32 => Some(PairWord::U32),
        StoreOp::I64Store | StoreOp::F64Store => Some(PairWord::U64),
        _ => None,
    }
}

/// The word two loads in a row both read, if [`load_pair`] can do them as one record.
pub(crate) fn pair_word(first: LoadOp, second: LoadOp) -> Option<PairWord> {
    load_word(first).filter(|&w| load_word(second) == Some(w))
}

/// The memory word of a [`load_pair`] or [`store_pair`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PairWord {
    U32,
    U64,
}

/// Two loads of the same word in a row as one record (see [`pair_word`]): `d1 = [a1 + o1]`,
/// then `d2 = [a2 + o2]`, the second address read after `d1` is written (so `a2` may be
/// `d1`). A float kernel's operands (`c[j]` and `b[j]` in a matrix product), an interpreter
/// reading two fields of an object. The first address may come from the statement before
/// ([`with_src!`]); the second value is handed on.
pub(crate) fn load_pair(word: PairWord, first: (Slot, Slot, u64), second: (Slot, Slot, u64), out: &mut Chain) {
    fn build<T: Word>(first: (Slot, Slot, u64), second: (Slot, Slot, u64), out: &mut Chain) {
        let ((d1, a1, o1), (d2, a2, o2)) = (first, second);
        let (end1, end2) = (end_of::<T>(o1), end_of::<T>(o2));
        // SAFETY: slots named by the translator lie inside the frame, and `host_end` only
        // returns pointers to in-bounds bytes, which may be unaligned.
        with_src!(out, a1, |a| out.op(Some(d2), move |ctx, fp, acc| unsafe {
            let Some(p) = host_end::<T>(ctx, a.get(fp, acc) as u32 as u64 + end1) else {
                return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
            };
            wr(fp, d1, p.read_unaligned().into());
            let Some(p) = host_end::<T>(ctx, rd(fp, a2) as u32 as u64 + end2) else {
                return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
            };
            let v = p.read_unaligned().into();
            wr(fp, d2, v);
            (CONTINUE, Acc::new(v))
        }))
    }
    match word {
        PairWord::U32 => build::<u32>(first, second, out),
        PairWord::U64 => build::<u64>(first, second, out),
    }
}

/// The word two stores in a row both write, if [`store_pair`] can do them as one record.
pub(crate) fn store_pair_word(first: StoreOp, second: StoreOp) -> Option<PairWord> {
    store_word(first).filter(|&w| store_word(second) == Some(w))
}

/// Two stores of the same word in a row, all four operands slots, as one record:
/// `[a1 + o1] = v1`, then `[a2 + o2] = v2`. An interpreter writing an object's fields or
/// two stack entries. The second store is not done if the first traps; the first address may
/// come from the statement before ([`with_src!`]). Hands on what it was given, like a store.
pub(crate) fn store_pair(word: PairWord, first: (Slot, Slot, u64), second: (Slot, Slot, u64), out: &mut Chain) {
    fn build<T: Word>(first: (Slot, Slot, u64), second: (Slot, Slot, u64), out: &mut Chain) {
        let ((a1, v1, o1), (a2, v2, o2)) = (first, second);
        let (end1, end2) = (end_of::<T>(o1), end_of::<T>(o2));
        // SAFETY: slots named by the translator lie inside the frame, and `host_end` only
        // returns pointers to in-bounds bytes, which may be unaligned.
        with_src!(out, a1, |a| out.op(None, move |ctx, fp, acc| unsafe {
            let Some(p) = host_end::<T>(ctx, a.get(fp, acc) as u32 as u64 + end1) else {
                return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
            };
            p.write_unaligned(T::wrap(rd(fp, v1)));
            let Some(p) = host_end::<T>(ctx, rd(fp, a2) as u32 as u64 + end2) else {
                return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
            };
            p.write_unaligned(T::wrap(rd(fp, v2)));
            (CONTINUE, acc)
        }))
    }
    match word {
        PairWord::U32 => build::<u32>(first, second, out),
        PairWord::U64 => build::<u64>(first, second, out),
    }
}

/// Whether a `load` then a `store` of its value move one word unchanged: both 32-bit (the
/// load zero-extending) or both 64-bit, so [`load_store`] can do them as one record.
pub(crate) fn moves_word(load: LoadOp, store: StoreOp) -> bool {
    load_word(load).is_some() && load_word(load) == store_word(store)
}

/// `t = [a + o]; [b + p] = t` as one record (see [`moves_word`]): an interpreter pushing a
/// variable onto its value stack, or popping one into a variable. The store's address may
/// come from an `i32` add of an immediate held back before the load (the stack pointer's
/// step: `sp' = sp - 4; t = [fp + 16]; [sp'] = t`); it is done first, in program order. The
/// store's address slot is read before the load writes `t`, so `b != t`; the load's value is
/// handed on. Falls back to one record each when the load's address comes from the statement
/// before or some other held-back statement writes the store's address.
pub(crate) fn load_store(ops: (LoadOp, StoreOp), (t, a, o): (Slot, Slot, u64), (b, p): (Slot, u64), out: &mut Chain) {
    debug_assert!(b != t && moves_word(ops.0, ops.1), "a word moved, the store's address read before the load");
    if out.has_forward(a) || (out.has_forward(b) && !out.pending_add_imm32(b)) {
        load(ops.0, t, Operand::Slot(a), o, out);
        return store(ops.1, Operand::Slot(b), Operand::Slot(t), p, out);
    }
    fn record<T: Word>(a: impl Src, b: impl Src, t: Slot, o: u64, p: u64, out: &mut Chain) {
        let (end_ld, end_st) = (end_of::<T>(o), end_of::<T>(p));
        // SAFETY: slots named by the translator lie inside the frame; `host_end` only returns
        // pointers to in-bounds bytes, which may be unaligned; `a` and `b` read `acc` only if
        // the chain says the previous record set it.
        out.op(Some(t), move |ctx, fp, acc| unsafe {
            // The store's address first: a held-back add writing it came before the load.
            let to = b.get(fp, acc) as u32 as u64 + end_st;
            let Some(src) = host_end::<T>(ctx, a.get(fp, acc) as u32 as u64 + end_ld) else {
                return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
            };
            let v = src.read_unaligned();
            wr(fp, t, v.into());
            let Some(dst) = host_end::<T>(ctx, to) else {
                return (ctx.trap(TrapCode::MemoryOutOfBounds), Acc::uninit());
            };
            dst.write_unaligned(v);
            (CONTINUE, Acc::new(v.into()))
        })
    }
    fn with_load_addr<T: Word>(b: impl Src, a: Slot, t: Slot, o: u64, p: u64, out: &mut Chain) {
        if out.acc_holds(a) {
            record::<T>(FromAcc, b, t, o, p, out)
        } else {
            record::<T>(FromSlot(a), b, t, o, p, out)
        }
    }
    fn build<T: Word>(t: Slot, a: Slot, o: u64, b: Slot, p: u64, out: &mut Chain) {
        // The add (if any) is taken first: the load's address source is decided after it,
        // once the chain knows whether the register still holds `a`.
        match out.take_forward(b) {
            Some(Forward::Add(s)) => with_load_addr::<T>(s, a, t, o, p, out),
            Some(Forward::AddOnAcc(s)) => with_load_addr::<T>(s, a, t, o, p, out),
            Some(_) => unreachable!("only an add of an immediate is taken over"),
            None if out.acc_holds(b) => with_load_addr::<T>(FromAcc, a, t, o, p, out),
            None => with_load_addr::<T>(FromSlot(b), a, t, o, p, out),
        }
    }
    match load_word(ops.0) {
        Some(PairWord::U64) => build::<u64>(t, a, o, b, p, out),
        _ => build::<u32>(t, a, o, b, p, out),
    }
}

/// `op [addr + offset] = value`, storing the low bytes of the value's slot bits.
pub(crate) fn store(op: StoreOp, addr: Operand, value: Operand, offset: u64, out: &mut Chain) {
    match op {
        StoreOp::I32Store8 | StoreOp::I64Store8 => st::<u8>(addr, value, offset, out),
        StoreOp::I32Store16 | StoreOp::I64Store16 => st::<u16>(addr, value, offset, out),
        StoreOp::I32Store | StoreOp::F32Store | StoreOp::I64Store32 => st::<u32>(addr, value, offset, out),
        StoreOp::I64Store | StoreOp::F64Store => st::<u64>(addr, value, offset, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::testing::{done, DONE};
    use crate::codegen::{Code, SIGNAL};
    use crate::exec::Signal;

    const UNTOUCHED: u64 = 0x5A5A_5A5A_5A5A_5A5A;

    /// The single place a test context is built: memory is `mem`.
    fn test_ctx(mem: &mut [u8]) -> Ctx {
        Ctx::for_tests(mem)
    }

    /// Runs `code` against memory `mem` with frame `frame`; `Err` is the trap it signalled.
    fn run(code: &Code, mem: &mut [u8], frame: &mut [u64]) -> Result<(), TrapCode> {
        let mut ctx = test_ctx(mem);
        match code.call(&mut ctx, frame.as_mut_ptr()) {
            DONE => Ok(()),
            SIGNAL => match ctx.signal {
                Signal::Trap(c) => Err(c),
                _ => panic!("SIGNAL without a trap"),
            },
            r => panic!("unexpected return {r}"),
        }
    }

    /// Two loads as one record (64-bit and 32-bit words) read what two load records read, in
    /// order (the second address may be the first's result), with the first address from a
    /// held-back add, and trap like them: nothing written when the first is out of bounds,
    /// the first result written when only the second is.
    #[test]
    fn load_pairs_match_two_loads() {
        let mut mem: Vec<u8> = (0..64u8).map(|b| b.wrapping_mul(37)).collect();
        // Word 40 holds 8, so a pointer chase from 40 reads [8..16].
        mem[40..48].copy_from_slice(&8u64.to_le_bytes());
        let len = mem.len() as u64;
        // (a1, o1, a2 is d1?, o2): in bounds, a chase, then out of bounds at either load.
        for (x, o1, chase, y, o2) in [
            (0, 8, false, 16, 0),
            (40, 0, true, 0, 4),
            (len - 4, 0, false, 0, 0),
            (0, 0, false, len, 0),
            (0, 0, false, 1, len - 8),
        ] {
            // Slots: 0 = x (first address, via a held-back add of 0), 1 = y, 2 = d1, 3 = d2, 4 = the add's source.
            let a2 = if chase { 2 } else { 1 };
            let pair = done(|c| {
                c.add_imm32(0, 4, 0);
                load_pair(PairWord::U64, (2, 0, o1), (3, a2, o2), c)
            });
            let pair32 = done(|c| {
                c.add_imm32(0, 4, 0);
                load_pair(PairWord::U32, (2, 0, o1 + 4), (3, a2, o2), c)
            });
            let two32 = done(|c| {
                c.add_imm32(0, 4, 0);
                load(LoadOp::I32Load, 2, Operand::Slot(0), o1 + 4, c);
                load(LoadOp::F32Load, 3, Operand::Slot(a2), o2, c);
            });
            let two = done(|c| {
                c.add_imm32(0, 4, 0);
                load(LoadOp::I64Load, 2, Operand::Slot(0), o1, c);
                load(LoadOp::F64Load, 3, Operand::Slot(a2), o2, c);
            });
            for (pair, two) in [(pair, two), (pair32, two32)] {
                assert!(pair.records < two.records, "{x} {o1} {y} {o2}: one record fewer");
                let (mut want, mut got) = ([0, y, UNTOUCHED, UNTOUCHED, x], [0, y, UNTOUCHED, UNTOUCHED, x]);
                let r_want = run(&two, &mut mem, &mut want);
                let r_got = run(&pair, &mut mem, &mut got);
                assert_eq!(r_got, r_want, "{x} {o1} {y} {o2}");
                // After a trap the frame is never read again; the slots still match up to it.
                assert_eq!(got[2], want[2], "{x} {o1} {y} {o2}: first result");
                if r_want.is_ok() {
                    assert_eq!(got, want, "{x} {o1} {y} {o2}");
                }
            }
        }
    }

    /// A block with the statements `build` appends, optionally after a record that sets a
    /// slot from another, `(dst, src)`, and hands the value on in the register.
    fn after_handing_on(held: Option<(Slot, Slot)>, build: impl FnOnce(&mut Chain)) -> Code {
        done(|c| {
            if let Some((dst, src)) = held {
                use crate::translate::ir::BinOp;
                crate::codegen::numeric::binary(BinOp::I32Or, dst, Operand::Slot(src), Operand::Imm(0), c);
            }
            build(c)
        })
    }

    /// A load and a store of its value as one record do what the two records do, for both
    /// words, with the store's address from a held-back add or a slot, the load's address
    /// from the register or a slot, and a trap at either access (nothing stored when the load
    /// traps; the loaded value written when only the store does).
    #[test]
    fn load_store_matches_two_records() {
        let len = 64u64;
        // Slots: 0 = the add's source, 1 = the store's address, 2 = the load's address,
        // 3 = the value moved, 4 = what slot 2 is set from when it is handed on.
        for ops in [(LoadOp::I32Load, StoreOp::I32Store), (LoadOp::F64Load, StoreOp::I64Store)] {
            for (from, to) in [(8, 24), (0, len - 8), (len - 2, 0), (4, len - 2), (len, len)] {
                for (held_add, in_acc) in [(false, false), (true, false), (false, true), (true, true)] {
                    let build = |fused: bool| {
                        after_handing_on(in_acc.then_some((2, 4)), |c| {
                            if held_add {
                                c.add_imm32(1, 0, (-4i32) as u32);
                            }
                            if fused {
                                load_store(ops, (3, 2, 0), (1, 0), c);
                            } else {
                                load(ops.0, 3, Operand::Slot(2), 0, c);
                                store(ops.1, Operand::Slot(1), Operand::Slot(3), 0, c);
                            }
                        })
                    };
                    let (fused, two) = (build(true), build(false));
                    assert!(fused.records < two.records, "{ops:?}: one record fewer");
                    // Slots 1 and 2 start wrong when the held-back add or the record before
                    // sets them.
                    let frame = [
                        to + 4,
                        if held_add { len + 200 } else { to },
                        if in_acc { len + 100 } else { from },
                        UNTOUCHED,
                        from,
                    ];
                    let (mut got, mut want) = (frame, frame);
                    let (mut mem_got, mut mem_want): (Vec<u8>, Vec<u8>) =
                        ((0..len as u8).collect(), (0..len as u8).collect());
                    let r_want = run(&two, &mut mem_want, &mut want);
                    let r_got = run(&fused, &mut mem_got, &mut got);
                    let case = format!("{ops:?} {from}->{to} add {held_add} acc {in_acc}");
                    assert_eq!(r_got, r_want, "{case}");
                    assert_eq!(mem_got, mem_want, "{case}: memory");
                    assert_eq!(got[3], want[3], "{case}: the value moved");
                    if r_want.is_ok() {
                        assert_eq!(got, want, "{case}");
                    }
                }
            }
        }
    }

    /// Two stores as one record do what two store records do, in order: nothing written when
    /// the first traps, the first written when only the second does; the second may
    /// overwrite the first.
    #[test]
    fn store_pairs_match_two_stores() {
        let len = 32u64;
        for (word, op) in [(PairWord::U32, StoreOp::I32Store), (PairWord::U64, StoreOp::F64Store)] {
            for (x, y) in [(0, 16), (4, 4), (2, 6), (len - 4, 0), (0, len - 3), (len, 0)] {
                for held_add in [false, true] {
                    let build = |fused: bool| {
                        done(|c| {
                            if held_add {
                                c.add_imm32(0, 4, 0);
                            }
                            if fused {
                                store_pair(word, (0, 1, 0), (2, 3, 0), c);
                            } else {
                                store(op, Operand::Slot(0), Operand::Slot(1), 0, c);
                                store(op, Operand::Slot(2), Operand::Slot(3), 0, c);
                            }
                        })
                    };
                    let (fused, two) = (build(true), build(false));
                    assert!(fused.records < two.records, "one record fewer");
                    let frame = [x, 0x1122_3344_5566_7788, y, 0x99AA_BBCC_DDEE_FF00, x];
                    let (mut got, mut want) = (frame, frame);
                    let (mut mem_got, mut mem_want) = (vec![0u8; len as usize], vec![0u8; len as usize]);
                    let r_want = run(&two, &mut mem_want, &mut want);
                    assert_eq!(run(&fused, &mut mem_got, &mut got), r_want, "{word:?} {x} {y} {held_add}");
                    assert_eq!(mem_got, mem_want, "{word:?} {x} {y} {held_add}");
                    assert_eq!(got, want);
                }
            }
        }
    }

    const LOADS: &[LoadOp] = &[
        LoadOp::I32Load,
        LoadOp::I64Load,
        LoadOp::F32Load,
        LoadOp::F64Load,
        LoadOp::I32Load8S,
        LoadOp::I32Load8U,
        LoadOp::I32Load16S,
        LoadOp::I32Load16U,
        LoadOp::I64Load8S,
        LoadOp::I64Load8U,
        LoadOp::I64Load16S,
        LoadOp::I64Load16U,
        LoadOp::I64Load32S,
        LoadOp::I64Load32U,
    ];

    const STORES: &[StoreOp] = &[
        StoreOp::I32Store,
        StoreOp::I64Store,
        StoreOp::F32Store,
        StoreOp::F64Store,
        StoreOp::I32Store8,
        StoreOp::I32Store16,
        StoreOp::I64Store8,
        StoreOp::I64Store16,
        StoreOp::I64Store32,
    ];

    /// Independent oracle: width and expected slot value for a load of little-endian `bytes`.
    fn load_oracle(op: LoadOp, bytes: &[u8]) -> (usize, u64) {
        let le = |n: usize| bytes[..n].iter().rev().fold(0u64, |acc, &b| acc << 8 | b as u64);
        let sext = |n: usize, v: u64| ((v << (64 - 8 * n)) as i64 >> (64 - 8 * n)) as u64;
        use LoadOp::*;
        match op {
            I32Load | F32Load | I64Load32U => (4, le(4)),
            I64Load | F64Load => (8, le(8)),
            I32Load8S => (1, sext(1, le(1)) as u32 as u64),
            I32Load16S => (2, sext(2, le(2)) as u32 as u64),
            I32Load8U | I64Load8U => (1, le(1)),
            I32Load16U | I64Load16U => (2, le(2)),
            I64Load8S => (1, sext(1, le(1))),
            I64Load16S => (2, sext(2, le(2))),
            I64Load32S => (4, sext(4, le(4))),
        }
    }

    fn store_width(op: StoreOp) -> usize {
        use StoreOp::*;
        match op {
            I32Store8 | I64Store8 => 1,
            I32Store16 | I64Store16 => 2,
            I32Store | F32Store | I64Store32 => 4,
            I64Store | F64Store => 8,
        }
    }

    fn pattern() -> Vec<u8> {
        // High bits set in every byte so sign extension is visible at any width.
        (0..32u8).map(|i| 0x80 | i.wrapping_mul(37)).collect()
    }

    #[test]
    fn loads_in_and_just_out_of_bounds() {
        for &op in LOADS {
            let mut mem = pattern();
            let len = mem.len() as u64;
            let (n, _) = load_oracle(op, &mem);
            // (address, offset) pairs: split differently between the two so both are used.
            let last = len - n as u64;
            for (addr, offset) in [(0, 0), (3, 0), (1, 2), (last, 0), (0, last), (last - 5, 5)] {
                let (_, want) = load_oracle(op, &mem[(addr + offset) as usize..]);
                for imm in [false, true] {
                    // Garbage above bit 31 of the address must be ignored.
                    let a = addr | 0xFFFF_0000_0000_0000;
                    let operand = if imm { Operand::Imm(a) } else { Operand::Slot(0) };
                    let mut frame = [a, UNTOUCHED];
                    assert_eq!(run(&done(|c| load(op, 1, operand, offset, c)), &mut mem, &mut frame), Ok(()));
                    assert_eq!(frame[1], want, "{op} at {addr}+{offset} imm {imm}");
                }
            }
            for (addr, offset) in [(last + 1, 0), (0, last + 1), (len, 0), (0xFFFF_FFFF, 0), (0xFFFF_FFFF, 0xFFFF_FFFF)]
            {
                for imm in [false, true] {
                    let operand = if imm { Operand::Imm(addr) } else { Operand::Slot(0) };
                    let mut frame = [addr, UNTOUCHED];
                    let r = run(&done(|c| load(op, 1, operand, offset, c)), &mut mem, &mut frame);
                    assert_eq!(r, Err(TrapCode::MemoryOutOfBounds), "{op} at {addr}+{offset} imm {imm}");
                    assert_eq!(frame[1], UNTOUCHED);
                }
            }
        }
    }

    #[test]
    fn stores_in_and_just_out_of_bounds() {
        let value = 0x8877_6655_4433_2211u64;
        for &op in STORES {
            let n = store_width(op);
            let len = pattern().len() as u64;
            let last = len - n as u64;
            for (addr, offset) in [(0, 0), (5, 0), (2, 3), (last, 0), (0, last)] {
                for shape in 0..4 {
                    let (ai, vi) = (shape & 1 != 0, shape & 2 != 0);
                    let a = addr | 0xABCD_0000_0000_0000;
                    let addr_op = if ai { Operand::Imm(a) } else { Operand::Slot(0) };
                    let value_op = if vi { Operand::Imm(value) } else { Operand::Slot(1) };
                    let mut mem = pattern();
                    let mut frame = [a, value];
                    assert_eq!(run(&done(|c| store(op, addr_op, value_op, offset, c)), &mut mem, &mut frame), Ok(()));
                    let mut want = pattern();
                    let ea = (addr + offset) as usize;
                    want[ea..ea + n].copy_from_slice(&value.to_le_bytes()[..n]);
                    assert_eq!(mem, want, "{op} at {addr}+{offset} shape {shape}");
                }
            }
            for (addr, offset) in [(last + 1, 0), (0, last + 1), (len, 0), (0xFFFF_FFFF, 0xFFFF_FFFF)] {
                for shape in 0..4 {
                    let (ai, vi) = (shape & 1 != 0, shape & 2 != 0);
                    let addr_op = if ai { Operand::Imm(addr) } else { Operand::Slot(0) };
                    let value_op = if vi { Operand::Imm(value) } else { Operand::Slot(1) };
                    let mut mem = pattern();
                    let mut frame = [addr, value];
                    let r = run(&done(|c| store(op, addr_op, value_op, offset, c)), &mut mem, &mut frame);
                    assert_eq!(r, Err(TrapCode::MemoryOutOfBounds), "{op} at {addr}+{offset} shape {shape}");
                    assert_eq!(mem, pattern(), "a trapping store must not write");
                }
            }
        }
    }

    #[test]
    fn store_then_load_round_trips() {
        let mut mem = vec![0u8; 16];
        let mut frame = [3u64, 0xFFFF_FF80, UNTOUCHED];
        let st = done(|c| store(StoreOp::I32Store8, Operand::Slot(0), Operand::Slot(1), 1, c));
        assert_eq!(run(&st, &mut mem, &mut frame), Ok(()));
        assert_eq!(mem[4], 0x80);
        let ld = done(|c| load(LoadOp::I32Load8S, 2, Operand::Imm(4), 0, c));
        assert_eq!(run(&ld, &mut mem, &mut frame), Ok(()));
        assert_eq!(frame[2], 0xFFFF_FF80, "i32 sign extension stays zero-extended in the slot");
        let ld = done(|c| load(LoadOp::I64Load8S, 2, Operand::Imm(0), 4, c));
        assert_eq!(run(&ld, &mut mem, &mut frame), Ok(()));
        assert_eq!(frame[2], 0xFFFF_FFFF_FFFF_FF80);
    }

    #[test]
    fn bounds_follow_the_current_memory_length() {
        // The same closure must see a grown (or moved) memory: nothing is cached at build time.
        let ld = done(|c| load(LoadOp::I64Load, 1, Operand::Slot(0), 0, c));
        let mut small = vec![1u8; 8];
        let mut big = vec![2u8; 16];
        let mut frame = [8u64, UNTOUCHED];
        assert_eq!(run(&ld, &mut small, &mut frame), Err(TrapCode::MemoryOutOfBounds));
        assert_eq!(run(&ld, &mut big, &mut frame), Ok(()));
        assert_eq!(frame[1], 0x0202_0202_0202_0202);
        // An empty memory (dangling base) traps on every access, even zero-offset ones.
        let mut empty: Vec<u8> = Vec::new();
        frame[0] = 0;
        assert_eq!(run(&ld, &mut empty, &mut frame), Err(TrapCode::MemoryOutOfBounds));
        let st = done(|c| store(StoreOp::I32Store8, Operand::Imm(0), Operand::Imm(0), 0, c));
        assert_eq!(run(&st, &mut empty, &mut frame), Err(TrapCode::MemoryOutOfBounds));
    }

    #[test]
    fn unaligned_accesses_work() {
        let mut mem = (0..16u8).collect::<Vec<_>>();
        let mut frame = [1u64, UNTOUCHED];
        let ld = done(|c| load(LoadOp::I64Load, 1, Operand::Slot(0), 2, c));
        assert_eq!(run(&ld, &mut mem, &mut frame), Ok(()));
        assert_eq!(frame[1], u64::from_le_bytes([3, 4, 5, 6, 7, 8, 9, 10]));
    }
}
