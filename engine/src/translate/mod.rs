//! Translation of Wasm function bodies into the register-slot [`ir`].
//!
//! One pass over the operators does both validation (wasmparser's `FuncValidator` sees every
//! operator first) and lowering. The translator keeps a compile-time operand stack of
//! [`Operand`]s: `local.get` and `*.const` push a lazy operand and emit nothing; an operator
//! consumes its operands directly and writes its result to the slot of the stack height it
//! occupies (`locals + height`). `local.set`/`local.tee` retarget the producer's destination
//! onto the local when they can. Structured control becomes flat basic blocks; see
//! [`control`] for the frames.
//!
//! Invariant: an `Operand::Slot(s)` at stack index `i` is either a lazy local (`s < locals`)
//! or materialised at its own position (`s == locals + i`). Lazy locals are materialised
//! before any control construct starts and before the local is overwritten, so a value on
//! the stack never changes behind the translator's back.

pub mod control;
pub mod ir;
mod optimize;

use crate::codegen::numeric::{fold_binary, fold_unary};
use crate::types::FuncType;
use control::{Frame, FrameKind};
use ir::*;
use smallvec::SmallVec;
use wasmparser::{BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources};

/// A validation or decoding error inside a function body, with its byte offset.
#[derive(Debug)]
pub(crate) struct TranslateError {
    pub message: String,
    pub offset: usize,
}

impl From<wasmparser::BinaryReaderError> for TranslateError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        TranslateError { message: e.message().to_string(), offset: e.offset() }
    }
}

/// What the translator needs to know about the module around a function.
pub(crate) struct ModuleEnv<'a> {
    /// The type section.
    pub types: &'a [FuncType],
    /// Type index of every function (imports first).
    pub func_types: &'a [u32],
}

/// Validates (when given a validator) and lowers one function body.
///
/// `type_index` is the function's type. Lazy compilation passes no validator: the body was
/// validated when the module was loaded. Errors carry wasmparser's message and byte offset.
pub(crate) fn translate_function(
    env: &ModuleEnv<'_>,
    type_index: u32,
    body: &FunctionBody<'_>,
    mut validator: Option<&mut FuncValidator<ValidatorResources>>,
    scratch: &mut Scratch,
) -> Result<FuncIr, TranslateError> {
    let ty = &env.types[type_index as usize];
    let params = ty.params().len() as u32;
    let mut declared: u32 = 0;
    let mut locals_reader = body.get_locals_reader()?;
    for _ in 0..locals_reader.get_count() {
        let offset = locals_reader.original_position();
        let (count, vt) = locals_reader.read()?;
        if let Some(v) = validator.as_deref_mut() {
            v.define_locals(offset, count, vt)?;
        }
        declared = declared.saturating_add(count);
    }
    let mut t = Translator::new(env, scratch, params, declared, ty.results().len() as u32);
    let mut reader = body.get_operators_reader()?;
    let mut lowering = Lowering { t: &mut t, validator: validator.as_deref_mut(), offset: 0 };
    while !reader.eof() {
        lowering.offset = reader.original_position();
        reader.visit_operator(&mut lowering)??;
    }
    if let Some(v) = validator {
        v.finish(reader.original_position())?;
    }
    let mut ir = t.finish();
    optimize::optimize(&mut ir, ty.results().len() as u32);
    Ok(ir)
}

/// Decodes each operator once and hands it to the validator, then to the translator, through
/// wasmparser's visitor interface: the operator is neither decoded into an [`Operator`] and
/// matched again by the validator nor passed around wrapped in `Result`s (a tenth of the
/// instructions of compiling MicroQuickJS went there).
struct Lowering<'t, 'a, 'v> {
    t: &'t mut Translator<'a>,
    validator: Option<&'v mut FuncValidator<ValidatorResources>>,
    /// The byte offset of the operator being visited, for the validator's errors.
    offset: usize,
}

/// One `visit_*` method per operator: validate it, then lower it.
macro_rules! lower_visit {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(,$arg: $argty)*)?) -> Self::Output {
                if let Some(v) = self.validator.as_deref_mut() {
                    v.visitor(self.offset).$visit($($($arg.clone()),*)?)?;
                }
                self.t.visit(&Operator::$op $({ $($arg),* })?);
                Ok(())
            }
        )*
    };
}

// The arguments are cloned for the validator because `br_table`'s is not `Copy`.
#[allow(clippy::clone_on_copy)]
impl<'a> wasmparser::VisitOperator<'a> for Lowering<'_, '_, '_> {
    type Output = Result<(), wasmparser::BinaryReaderError>;
    wasmparser::for_each_visit_operator!(lower_visit);
}

