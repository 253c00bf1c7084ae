//! [`Instance`]: instantiation of a module in a store, and its exports ([`Extern`]).
//!
//! Instantiation follows WebAssembly 2.0: imports are matched (with limit subtyping),
//! memories/tables/globals are created, element and data segments are applied in order
//! (a trap leaves earlier writes in place, as the spec says), then the start function runs.

use crate::error::{Error, ErrorKind, TrapCode};
use crate::exec::Ctx;
use crate::externals::{Global, Memory, Table};
use crate::func::Func;
use crate::module::{ConstExpr, DataMode, ElemMode, ExternIndex, Module};
use crate::store::{
    AsContext, AsContextMut, CodePtr, FuncEntity, GlobalEntity, InstanceEntity, MemoryEntity, TableElem, TableEntity,
};
use crate::types::{limits_match, ExternType};

/// Something a module can import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A linear memory.
    Memory(Memory),
    /// A global.
    Global(Global),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }

    /// The type of this external value.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        let cx = store.as_context();
        extern_type(cx.ctx, *self)
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}

pub(crate) fn extern_type(ctx: &Ctx, e: Extern) -> ExternType {
    match e {
        Extern::Func(f) => ExternType::Func(ctx.funcs[f.0 as usize].ty().clone()),
        Extern::Table(t) => {
            let t = &ctx.tables[t.0 as usize];
            ExternType::Table(crate::types::TableType::new(t.ty.element(), t.elems.len() as u32, t.ty.maximum()))
        }
        Extern::Memory(m) => {
            let m = &ctx.memories[m.0 as usize];
            ExternType::Memory(crate::types::MemoryType::new(m.pages(), m.ty.maximum()))
        }
        Extern::Global(g) => ExternType::Global(ctx.global_entities[g.0 as usize].ty),
    }
}

/// An instantiated module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instance(pub(crate) u32);

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import order.
    ///
    /// # Errors
    /// [`ErrorKind::Link`] if an import is missing or has the wrong type;
    /// [`ErrorKind::Trap`] if a segment does not fit or the start function traps.
    pub fn new(mut store: impl AsContextMut, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
        let cx = store.as_context_mut();
        cx.ctx.host_data = cx.data as *mut _ as *mut ();
        instantiate(cx.ctx, module, imports)
    }

    /// An export by name.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        self.export_in(store.as_context().ctx, name)
    }

    pub(crate) fn export_in(&self, ctx: &Ctx, name: &str) -> Option<Extern> {
        let inst = &ctx.instances[self.0 as usize];
        let (_, idx) = inst.module.exports.iter().find(|(n, _)| n == name)?;
        Some(resolve(inst, *idx))
    }

    /// An exported function by name.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// An exported function with a checked static signature.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] if there is no such function export or its type differs.
    pub fn get_typed_func<P: crate::func::WasmTyList, R: crate::func::WasmTyList>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<crate::func::TypedFunc<P, R>, Error> {
        let f = self
            .get_func(&store, name)
            .ok_or_else(|| Error::new(ErrorKind::Usage, format!("no exported function named `{name}`")))?;
        f.typed(&store)
    }

    /// An exported memory by name.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }
    /// An exported table by name.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }
    /// An exported global by name.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// All exports, by name.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let cx = store.as_context();
        let inst = &cx.ctx.instances[self.0 as usize];
        inst.module.exports.iter().map(|(n, idx)| (n.clone(), resolve(inst, *idx))).collect()
    }
}

fn resolve(inst: &InstanceEntity, idx: ExternIndex) -> Extern {
    match idx {
        ExternIndex::Func(i) => Extern::Func(Func(inst.funcs[i as usize])),
        ExternIndex::Table(i) => Extern::Table(Table(inst.tables[i as usize])),
        ExternIndex::Memory(i) => Extern::Memory(Memory(inst.memories[i as usize])),
        ExternIndex::Global(i) => Extern::Global(Global(inst.globals[i as usize])),
    }
}

fn link_err(msg: String) -> Error {
    Error::new(ErrorKind::Link, msg)
}

/// Checks that `actual` may satisfy an import of type `expected`.
pub(crate) fn import_matches(ctx: &Ctx, actual: Extern, expected: &ExternType) -> Result<(), String> {
    let got = extern_type(ctx, actual);
    let ok = match (&got, expected) {
        (ExternType::Func(a), ExternType::Func(e)) => a == e,
        (ExternType::Global(a), ExternType::Global(e)) => a == e,
        (ExternType::Memory(a), ExternType::Memory(e)) => {
            limits_match(a.minimum() as u64, a.maximum().map(u64::from), e.minimum() as u64, e.maximum().map(u64::from))
        }
        (ExternType::Table(a), ExternType::Table(e)) => {
            a.element() == e.element()
                && limits_match(
                    a.minimum() as u64,
                    a.maximum().map(u64::from),
                    e.minimum() as u64,
                    e.maximum().map(u64::from),
                )
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("incompatible import type: expected {expected:?}, found {got:?}"))
    }
}

fn eval_const(ctx: &Ctx, inst: &InstanceEntity, e: ConstExpr) -> u64 {
    match e {
        ConstExpr::Bits(b) => b,
        ConstExpr::GlobalGet(g) => *ctx.global_entities[inst.globals[g as usize] as usize].cell,
        ConstExpr::RefFunc(f) => inst.funcs[f as usize] as u64 + 1,
    }
}

