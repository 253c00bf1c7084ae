//! [`Store`] and the entities it owns: functions, memories, tables, globals, instances.
//!
//! Handles such as [`Func`](crate::Func) or [`Memory`](crate::Memory) are indices into the
//! store's vectors. The store's inner state is the execution context [`Ctx`]; the user's
//! `T` lives beside it so host functions can borrow both.

use crate::codegen::Entry;
use crate::engine::{Engine, SigId};
use crate::error::Error;
use crate::exec::Ctx;
use crate::module::{Compiled, FuncCode, ModuleInner};
use crate::types::{FuncType, GlobalType, MemoryType, TableType};
use std::sync::Arc;

/// Bytes in a Wasm page.
pub(crate) const PAGE: usize = 65536;
/// Pages addressable by a 32-bit memory.
pub(crate) const MAX_PAGES: u32 = 65536;

/// A host function in slot form: `slots` holds the arguments on entry and receives the results.
pub(crate) type HostFn = dyn Fn(&mut Ctx, &mut [u64]) -> Result<(), Error> + Send + Sync;

/// A pointer to compiled code kept alive by the instance's `Arc<ModuleInner>`.
#[derive(Clone, Copy)]
pub(crate) struct CodePtr(pub *const FuncCode);
// SAFETY: FuncCode is immutable after compilation and owned by an Arc'd module.
unsafe impl Send for CodePtr {}
unsafe impl Sync for CodePtr {}

/// A function in the store.
pub(crate) enum FuncEntity {
    /// A function defined by a module instance.
    Wasm { instance: u32, code: CodePtr, sig: SigId, ty: FuncType },
    /// A host function.
    Host { host: Arc<HostFn>, sig: SigId, ty: FuncType },
}

impl FuncEntity {
    pub(crate) fn ty(&self) -> &FuncType {
        match self {
            FuncEntity::Wasm { ty, .. } | FuncEntity::Host { ty, .. } => ty,
        }
    }
}

/// A zero-filled byte vector from the allocator's zeroed path (fresh pages from the OS cost
/// nothing until touched, unlike writing every byte), or `None` if the host is out of memory.
fn zeroed_bytes(n: usize) -> Option<Vec<u8>> {
    if n == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(n).ok()?;
    // SAFETY: `layout` has a non-zero size; a non-null result is `n` zeroed bytes allocated
    // with the global allocator and alignment 1, exactly what `Vec<u8>` with capacity `n` owns.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout);
        (!p.is_null()).then(|| Vec::from_raw_parts(p, n, n))
    }
}

/// A linear memory.
pub(crate) struct MemoryEntity {
    pub ty: MemoryType,
    pub data: Vec<u8>,
}

impl MemoryEntity {
    pub(crate) fn new(ty: MemoryType) -> Result<MemoryEntity, Error> {
        let bytes = ty.minimum() as usize * PAGE;
        let data = zeroed_bytes(bytes).ok_or_else(|| {
            Error::new(crate::error::ErrorKind::Instantiate, "out of memory allocating linear memory")
        })?;
        Ok(MemoryEntity { ty, data })
    }

    /// Current size in pages.
    pub(crate) fn pages(&self) -> u32 {
        (self.data.len() / PAGE) as u32
    }

    /// Grows by `delta` pages; returns the old size in pages, or `None` when the limit or
    /// the host's memory does not allow it (`memory.grow` then yields -1).
    /// `max_bytes` is the store's limit for one memory.
    pub(crate) fn grow(&mut self, delta: u32, max_bytes: usize) -> Option<u32> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.ty.maximum().unwrap_or(MAX_PAGES).min(MAX_PAGES) || new as usize * PAGE > max_bytes {
            return None;
        }
        let bytes = new as usize * PAGE;
        self.data.try_reserve_exact(bytes - self.data.len()).ok()?;
        self.data.resize(bytes, 0);
        Some(old)
    }
}

/// A table of references (slot encoding: 0 is null).
pub(crate) struct TableEntity {
    pub ty: TableType,
    pub elems: Vec<TableElem>,
}

