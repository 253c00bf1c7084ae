//! The lowered form of a function body: basic blocks of register-slot instructions.
//!
//! The translator produces this IR; `codegen` turns each block into one chain of closures.
//! Operands are already folded: an [`Operand`] is either a frame slot (a local or an
//! operand-stack position, both fixed offsets) or an immediate, so `local.get` and `const`
//! never appear as instructions. Control flow is a flat list of [`BlockIr`]s whose
//! [`Terminator`]s name their successors by index: every branch is O(1).

use crate::error::TrapCode;
use std::fmt;

/// A frame slot index (a `u64` cell relative to the frame pointer).
pub type Slot = u32;
/// Index of a basic block within its function.
pub type BlockId = u32;

/// A folded operand: a slot or raw immediate bits (i32/f32 zero-extended to 64 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// Read the value from this frame slot.
    Slot(Slot),
    /// A constant known at translation time.
    Imm(u64),
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Slot(s) => write!(f, "s{s}"),
            Operand::Imm(v) => write!(f, "#{}", *v as i64),
        }
    }
}

macro_rules! op_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum $name { $($variant),* }
        impl $name {
            /// The Wasm text name of this operator.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.name()) }
        }
    };
}

op_enum!(
    /// Unary numeric operators, conversions and reinterpretations (one operand, one result).
    UnOp {
    I32Eqz => "i32.eqz", I32Clz => "i32.clz", I32Ctz => "i32.ctz", I32Popcnt => "i32.popcnt",
    I32Extend8S => "i32.extend8_s", I32Extend16S => "i32.extend16_s",
    I64Eqz => "i64.eqz", I64Clz => "i64.clz", I64Ctz => "i64.ctz", I64Popcnt => "i64.popcnt",
    I64Extend8S => "i64.extend8_s", I64Extend16S => "i64.extend16_s", I64Extend32S => "i64.extend32_s",
    F32Abs => "f32.abs", F32Neg => "f32.neg", F32Ceil => "f32.ceil", F32Floor => "f32.floor",
    F32Trunc => "f32.trunc", F32Nearest => "f32.nearest", F32Sqrt => "f32.sqrt",
    F64Abs => "f64.abs", F64Neg => "f64.neg", F64Ceil => "f64.ceil", F64Floor => "f64.floor",
    F64Trunc => "f64.trunc", F64Nearest => "f64.nearest", F64Sqrt => "f64.sqrt",
    I32WrapI64 => "i32.wrap_i64", I64ExtendI32S => "i64.extend_i32_s", I64ExtendI32U => "i64.extend_i32_u",
    I32TruncF32S => "i32.trunc_f32_s", I32TruncF32U => "i32.trunc_f32_u",
    I32TruncF64S => "i32.trunc_f64_s", I32TruncF64U => "i32.trunc_f64_u",
    I64TruncF32S => "i64.trunc_f32_s", I64TruncF32U => "i64.trunc_f32_u",
    I64TruncF64S => "i64.trunc_f64_s", I64TruncF64U => "i64.trunc_f64_u",
    I32TruncSatF32S => "i32.trunc_sat_f32_s", I32TruncSatF32U => "i32.trunc_sat_f32_u",
    I32TruncSatF64S => "i32.trunc_sat_f64_s", I32TruncSatF64U => "i32.trunc_sat_f64_u",
    I64TruncSatF32S => "i64.trunc_sat_f32_s", I64TruncSatF32U => "i64.trunc_sat_f32_u",
    I64TruncSatF64S => "i64.trunc_sat_f64_s", I64TruncSatF64U => "i64.trunc_sat_f64_u",
    F32ConvertI32S => "f32.convert_i32_s", F32ConvertI32U => "f32.convert_i32_u",
    F32ConvertI64S => "f32.convert_i64_s", F32ConvertI64U => "f32.convert_i64_u",
    F64ConvertI32S => "f64.convert_i32_s", F64ConvertI32U => "f64.convert_i32_u",
    F64ConvertI64S => "f64.convert_i64_s", F64ConvertI64U => "f64.convert_i64_u",
    F32DemoteF64 => "f32.demote_f64", F64PromoteF32 => "f64.promote_f32",
    RefIsNull => "ref.is_null",
});

