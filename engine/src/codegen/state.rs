//! Closures that touch instance state beyond the frame: globals, memory size and growth,
//! bulk memory, tables, element/data segments and `ref.func`.
//!
//! Globals are on hot paths (the C stack pointer is a global), so `global.get/set` read the
//! cell pointer cached in the context. The rest are comparatively rare and go through the
//! store with ordinary bounds checks.

use super::{operand, rd, wr, Chain, CONTINUE};
use crate::error::TrapCode;
use crate::exec::Ctx;
use crate::store::TableElem;
use crate::translate::ir::{BinOp, Inst, Operand, Slot};

/// Compiles the state-touching instructions.
pub(crate) fn instruction(inst: &Inst, out: &mut Chain) {
    match *inst {
        Inst::GlobalGet { dst, global } => out.statement(move |ctx, fp| unsafe {
            wr(fp, dst, **ctx.globals.add(global as usize));
            CONTINUE
        }),
        Inst::GlobalSet { global, src } => match src {
            Operand::Slot(s) => out.statement(move |ctx, fp| unsafe {
                **ctx.globals.add(global as usize) = rd(fp, s);
                CONTINUE
            }),
            Operand::Imm(v) => out.statement(move |ctx, _fp| unsafe {
                **ctx.globals.add(global as usize) = v;
                CONTINUE
            }),
        },
        Inst::MemorySize { dst } => out.statement(move |ctx, fp| unsafe {
            wr(fp, dst, (ctx.mem_len / crate::store::PAGE) as u64);
            CONTINUE
        }),
        Inst::MemoryGrow { dst, delta } => out.statement(move |ctx, fp| unsafe {
            let d = operand(fp, delta) as u32;
            let r = memory_grow(ctx, d);
            wr(fp, dst, r as u64);
            CONTINUE
        }),
        Inst::MemoryFill { dst, value, len } => out.statement(move |ctx, fp| unsafe {
            let (d, v, n) = (operand(fp, dst) as u32 as u64, operand(fp, value) as u8, operand(fp, len) as u32 as u64);
            if d + n > ctx.mem_len as u64 {
                return ctx.trap(TrapCode::MemoryOutOfBounds);
            }
            std::ptr::write_bytes(ctx.mem_base.add(d as usize), v, n as usize);
            CONTINUE
        }),
        Inst::MemoryCopy { dst, src, len } => out.statement(move |ctx, fp| unsafe {
            let (d, s, n) =
                (operand(fp, dst) as u32 as u64, operand(fp, src) as u32 as u64, operand(fp, len) as u32 as u64);
            let l = ctx.mem_len as u64;
            if d + n > l || s + n > l {
                return ctx.trap(TrapCode::MemoryOutOfBounds);
            }
            std::ptr::copy(ctx.mem_base.add(s as usize), ctx.mem_base.add(d as usize), n as usize);
            CONTINUE
        }),
        Inst::MemoryInit { segment, dst, src, len } => out.statement(move |ctx, fp| unsafe {
            let (d, s, n) =
                (operand(fp, dst) as u32 as u64, operand(fp, src) as u32 as u64, operand(fp, len) as u32 as u64);
            let inst = ctx.inst();
            let bytes: &[u8] =
                if inst.data_dropped[segment as usize] { &[] } else { &inst.module.datas[segment as usize].bytes };
            if d + n > ctx.mem_len as u64 || s + n > bytes.len() as u64 {
                return ctx.trap(TrapCode::MemoryOutOfBounds);
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr().add(s as usize), ctx.mem_base.add(d as usize), n as usize);
            CONTINUE
        }),
        Inst::DataDrop { segment } => out.statement(move |ctx, _fp| {
            let i = ctx.instance as usize;
            ctx.instances[i].data_dropped[segment as usize] = true;
            CONTINUE
        }),
        Inst::ElemDrop { segment } => out.statement(move |ctx, _fp| {
            let i = ctx.instance as usize;
            ctx.instances[i].elems[segment as usize] = Box::new([]);
            CONTINUE
        }),
        Inst::RefFunc { dst, func } => out.statement(move |ctx, fp| unsafe {
            wr(fp, dst, ctx.func_index(func) as u64 + 1);
            CONTINUE
        }),
        Inst::TableGet { table, dst, index } => out.statement(move |ctx, fp| unsafe {
            let i = operand(fp, index) as u32 as usize;
            let t = ctx.table_index(table);
            match ctx.tables[t].elems.get(i) {
                Some(e) => wr(fp, dst, e.bits),
                None => return ctx.trap(TrapCode::TableOutOfBounds),
            }
            CONTINUE
        }),
        Inst::TableSet { table, index, value } => out.statement(move |ctx, fp| unsafe {
            let i = operand(fp, index) as u32 as usize;
            let v = operand(fp, value);
            let t = ctx.table_index(table);
            let t = &mut ctx.tables[t];
            if i >= t.elems.len() {
                return ctx.trap(TrapCode::TableOutOfBounds);
            }
            t.write(&ctx.funcs, i, &[v]);
            CONTINUE
        }),
        Inst::TableSize { table, dst } => out.statement(move |ctx, fp| unsafe {
            let t = ctx.table_index(table);
            wr(fp, dst, ctx.tables[t].elems.len() as u64);
            CONTINUE
        }),
        Inst::TableGrow { table, dst, init, delta } => out.statement(move |ctx, fp| unsafe {
            let (v, d) = (operand(fp, init), operand(fp, delta) as u32);
            let t = ctx.table_index(table);
            let t = &mut ctx.tables[t];
            let init = TableElem::new(&ctx.funcs, t.ty.element(), v);
            let r = t.grow(d, init, ctx.limits.max_table_elements).map_or(-1i32, |old| old as i32);
            wr(fp, dst, r as u32 as u64);
            CONTINUE
        }),
        Inst::TableFill { table, dst, value, len } => out.statement(move |ctx, fp| unsafe {
            let (d, v, n) = (operand(fp, dst) as u32 as u64, operand(fp, value), operand(fp, len) as u32 as u64);
            let t = ctx.table_index(table);
            let t = &mut ctx.tables[t];
            if d + n > t.elems.len() as u64 {
                return ctx.trap(TrapCode::TableOutOfBounds);
            }
            let v = TableElem::new(&ctx.funcs, t.ty.element(), v);
            t.elems[d as usize..(d + n) as usize].fill(v);
            CONTINUE
        }),
        Inst::TableCopy { dst_table, src_table, dst, src, len } => out.statement(move |ctx, fp| unsafe {
            let (d, s, n) =
                (operand(fp, dst) as u32 as u64, operand(fp, src) as u32 as u64, operand(fp, len) as u32 as u64);
            let (td, ts) = (ctx.table_index(dst_table), ctx.table_index(src_table));
            if d + n > ctx.tables[td].elems.len() as u64 || s + n > ctx.tables[ts].elems.len() as u64 {
                return ctx.trap(TrapCode::TableOutOfBounds);
            }
            if td == ts {
                ctx.tables[td].elems.copy_within(s as usize..(s + n) as usize, d as usize);
            } else {
                let tmp: Vec<TableElem> = ctx.tables[ts].elems[s as usize..(s + n) as usize].to_vec();
                ctx.tables[td].elems[d as usize..(d + n) as usize].copy_from_slice(&tmp);
            }
            CONTINUE
        }),
        Inst::TableInit { table, segment, dst, src, len } => out.statement(move |ctx, fp| unsafe {
            let (d, s, n) =
                (operand(fp, dst) as u32 as u64, operand(fp, src) as u32 as u64, operand(fp, len) as u32 as u64);
            let t = ctx.table_index(table);
            let inst = ctx.instance as usize;
            let seg_len = ctx.instances[inst].elems[segment as usize].len() as u64;
            if d + n > ctx.tables[t].elems.len() as u64 || s + n > seg_len {
                return ctx.trap(TrapCode::TableOutOfBounds);
            }
            let items = &ctx.instances[inst].elems[segment as usize][s as usize..(s + n) as usize];
            ctx.tables[t].write(&ctx.funcs, d as usize, items);
            CONTINUE
        }),
        ref other => unreachable!("not a state instruction: {other:?}"),
    }
}