/// The signature a [`TableElem`] has when it is not a function reference.
pub(crate) const NO_SIG: SigId = SigId::MAX;

/// One table element: the reference's bits, and for a function reference what
/// `call_indirect` needs to call it without going through the store's function list. An
/// indirect call with an unpredictable target waits for the callee's address; every
/// dependent load on the way (element, function entity, code) is paid on each miss.
#[derive(Clone, Copy)]
pub(crate) struct TableElem {
    /// The reference in slot encoding.
    pub bits: u64,
    /// The referenced function's compiled code if it is a Wasm function compiled already,
    /// else null.
    pub compiled: *const Compiled,
    /// Where that code starts (a copy of its `entry`), so that the jump into a callee the
    /// branch predictor missed waits for one load, the element, instead of two.
    pub entry: Entry,
    /// The referenced function's signature, or [`NO_SIG`].
    pub sig: SigId,
    /// The instance the referenced Wasm function belongs to if `compiled` is set, else
    /// `u32::MAX`: `call_indirect`'s fast path needs nothing but this and `sig`.
    pub instance: u32,
}

impl TableElem {
    /// The null reference.
    pub(crate) const NULL: TableElem =
        TableElem { bits: 0, compiled: std::ptr::null(), entry: Entry::NONE, sig: NO_SIG, instance: u32::MAX };

    /// The element holding reference `bits` of a table of `element` type; `funcs` resolves
    /// function references.
    pub(crate) fn new(funcs: &[FuncEntity], element: crate::types::ValType, bits: u64) -> TableElem {
        if element != crate::types::ValType::FuncRef || bits == 0 {
            return TableElem { bits, ..TableElem::NULL };
        }
        match &funcs[bits as usize - 1] {
            // SAFETY: the instance's module keeps the code alive.
            FuncEntity::Wasm { instance, code, sig, .. } => match unsafe { (*code.0).compiled.get() } {
                Some(c) => TableElem { bits, compiled: c, entry: c.entry, sig: *sig, instance: *instance },
                None => TableElem { bits, sig: *sig, ..TableElem::NULL },
            },
            FuncEntity::Host { sig, .. } => TableElem { bits, sig: *sig, ..TableElem::NULL },
        }
    }
}

impl TableEntity {
    /// A table of type `ty` with its minimum number of elements, all `init`.
    pub(crate) fn new(ty: TableType, init: TableElem) -> TableEntity {
        TableEntity { ty, elems: vec![init; ty.minimum() as usize] }
    }

    /// Sets elements from `at` on to references `bits` (the caller checked the bounds).
    pub(crate) fn write(&mut self, funcs: &[FuncEntity], at: usize, bits: &[u64]) {
        let element = self.ty.element();
        for (e, &b) in self.elems[at..at + bits.len()].iter_mut().zip(bits) {
            *e = TableElem::new(funcs, element, b);
        }
    }

    /// Grows by `delta` elements set to `init`; returns the old size or `None`.
    /// `max_elements` is the store's limit for one table.
    pub(crate) fn grow(&mut self, delta: u32, init: TableElem, max_elements: u32) -> Option<u32> {
        let old = self.elems.len() as u32;
        let new = old.checked_add(delta)?;
        if new > self.ty.maximum().unwrap_or(u32::MAX) || new > max_elements {
            return None;
        }
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

/// A global variable; the boxed cell keeps a stable address for compiled code.
pub(crate) struct GlobalEntity {
    pub ty: GlobalType,
    pub cell: Box<u64>,
}

/// An instantiated module's view of the store.
pub(crate) struct InstanceEntity {
    pub module: Arc<ModuleInner>,
    /// Store indices of the module's functions, tables, memories and globals.
    pub funcs: Box<[u32]>,
    pub tables: Box<[u32]>,
    pub memories: Box<[u32]>,
    pub globals: Box<[u32]>,
    /// Pointers to the globals' value cells (what compiled code reads).
    pub global_cells: Box<[*mut u64]>,
    /// Resolved element segments (empty once dropped).
    pub elems: Vec<Box<[u64]>>,
    /// Whether each data segment has been dropped.
    pub data_dropped: Vec<bool>,
}

/// Owns all runtime state: instances, memories, tables, globals, functions, and the host's
/// data `T`. Every handle is only valid with the store that created it.
pub struct Store<T> {
    pub(crate) ctx: Box<Ctx>,
    pub(crate) data: T,
}

/// Resource limits of a store: how large each memory and table may grow. `memory.grow` and
/// `table.grow` past a limit return -1, as the spec allows; instantiating a module whose
/// initial sizes exceed them fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// Maximum bytes of one linear memory (default 4 GiB, the 32-bit maximum).
    pub max_memory_bytes: usize,
    /// Maximum elements of one table (default 10,000,000).
    pub max_table_elements: u32,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits { max_memory_bytes: MAX_PAGES as usize * PAGE, max_table_elements: 10_000_000 }
    }
}

