//! [`EmscriptenProgram`]: an instantiated emcc module with its host, ready to run `main` or
//! call exports; and its [`Options`].
//!
//! Loading compiles the module, resolves every import by its module, name and type, instantiates it,
//! caches the exports the host needs, and calls `__wasm_call_ctors` once (emcc modules have
//! no start function), exactly as the reference host `corpus/node/host.js` does.

use crate::engine_host::{EngineExports, InvokeExports};
use crate::error::RunError;
use crate::io::{Capture, Input, Sink};
use crate::resolve::resolve;
use crate::state::{c_bytes, HostState};
use engine::{Engine, FuncType, Instance, Memory, Module, Store, TypedFunc, Val, ValType, WasmTyList};

/// emcc's default program name, `argv[0]` (under node its glue would use the script path).
pub const THIS_PROGRAM: &str = "./this.program";

/// How a program is connected to the outside world.
#[derive(Debug)]
pub struct Options {
    /// Where fd 1 goes (default: the process's stdout, buffered).
    pub stdout: Sink,
    /// Where fd 2 goes (default: the process's stderr).
    pub stderr: Sink,
    /// Where fd 0 comes from (default: the process's stdin).
    pub stdin: Input,
    /// `argv[0]` for [`EmscriptenProgram::run_main`] (default [`THIS_PROGRAM`]).
    pub program_name: String,
    /// The environment seen by WASI `environ_get`, as `NAME=value` (default empty, as in
    /// host.js, so runs are deterministic).
    pub environ: Vec<String>,
    /// Resource limits for running untrusted code (default: none).
    pub limits: Limits,
}

/// Limits on what a program may consume; each is off when `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time from instantiation on; execution then traps with "interrupted".
    pub timeout: Option<std::time::Duration>,
    /// Fuel (calls plus loop iterations); needs an engine made with
    /// `Config::consume_fuel(true)`. Running out traps with "all fuel consumed".
    pub fuel: Option<u64>,
    /// Maximum bytes of linear memory: `memory.grow` (and so `malloc`) fails past it.
    pub max_memory: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stdout: Sink::Stdout,
            stderr: Sink::Stderr,
            stdin: Input::Stdin,
            program_name: THIS_PROGRAM.to_string(),
            environ: Vec::new(),
            limits: Limits::default(),
        }
    }
}

impl Options {
    /// Options that capture stdout and stderr in memory (and give an empty stdin); returns the
    /// two capture buffers.
    pub fn captured() -> (Options, Capture, Capture) {
        let (out, err) = (Capture::new(), Capture::new());
        let o = Options {
            stdout: Sink::Capture(out.clone()),
            stderr: Sink::Capture(err.clone()),
            stdin: Input::Empty,
            ..Options::default()
        };
        (o, out, err)
    }
}

/// An instantiated Emscripten program.
pub struct EmscriptenProgram {
    store: Store<HostState>,
    instance: Instance,
    module: Module,
}

impl std::fmt::Debug for EmscriptenProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmscriptenProgram").field("instance", &self.instance).finish_non_exhaustive()
    }
}

fn typed<P: WasmTyList, R: WasmTyList>(
    store: &Store<HostState>,
    instance: &Instance,
    name: &str,
) -> Option<Result<TypedFunc<P, R>, RunError>> {
    let f = instance.get_func(store, name)?;
    Some(
        f.typed::<P, R>(store).map_err(|_| {
            RunError::Load(format!("export `{name}` has type {}, not the one emcc gives it", f.ty(store)))
        }),
    )
}

impl EmscriptenProgram {
    /// Compiles `wasm`, links it against this runtime, instantiates it and runs
    /// `__wasm_call_ctors`.
    ///
    /// # Errors
    /// [`RunError::Load`] for an invalid module or missing runtime exports,
    /// [`RunError::Link`] listing every unsupported import, or whatever the constructors
    /// raise (trap, abort, exit, ...).
    pub fn load(engine: &Engine, wasm: &[u8], options: Options) -> Result<EmscriptenProgram, RunError> {
        let module = Module::new(engine, wasm).map_err(|e| RunError::Load(e.to_string()))?;
        EmscriptenProgram::instantiate(&module, options)
    }