/// `old = global; new = old +/- imm; global = new` (i32), as one closure.
pub(crate) fn global_update(global: u32, old: Slot, op: BinOp, imm: u64, new: Slot, out: &mut Chain) {
    let k = imm as u32;
    let sub = op == BinOp::I32Sub;
    out.statement(move |ctx, fp| unsafe {
        let cell = *ctx.globals.add(global as usize);
        let o = *cell as u32;
        let n = if sub { o.wrapping_sub(k) } else { o.wrapping_add(k) };
        wr(fp, old, o as u64);
        wr(fp, new, n as u64);
        *cell = n as u64;
        CONTINUE
    })
}

/// `new = src +/- imm; global = new` (i32), as one closure.
pub(crate) fn set_global_to(op: BinOp, src: Slot, imm: u64, new: Slot, global: u32, out: &mut Chain) {
    let k = imm as u32;
    let sub = op == BinOp::I32Sub;
    out.statement(move |ctx, fp| unsafe {
        let s = rd(fp, src) as u32;
        let n = if sub { s.wrapping_sub(k) } else { s.wrapping_add(k) };
        wr(fp, new, n as u64);
        **ctx.globals.add(global as usize) = n as u64;
        CONTINUE
    })
}

/// `memory.grow`: returns the old size in pages or -1, and refreshes the cached base/length.
fn memory_grow(ctx: &mut Ctx, delta: u32) -> i32 {
    let Some(m) = ctx.memory_index() else { return -1 };
    let limit = ctx.limits.max_memory_bytes;
    let r = ctx.memories[m].grow(delta, limit).map_or(-1, |old| old as i32);
    ctx.refresh_memory();
    r
}