/// Stops Wasm running in a store from another thread (or a timer): the running code traps
/// with [`TrapCode::Interrupted`](crate::TrapCode::Interrupted) within a few microseconds.
/// One request stops one run: it is cleared when the trap is raised.
#[derive(Debug, Clone)]
pub struct InterruptHandle(pub(crate) std::sync::Arc<std::sync::atomic::AtomicBool>);

impl InterruptHandle {
    /// Requests that the running (or next) Wasm execution in the store stop.
    pub fn interrupt(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl<T> Store<T> {
    /// Creates a store holding `data`.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store { ctx: Box::new(Ctx::new(engine)), data }
    }

    /// Sets the store's resource limits (applies to later growth and instantiation).
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.ctx.limits = limits;
    }

    /// The store's resource limits.
    pub fn limits(&self) -> StoreLimits {
        self.ctx.limits
    }

    /// Sets the fuel left for Wasm execution.
    ///
    /// # Errors
    /// If fuel metering is not enabled with [`Config::consume_fuel`](crate::Config::consume_fuel).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        self.ctx.set_fuel(fuel)
    }

    /// The fuel left.
    ///
    /// # Errors
    /// If fuel metering is not enabled.
    pub fn get_fuel(&self) -> Result<u64, Error> {
        self.ctx.get_fuel()
    }

    /// A handle that stops running Wasm from another thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(self.ctx.interrupt.clone())
    }

    /// Makes Wasm execution trap with [`TrapCode::Interrupted`](crate::TrapCode::Interrupted)
    /// once `timeout` has passed from now (`None` removes the deadline). Checked as often as
    /// interruption requests, without needing another thread.
    pub fn set_deadline(&mut self, timeout: Option<std::time::Duration>) {
        self.ctx.deadline = timeout.map(|t| std::time::Instant::now() + t);
    }
    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.ctx.engine
    }
    /// The host data.
    pub fn data(&self) -> &T {
        &self.data
    }
    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }
    /// Consumes the store, returning the host data.
    pub fn into_data(self) -> T {
        self.data
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("data", &self.data).finish_non_exhaustive()
    }
}

/// A shared borrow of a store.
pub struct StoreContext<'a, T> {
    pub(crate) ctx: &'a Ctx,
    pub(crate) data: &'a T,
}

impl<T> StoreContext<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        self.data
    }
}

/// An exclusive borrow of a store.
pub struct StoreContextMut<'a, T> {
    pub(crate) ctx: &'a mut Ctx,
    pub(crate) data: &'a mut T,
}

impl<T> StoreContextMut<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        self.data
    }
    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.data
    }
}

/// Anything that gives shared access to a store.
pub trait AsContext {
    /// The store's host data type.
    type Data;
    /// Borrows the store.
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Anything that gives exclusive access to a store.
pub trait AsContextMut: AsContext {
    /// Borrows the store mutably.
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext { ctx: &self.ctx, data: &self.data }
    }
}
impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut { ctx: &mut self.ctx, data: &mut self.data }
    }
}
impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext { ctx: self.ctx, data: self.data }
    }
}
impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut { ctx: self.ctx, data: self.data }
    }
}
impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}
impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}
impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, C::Data> {
        (**self).as_context_mut()
    }
}
