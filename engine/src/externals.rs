//! Handles to a store's memories, tables and globals: [`Memory`], [`Table`], [`Global`].

use crate::error::{Error, ErrorKind, TrapCode};
use crate::store::{AsContext, AsContextMut, GlobalEntity, MemoryEntity, TableElem, TableEntity};
use crate::types::{GlobalType, MemoryType, Mutability, TableType};
use crate::value::Val;

/// A linear memory in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

impl Memory {
    /// Creates a memory of the given type.
    ///
    /// # Errors
    /// If the minimum size cannot be allocated or exceeds 4 GiB.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory, Error> {
        if ty.minimum() > crate::store::MAX_PAGES {
            return Err(Error::new(ErrorKind::Usage, "memory size exceeds 4 GiB"));
        }
        let cx = store.as_context_mut();
        cx.ctx.memories.push(MemoryEntity::new(ty)?);
        Ok(Memory(cx.ctx.memories.len() as u32 - 1))
    }

    /// The memory's type, with its current size as the minimum.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let m = &store.as_context().ctx.memories[self.0 as usize];
        MemoryType::new(m.pages(), m.ty.maximum())
    }

    /// Current size in 64 KiB pages.
    pub fn size(&self, store: impl AsContext) -> u32 {
        store.as_context().ctx.memories[self.0 as usize].pages()
    }

    /// Current size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        store.as_context().ctx.memories[self.0 as usize].data.len()
    }

    /// The memory's bytes.
    pub fn data<'a, T: 'a>(&self, store: impl Into<crate::store::StoreContext<'a, T>>) -> &'a [u8] {
        let cx = store.into();
        &cx.ctx.memories[self.0 as usize].data
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T: 'a>(&self, store: impl Into<crate::store::StoreContextMut<'a, T>>) -> &'a mut [u8] {
        let cx = store.into();
        &mut cx.ctx.memories[self.0 as usize].data
    }

    /// Grows by `delta` pages, returning the old size in pages.
    ///
    /// # Errors
    /// If the maximum would be exceeded or the host is out of memory.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32) -> Result<u32, Error> {
        let cx = store.as_context_mut();
        let limit = cx.ctx.limits.max_memory_bytes;
        let r = cx.ctx.memories[self.0 as usize].grow(delta, limit);
        cx.ctx.refresh_memory();
        r.ok_or_else(|| Error::new(ErrorKind::Usage, "memory cannot grow that far"))
    }

    /// Copies bytes out of memory at `offset`.
    ///
    /// # Errors
    /// A [`TrapCode::MemoryOutOfBounds`] error if the range is outside the memory.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<(), Error> {
        let cx = store.as_context();
        let data = &cx.ctx.memories[self.0 as usize].data;
        let end = offset.checked_add(buf.len()).filter(|&e| e <= data.len()).ok_or(TrapCode::MemoryOutOfBounds)?;
        buf.copy_from_slice(&data[offset..end]);
        Ok(())
    }

    /// Copies bytes into memory at `offset`.
    ///
    /// # Errors
    /// A [`TrapCode::MemoryOutOfBounds`] error if the range is outside the memory.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<(), Error> {
        let cx = store.as_context_mut();
        let data = &mut cx.ctx.memories[self.0 as usize].data;
        let end = offset.checked_add(buf.len()).filter(|&e| e <= data.len()).ok_or(TrapCode::MemoryOutOfBounds)?;
        data[offset..end].copy_from_slice(buf);
        Ok(())
    }
}

impl<'a, T> From<&'a crate::Store<T>> for crate::store::StoreContext<'a, T> {
    fn from(s: &'a crate::Store<T>) -> Self {
        crate::store::StoreContext { ctx: &s.ctx, data: &s.data }
    }
}
impl<'a, T> From<&'a mut crate::Store<T>> for crate::store::StoreContext<'a, T> {
    fn from(s: &'a mut crate::Store<T>) -> Self {
        crate::store::StoreContext { ctx: &s.ctx, data: &s.data }
    }
}
impl<'a, T> From<&'a mut crate::Store<T>> for crate::store::StoreContextMut<'a, T> {
    fn from(s: &'a mut crate::Store<T>) -> Self {
        crate::store::StoreContextMut { ctx: &mut s.ctx, data: &mut s.data }
    }
}
impl<'a, 'b, T> From<&'a crate::Caller<'b, T>> for crate::store::StoreContext<'a, T> {
    fn from(s: &'a crate::Caller<'b, T>) -> Self {
        crate::store::StoreContext { ctx: s.ctx, data: s.data }
    }
}
impl<'a, 'b, T> From<&'a mut crate::Caller<'b, T>> for crate::store::StoreContext<'a, T> {
    fn from(s: &'a mut crate::Caller<'b, T>) -> Self {
        crate::store::StoreContext { ctx: s.ctx, data: s.data }
    }
}
impl<'a, 'b, T> From<&'a mut crate::Caller<'b, T>> for crate::store::StoreContextMut<'a, T> {
    fn from(s: &'a mut crate::Caller<'b, T>) -> Self {
        crate::store::StoreContextMut { ctx: s.ctx, data: s.data }
    }
}

