//! The execution context shared by all running closures, and the call paths.
//!
//! [`Ctx`] is the store's inner state. Its first fields are what closures need on hot paths
//! (the running instance's memory base and length and global cells, call depth, stack
//! limits); the rest holds the store's entities. A closure that cannot continue records a
//! [`Signal`] here and returns [`SIGNAL`](crate::codegen::SIGNAL); the signal travels as that
//! one return value through every Wasm frame until a host frame turns it into an [`Error`].

use crate::codegen::{Code, Entry, RETURN, SIGNAL};
use crate::engine::Engine;
use crate::error::{Error, TrapCode};
use crate::module::{Compiled, FuncCode};
use crate::store::{FuncEntity, GlobalEntity, InstanceEntity, MemoryEntity, TableEntity};
use std::any::Any;

/// Why execution stopped: set by a closure right before it returns `SIGNAL`.
#[derive(Debug)]
pub(crate) enum Signal {
    /// Nothing pending.
    None,
    /// A Wasm trap.
    Trap(TrapCode),
    /// An error raised by a host function (including the unwind signal), passed through
    /// untouched until a host frame receives it.
    Host(Error),
}

/// Native stack kept free below the limit for host functions and long closure chains.
const RED_ZONE: usize = 256 * 1024;
/// Native stack budgeted per Wasm call frame when reserving a stack for `max_call_depth`.
const NATIVE_BYTES_PER_FRAME: usize = 512;

/// Ticks between checks of interruption and deadline when fuel is off, and the most fuel
/// handed to the hot counter at once when it is on.
const BUDGET_SLICE: i64 = 10_000;

/// The execution context passed to every closure (`&mut Ctx`): the store's inner state.
pub(crate) struct Ctx {
    /// Ticks left before the slow path runs (see [`Ctx::tick`]): a slice of fuel, or of
    /// the interval between interruption checks.
    pub(crate) budget: i64,
    /// Base address of the running instance's linear memory 0 (dangling if it has none).
    pub(crate) mem_base: *mut u8,
    /// Current byte length of that memory (0 if none): every access checks against it.
    pub(crate) mem_len: usize,
    /// The running instance's global value cells.
    pub(crate) globals: *const *mut u64,
    /// The running instance (index into `instances`).
    pub(crate) instance: u32,
    /// Current Wasm call depth and its limit.
    pub(crate) depth: u32,
    pub(crate) max_depth: u32,
    /// Lowest native stack address Wasm may use before trapping.
    pub(crate) stack_limit: usize,
    /// `stack_limit` plus a margin: below it, a dispatch record returns to the driver loop
    /// instead of jumping on (see `codegen::dispatch`), so a chain of jumps that were not
    /// compiled as tail calls cannot grow the native stack without bound.
    pub(crate) stack_floor: usize,
    /// One past the last usable value-stack slot.
    pub(crate) value_end: *mut u64,
    /// The pending signal, meaningful only after a closure returned `SIGNAL`.
    pub(crate) signal: Signal,
    /// First free value-stack slot for a new entry from the host.
    pub(crate) value_top: usize,
    /// Nesting of host-to-Wasm entries.
    pub(crate) entries: u32,
    /// The store's `T`, type-erased, valid during a call from the host.
    pub(crate) host_data: *mut (),

    /// Fuel not yet handed to `budget` (fuel metering only).
    pub(crate) fuel_reserve: u64,
    pub(crate) consume_fuel: bool,
    /// Set by an [`InterruptHandle`](crate::InterruptHandle).
    pub(crate) interrupt: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub(crate) deadline: Option<std::time::Instant>,
    pub(crate) limits: crate::store::StoreLimits,

    pub(crate) engine: Engine,
    pub(crate) value_stack: Vec<u64>,
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) memories: Vec<MemoryEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) global_entities: Vec<GlobalEntity>,
    pub(crate) instances: Vec<InstanceEntity>,
    pub(crate) externs: Vec<Box<dyn Any + Send + Sync>>,
}

// SAFETY: the raw pointers all point into data owned by the Ctx itself (memories, globals,
// value stack) or are only dereferenced during a call made through `&mut Store`.
unsafe impl Send for Ctx {}
unsafe impl Sync for Ctx {}