    /// Like [`load`](EmscriptenProgram::load), for an already compiled module (a new
    /// store and instance each time).
    ///
    /// # Errors
    /// As for [`load`](EmscriptenProgram::load).
    pub fn instantiate(module: &Module, options: Options) -> Result<EmscriptenProgram, RunError> {
        let limits = options.limits;
        let state = HostState::new(options, EngineExports::default());
        let mut store = Store::new(module.engine(), state);
        if let Some(bytes) = limits.max_memory {
            store.set_limits(engine::StoreLimits { max_memory_bytes: bytes, ..store.limits() });
        }
        if let Some(fuel) = limits.fuel {
            store.set_fuel(fuel).map_err(|e| RunError::Usage(e.to_string()))?;
        }
        store.set_deadline(limits.timeout);
        let resolved = resolve(&mut store, module)?;
        let instance = resolved.linker.instantiate(&mut store, module).map_err(|e| match RunError::from(e) {
            RunError::Trap(m) => RunError::Load(format!("instantiation failed: {m}")),
            other => other,
        })?;

        let memory = instance.get_memory(&store, "memory").or(resolved.imported_memory);
        let errno_location = typed::<(), i32>(&store, &instance, "__errno_location").and_then(Result::ok);
        let invoke = if resolved.uses_invoke {
            let need = |name: &str| RunError::Load(format!("the module imports invoke_* but does not export {name}"));
            let stack_save = typed(&store, &instance, "stackSave").ok_or_else(|| need("stackSave"))??;
            let stack_restore = typed(&store, &instance, "stackRestore").ok_or_else(|| need("stackRestore"))??;
            let set_threw = typed(&store, &instance, "setThrew").ok_or_else(|| need("setThrew"))??;
            let table = instance
                .get_table(&store, "__indirect_function_table")
                .ok_or_else(|| need("__indirect_function_table"))?;
            Some(InvokeExports { stack_save, stack_restore, set_threw, table })
        } else {
            None
        };
        store.data_mut().exports = EngineExports { memory, invoke, errno_location };

        let mut program = EmscriptenProgram { store, instance, module: module.clone() };
        if let Some(ctors) = program.instance.get_func(&program.store, "__wasm_call_ctors") {
            let r = ctors.call(&mut program.store, &[], &mut []);
            program.flush();
            r?;
        }
        Ok(program)
    }

    /// Runs `main(argc, argv)` with `argv = [program_name, args...]` (strings and array on
    /// the C stack via `stackAlloc`, or `malloc` when there is no `stackAlloc`, like emcc's
    /// glue) and returns its exit status: what `main` returned, or what it passed to
    /// `exit()`/`proc_exit()`. Unmasked: a process would report `status & 255`.
    ///
    /// # Errors
    /// A trap, abort or uncaught longjmp; [`RunError::Usage`] if there is no `main` (or
    /// `__main_argc_argv`) or no memory.
    pub fn run_main<S: AsRef<str>>(&mut self, args: &[S]) -> Result<i32, RunError> {
        let entry = self
            .instance
            .get_func(&self.store, "__main_argc_argv")
            .or_else(|| self.instance.get_func(&self.store, "main"))
            .ok_or_else(|| RunError::Usage("the module exports neither main nor __main_argc_argv".into()))?;
        let ty = entry.ty(&self.store);
        let mut argv = Vec::with_capacity(args.len() + 1);
        argv.push(self.store.data().args.first().cloned().unwrap_or_else(|| THIS_PROGRAM.into()));
        argv.extend(args.iter().map(|s| s.as_ref().to_string()));
        self.store.data_mut().args = argv.clone();

        let mut params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
        if ty.params().len() >= 2 && ty.params()[..2] == [ValType::I32, ValType::I32] {
            let argv_ptr = self.write_argv(&argv)?;
            params[0] = Val::I32(argv.len() as i32);
            params[1] = Val::I32(argv_ptr as i32);
        }
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        let r = entry.call(&mut self.store, &params, &mut results);
        self.flush();
        match r.map_err(RunError::from) {
            Ok(()) => Ok(results.first().and_then(Val::i32).unwrap_or(0)),
            Err(RunError::Exit(status)) => Ok(status),
            Err(e) => Err(e),
        }
    }

    /// Writes the argv strings and the NULL-terminated pointer array; returns the array.
    fn write_argv(&mut self, argv: &[String]) -> Result<u32, RunError> {
        let alloc = match typed::<i32, i32>(&self.store, &self.instance, "stackAlloc") {
            Some(f) => f?,
            None => typed::<i32, i32>(&self.store, &self.instance, "malloc")
                .ok_or_else(|| RunError::Usage("the module exports neither stackAlloc nor malloc for argv".into()))??,
        };
        let mut ptrs = Vec::with_capacity(argv.len() + 1);
        for s in argv {
            let mut bytes = s.as_bytes().to_vec();
            bytes.push(0);
            let p = alloc.call(&mut self.store, bytes.len() as i32)? as u32;
            self.write_memory(p, &bytes)?;
            ptrs.push(p);
        }
        ptrs.push(0);
        let array = alloc.call(&mut self.store, (ptrs.len() * 4) as i32)? as u32;
        let bytes: Vec<u8> = ptrs.iter().flat_map(|p| p.to_le_bytes()).collect();
        self.write_memory(array, &bytes)?;
        Ok(array)
    }