op_enum!(
    /// Binary numeric operators, comparisons included (two operands, one result).
    BinOp {
    I32Eq => "i32.eq", I32Ne => "i32.ne", I32LtS => "i32.lt_s", I32LtU => "i32.lt_u",
    I32GtS => "i32.gt_s", I32GtU => "i32.gt_u", I32LeS => "i32.le_s", I32LeU => "i32.le_u",
    I32GeS => "i32.ge_s", I32GeU => "i32.ge_u",
    I64Eq => "i64.eq", I64Ne => "i64.ne", I64LtS => "i64.lt_s", I64LtU => "i64.lt_u",
    I64GtS => "i64.gt_s", I64GtU => "i64.gt_u", I64LeS => "i64.le_s", I64LeU => "i64.le_u",
    I64GeS => "i64.ge_s", I64GeU => "i64.ge_u",
    F32Eq => "f32.eq", F32Ne => "f32.ne", F32Lt => "f32.lt", F32Gt => "f32.gt", F32Le => "f32.le", F32Ge => "f32.ge",
    F64Eq => "f64.eq", F64Ne => "f64.ne", F64Lt => "f64.lt", F64Gt => "f64.gt", F64Le => "f64.le", F64Ge => "f64.ge",
    I32Add => "i32.add", I32Sub => "i32.sub", I32Mul => "i32.mul", I32DivS => "i32.div_s", I32DivU => "i32.div_u",
    I32RemS => "i32.rem_s", I32RemU => "i32.rem_u", I32And => "i32.and", I32Or => "i32.or", I32Xor => "i32.xor",
    I32Shl => "i32.shl", I32ShrS => "i32.shr_s", I32ShrU => "i32.shr_u", I32Rotl => "i32.rotl", I32Rotr => "i32.rotr",
    I64Add => "i64.add", I64Sub => "i64.sub", I64Mul => "i64.mul", I64DivS => "i64.div_s", I64DivU => "i64.div_u",
    I64RemS => "i64.rem_s", I64RemU => "i64.rem_u", I64And => "i64.and", I64Or => "i64.or", I64Xor => "i64.xor",
    I64Shl => "i64.shl", I64ShrS => "i64.shr_s", I64ShrU => "i64.shr_u", I64Rotl => "i64.rotl", I64Rotr => "i64.rotr",
    F32Add => "f32.add", F32Sub => "f32.sub", F32Mul => "f32.mul", F32Div => "f32.div",
    F32Min => "f32.min", F32Max => "f32.max", F32Copysign => "f32.copysign",
    F64Add => "f64.add", F64Sub => "f64.sub", F64Mul => "f64.mul", F64Div => "f64.div",
    F64Min => "f64.min", F64Max => "f64.max", F64Copysign => "f64.copysign",
});

impl BinOp {
    /// Whether this is an integer comparison (result i32 0/1), eligible for compare-and-branch fusion.
    pub fn is_int_compare(self) -> bool {
        use BinOp::*;
        matches!(
            self,
            I32Eq
                | I32Ne
                | I32LtS
                | I32LtU
                | I32GtS
                | I32GtU
                | I32LeS
                | I32LeU
                | I32GeS
                | I32GeU
                | I64Eq
                | I64Ne
                | I64LtS
                | I64LtU
                | I64GtS
                | I64GtU
                | I64LeS
                | I64LeU
                | I64GeS
                | I64GeU
        )
    }

    /// Whether evaluating this operator can trap (so it must not be constant-folded blindly).
    pub fn can_trap(self) -> bool {
        use BinOp::*;
        matches!(self, I32DivS | I32DivU | I32RemS | I32RemU | I64DivS | I64DivU | I64RemS | I64RemU)
    }
}

op_enum!(
    /// Memory loads; the result type and extension are part of the operator.
    LoadOp {
    I32Load => "i32.load", I64Load => "i64.load", F32Load => "f32.load", F64Load => "f64.load",
    I32Load8S => "i32.load8_s", I32Load8U => "i32.load8_u", I32Load16S => "i32.load16_s", I32Load16U => "i32.load16_u",
    I64Load8S => "i64.load8_s", I64Load8U => "i64.load8_u", I64Load16S => "i64.load16_s", I64Load16U => "i64.load16_u",
    I64Load32S => "i64.load32_s", I64Load32U => "i64.load32_u",
});

op_enum!(
    /// Memory stores; the stored width is part of the operator.
    StoreOp {
    I32Store => "i32.store", I64Store => "i64.store", F32Store => "f32.store", F64Store => "f64.store",
    I32Store8 => "i32.store8", I32Store16 => "i32.store16",
    I64Store8 => "i64.store8", I64Store16 => "i64.store16", I64Store32 => "i64.store32",
});