/// A table of references in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

impl Table {
    /// Creates a table of the given type with every element set to `init`.
    ///
    /// # Errors
    /// If `init` does not have the element type.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table, Error> {
        if init.ty() != ty.element() {
            return Err(Error::new(ErrorKind::Usage, "table initial value has the wrong type"));
        }
        let cx = store.as_context_mut();
        let init = TableElem::new(&cx.ctx.funcs, ty.element(), init.to_bits());
        cx.ctx.tables.push(TableEntity::new(ty, init));
        Ok(Table(cx.ctx.tables.len() as u32 - 1))
    }

    /// The table's type, with its current size as the minimum.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let t = &store.as_context().ctx.tables[self.0 as usize];
        TableType::new(t.ty.element(), t.elems.len() as u32, t.ty.maximum())
    }

    /// Current number of elements.
    pub fn size(&self, store: impl AsContext) -> u32 {
        store.as_context().ctx.tables[self.0 as usize].elems.len() as u32
    }

    /// The element at `index`, if in bounds.
    pub fn get(&self, store: impl AsContext, index: u32) -> Option<Val> {
        let t = &store.as_context().ctx.tables[self.0 as usize];
        t.elems.get(index as usize).map(|e| Val::from_bits(t.ty.element(), e.bits))
    }

    /// Sets the element at `index`.
    ///
    /// # Errors
    /// Out of bounds, or a value of the wrong type.
    pub fn set(&self, mut store: impl AsContextMut, index: u32, val: Val) -> Result<(), Error> {
        let cx = store.as_context_mut();
        let ctx = &mut *cx.ctx;
        let t = &mut ctx.tables[self.0 as usize];
        if val.ty() != t.ty.element() {
            return Err(Error::new(ErrorKind::Usage, "table element has the wrong type"));
        }
        *t.elems.get_mut(index as usize).ok_or(TrapCode::TableOutOfBounds)? =
            TableElem::new(&ctx.funcs, t.ty.element(), val.to_bits());
        Ok(())
    }

    /// Grows by `delta` elements set to `init`, returning the old size.
    ///
    /// # Errors
    /// If the maximum would be exceeded or `init` has the wrong type.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32, Error> {
        let cx = store.as_context_mut();
        let ctx = &mut *cx.ctx;
        let t = &mut ctx.tables[self.0 as usize];
        if init.ty() != t.ty.element() {
            return Err(Error::new(ErrorKind::Usage, "table element has the wrong type"));
        }
        let init = TableElem::new(&ctx.funcs, t.ty.element(), init.to_bits());
        t.grow(delta, init, ctx.limits.max_table_elements)
            .ok_or_else(|| Error::new(ErrorKind::Usage, "table cannot grow that far"))
    }
}

/// A global variable in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);

impl Global {
    /// Creates a global with an initial value.
    ///
    /// # Errors
    /// If the value does not have the global's type.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global, Error> {
        if val.ty() != ty.content() {
            return Err(Error::new(ErrorKind::Usage, "global initial value has the wrong type"));
        }
        let cx = store.as_context_mut();
        cx.ctx.global_entities.push(GlobalEntity { ty, cell: Box::new(val.to_bits()) });
        Ok(Global(cx.ctx.global_entities.len() as u32 - 1))
    }

    /// The global's type.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        store.as_context().ctx.global_entities[self.0 as usize].ty
    }

    /// The current value.
    pub fn get(&self, store: impl AsContext) -> Val {
        let g = &store.as_context().ctx.global_entities[self.0 as usize];
        Val::from_bits(g.ty.content(), *g.cell)
    }

    /// Sets the value of a mutable global.
    ///
    /// # Errors
    /// If the global is immutable or the value has the wrong type.
    pub fn set(&self, mut store: impl AsContextMut, val: Val) -> Result<(), Error> {
        let cx = store.as_context_mut();
        let g = &mut cx.ctx.global_entities[self.0 as usize];
        if g.ty.mutability() != Mutability::Var || val.ty() != g.ty.content() {
            return Err(Error::new(ErrorKind::Usage, "cannot set an immutable global or use a value of another type"));
        }
        *g.cell = val.to_bits();
        Ok(())
    }
}