    /// Calls the export `name` with `args`; returns its results.
    ///
    /// # Errors
    /// [`RunError::Usage`] if there is no such function or the arguments do not match its
    /// type; otherwise how the call ended ([`RunError::Exit`] if it called `exit`).
    pub fn call(&mut self, name: &str, args: &[Val]) -> Result<Vec<Val>, RunError> {
        let f = self
            .instance
            .get_func(&self.store, name)
            .ok_or_else(|| RunError::Usage(format!("the module exports no function `{name}`")))?;
        let ty = f.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        let r = f.call(&mut self.store, args, &mut results);
        self.flush();
        r?;
        Ok(results)
    }

    /// A typed handle to the export `name`, for repeated calls through
    /// [`store_mut`](EmscriptenProgram::store_mut).
    ///
    /// # Errors
    /// [`RunError::Usage`] if there is no such function or its type differs.
    pub fn typed_func<P: WasmTyList, R: WasmTyList>(&self, name: &str) -> Result<TypedFunc<P, R>, RunError> {
        let f = self
            .instance
            .get_func(&self.store, name)
            .ok_or_else(|| RunError::Usage(format!("the module exports no function `{name}`")))?;
        f.typed::<P, R>(&self.store).map_err(|e| RunError::Usage(format!("export `{name}`: {e}")))
    }

    /// The type of the exported function `name`, if there is one.
    pub fn func_type(&self, name: &str) -> Option<FuncType> {
        Some(self.instance.get_func(&self.store, name)?.ty(&self.store))
    }

    /// Whether the module has an export called `name`.
    pub fn has_export(&self, name: &str) -> bool {
        self.instance.get_export(&self.store, name).is_some()
    }

    /// The program's linear memory (exported `memory` or the imported `env.memory`).
    pub fn memory(&self) -> Option<Memory> {
        self.store.data().exports.memory
    }

    fn memory_or_err(&self) -> Result<Memory, RunError> {
        self.memory().ok_or_else(|| RunError::Usage("the module has no memory".into()))
    }

    /// Copies `len` bytes out of linear memory.
    ///
    /// # Errors
    /// No memory, or the range is out of bounds.
    pub fn read_memory(&self, ptr: u32, len: usize) -> Result<Vec<u8>, RunError> {
        let mut buf = vec![0; len];
        self.memory_or_err()?.read(&self.store, ptr as usize, &mut buf)?;
        Ok(buf)
    }

    /// Copies `bytes` into linear memory at `ptr`.
    ///
    /// # Errors
    /// No memory, or the range is out of bounds.
    pub fn write_memory(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), RunError> {
        self.memory_or_err()?.write(&mut self.store, ptr as usize, bytes)?;
        Ok(())
    }

    /// The bytes of the NUL-terminated string at `ptr` (without the NUL).
    ///
    /// # Errors
    /// No memory.
    pub fn read_c_string(&self, ptr: u32) -> Result<Vec<u8>, RunError> {
        let mem = self.memory_or_err()?;
        Ok(c_bytes(mem.data(&self.store), ptr).to_vec())
    }

    /// Writes to the program's stdout sink, in order with what the program wrote.
    pub fn write_stdout(&mut self, bytes: &[u8]) {
        self.store.data_mut().io.write_stdout(bytes);
    }

    /// Writes to the program's stderr sink (after flushing stdout).
    pub fn write_stderr(&mut self, bytes: &[u8]) {
        self.store.data_mut().io.write_stderr(bytes);
    }

    /// Writes out buffered stdout bytes (done after every call into the program).
    pub fn flush(&mut self) {
        self.store.data_mut().io.flush();
    }

    /// The store.
    pub fn store(&self) -> &Store<HostState> {
        &self.store
    }

    /// The store, mutably (to call functions obtained with
    /// [`typed_func`](EmscriptenProgram::typed_func)).
    pub fn store_mut(&mut self) -> &mut Store<HostState> {
        &mut self.store
    }

    /// The instance.
    pub fn instance(&self) -> Instance {
        self.instance
    }

    /// The compiled module.
    pub fn module(&self) -> &Module {
        &self.module
    }
}