impl Ctx {
    pub(crate) fn new(engine: &Engine) -> Ctx {
        let consume_fuel = engine.config().consume_fuel;
        Ctx {
            budget: if consume_fuel { 0 } else { BUDGET_SLICE },
            fuel_reserve: 0,
            consume_fuel,
            interrupt: Default::default(),
            deadline: None,
            limits: Default::default(),
            mem_base: std::ptr::NonNull::dangling().as_ptr(),
            mem_len: 0,
            globals: std::ptr::null(),
            instance: u32::MAX,
            depth: 0,
            max_depth: engine.config().max_call_depth,
            stack_limit: 0,
            stack_floor: 0,
            value_end: std::ptr::null_mut(),
            signal: Signal::None,
            value_top: 0,
            entries: 0,
            host_data: std::ptr::null_mut(),
            engine: engine.clone(),
            value_stack: Vec::new(),
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            global_entities: Vec::new(),
            instances: Vec::new(),
            externs: Vec::new(),
        }
    }

    /// A context over a raw memory buffer, for unit tests of closures.
    #[cfg(test)]
    pub(crate) fn for_tests(mem: &mut [u8]) -> Ctx {
        let mut c = Ctx::new(&Engine::default());
        c.mem_base = mem.as_mut_ptr();
        c.mem_len = mem.len();
        c
    }

    /// Records a trap and returns the `SIGNAL` sentinel for the closure to return.
    #[cold]
    #[inline(never)]
    pub(crate) fn trap(&mut self, code: TrapCode) -> u32 {
        self.signal = Signal::Trap(code);
        SIGNAL
    }

    /// Counts one unit of work (a call, a loop iteration, a backward branch). Returns false,
    /// with a pending trap, when fuel ran out or execution was interrupted. One decrement and
    /// one predictable branch when nothing is due.
    #[inline(always)]
    pub(crate) fn tick(&mut self) -> bool {
        self.budget -= 1;
        self.budget >= 0 || self.budget_exhausted()
    }

    /// [`Ctx::tick`] for a loop that keeps the budget in a register (`budget`, taken from
    /// `self.budget` when the loop started and stored back whenever it stops): a decrement
    /// of the field in memory every iteration would chain the iterations through a store
    /// and a load of the same word.
    #[inline(always)]
    pub(crate) fn tick_local(&mut self, budget: &mut i64) -> bool {
        *budget -= 1;
        if *budget < 0 {
            self.budget = *budget;
            if !self.budget_exhausted() {
                return false;
            }
            *budget = self.budget;
        }
        true
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn budget_exhausted(&mut self) -> bool {
        use std::sync::atomic::Ordering;
        if self.interrupt.swap(false, Ordering::Relaxed) {
            self.budget = 0;
            self.trap(TrapCode::Interrupted);
            return false;
        }
        if self.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            self.budget = 0;
            self.trap(TrapCode::Interrupted);
            return false;
        }
        if !self.consume_fuel {
            self.budget = BUDGET_SLICE - 1;
            return true;
        }
        if self.fuel_reserve == 0 {
            self.budget = 0;
            self.trap(TrapCode::OutOfFuel);
            return false;
        }
        let slice = self.fuel_reserve.min(BUDGET_SLICE as u64);
        self.fuel_reserve -= slice;
        self.budget = slice as i64 - 1;
        true
    }

