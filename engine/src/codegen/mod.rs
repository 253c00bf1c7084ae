//! Code generation: turns each [`BlockIr`] into one chain of boxed closures.
//!
//! Every closure has the same type, [`Code`]: it receives the execution context and the frame
//! pointer, does its work, then tail-calls the next closure of its block. The last closure of
//! a block is its terminator, which returns the index of the next block to run (or
//! [`RETURN`]/[`SIGNAL`]). So a basic block costs one call from the function's driver loop
//! plus one jump per instruction, and a branch costs nothing beyond returning an index.
//!
//! Submodules group the closure constructors by category; each specialises on operand shape
//! (slot or immediate) so the hot closures do no operand decoding at run time.

pub(crate) mod call;
pub(crate) mod control;
pub(crate) mod memory;
pub(crate) mod numeric;
pub(crate) mod state;

use crate::exec::Ctx;
use crate::module::ModuleInner;
use crate::translate::ir::{BinOp, BlockIr, FuncIr, Inst, Operand, Slot};

/// A compiled statement or terminator. Returns the next block index, [`RETURN`] or [`SIGNAL`].
///
/// A boxed closure represented as a thin function pointer plus its environment, instead of
/// `Box<dyn Fn>`: calling it loads the function pointer and the environment from the caller's
/// own environment (two independent loads) and jumps, where a trait object would first load
/// the vtable and then the function pointer from it (a dependent load) on every dispatch.
pub(crate) struct Code {
    call: unsafe fn(*const (), &mut Ctx, *mut u64) -> u32,
    env: *const (),
    drop: unsafe fn(*const ()),
}

// SAFETY: `Code::new` only accepts `Send + Sync` closures; the environment is owned.
unsafe impl Send for Code {}
unsafe impl Sync for Code {}

impl Code {
    /// Boxes a closure.
    pub(crate) fn new<F: Fn(&mut Ctx, *mut u64) -> u32 + Send + Sync + 'static>(f: F) -> Code {
        unsafe fn call<F: Fn(&mut Ctx, *mut u64) -> u32>(env: *const (), ctx: &mut Ctx, fp: *mut u64) -> u32 {
            (*(env as *const F))(ctx, fp)
        }
        unsafe fn drop<F>(env: *const ()) {
            std::mem::drop(Box::from_raw(env as *mut F));
        }
        Code { call: call::<F>, env: Box::into_raw(Box::new(f)) as *const (), drop: drop::<F> }
    }

    /// Runs the closure.
    #[inline(always)]
    pub(crate) fn call(&self, ctx: &mut Ctx, fp: *mut u64) -> u32 {
        // SAFETY: `env` is the live `Box<F>` that `call` was instantiated for.
        unsafe { (self.call)(self.env, ctx, fp) }
    }
}

impl Code {
    /// A non-owning copy that runs the same closure (for threading a block into another
    /// block's tail). The original must outlive it: both live in the same function's code.
    pub(crate) fn alias(&self) -> Code {
        unsafe fn keep(_: *const ()) {}
        Code { call: self.call, env: self.env, drop: keep }
    }

    fn same(&self, other: &Code) -> bool {
        self.env == other.env && std::ptr::fn_addr_eq(self.call, other.call)
    }
}

/// Where a terminator continues: a block index returned to the driver loop, or (for a
/// later block, so no cycle can form) that block's code called directly in tail position.
pub(crate) enum Target {
    /// Return this block index to the driver.
    Index(u32),
    /// Continue in this block's code.
    Tail(Code),
}

impl Target {
    /// Continues at the target.
    #[inline(always)]
    pub(crate) fn go(&self, ctx: &mut Ctx, fp: *mut u64) -> u32 {
        match self {
            Target::Index(i) => *i,
            Target::Tail(c) => c.call(ctx, fp),
        }
    }

    /// Whether two targets are the same place.
    pub(crate) fn same(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Index(a), Target::Index(b)) => a == b,
            (Target::Tail(a), Target::Tail(b)) => a.same(b),
            _ => false,
        }
    }
}