/// Buffers reused from one function's translation to the next while a module compiles: the
/// operand stack, the frames, the instruction buffer and the blocks' instruction vectors
/// are allocated once and regrown rarely, instead of per function and per block (allocation
/// was a sixth of compile time). Freed with the module's compilation, so nothing stays
/// allocated afterwards.
#[derive(Default)]
pub(crate) struct Scratch {
    stack: Vec<Operand>,
    frames: Vec<Frame>,
    insts: Vec<Inst>,
    blocks: Vec<BlockIr>,
    /// Empty instruction vectors for new blocks, with their capacity.
    spare: Vec<Vec<Inst>>,
}

/// Most spare instruction vectors kept between functions.
const SPARE_KEEP: usize = 4096;
/// Largest vector (in instructions) kept for reuse, so one huge block does not pin its
/// memory for the rest of the module's compilation.
const SPARE_KEEP_INSTS: usize = 1024;

impl Scratch {
    /// Gives a function's IR back once it is compiled: its vectors serve the next function.
    pub(crate) fn recycle(&mut self, ir: FuncIr) {
        self.keep_blocks(ir.blocks);
    }

    /// Keeps the blocks' instruction vectors, and the block vector if it is the largest.
    fn keep_blocks(&mut self, mut blocks: Vec<BlockIr>) {
        for b in blocks.drain(..) {
            keep_spare(&mut self.spare, b.insts);
        }
        if blocks.capacity() > self.blocks.capacity() {
            self.blocks = blocks;
        }
    }
}

/// Keeps `v` (emptied) for a later block, unless enough are kept or it is too big.
fn keep_spare(spare: &mut Vec<Vec<Inst>>, mut v: Vec<Inst>) {
    if v.capacity() != 0 && v.capacity() <= SPARE_KEEP_INSTS && spare.len() < SPARE_KEEP {
        v.clear();
        spare.push(v);
    }
}

struct Translator<'a> {
    env: &'a ModuleEnv<'a>,
    /// Where the buffers come from and go back to.
    scratch: &'a mut Scratch,
    params: u32,
    /// Params plus declared locals: the first operand-stack slot.
    num_locals: u32,
    results: u32,
    stack: Vec<Operand>,
    max_height: u32,
    frames: Vec<Frame>,
    blocks: Vec<BlockIr>,
    /// The block being filled, or `None` in unreachable code.
    cur: Option<BlockId>,
    insts: Vec<Inst>,
    /// Empty instruction vectors for new blocks (see [`Scratch`]).
    spare: Vec<Vec<Inst>>,
    /// Constructs entered while unreachable (their bodies are skipped).
    dead: u32,
}

impl Drop for Translator<'_> {
    fn drop(&mut self) {
        // Hands the buffers back for the next function (also after an error).
        let s = &mut *self.scratch;
        self.stack.clear();
        self.frames.clear();
        self.insts.clear();
        s.stack = std::mem::take(&mut self.stack);
        s.frames = std::mem::take(&mut self.frames);
        s.insts = std::mem::take(&mut self.insts);
        s.spare = std::mem::take(&mut self.spare);
        s.keep_blocks(std::mem::take(&mut self.blocks));
    }
}

impl<'a> Translator<'a> {
    fn new(env: &'a ModuleEnv<'a>, scratch: &'a mut Scratch, params: u32, declared: u32, results: u32) -> Self {
        let s = std::mem::take(scratch);
        let mut t = Translator {
            env,
            scratch,
            params,
            num_locals: params + declared,
            results,
            stack: s.stack,
            max_height: 0,
            frames: s.frames,
            blocks: s.blocks,
            cur: None,
            insts: s.insts,
            spare: s.spare,
            dead: 0,
        };
        let entry = t.new_block();
        t.cur = Some(entry);
        t.frames.push(Frame { kind: FrameKind::Func, height: 0, params: 0, results, label: None });
        t
    }

    fn finish(mut self) -> FuncIr {
        let frame_size = (self.num_locals + self.max_height).max(self.results).max(self.params).max(1);
        let blocks = std::mem::take(&mut self.blocks);
        FuncIr { params: self.params, locals: self.num_locals - self.params, frame_size, blocks }
    }

    /// An empty instruction vector for a new block, reused when one is spare.
    fn fresh_insts(&mut self) -> Vec<Inst> {
        self.spare.pop().unwrap_or_default()
    }

    // ----- blocks -----

    fn new_block(&mut self) -> BlockId {
        let insts = self.fresh_insts();
        self.blocks.push(BlockIr { insts, term: Terminator::Trap(crate::TrapCode::Unreachable) });
        (self.blocks.len() - 1) as BlockId
    }

    fn start(&mut self, b: BlockId) {
        debug_assert!(self.cur.is_none());
        self.cur = Some(b);
    }

    /// Ends the current block with `term`; the code after it is unreachable until a block starts.
    fn terminate(&mut self, term: Terminator) {
        if let Some(b) = self.cur.take() {
            // The block's own vector (empty until now, reused from an earlier block) takes a
            // copy; the working buffer keeps its capacity for the next block.
            let blk = &mut self.blocks[b as usize];
            debug_assert!(blk.insts.is_empty());
            blk.insts.extend_from_slice(&self.insts);
            self.insts.clear();
            blk.term = term;
        }
    }