/// One straight-line instruction. Every instruction writes at most the slots it names.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Inst {
    Copy {
        dst: Slot,
        src: Operand,
    },
    Unary {
        op: UnOp,
        dst: Slot,
        src: Operand,
    },
    Binary {
        op: BinOp,
        dst: Slot,
        lhs: Operand,
        rhs: Operand,
    },
    /// `dst = if cond != 0 { a } else { b }`.
    Select {
        dst: Slot,
        cond: Operand,
        a: Operand,
        b: Operand,
    },
    Load {
        op: LoadOp,
        dst: Slot,
        addr: Operand,
        offset: u64,
    },
    Store {
        op: StoreOp,
        addr: Operand,
        value: Operand,
        offset: u64,
    },
    GlobalGet {
        dst: Slot,
        global: u32,
    },
    GlobalSet {
        global: u32,
        src: Operand,
    },
    MemorySize {
        dst: Slot,
    },
    MemoryGrow {
        dst: Slot,
        delta: Operand,
    },
    MemoryFill {
        dst: Operand,
        value: Operand,
        len: Operand,
    },
    MemoryCopy {
        dst: Operand,
        src: Operand,
        len: Operand,
    },
    MemoryInit {
        segment: u32,
        dst: Operand,
        src: Operand,
        len: Operand,
    },
    DataDrop {
        segment: u32,
    },
    TableGet {
        table: u32,
        dst: Slot,
        index: Operand,
    },
    TableSet {
        table: u32,
        index: Operand,
        value: Operand,
    },
    TableSize {
        table: u32,
        dst: Slot,
    },
    TableGrow {
        table: u32,
        dst: Slot,
        init: Operand,
        delta: Operand,
    },
    TableFill {
        table: u32,
        dst: Operand,
        value: Operand,
        len: Operand,
    },
    TableCopy {
        dst_table: u32,
        src_table: u32,
        dst: Operand,
        src: Operand,
        len: Operand,
    },
    TableInit {
        table: u32,
        segment: u32,
        dst: Operand,
        src: Operand,
        len: Operand,
    },
    ElemDrop {
        segment: u32,
    },
    /// `dst = funcref to function `func` of the running instance`.
    RefFunc {
        dst: Slot,
        func: u32,
    },
    /// Call function `func`; its frame starts at slot `base` (arguments already there,
    /// results written back from `base`).
    Call {
        func: u32,
        base: Slot,
    },
    /// Call through `table[index]`, checked against type `type_index`.
    CallIndirect {
        type_index: u32,
        table: u32,
        index: Operand,
        base: Slot,
    },
}

impl Inst {
    /// The single slot this instruction writes, if it writes exactly one value slot.
    pub fn single_dst(&self) -> Option<Slot> {
        match *self {
            Inst::Copy { dst, .. }
            | Inst::Unary { dst, .. }
            | Inst::Binary { dst, .. }
            | Inst::Select { dst, .. }
            | Inst::Load { dst, .. }
            | Inst::GlobalGet { dst, .. }
            | Inst::MemorySize { dst }
            | Inst::MemoryGrow { dst, .. }
            | Inst::TableGet { dst, .. }
            | Inst::TableSize { dst, .. }
            | Inst::TableGrow { dst, .. }
            | Inst::RefFunc { dst, .. } => Some(dst),
            _ => None,
        }
    }

    /// Mutable access to the destination of a single-result instruction (used to retarget
    /// a producer onto a local for `local.set`/`local.tee`).
    pub fn single_dst_mut(&mut self) -> Option<&mut Slot> {
        match self {
            Inst::Copy { dst, .. }
            | Inst::Unary { dst, .. }
            | Inst::Binary { dst, .. }
            | Inst::Select { dst, .. }
            | Inst::Load { dst, .. }
            | Inst::GlobalGet { dst, .. }
            | Inst::MemorySize { dst }
            | Inst::MemoryGrow { dst, .. }
            | Inst::TableGet { dst, .. }
            | Inst::TableSize { dst, .. }
            | Inst::TableGrow { dst, .. }
            | Inst::RefFunc { dst, .. } => Some(dst),
            _ => None,
        }
    }
}

/// The condition of a two-way branch, with compares fused in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cond {
    /// Taken when the i32 operand is non-zero.
    NonZero(Operand),
    /// Taken when the i32 operand is zero (`i32.eqz` fused).
    Zero(Operand),
    /// Taken when the integer comparison holds (compare fused into the branch).
    Compare(BinOp, Operand, Operand),
}

/// How a basic block ends. Successors are block indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Terminator {
    /// Continue at this block.
    Jump(BlockId),
    /// Two-way branch.
    Branch { cond: Cond, then: BlockId, els: BlockId },
    /// `br_table`: `targets[index]`, or `default` when out of range.
    Table { index: Operand, targets: Box<[BlockId]>, default: BlockId },
    /// Return; results are already in slots `0..n`.
    Return,
    /// Trap unconditionally.
    Trap(TrapCode),
}

impl Terminator {
    /// The blocks control may continue at.
    pub fn successors(&self) -> impl Iterator<Item = BlockId> + '_ {
        // No allocation: this runs for every block in several passes.
        let (pair, table): ([Option<BlockId>; 2], &[BlockId]) = match self {
            Terminator::Jump(t) => ([Some(*t), None], &[]),
            Terminator::Branch { then, els, .. } => ([Some(*then), Some(*els)], &[]),
            Terminator::Table { targets, default, .. } => ([Some(*default), None], targets),
            Terminator::Return | Terminator::Trap(_) => ([None, None], &[]),
        };
        table.iter().copied().chain(pair.into_iter().flatten())
    }
}