impl Drop for Code {
    fn drop(&mut self) {
        // SAFETY: `env` came from `Box::into_raw` of the type `drop` was instantiated for.
        unsafe { (self.drop)(self.env) }
    }
}

/// Returned by a terminator when the function returns normally.
pub(crate) const RETURN: u32 = u32::MAX;
/// Returned when execution must stop: the reason (trap, host error, unwind) is in the context.
pub(crate) const SIGNAL: u32 = u32::MAX - 1;

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
/// Blocks are compiled last to first so that a jump or branch to a later block can call that
/// block's code directly (threaded code) instead of returning its index to the driver loop.
/// Backward edges (loops) always go through the driver, so the native stack stays bounded.
pub(crate) fn compile(env: &Env<'_>, ir: &FuncIr) -> Box<[Code]> {
    let n = ir.blocks.len();
    let mut compiled: Vec<Option<Code>> = (0..n).map(|_| None).collect();
    for i in (0..n).rev() {
        let b = &ir.blocks[i];
        let target = |t: u32| match &compiled[t as usize] {
            Some(c) if THREAD_FORWARD && t as usize > i => Target::Tail(c.alias()),
            _ => Target::Index(t),
        };
        let body = compile_block(env, b, &target);
        let code = if b.term.successors().contains(&(i as u32)) {
            // A block that branches to itself (a tight loop) iterates here, at a call site of
            // its own, instead of returning to the shared driver loop.
            let me = i as u32;
            Code::new(move |ctx: &mut Ctx, fp: *mut u64| loop {
                let next = body.call(ctx, fp);
                if next != me {
                    return next;
                }
                if !ctx.tick() {
                    return SIGNAL;
                }
            })
        } else {
            body
        };
        compiled[i] = Some(code);
    }
    compiled.into_iter().map(|c| c.expect("every block compiled")).collect()
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

fn group(insts: &[Inst]) -> Vec<Group<'_>> {
    let mut groups = Vec::with_capacity(insts.len());
    let mut i = 0;
    while i < insts.len() {
        if let Some((g, len)) = global_update(insts, i) {
            groups.push(g);
            i += len;
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
    groups
}

fn compile_block(env: &Env<'_>, b: &BlockIr, target: &dyn Fn(u32) -> Target) -> Code {
    let mut code = control::terminator(&b.term, target);
    for g in group(&b.insts).into_iter().rev() {
        code = match g {
            Group::Single(inst) => instruction(env, inst, code),
            Group::Call { call: &Inst::Call { func, base }, moves } => call::call(env, func, base, moves, code),
            Group::Call { call: &Inst::CallIndirect { type_index, table, index, base }, moves } => {
                call::call_indirect(env.module.type_sigs[type_index as usize], table, index, base, moves, code)
            }
            Group::Call { .. } => unreachable!("grouped calls are calls"),
            Group::Copies(moves) => numeric::copies(moves, code),
            Group::GlobalUpdate { global, old, op, imm, new } => state::global_update(global, old, op, imm, new, code),
            Group::SetGlobalTo { op, src, imm, new, global } => state::set_global_to(op, src, imm, new, global, code),
        };
    }
    code
}

fn instruction(env: &Env<'_>, inst: &Inst, next: Code) -> Code {
    match *inst {
        Inst::Copy { dst, src } => numeric::copy(dst, src, next),
        Inst::Unary { op, dst, src } => numeric::unary(op, dst, src, next),
        Inst::Binary { op, dst, lhs, rhs } => numeric::binary(op, dst, lhs, rhs, next),
        Inst::Select { dst, cond, a, b } => numeric::select(dst, cond, a, b, next),
        Inst::Load { op, dst, addr, offset } => memory::load(op, dst, addr, offset, next),
        Inst::Store { op, addr, value, offset } => memory::store(op, addr, value, offset, next),
        Inst::Call { func, base } => call::call(env, func, base, call::Moves::default(), next),
        Inst::CallIndirect { type_index, table, index, base } => call::call_indirect(
            env.module.type_sigs[type_index as usize],
            table,
            index,
            base,
            call::Moves::default(),
            next,
        ),
        _ => state::instruction(inst, next),
    }
}