    fn emit(&mut self, inst: Inst) {
        if self.cur.is_some() {
            self.insts.push(inst);
        }
    }

    // ----- operand stack -----

    fn slot_of(&self, index: usize) -> Slot {
        self.num_locals + index as u32
    }

    fn pop(&mut self) -> Operand {
        self.stack.pop().expect("validated operand stack")
    }

    fn note_height(&mut self, h: usize) {
        self.max_height = self.max_height.max(h as u32);
    }

    /// Pushes a fresh result slot at the top of the stack and returns it.
    fn push_slot(&mut self) -> Slot {
        let s = self.slot_of(self.stack.len());
        self.stack.push(Operand::Slot(s));
        self.note_height(self.stack.len());
        s
    }

    /// Makes stack entry `i` live in its own slot.
    fn materialize(&mut self, i: usize) {
        let own = self.slot_of(i);
        let op = self.stack[i];
        if op != Operand::Slot(own) {
            self.emit(Inst::Copy { dst: own, src: op });
            self.stack[i] = Operand::Slot(own);
        }
    }

    fn is_lazy_local(&self, op: Operand) -> bool {
        matches!(op, Operand::Slot(s) if s < self.num_locals)
    }

    /// Materialises every lazy local on the stack (before control flow splits or merges).
    fn materialize_locals(&mut self) {
        for i in 0..self.stack.len() {
            if self.is_lazy_local(self.stack[i]) {
                self.materialize(i);
            }
        }
    }

    /// Materialises stack entries that read local `l` before `l` is overwritten.
    fn preserve_local(&mut self, l: u32) {
        for i in 0..self.stack.len() {
            if self.stack[i] == Operand::Slot(l) {
                self.materialize(i);
            }
        }
    }

    fn local_set(&mut self, l: u32, tee: bool) {
        let v = self.pop();
        if v != Operand::Slot(l) {
            let top = self.slot_of(self.stack.len());
            let lazy_copies = self.stack.contains(&Operand::Slot(l));
            let producer = self.insts.last().and_then(Inst::single_dst);
            if !lazy_copies && v == Operand::Slot(top) && producer == Some(top) && self.cur.is_some() {
                // Retarget the producer: `x = a + b; local.set l` becomes `l = a + b`.
                *self.insts.last_mut().and_then(Inst::single_dst_mut).expect("producer") = l;
            } else {
                self.preserve_local(l);
                self.emit(Inst::Copy { dst: l, src: v });
            }
        }
        if tee {
            self.stack.push(Operand::Slot(l));
        }
    }

    fn unary(&mut self, op: UnOp) {
        let src = self.pop();
        if let Operand::Imm(v) = src {
            if let Some(r) = fold_unary(op, v) {
                self.stack.push(Operand::Imm(r));
                return;
            }
        }
        let dst = self.push_slot();
        self.emit(Inst::Unary { op, dst, src });
    }

    fn binary(&mut self, op: BinOp) {
        let rhs = self.pop();
        let lhs = self.pop();
        if let (Operand::Imm(a), Operand::Imm(b)) = (lhs, rhs) {
            if let Some(r) = fold_binary(op, a, b) {
                self.stack.push(Operand::Imm(r));
                return;
            }
        }
        let dst = self.push_slot();
        self.emit(Inst::Binary { op, dst, lhs, rhs });
    }

    fn load(&mut self, op: LoadOp, offset: u64) {
        let addr = self.pop();
        let dst = self.push_slot();
        self.emit(Inst::Load { op, dst, addr, offset });
    }

    fn store(&mut self, op: StoreOp, offset: u64) {
        let value = self.pop();
        let addr = self.pop();
        self.emit(Inst::Store { op, addr, value, offset });
    }