    pub(crate) fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        if !self.consume_fuel {
            return Err(Error::new(crate::ErrorKind::Usage, "fuel is not enabled (Config::consume_fuel)"));
        }
        self.budget = 0;
        self.fuel_reserve = fuel;
        Ok(())
    }

    pub(crate) fn get_fuel(&self) -> Result<u64, Error> {
        if !self.consume_fuel {
            return Err(Error::new(crate::ErrorKind::Usage, "fuel is not enabled (Config::consume_fuel)"));
        }
        Ok(self.fuel_reserve + self.budget.max(0) as u64)
    }

    /// Takes the pending signal as an error.
    pub(crate) fn take_error(&mut self) -> Error {
        match std::mem::replace(&mut self.signal, Signal::None) {
            Signal::Trap(c) => c.into(),
            Signal::Host(e) => e,
            Signal::None => Error::msg("internal error: execution stopped without a signal"),
        }
    }

    /// Makes `inst` the running instance: caches its memory and globals.
    pub(crate) fn enter_instance(&mut self, inst: u32) {
        self.instance = inst;
        let i = &self.instances[inst as usize];
        self.globals = i.global_cells.as_ptr();
        match i.memories.first() {
            Some(&m) => {
                let mem = &mut self.memories[m as usize];
                self.mem_base = mem.data.as_mut_ptr();
                self.mem_len = mem.data.len();
            }
            None => {
                self.mem_base = std::ptr::NonNull::dangling().as_ptr();
                self.mem_len = 0;
            }
        }
    }

    /// Re-reads the running instance's memory base and length (after anything that may have
    /// grown it: a host call, a call into another instance, `memory.grow`).
    #[inline]
    pub(crate) fn refresh_memory(&mut self) {
        if self.instance != u32::MAX {
            self.enter_instance(self.instance);
        }
    }

    /// The running instance.
    #[inline]
    pub(crate) fn inst(&self) -> &InstanceEntity {
        &self.instances[self.instance as usize]
    }

    /// Store index of function `index` of the running instance.
    #[inline]
    pub(crate) fn func_index(&self, index: u32) -> u32 {
        self.inst().funcs[index as usize]
    }

    /// Store index of table `index` of the running instance.
    #[inline]
    pub(crate) fn table_index(&self, index: u32) -> usize {
        self.inst().tables[index as usize] as usize
    }

    /// Store index of memory 0 of the running instance.
    #[inline]
    pub(crate) fn memory_index(&self) -> Option<usize> {
        self.inst().memories.first().map(|&m| m as usize)
    }

    fn value_stack_base(&mut self) -> *mut u64 {
        if self.value_stack.is_empty() {
            self.value_stack = vec![0u64; self.engine.config().value_stack_slots];
            self.value_end = unsafe { self.value_stack.as_mut_ptr().add(self.value_stack.len()) };
        }
        self.value_stack.as_mut_ptr()
    }

    /// Calls store function `func` from the host: `args` in, results written to `results`.
    pub(crate) fn call_from_host(&mut self, func: u32, args: &[u64], results: &mut [u64]) -> Result<(), Error> {
        let base = self.value_stack_base();
        let n = args.len().max(results.len());
        let top = self.value_top;
        if top + n + 1 > self.value_stack.len() {
            return Err(TrapCode::StackOverflow.into());
        }
        let fp = unsafe { base.add(top) };
        unsafe { std::ptr::copy_nonoverlapping(args.as_ptr(), fp, args.len()) };
        let saved_instance = self.instance;
        let ok = if self.entries == 0 {
            self.run_on_big_stack(|ctx| unsafe { ctx.call_entity(func, fp) })
        } else {
            unsafe { self.call_entity(func, fp) }
        };
        if saved_instance != u32::MAX {
            self.enter_instance(saved_instance);
        } else {
            self.instance = u32::MAX;
        }
        if !ok {
            return Err(self.take_error());
        }
        unsafe { std::ptr::copy_nonoverlapping(fp, results.as_mut_ptr(), results.len()) };
        Ok(())
    }

    /// Runs `f` (the outermost entry into Wasm) with enough native stack for
    /// `max_depth` frames, switching to a fresh stack segment when the current thread's is
    /// too small, and sets the native stack limit that Wasm calls check.
    fn run_on_big_stack(&mut self, f: impl FnOnce(&mut Ctx) -> bool) -> bool {
        let need = (self.max_depth as usize).saturating_mul(NATIVE_BYTES_PER_FRAME) + 2 * RED_ZONE;
        let enough = stacker::remaining_stack().is_some_and(|r| r >= need);
        let body = |ctx: &mut Ctx| {
            let remaining = stacker::remaining_stack().unwrap_or(need);
            ctx.stack_limit = stack_pointer().saturating_sub(remaining) + RED_ZONE;
            ctx.stack_floor = ctx.stack_limit + crate::codegen::dispatch::STACK_MARGIN;
            ctx.entries += 1;
            let ok = f(ctx);
            ctx.entries -= 1;
            ok
        };
        if enough {
            body(self)
        } else {
            stacker::grow(need, || body(self))
        }
    }

    /// Calls any store function with its frame at `fp` (arguments in, results out).
    /// Returns false with a pending signal on failure.
    pub(crate) unsafe fn call_entity(&mut self, func: u32, fp: *mut u64) -> bool {
        match &self.funcs[func as usize] {
            FuncEntity::Wasm { instance, code, .. } => {
                let (instance, code) = (*instance, code.0);
                if instance == self.instance {
                    call_wasm(self, &*code, fp)
                } else {
                    let saved = self.instance;
                    self.enter_instance(instance);
                    let ok = call_wasm(self, &*code, fp);
                    if saved != u32::MAX {
                        self.enter_instance(saved);
                    }
                    ok
                }
            }
            FuncEntity::Host { host, ty, .. } => {
                let host = host.clone();
                let n = ty.params().len().max(ty.results().len());
                let saved_top = self.value_top;
                let base = self.value_stack.as_mut_ptr();
                self.value_top = fp.offset_from(base) as usize + n;
                let slots = std::slice::from_raw_parts_mut(fp, n);
                let saved_entries = self.entries;
                let r = (host)(self, slots);
                self.entries = saved_entries;
                self.value_top = saved_top;
                self.refresh_memory();
                match r {
                    Ok(()) => true,
                    Err(e) => {
                        self.signal = Signal::Host(e);
                        false
                    }
                }
            }
        }
    }
}