/// One basic block: straight-line instructions and a terminator.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockIr {
    /// The instructions, in order.
    pub insts: Vec<Inst>,
    /// How control leaves the block.
    pub term: Terminator,
}

/// A whole lowered function.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncIr {
    /// Number of parameters (slots `0..params`).
    pub params: u32,
    /// Number of declared non-parameter locals (slots `params..params+locals`, zeroed on entry).
    pub locals: u32,
    /// Total slots the frame needs (locals, operand stack, temporaries, results).
    pub frame_size: u32,
    /// Basic blocks; block 0 is the entry.
    pub blocks: Vec<BlockIr>,
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::NonZero(o) => write!(f, "{o} != 0"),
            Cond::Zero(o) => write!(f, "{o} == 0"),
            Cond::Compare(op, a, b) => write!(f, "{op} {a} {b}"),
        }
    }
}

impl fmt::Display for Inst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inst::Copy { dst, src } => write!(f, "s{dst} = {src}"),
            Inst::Unary { op, dst, src } => write!(f, "s{dst} = {op} {src}"),
            Inst::Binary { op, dst, lhs, rhs } => write!(f, "s{dst} = {op} {lhs} {rhs}"),
            Inst::Select { dst, cond, a, b } => write!(f, "s{dst} = select {cond} ? {a} : {b}"),
            Inst::Load { op, dst, addr, offset } => write!(f, "s{dst} = {op} [{addr}+{offset}]"),
            Inst::Store { op, addr, value, offset } => write!(f, "{op} [{addr}+{offset}] = {value}"),
            Inst::GlobalGet { dst, global } => write!(f, "s{dst} = global.get {global}"),
            Inst::GlobalSet { global, src } => write!(f, "global.set {global} = {src}"),
            Inst::MemorySize { dst } => write!(f, "s{dst} = memory.size"),
            Inst::MemoryGrow { dst, delta } => write!(f, "s{dst} = memory.grow {delta}"),
            Inst::MemoryFill { dst, value, len } => write!(f, "memory.fill {dst} {value} {len}"),
            Inst::MemoryCopy { dst, src, len } => write!(f, "memory.copy {dst} {src} {len}"),
            Inst::MemoryInit { segment, dst, src, len } => write!(f, "memory.init {segment} {dst} {src} {len}"),
            Inst::DataDrop { segment } => write!(f, "data.drop {segment}"),
            Inst::TableGet { table, dst, index } => write!(f, "s{dst} = table.get {table} {index}"),
            Inst::TableSet { table, index, value } => write!(f, "table.set {table} {index} = {value}"),
            Inst::TableSize { table, dst } => write!(f, "s{dst} = table.size {table}"),
            Inst::TableGrow { table, dst, init, delta } => write!(f, "s{dst} = table.grow {table} {init} {delta}"),
            Inst::TableFill { table, dst, value, len } => write!(f, "table.fill {table} {dst} {value} {len}"),
            Inst::TableCopy { dst_table, src_table, dst, src, len } => {
                write!(f, "table.copy {dst_table} {src_table} {dst} {src} {len}")
            }
            Inst::TableInit { table, segment, dst, src, len } => {
                write!(f, "table.init {table} {segment} {dst} {src} {len}")
            }
            Inst::ElemDrop { segment } => write!(f, "elem.drop {segment}"),
            Inst::RefFunc { dst, func } => write!(f, "s{dst} = ref.func {func}"),
            Inst::Call { func, base } => write!(f, "call {func} @s{base}"),
            Inst::CallIndirect { type_index, table, index, base } => {
                write!(f, "call_indirect type {type_index} table {table} [{index}] @s{base}")
            }
        }
    }
}

impl fmt::Display for FuncIr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "params {} locals {} frame {}", self.params, self.locals, self.frame_size)?;
        for (i, b) in self.blocks.iter().enumerate() {
            writeln!(f, "b{i}:")?;
            for inst in &b.insts {
                writeln!(f, "  {inst}")?;
            }
            match &b.term {
                Terminator::Jump(t) => writeln!(f, "  jump b{t}")?,
                Terminator::Branch { cond, then, els } => writeln!(f, "  if {cond} then b{then} else b{els}")?,
                Terminator::Table { index, targets, default } => {
                    let t: Vec<String> = targets.iter().map(|t| format!("b{t}")).collect();
                    writeln!(f, "  br_table {index} [{}] default b{default}", t.join(" "))?
                }
                Terminator::Return => writeln!(f, "  return")?,
                Terminator::Trap(c) => writeln!(f, "  trap \"{c}\"")?,
            }
        }
        Ok(())
    }
}