pub(crate) fn instantiate(ctx: &mut Ctx, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
    let m = &module.inner;
    if !m.engine.same(&ctx.engine) {
        return Err(Error::new(ErrorKind::Usage, "module and store belong to different engines"));
    }
    if imports.len() != m.imports.len() {
        return Err(link_err(format!("expected {} imports, got {}", m.imports.len(), imports.len())));
    }
    let mut funcs = Vec::with_capacity(m.func_types.len());
    let mut tables = Vec::with_capacity(m.tables.len());
    let mut memories = Vec::with_capacity(m.memories.len());
    let mut globals = Vec::with_capacity(m.globals.len());
    for (imp, ext) in m.imports.iter().zip(imports) {
        let valid_handle = match *ext {
            Extern::Func(f) => (f.0 as usize) < ctx.funcs.len(),
            Extern::Table(t) => (t.0 as usize) < ctx.tables.len(),
            Extern::Memory(x) => (x.0 as usize) < ctx.memories.len(),
            Extern::Global(g) => (g.0 as usize) < ctx.global_entities.len(),
        };
        if !valid_handle {
            return Err(Error::new(ErrorKind::Usage, "import handle does not belong to this store"));
        }
        import_matches(ctx, *ext, &imp.ty)
            .map_err(|e| link_err(format!("import `{}`.`{}`: {e}", imp.module, imp.name)))?;
        match *ext {
            Extern::Func(f) => funcs.push(f.0),
            Extern::Table(t) => tables.push(t.0),
            Extern::Memory(x) => memories.push(x.0),
            Extern::Global(g) => globals.push(g.0),
        }
    }
    let inst_index = ctx.instances.len() as u32;
    for (i, code) in m.code.iter().enumerate() {
        let fidx = m.num_imported_funcs as usize + i;
        let ty = m.func_type(fidx as u32).clone();
        ctx.funcs.push(FuncEntity::Wasm { instance: inst_index, code: CodePtr(code), sig: code.sig, ty });
        funcs.push(ctx.funcs.len() as u32 - 1);
    }
    for t in &m.tables[m.num_imported_tables as usize..] {
        if t.minimum() > ctx.limits.max_table_elements {
            return Err(Error::new(ErrorKind::Instantiate, "table size exceeds the store's limit"));
        }
        ctx.tables.push(TableEntity::new(*t, TableElem::NULL));
        tables.push(ctx.tables.len() as u32 - 1);
    }
    for mt in &m.memories[m.num_imported_memories as usize..] {
        if mt.minimum() as usize * crate::store::PAGE > ctx.limits.max_memory_bytes {
            return Err(Error::new(ErrorKind::Instantiate, "memory size exceeds the store's limit"));
        }
        ctx.memories.push(MemoryEntity::new(*mt)?);
        memories.push(ctx.memories.len() as u32 - 1);
    }
    let mut inst = InstanceEntity {
        module: m.clone(),
        funcs: funcs.into(),
        tables: tables.into(),
        memories: memories.into(),
        globals: Box::new([]),
        global_cells: Box::new([]),
        elems: Vec::new(),
        data_dropped: vec![false; m.datas.len()],
    };
    for (gt, init) in m.globals[m.num_imported_globals as usize..].iter().zip(&m.global_inits) {
        inst.globals = globals.clone().into();
        let v = eval_const(ctx, &inst, *init);
        ctx.global_entities.push(GlobalEntity { ty: *gt, cell: Box::new(v) });
        globals.push(ctx.global_entities.len() as u32 - 1);
    }
    inst.globals = globals.into();
    inst.global_cells = inst.globals.iter().map(|&g| &mut *ctx.global_entities[g as usize].cell as *mut u64).collect();
    inst.elems = m
        .elems
        .iter()
        .map(|seg| seg.items.iter().map(|e| eval_const(ctx, &inst, *e)).collect::<Box<[u64]>>())
        .collect();
    ctx.instances.push(inst);

    // Segments are applied in order; a failure traps and leaves earlier writes visible.
    for (i, seg) in m.elems.iter().enumerate() {
        match &seg.mode {
            ElemMode::Active { table, offset } => {
                let inst = &ctx.instances[inst_index as usize];
                let off = eval_const(ctx, inst, *offset) as u32;
                let items = std::mem::take(&mut ctx.instances[inst_index as usize].elems[i]);
                let t = ctx.instances[inst_index as usize].tables[*table as usize] as usize;
                let table = &mut ctx.tables[t];
                if off as u64 + items.len() as u64 > table.elems.len() as u64 {
                    return Err(TrapCode::TableOutOfBounds.into());
                }
                table.write(&ctx.funcs, off as usize, &items);
            }
            ElemMode::Declared => ctx.instances[inst_index as usize].elems[i] = Box::new([]),
            ElemMode::Passive => {}
        }
    }
    for (i, seg) in m.datas.iter().enumerate() {
        if let DataMode::Active { offset } = &seg.mode {
            let inst = &ctx.instances[inst_index as usize];
            let off = eval_const(ctx, inst, *offset) as u32 as u64;
            let mem = inst.memories[0] as usize;
            let data = &mut ctx.memories[mem].data;
            let end = off + seg.bytes.len() as u64;
            if end > data.len() as u64 {
                return Err(TrapCode::MemoryOutOfBounds.into());
            }
            data[off as usize..end as usize].copy_from_slice(&seg.bytes);
            ctx.instances[inst_index as usize].data_dropped[i] = true;
        }
    }
    if let Some(start) = m.start {
        let f = ctx.instances[inst_index as usize].funcs[start as usize];
        ctx.call_from_host(f, &[], &mut [])?;
    }
    Ok(Instance(inst_index))
}