    // ----- control -----

    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => {
                let ty = &self.env.types[i as usize];
                (ty.params().len() as u32, ty.results().len() as u32)
            }
        }
    }

    /// Prepares the stack for a construct with `params` parameters: all lazy locals and the
    /// parameters move into their own slots. Returns the frame height.
    fn enter(&mut self, params: u32) -> u32 {
        self.materialize_locals();
        let height = self.stack.len() - params as usize;
        for i in height..self.stack.len() {
            self.materialize(i);
        }
        height as u32
    }

    fn frame_at(&self, depth: u32) -> &Frame {
        &self.frames[self.frames.len() - 1 - depth as usize]
    }

    /// Appends to `out` the copies that move the top `arity` operands into the slots of
    /// frame `depth`'s label.
    fn label_moves(&self, depth: u32, out: &mut Vec<Inst>) {
        let f = self.frame_at(depth);
        let n = f.branch_arity() as usize;
        let base = f.height;
        let src = &self.stack[self.stack.len() - n..];
        for (k, &s) in src.iter().enumerate() {
            let dst = self.num_locals + base + k as u32;
            if s != Operand::Slot(dst) {
                out.push(Inst::Copy { dst, src: s });
            }
        }
    }

    /// Emits the copies of a branch to frame `depth` into the current block.
    fn emit_label_moves(&mut self, depth: u32) {
        if self.cur.is_some() {
            let mut insts = std::mem::take(&mut self.insts);
            self.label_moves(depth, &mut insts);
            self.insts = insts;
        }
    }

    /// Appends to `out` the copies that move the top `results` operands into slots
    /// `0..results` for a return. Sources may be locals among those very slots, so a
    /// conflicting move goes through temporaries above the stack.
    fn return_moves(&mut self, out: &mut Vec<Inst>) {
        let n = self.results as usize;
        let src: SmallVec<[Operand; 4]> = SmallVec::from_slice(&self.stack[self.stack.len() - n..]);
        let writes = |i: usize| src[i] != Operand::Slot(i as u32);
        // A move reads a slot that an earlier move of this return already overwrote.
        let conflict = src
            .iter()
            .enumerate()
            .any(|(j, s)| matches!(*s, Operand::Slot(x) if (x as usize) < j && writes(x as usize)));
        if conflict {
            let tmp = self.slot_of(self.stack.len());
            self.note_height(self.stack.len() + n);
            for (k, &s) in src.iter().enumerate() {
                out.push(Inst::Copy { dst: tmp + k as u32, src: s });
            }
            for k in 0..n {
                out.push(Inst::Copy { dst: k as u32, src: Operand::Slot(tmp + k as u32) });
            }
        } else {
            for (k, &s) in src.iter().enumerate() {
                if writes(k) {
                    out.push(Inst::Copy { dst: k as u32, src: s });
                }
            }
        }
    }

    /// The label block of frame `depth`, created on first use.
    fn label(&mut self, depth: u32) -> BlockId {
        let idx = self.frames.len() - 1 - depth as usize;
        if let Some(l) = self.frames[idx].label {
            return l;
        }
        let l = self.new_block();
        self.frames[idx].label = Some(l);
        l
    }

    fn is_return_depth(&self, depth: u32) -> bool {
        depth as usize == self.frames.len() - 1
    }

    /// A block that performs the branch to `depth` with the current operands (for
    /// conditional branches: the copies must happen only when the branch is taken).
    fn edge(&mut self, depth: u32) -> BlockId {
        let mut moves = self.fresh_insts();
        if self.is_return_depth(depth) {
            self.return_moves(&mut moves);
            let b = self.new_block();
            let old =
                std::mem::replace(&mut self.blocks[b as usize], BlockIr { insts: moves, term: Terminator::Return });
            self.spare.push(old.insts);
            return b;
        }
        self.label_moves(depth, &mut moves);
        let target = self.label(depth);
        if moves.is_empty() {
            self.spare.push(moves);
            return target;
        }
        let b = self.new_block();
        let old =
            std::mem::replace(&mut self.blocks[b as usize], BlockIr { insts: moves, term: Terminator::Jump(target) });
        self.spare.push(old.insts);
        b
    }

    /// Unconditional branch to `depth` from the current block.
    fn br(&mut self, depth: u32) {
        if self.is_return_depth(depth) {
            self.ret();
            return;
        }
        self.emit_label_moves(depth);
        let target = self.label(depth);
        self.terminate(Terminator::Jump(target));
    }

    fn ret(&mut self) {
        // Even in unreachable code, for the temporaries' frame height.
        let mut insts = std::mem::take(&mut self.insts);
        let before = insts.len();
        self.return_moves(&mut insts);
        if self.cur.is_none() {
            insts.truncate(before);
        }
        self.insts = insts;
        self.terminate(Terminator::Return);
    }

    /// Turns a popped i32 condition into a branch condition, fusing the compare or `eqz`
    /// that produced it when that was the last instruction.
    fn take_cond(&mut self, cond: Operand) -> Cond {
        let top = self.slot_of(self.stack.len());
        if cond == Operand::Slot(top) {
            match self.insts.last() {
                Some(&Inst::Binary { op, dst, lhs, rhs }) if dst == top && op.is_int_compare() => {
                    self.insts.pop();
                    return Cond::Compare(op, lhs, rhs);
                }
                Some(&Inst::Unary { op: UnOp::I32Eqz, dst, src }) if dst == top => {
                    self.insts.pop();
                    return Cond::Zero(src);
                }
                _ => {}
            }
        }
        Cond::NonZero(cond)
    }

    fn push_results_of(&mut self, height: u32, n: u32) {
        self.stack.truncate(height as usize);
        for _ in 0..n {
            self.push_slot();
        }
    }

    fn visit_else(&mut self) {
        let reachable = self.cur.is_some();
        let idx = self.frames.len() - 1;
        let f = self.frames[idx].clone();
        let FrameKind::If { els, .. } = f.kind else { unreachable!("validated else") };
        if reachable {
            self.emit_label_moves(0);
            let target = self.label(0);
            self.terminate(Terminator::Jump(target));
        }
        self.frames[idx].kind = FrameKind::If { els, seen_else: true };
        self.start(els);
        self.push_results_of(f.height, 0);
        for _ in 0..f.params {
            self.push_slot();
        }
    }

    fn visit_end(&mut self) {
        let reachable = self.cur.is_some();
        let f = self.frames.last().expect("validated end").clone();
        if f.kind == FrameKind::Func {
            if reachable {
                self.ret();
            }
            self.frames.pop();
            return;
        }
        if let FrameKind::If { els, seen_else: false } = f.kind {
            // No else arm: the false edge passes the parameters through (same slots as results).
            let join = match f.label {
                Some(l) => l,
                None => els,
            };
            if reachable {
                self.emit_label_moves(0);
                self.terminate(Terminator::Jump(join));
            }
            if join != els {
                self.start(els);
                self.terminate(Terminator::Jump(join));
            }
            self.frames.pop();
            self.start(join);
            self.push_results_of(f.height, f.results);
            return;
        }
        let label = if f.kind == FrameKind::Loop { None } else { f.label };
        match label {
            Some(l) => {
                if reachable {
                    self.emit_label_moves(0);
                    self.terminate(Terminator::Jump(l));
                }
                self.frames.pop();
                self.start(l);
                self.push_results_of(f.height, f.results);
            }
            None => {
                self.frames.pop();
                if !reachable {
                    self.push_results_of(f.height, f.results);
                }
                // Reachable fall-through: the results are already the top operands.
            }
        }
    }

    fn visit(&mut self, op: &Operator<'_>) {
        use Operator as O;
        if self.cur.is_none() {
            match op {
                O::Block { .. } | O::Loop { .. } | O::If { .. } => {
                    self.dead += 1;
                    return;
                }
                O::Else if self.dead == 0 => self.visit_else(),
                O::End if self.dead == 0 => self.visit_end(),
                O::End => self.dead -= 1,
                _ => {}
            }
            return;
        }
        match *op {
            O::Nop => {}
            O::Unreachable => self.terminate(Terminator::Trap(crate::TrapCode::Unreachable)),
            O::Block { blockty } => {
                let (p, r) = self.block_arity(blockty);
                let height = self.enter(p);
                self.frames.push(Frame { kind: FrameKind::Block, height, params: p, results: r, label: None });
            }
            O::Loop { blockty } => {
                let (p, r) = self.block_arity(blockty);
                let height = self.enter(p);
                let header = self.new_block();
                self.terminate(Terminator::Jump(header));
                self.start(header);
                self.frames.push(Frame { kind: FrameKind::Loop, height, params: p, results: r, label: Some(header) });
            }
            O::If { blockty } => {
                let (p, r) = self.block_arity(blockty);
                let c = self.pop();
                let cond = self.take_cond(c);
                let height = self.enter(p);
                let then = self.new_block();
                let els = self.new_block();
                self.terminate(Terminator::Branch { cond, then, els });
                self.start(then);
                self.frames.push(Frame {
                    kind: FrameKind::If { els, seen_else: false },
                    height,
                    params: p,
                    results: r,
                    label: None,
                });
            }
            O::Else => self.visit_else(),
            O::End => self.visit_end(),
            O::Br { relative_depth } => self.br(relative_depth),
            O::BrIf { relative_depth } => {
                let c = self.pop();
                let cond = self.take_cond(c);
                let then = self.edge(relative_depth);
                let els = self.new_block();
                self.terminate(Terminator::Branch { cond, then, els });
                self.start(els);
            }
            O::BrTable { ref targets } => {
                let index = self.pop();
                let mut edges: Vec<(u32, BlockId)> = Vec::new();
                let mut edge_for = |t: &mut Self, depth: u32| -> BlockId {
                    if let Some(&(_, b)) = edges.iter().find(|(d, _)| *d == depth) {
                        return b;
                    }
                    let b = t.edge(depth);
                    edges.push((depth, b));
                    b
                };
                let mut list = Vec::with_capacity(targets.len() as usize);
                for d in targets.targets() {
                    let d = d.expect("validated br_table");
                    list.push(edge_for(self, d));
                }
                let default = edge_for(self, targets.default());
                self.terminate(Terminator::Table { index, targets: list.into_boxed_slice(), default });
            }
            O::Return => self.ret(),
            O::Call { function_index } => {
                let ty = &self.env.types[self.env.func_types[function_index as usize] as usize];
                let (np, nr) = (ty.params().len(), ty.results().len());
                self.call(np, nr, |base| Inst::Call { func: function_index, base });
            }
            O::CallIndirect { type_index, table_index } => {
                let index = self.pop();
                let ty = &self.env.types[type_index as usize];
                let (np, nr) = (ty.params().len(), ty.results().len());
                self.call(np, nr, |base| Inst::CallIndirect { type_index, table: table_index, index, base });
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let cond = self.pop();
                let b = self.pop();
                let a = self.pop();
                match cond {
                    Operand::Imm(c) => {
                        // A constant condition picks an operand at translation time; a picked
                        // stack slot must move to the position it now occupies.
                        let picked = if c as u32 != 0 { a } else { b };
                        self.stack.push(picked);
                        if !self.is_lazy_local(picked) && matches!(picked, Operand::Slot(_)) {
                            self.materialize(self.stack.len() - 1);
                        }
                    }
                    _ => {
                        let dst = self.push_slot();
                        self.emit(Inst::Select { dst, cond, a, b });
                    }
                }
            }
            O::LocalGet { local_index } => self.push_operand(Operand::Slot(local_index)),
            // Reinterpretations keep the bits: in slot encoding they are no-ops.
            O::I32ReinterpretF32 | O::I64ReinterpretF64 | O::F32ReinterpretI32 | O::F64ReinterpretI64 => {}
            O::LocalSet { local_index } => self.local_set(local_index, false),
            O::LocalTee { local_index } => self.local_set(local_index, true),
            O::GlobalGet { global_index } => {
                let dst = self.push_slot();
                self.emit(Inst::GlobalGet { dst, global: global_index });
            }
            O::GlobalSet { global_index } => {
                let src = self.pop();
                self.emit(Inst::GlobalSet { global: global_index, src });
            }
            O::I32Load { memarg } => self.load(LoadOp::I32Load, memarg.offset),
            O::I64Load { memarg } => self.load(LoadOp::I64Load, memarg.offset),
            O::F32Load { memarg } => self.load(LoadOp::F32Load, memarg.offset),
            O::F64Load { memarg } => self.load(LoadOp::F64Load, memarg.offset),
            O::I32Load8S { memarg } => self.load(LoadOp::I32Load8S, memarg.offset),
            O::I32Load8U { memarg } => self.load(LoadOp::I32Load8U, memarg.offset),
            O::I32Load16S { memarg } => self.load(LoadOp::I32Load16S, memarg.offset),
            O::I32Load16U { memarg } => self.load(LoadOp::I32Load16U, memarg.offset),
            O::I64Load8S { memarg } => self.load(LoadOp::I64Load8S, memarg.offset),
            O::I64Load8U { memarg } => self.load(LoadOp::I64Load8U, memarg.offset),
            O::I64Load16S { memarg } => self.load(LoadOp::I64Load16S, memarg.offset),
            O::I64Load16U { memarg } => self.load(LoadOp::I64Load16U, memarg.offset),
            O::I64Load32S { memarg } => self.load(LoadOp::I64Load32S, memarg.offset),
            O::I64Load32U { memarg } => self.load(LoadOp::I64Load32U, memarg.offset),
            O::I32Store { memarg } => self.store(StoreOp::I32Store, memarg.offset),
            O::I64Store { memarg } => self.store(StoreOp::I64Store, memarg.offset),
            O::F32Store { memarg } => self.store(StoreOp::F32Store, memarg.offset),
            O::F64Store { memarg } => self.store(StoreOp::F64Store, memarg.offset),
            O::I32Store8 { memarg } => self.store(StoreOp::I32Store8, memarg.offset),
            O::I32Store16 { memarg } => self.store(StoreOp::I32Store16, memarg.offset),
            O::I64Store8 { memarg } => self.store(StoreOp::I64Store8, memarg.offset),
            O::I64Store16 { memarg } => self.store(StoreOp::I64Store16, memarg.offset),
            O::I64Store32 { memarg } => self.store(StoreOp::I64Store32, memarg.offset),
            O::MemorySize { .. } => {
                let dst = self.push_slot();
                self.emit(Inst::MemorySize { dst });
            }
            O::MemoryGrow { .. } => {
                let delta = self.pop();
                let dst = self.push_slot();
                self.emit(Inst::MemoryGrow { dst, delta });
            }
            O::MemoryFill { .. } => {
                let [dst, value, len] = self.pop3();
                self.emit(Inst::MemoryFill { dst, value, len });
            }
            O::MemoryCopy { .. } => {
                let [dst, src, len] = self.pop3();
                self.emit(Inst::MemoryCopy { dst, src, len });
            }
            O::MemoryInit { data_index, .. } => {
                let [dst, src, len] = self.pop3();
                self.emit(Inst::MemoryInit { segment: data_index, dst, src, len });
            }
            O::DataDrop { data_index } => self.emit(Inst::DataDrop { segment: data_index }),
            O::TableGet { table } => {
                let index = self.pop();
                let dst = self.push_slot();
                self.emit(Inst::TableGet { table, dst, index });
            }
            O::TableSet { table } => {
                let value = self.pop();
                let index = self.pop();
                self.emit(Inst::TableSet { table, index, value });
            }
            O::TableSize { table } => {
                let dst = self.push_slot();
                self.emit(Inst::TableSize { table, dst });
            }
            O::TableGrow { table } => {
                let delta = self.pop();
                let init = self.pop();
                let dst = self.push_slot();
                self.emit(Inst::TableGrow { table, dst, init, delta });
            }
            O::TableFill { table } => {
                let [dst, value, len] = self.pop3();
                self.emit(Inst::TableFill { table, dst, value, len });
            }
            O::TableCopy { dst_table, src_table } => {
                let [dst, src, len] = self.pop3();
                self.emit(Inst::TableCopy { dst_table, src_table, dst, src, len });
            }
            O::TableInit { elem_index, table } => {
                let [dst, src, len] = self.pop3();
                self.emit(Inst::TableInit { table, segment: elem_index, dst, src, len });
            }
            O::ElemDrop { elem_index } => self.emit(Inst::ElemDrop { segment: elem_index }),
            O::RefNull { .. } => self.push_operand(Operand::Imm(0)),
            O::RefIsNull => self.unary(UnOp::RefIsNull),
            O::RefFunc { function_index } => {
                let dst = self.push_slot();
                self.emit(Inst::RefFunc { dst, func: function_index });
            }
            O::I32Const { value } => self.push_operand(Operand::Imm(value as u32 as u64)),
            O::I64Const { value } => self.push_operand(Operand::Imm(value as u64)),
            O::F32Const { value } => self.push_operand(Operand::Imm(value.bits() as u64)),
            O::F64Const { value } => self.push_operand(Operand::Imm(value.bits())),
            ref other => {
                if let Some(u) = unop_of(other) {
                    self.unary(u)
                } else if let Some(b) = binop_of(other) {
                    self.binary(b)
                } else {
                    // The validator only admits WebAssembly 2.0 (without SIMD), all handled above.
                    unreachable!("operator not admitted by the validator: {other:?}")
                }
            }
        }
    }

    fn push_operand(&mut self, op: Operand) {
        self.stack.push(op);
        self.note_height(self.stack.len());
    }

    fn pop3(&mut self) -> [Operand; 3] {
        let c = self.pop();
        let b = self.pop();
        let a = self.pop();
        [a, b, c]
    }

    /// Lowers a call: arguments move into consecutive slots starting at the callee's frame
    /// base; the results come back in the same slots.
    fn call(&mut self, np: usize, nr: usize, make: impl FnOnce(Slot) -> Inst) {
        let base_h = self.stack.len() - np;
        for i in base_h..self.stack.len() {
            self.materialize(i);
        }
        self.stack.truncate(base_h);
        let base = self.slot_of(base_h);
        self.emit(make(base));
        for _ in 0..nr {
            self.push_slot();
        }
        // The callee's frame starts at `base`; its arguments must fit in ours.
        self.note_height(base_h + np.max(nr));
    }
}

