//! [`Engine`] and [`Config`]: settings shared by modules and stores, and the signature registry.

use crate::types::FuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// When function bodies are translated into closures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompilationMode {
    /// Every function when the module is loaded.
    #[default]
    Eager,
    /// Each function on its first call; bodies are still fully validated at load time.
    Lazy,
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) consume_fuel: bool,
    pub(crate) compilation_mode: CompilationMode,
    pub(crate) max_call_depth: u32,
    pub(crate) value_stack_slots: usize,
    pub(crate) keep_ir: bool,
    pub(crate) profile: Option<Arc<crate::profile::BlockProfile>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            consume_fuel: false,
            compilation_mode: CompilationMode::Eager,
            max_call_depth: 100_000,
            value_stack_slots: 4 << 20,
            keep_ir: false,
            profile: None,
        }
    }
}

impl Config {
    /// Meter execution with fuel (off by default). One unit of fuel is consumed per function
    /// call and per backward branch or loop iteration, so any non-terminating program runs
    /// out; a store starts with no fuel (see [`Store::set_fuel`](crate::Store::set_fuel)).
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.consume_fuel = on;
        self
    }

    /// Eager (default) or lazy translation of function bodies.
    pub fn compilation_mode(&mut self, mode: CompilationMode) -> &mut Self {
        self.compilation_mode = mode;
        self
    }

    /// Maximum nesting of Wasm calls before a `call stack exhausted` trap (default 100,000).
    /// The engine reserves native stack for this depth when a store first enters Wasm.
    pub fn max_call_depth(&mut self, depth: u32) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }

    /// Number of 64-bit value slots each store reserves for Wasm frames (default 4 Mi,
    /// committed lazily by the OS).
    pub fn value_stack_slots(&mut self, slots: usize) -> &mut Self {
        self.value_stack_slots = slots.max(1024);
        self
    }

    /// Keep each function's lowered IR for [`Module::function_ir`](crate::Module::function_ir)
    /// (for tests and tools; off by default).
    pub fn keep_ir(&mut self, keep: bool) -> &mut Self {
        self.keep_ir = keep;
        self
    }

    /// Count how often each compiled block runs, into `profile` (for profiling tools; off by
    /// default, and profiled code runs slower). See [`BlockProfile::counts`](crate::BlockProfile::counts).
    pub fn profile_blocks(&mut self, profile: Option<Arc<crate::profile::BlockProfile>>) -> &mut Self {
        self.profile = profile;
        self
    }
}

/// Identifies a function signature across all modules of one engine (structural equality).
pub(crate) type SigId = u32;

/// The compilation environment shared by modules and stores. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

#[derive(Debug)]
pub(crate) struct EngineInner {
    pub(crate) config: Config,
    sigs: Mutex<HashMap<FuncType, SigId>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&Config::default())
    }
}

impl Engine {
    /// Creates an engine with the given configuration.
    pub fn new(config: &Config) -> Engine {
        Engine { inner: Arc::new(EngineInner { config: config.clone(), sigs: Mutex::new(HashMap::new()) }) }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Interns a signature: equal types get equal ids.
    pub(crate) fn intern(&self, ty: &FuncType) -> SigId {
        let mut sigs = self.inner.sigs.lock().unwrap_or_else(|e| e.into_inner());
        let next = sigs.len() as SigId;
        *sigs.entry(ty.clone()).or_insert(next)
    }

    /// The counters for a function being compiled, if blocks are profiled.
    pub(crate) fn profile_counts(
        &self,
        func_index: u32,
        ir: &crate::translate::ir::FuncIr,
    ) -> Option<Arc<crate::profile::FunctionCounts>> {
        self.inner.config.profile.as_ref().map(|p| p.register(func_index, ir))
    }

    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