/// The current native stack pointer (one register read on the common architectures).
#[inline(always)]
pub(crate) fn stack_pointer() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register; no memory access.
        unsafe { std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
        sp
    }
    #[cfg(target_arch = "aarch64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register; no memory access.
        unsafe { std::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
        sp
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let marker = 0u8;
        std::hint::black_box(&marker) as *const u8 as usize
    }
}

/// Calls a Wasm function of the running instance with its frame at `fp`, compiling it first
/// in lazy mode. Returns false with a pending signal on trap.
#[inline(always)]
pub(crate) unsafe fn call_wasm(ctx: &mut Ctx, f: &FuncCode, fp: *mut u64) -> bool {
    let c = match f.compiled.get() {
        Some(c) => c,
        None => match f.compile_lazily() {
            Ok(c) => c,
            Err(e) => {
                ctx.signal = Signal::Host(e);
                return false;
            }
        },
    };
    call_compiled(ctx, c, fp)
}

/// Calls a compiled Wasm function of the running instance with its frame at `fp`.
/// Returns false with a pending signal on trap.
#[inline(always)]
pub(crate) unsafe fn call_compiled(ctx: &mut Ctx, c: &Compiled, fp: *mut u64) -> bool {
    // `c.entry` read where it is needed: read up front, it stays live across the checks
    // (recursive fib ran 4 % more instructions).
    call_compiled_with(ctx, c, fp, || c.entry)
}

/// [`call_compiled`] with `c`'s entry given by the caller (a copy it already has at hand,
/// one load nearer than `c.entry`).
#[inline(always)]
pub(crate) unsafe fn call_compiled_at(ctx: &mut Ctx, c: &Compiled, entry: Entry, fp: *mut u64) -> bool {
    call_compiled_with(ctx, c, fp, || entry)
}

#[inline(always)]
unsafe fn call_compiled_with(ctx: &mut Ctx, c: &Compiled, fp: *mut u64, entry: impl FnOnce() -> Entry) -> bool {
    if ctx.depth >= ctx.max_depth || fp.add(c.frame_size as usize) > ctx.value_end || stack_pointer() < ctx.stack_limit
    {
        return stack_exhausted(ctx);
    }
    // Every call counts as work for fuel and interruption (recursion has no loops to count).
    if !ctx.tick() {
        return false;
    }
    ctx.depth += 1;
    // Declared locals start at zero; most functions have few, so a plain loop beats memset.
    let locals = fp.add(c.params as usize);
    for i in 0..c.locals as usize {
        *locals.add(i) = 0;
    }
    let ok = run_blocks(ctx, entry(), &c.blocks, fp);
    ctx.depth -= 1;
    ok
}

#[cold]
#[inline(never)]
fn stack_exhausted(ctx: &mut Ctx) -> bool {
    ctx.trap(TrapCode::StackOverflow);
    false
}

/// The driver loop: runs basic blocks until one returns or signals.
#[inline(always)]
unsafe fn run_blocks(ctx: &mut Ctx, entry: Entry, blocks: &[Code], fp: *mut u64) -> bool {
    let mut b = entry.go(ctx, fp);
    // Every transfer back to the driver is a backward branch or a jump it could not thread:
    // each counts as work for fuel and interruption.
    while b < SIGNAL {
        if !ctx.tick() {
            return false;
        }
        b = blocks.get_unchecked(b as usize).call(ctx, fp);
    }
    b == RETURN
}