fn unop_of(op: &Operator<'_>) -> Option<UnOp> {
    use Operator as O;
    use UnOp as U;
    Some(match op {
        O::I32Eqz => U::I32Eqz,
        O::I32Clz => U::I32Clz,
        O::I32Ctz => U::I32Ctz,
        O::I32Popcnt => U::I32Popcnt,
        O::I32Extend8S => U::I32Extend8S,
        O::I32Extend16S => U::I32Extend16S,
        O::I64Eqz => U::I64Eqz,
        O::I64Clz => U::I64Clz,
        O::I64Ctz => U::I64Ctz,
        O::I64Popcnt => U::I64Popcnt,
        O::I64Extend8S => U::I64Extend8S,
        O::I64Extend16S => U::I64Extend16S,
        O::I64Extend32S => U::I64Extend32S,
        O::F32Abs => U::F32Abs,
        O::F32Neg => U::F32Neg,
        O::F32Ceil => U::F32Ceil,
        O::F32Floor => U::F32Floor,
        O::F32Trunc => U::F32Trunc,
        O::F32Nearest => U::F32Nearest,
        O::F32Sqrt => U::F32Sqrt,
        O::F64Abs => U::F64Abs,
        O::F64Neg => U::F64Neg,
        O::F64Ceil => U::F64Ceil,
        O::F64Floor => U::F64Floor,
        O::F64Trunc => U::F64Trunc,
        O::F64Nearest => U::F64Nearest,
        O::F64Sqrt => U::F64Sqrt,
        O::I32WrapI64 => U::I32WrapI64,
        O::I64ExtendI32S => U::I64ExtendI32S,
        O::I64ExtendI32U => U::I64ExtendI32U,
        O::I32TruncF32S => U::I32TruncF32S,
        O::I32TruncF32U => U::I32TruncF32U,
        O::I32TruncF64S => U::I32TruncF64S,
        O::I32TruncF64U => U::I32TruncF64U,
        O::I64TruncF32S => U::I64TruncF32S,
        O::I64TruncF32U => U::I64TruncF32U,
        O::I64TruncF64S => U::I64TruncF64S,
        O::I64TruncF64U => U::I64TruncF64U,
        O::I32TruncSatF32S => U::I32TruncSatF32S,
        O::I32TruncSatF32U => U::I32TruncSatF32U,
        O::I32TruncSatF64S => U::I32TruncSatF64S,
        O::I32TruncSatF64U => U::I32TruncSatF64U,
        O::I64TruncSatF32S => U::I64TruncSatF32S,
        O::I64TruncSatF32U => U::I64TruncSatF32U,
        O::I64TruncSatF64S => U::I64TruncSatF64S,
        O::I64TruncSatF64U => U::I64TruncSatF64U,
        O::F32ConvertI32S => U::F32ConvertI32S,
        O::F32ConvertI32U => U::F32ConvertI32U,
        O::F32ConvertI64S => U::F32ConvertI64S,
        O::F32ConvertI64U => U::F32ConvertI64U,
        O::F64ConvertI32S => U::F64ConvertI32S,
        O::F64ConvertI32U => U::F64ConvertI32U,
        O::F64ConvertI64S => U::F64ConvertI64S,
        O::F64ConvertI64U => U::F64ConvertI64U,
        O::F32DemoteF64 => U::F32DemoteF64,
        O::F64PromoteF32 => U::F64PromoteF32,
        _ => return None,
    })
}

fn binop_of(op: &Operator<'_>) -> Option<BinOp> {
    use BinOp as B;
    use Operator as O;
    Some(match op {
        O::I32Eq => B::I32Eq,
        O::I32Ne => B::I32Ne,
        O::I32LtS => B::I32LtS,
        O::I32LtU => B::I32LtU,
        O::I32GtS => B::I32GtS,
        O::I32GtU => B::I32GtU,
        O::I32LeS => B::I32LeS,
        O::I32LeU => B::I32LeU,
        O::I32GeS => B::I32GeS,
        O::I32GeU => B::I32GeU,
        O::I64Eq => B::I64Eq,
        O::I64Ne => B::I64Ne,
        O::I64LtS => B::I64LtS,
        O::I64LtU => B::I64LtU,
        O::I64GtS => B::I64GtS,
        O::I64GtU => B::I64GtU,
        O::I64LeS => B::I64LeS,
        O::I64LeU => B::I64LeU,
        O::I64GeS => B::I64GeS,
        O::I64GeU => B::I64GeU,
        O::F32Eq => B::F32Eq,
        O::F32Ne => B::F32Ne,
        O::F32Lt => B::F32Lt,
        O::F32Gt => B::F32Gt,
        O::F32Le => B::F32Le,
        O::F32Ge => B::F32Ge,
        O::F64Eq => B::F64Eq,
        O::F64Ne => B::F64Ne,
        O::F64Lt => B::F64Lt,
        O::F64Gt => B::F64Gt,
        O::F64Le => B::F64Le,
        O::F64Ge => B::F64Ge,
        O::I32Add => B::I32Add,
        O::I32Sub => B::I32Sub,
        O::I32Mul => B::I32Mul,
        O::I32DivS => B::I32DivS,
        O::I32DivU => B::I32DivU,
        O::I32RemS => B::I32RemS,
        O::I32RemU => B::I32RemU,
        O::I32And => B::I32And,
        O::I32Or => B::I32Or,
        O::I32Xor => B::I32Xor,
        O::I32Shl => B::I32Shl,
        O::I32ShrS => B::I32ShrS,
        O::I32ShrU => B::I32ShrU,
        O::I32Rotl => B::I32Rotl,
        O::I32Rotr => B::I32Rotr,
        O::I64Add => B::I64Add,
        O::I64Sub => B::I64Sub,
        O::I64Mul => B::I64Mul,
        O::I64DivS => B::I64DivS,
        O::I64DivU => B::I64DivU,
        O::I64RemS => B::I64RemS,
        O::I64RemU => B::I64RemU,
        O::I64And => B::I64And,
        O::I64Or => B::I64Or,
        O::I64Xor => B::I64Xor,
        O::I64Shl => B::I64Shl,
        O::I64ShrS => B::I64ShrS,
        O::I64ShrU => B::I64ShrU,
        O::I64Rotl => B::I64Rotl,
        O::I64Rotr => B::I64Rotr,
        O::F32Add => B::F32Add,
        O::F32Sub => B::F32Sub,
        O::F32Mul => B::F32Mul,
        O::F32Div => B::F32Div,
        O::F32Min => B::F32Min,
        O::F32Max => B::F32Max,
        O::F32Copysign => B::F32Copysign,
        O::F64Add => B::F64Add,
        O::F64Sub => B::F64Sub,
        O::F64Mul => B::F64Mul,
        O::F64Div => B::F64Div,
        O::F64Min => B::F64Min,
        O::F64Max => B::F64Max,
        O::F64Copysign => B::F64Copysign,
        _ => return None,
    })
}
