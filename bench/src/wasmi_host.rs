//! The Emscripten host for wasmi 2.0, built from the `emscripten` crate's shared import layer.
//!
//! Nothing of the imports is re-implemented here: every `invoke_*`, `env.*` and WASI import is
//! the `emscripten` crate's own code ([`ImportFunc::call`], [`invoke_i32`]), run through
//! [`Cx`], this file's [`HostContext`] adapter over `wasmi::Caller`. What is wasmi-specific:
//!
//! - values and types are converted between wasmi's and the shared layer's (`engine::Val`);
//! - the export handles are cached in [`WasmiExports`], the `X` of [`HostState`];
//! - a [`Fault`] becomes `wasmi::Error::host(HostFault)`, and the longjmp signal is
//!   `wasmi::Error::host(Longjmp)`: wasmi passes host errors unchanged through Wasm frames to
//!   the nearest host frame (the `Func::call` inside `invoke_*`), where `downcast_ref` finds it;
//! - all-i32 `invoke_*` imports are typed closures (`Linker::func_wrap`) whose table calls are
//!   typed wasmi calls, and all-i32 built-ins typed closures too, like the engine's fast paths.
//!
//! On top, [`WasmiProgram`] (load, `main(argc, argv)`, exports) and [`WasmiSandbox`]
//! (MicroQuickJS's `sandbox_eval`) mirror `emscripten::EmscriptenProgram` and
//! `emscripten::Sandbox`.

use emscripten::{
    invoke_i32, Builtin, CallError, Fault, HostContext, HostState, I32Builtin, I32Invoke, ImportFunc, Options, RunError,
};
use smallvec::SmallVec;
use std::collections::HashSet;
use std::fmt;
use wasmi::{Caller, Func, Instance, Linker, Memory, Module, Ref, Store, Table, TypedFunc};

/// The store data of an Emscripten program on wasmi.
pub type State = HostState<WasmiExports>;

/// A [`Fault`] carried through wasmi as a host error.
#[derive(Debug)]
pub struct HostFault(pub Fault);

impl fmt::Display for HostFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl wasmi::errors::HostError for HostFault {}

/// The longjmp signal `_emscripten_throw_longjmp` raises (only `invoke_*` catch it).
#[derive(Debug, Clone, Copy)]
pub struct Longjmp;

impl fmt::Display for Longjmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("longjmp")
    }
}
impl wasmi::errors::HostError for Longjmp {}

/// The adapter's error type: a wasmi error (a newtype, so that `From<Fault>` can be
/// implemented here).
#[derive(Debug)]
pub struct WasmiError(pub wasmi::Error);

impl From<Fault> for WasmiError {
    #[cold]
    fn from(f: Fault) -> WasmiError {
        WasmiError(wasmi::Error::host(HostFault(f)))
    }
}

impl From<wasmi::Error> for WasmiError {
    #[inline]
    fn from(e: wasmi::Error) -> WasmiError {
        WasmiError(e)
    }
}

/// Classifies a wasmi error raised while running an Emscripten program, as
/// `RunError::from(engine::Error)` does for the engine.
pub fn run_error(e: wasmi::Error) -> RunError {
    if e.downcast_ref::<Longjmp>().is_some() {
        return RunError::UncaughtLongjmp;
    }
    if let Some(HostFault(f)) = e.downcast_ref::<HostFault>() {
        return RunError::from(f.clone());
    }
    RunError::Trap(e.to_string())
}

/// The exports `invoke_*` needs.
#[derive(Debug, Clone, Copy)]
struct InvokeExports {
    stack_save: TypedFunc<(), i32>,
    stack_restore: TypedFunc<i32, ()>,
    set_threw: TypedFunc<(i32, i32), ()>,
    table: Table,
}

/// The exports the imports need, cached after instantiation.
#[derive(Debug, Clone, Copy, Default)]
pub struct WasmiExports {
    memory: Option<Memory>,
    invoke: Option<InvokeExports>,
    errno_location: Option<TypedFunc<(), i32>>,
}

/// The [`HostContext`] of one import call on wasmi.
pub struct Cx<'a>(pub Caller<'a, State>);

fn to_shared(v: &wasmi::Val) -> engine::Val {
    match v {
        wasmi::Val::I32(x) => engine::Val::I32(*x),
        wasmi::Val::I64(x) => engine::Val::I64(*x),
        wasmi::Val::F32(x) => engine::Val::F32(x.to_bits()),
        wasmi::Val::F64(x) => engine::Val::F64(x.to_bits()),
        // Emscripten imports and table functions called through invoke_* take numbers only
        _ => engine::Val::I32(0),
    }
}

fn to_wasmi(v: &engine::Val) -> wasmi::Val {
    match *v {
        engine::Val::I32(x) => wasmi::Val::I32(x),
        engine::Val::I64(x) => wasmi::Val::I64(x),
        engine::Val::F32(b) => wasmi::Val::F32(wasmi::F32::from_bits(b)),
        engine::Val::F64(b) => wasmi::Val::F64(wasmi::F64::from_bits(b)),
        engine::Val::FuncRef(_) | engine::Val::ExternRef(_) => wasmi::Val::I32(0),
    }
}

fn to_shared_type(t: wasmi::ValType) -> Option<engine::ValType> {
    Some(match t {
        wasmi::ValType::I32 => engine::ValType::I32,
        wasmi::ValType::I64 => engine::ValType::I64,
        wasmi::ValType::F32 => engine::ValType::F32,
        wasmi::ValType::F64 => engine::ValType::F64,
        wasmi::ValType::FuncRef => engine::ValType::FuncRef,
        wasmi::ValType::ExternRef => engine::ValType::ExternRef,
        wasmi::ValType::V128 => return None,
    })
}

/// A wasmi function type as the shared layer's `FuncType`.
fn to_shared_func_type(ty: &wasmi::FuncType) -> Option<engine::FuncType> {
    let params: Option<Vec<_>> = ty.params().iter().map(|t| to_shared_type(*t)).collect();
    let results: Option<Vec<_>> = ty.results().iter().map(|t| to_shared_type(*t)).collect();
    Some(engine::FuncType::new(params?, results?))
}

#[cold]
fn no_memory() -> WasmiError {
    Fault::Trap("the module has no exported or imported memory".into()).into()
}

#[cold]
fn missing_invoke_exports() -> WasmiError {
    Fault::Trap("the module does not export stackSave, stackRestore, setThrew and __indirect_function_table".into())
        .into()
}

impl Cx<'_> {
    #[inline]
    fn invoke_exports(&self) -> Result<InvokeExports, WasmiError> {
        self.0.data().exports().invoke.ok_or_else(missing_invoke_exports)
    }

    #[inline]
    fn table_func(&self, index: u32) -> Result<Func, CallError<WasmiError>> {
        let ex = self.invoke_exports()?;
        match ex.table.get(&self.0, u64::from(index)) {
            Some(Ref::Func(f)) => f.val().copied().ok_or(CallError::Null),
            Some(_) => Err(CallError::NotFuncref),
            None => Err(CallError::OutOfBounds),
        }
    }

    #[inline]
    fn call_typed<P: wasmi::WasmParams, R: wasmi::WasmResults>(
        &mut self,
        func: Func,
        args: P,
    ) -> Result<R, CallError<WasmiError>> {
        let typed = func.typed::<P, R>(&self.0).map_err(|_| CallError::WrongType(format!("{:?}", func.ty(&self.0))))?;
        typed.call(&mut self.0, args).map_err(|e| CallError::Failed(WasmiError(e)))
    }
}

impl HostContext for Cx<'_> {
    type Error = WasmiError;
    type Exports = WasmiExports;

    #[inline]
    fn state(&self) -> &State {
        self.0.data()
    }

    #[inline]
    fn state_mut(&mut self) -> &mut State {
        self.0.data_mut()
    }

    #[inline]
    fn memory(&mut self) -> Result<&mut [u8], WasmiError> {
        let mem = self.0.data().exports().memory.ok_or_else(no_memory)?;
        Ok(mem.data_mut(&mut self.0))
    }

    fn memory_grow(&mut self, delta: u32) -> bool {
        match self.0.data().exports().memory {
            Some(mem) => mem.grow(&mut self.0, u64::from(delta)).is_ok(),
            None => false,
        }
    }

    #[inline]
    fn has_invoke_exports(&self) -> bool {
        self.0.data().exports().invoke.is_some()
    }

    #[inline]
    fn stack_save(&mut self) -> Result<i32, WasmiError> {
        Ok(self.invoke_exports()?.stack_save.call(&mut self.0, ())?)
    }

    #[inline]
    fn stack_restore(&mut self, sp: i32) -> Result<(), WasmiError> {
        Ok(self.invoke_exports()?.stack_restore.call(&mut self.0, sp)?)
    }

    #[inline]
    fn set_threw(&mut self, threw: i32, value: i32) -> Result<(), WasmiError> {
        Ok(self.invoke_exports()?.set_threw.call(&mut self.0, (threw, value))?)
    }

    fn errno_location(&mut self) -> Result<Option<u32>, WasmiError> {
        match self.0.data().exports().errno_location {
            Some(f) => Ok(Some(f.call(&mut self.0, ())? as u32)),
            None => Ok(None),
        }
    }

    fn call_table(
        &mut self,
        index: u32,
        args: &[engine::Val],
        results: &mut [engine::Val],
    ) -> Result<(), CallError<WasmiError>> {
        let func = self.table_func(index)?;
        let wargs: SmallVec<[wasmi::Val; 8]> = args.iter().map(to_wasmi).collect();
        let mut wres: SmallVec<[wasmi::Val; 2]> = results.iter().map(to_wasmi).collect();
        match func.call(&mut self.0, &wargs, &mut wres) {
            Ok(()) => {
                for (r, w) in results.iter_mut().zip(&wres) {
                    *r = to_shared(w);
                }
                Ok(())
            }
            Err(e) if matches!(e.kind(), wasmi::errors::ErrorKind::Func(_)) => {
                Err(CallError::WrongType(format!("{:?}", func.ty(&self.0))))
            }
            Err(e) => Err(CallError::Failed(WasmiError(e))),
        }
    }

    #[inline]
    fn call_table_i32(&mut self, index: u32, a: &[i32], has_result: bool) -> Result<i32, CallError<WasmiError>> {
        let f = self.table_func(index)?;
        macro_rules! call {
            ($($i:literal),*) => {
                if has_result {
                    self.call_typed::<($(call!(@t $i),)*), i32>(f, ($(a[$i],)*))
                } else {
                    self.call_typed::<($(call!(@t $i),)*), ()>(f, ($(a[$i],)*)).map(|()| 0)
                }
            };
            (@t $i:literal) => { i32 };
        }
        match a.len() {
            0 => call!(),
            1 => call!(0),
            2 => call!(0, 1),
            3 => call!(0, 1, 2),
            4 => call!(0, 1, 2, 3),
            5 => call!(0, 1, 2, 3, 4),
            6 => call!(0, 1, 2, 3, 4, 5),
            7 => call!(0, 1, 2, 3, 4, 5, 6),
            8 => call!(0, 1, 2, 3, 4, 5, 6, 7),
            _ => {
                let vals: SmallVec<[engine::Val; 8]> = a.iter().map(|&v| engine::Val::I32(v)).collect();
                let mut out = [engine::Val::I32(0)];
                let n = usize::from(has_result);
                self.call_table(index, &vals, &mut out[..n])?;
                Ok(out[0].i32().unwrap_or(0))
            }
        }
    }

    #[inline]
    fn longjmp() -> WasmiError {
        WasmiError(wasmi::Error::host(Longjmp))
    }

    #[inline]
    fn is_longjmp(error: &WasmiError) -> bool {
        error.0.downcast_ref::<Longjmp>().is_some()
    }
}

/// Defines an all-i32 `invoke_*` with a typed closure: `$a` are the parameters after the index.
macro_rules! typed_invoke {
    ($linker:expr, $m:expr, $n:expr, $sig:expr, $has_result:expr; $($a:ident),*) => {{
        let sig: String = $sig;
        if $has_result {
            $linker.func_wrap($m, $n, move |caller: Caller<'_, State>, index: i32 $(, $a: i32)*| {
                invoke_i32(&mut Cx(caller), &sig, index, &[$($a),*], true).map_err(|e| e.0)
            })
        } else {
            $linker.func_wrap($m, $n, move |caller: Caller<'_, State>, index: i32 $(, $a: i32)*| {
                invoke_i32(&mut Cx(caller), &sig, index, &[$($a),*], false).map(|_| ()).map_err(|e| e.0)
            })
        }
    }};
}

fn define_typed_invoke(linker: &mut Linker<State>, m: &str, n: &str, shape: I32Invoke) -> Result<(), String> {
    let I32Invoke { sig: s, arity, has_result } = shape;
    let r = emscripten::with_i32_arity!(arity, typed_invoke!(linker, m, n, s, has_result));
    r.map(|_| ()).map_err(|e| e.to_string())
}

/// Defines an all-i32 built-in with a typed closure: `$a` are its parameters.
macro_rules! typed_builtin {
    ($linker:expr, $m:expr, $n:expr, $b:expr, $has_result:expr; $($a:ident),*) => {{
        let b: Builtin = $b;
        if $has_result {
            $linker.func_wrap($m, $n, move |caller: Caller<'_, State>, $($a: i32),*| {
                let r = b.call(&mut Cx(caller), &[$(engine::Val::I32($a)),*]).map_err(|e| e.0)?;
                Ok(r.and_then(|v| v.i32()).unwrap_or(0))
            })
        } else {
            $linker.func_wrap($m, $n, move |caller: Caller<'_, State>, $($a: i32),*| {
                b.call(&mut Cx(caller), &[$(engine::Val::I32($a)),*]).map(|_| ()).map_err(|e| e.0)
            })
        }
    }};
}

fn define_typed_builtin(linker: &mut Linker<State>, m: &str, n: &str, shape: I32Builtin) -> Result<(), String> {
    let I32Builtin { builtin: b, arity, has_result } = shape;
    let r = emscripten::with_i32_arity!(arity, typed_builtin!(linker, m, n, b, has_result));
    r.map(|_| ()).map_err(|e| e.to_string())
}

fn define_func(linker: &mut Linker<State>, m: &str, n: &str, ty: &wasmi::FuncType) -> Result<bool, String> {
    let shared = to_shared_func_type(ty).ok_or("v128 is not supported")?;
    let def = ImportFunc::resolve(m, n, &shared)?;
    let uses_invoke = def.is_invoke();
    match (def.i32_invoke(), def.i32_builtin()) {
        (Some(shape), _) => define_typed_invoke(linker, m, n, shape)?,
        (None, Some(shape)) => define_typed_builtin(linker, m, n, shape)?,
        (None, None) => {
            linker
                .func_new(m, n, ty.clone(), move |caller, params, results| {
                    let p: SmallVec<[engine::Val; 8]> = params.iter().map(to_shared).collect();
                    let mut r: SmallVec<[engine::Val; 2]> = results.iter().map(to_shared).collect();
                    def.call(&mut Cx(caller), &p, &mut r).map_err(|e| e.0)?;
                    for (w, v) in results.iter_mut().zip(&r) {
                        *w = to_wasmi(v);
                    }
                    Ok(())
                })
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(uses_invoke)
}

/// A linker providing every import of `module` (all unsupported ones reported together), and
/// whether the module uses `invoke_*`.
fn resolve(engine: &wasmi::Engine, module: &Module) -> Result<(Linker<State>, bool), RunError> {
    let mut linker = Linker::new(engine);
    let mut unsupported = Vec::new();
    let mut seen = HashSet::new();
    let mut uses_invoke = false;
    for import in module.imports() {
        let (m, n) = (import.module(), import.name());
        if !seen.insert((m.to_string(), n.to_string())) {
            continue;
        }
        let r = match import.ty() {
            wasmi::ExternType::Func(ft) => define_func(&mut linker, m, n, ft).map(|u| uses_invoke |= u),
            _ => Err("not provided by this runtime (on wasmi)".into()),
        };
        if let Err(reason) = r {
            unsupported.push(format!("{m}.{n}: {:?} ({reason})", import.ty()));
        }
    }
    if !unsupported.is_empty() {
        return Err(RunError::Link(unsupported));
    }
    Ok((linker, uses_invoke))
}

/// An instantiated Emscripten program on wasmi (the counterpart of
/// `emscripten::EmscriptenProgram`).
pub struct WasmiProgram {
    store: Store<State>,
    instance: Instance,
}

impl WasmiProgram {
    /// Compiles `wasm` on `engine`, then [`instantiate`](WasmiProgram::instantiate)s it.
    ///
    /// # Errors
    /// As `EmscriptenProgram::load`.
    pub fn load(engine: &wasmi::Engine, wasm: &[u8], options: Options) -> Result<WasmiProgram, RunError> {
        let module = Module::new(engine, wasm).map_err(|e| RunError::Load(e.to_string()))?;
        WasmiProgram::instantiate(&module, options)
    }

    /// Links `module` against the shared Emscripten imports, instantiates it, caches the
    /// exports the imports need and runs `__wasm_call_ctors`, as `EmscriptenProgram` does.
    ///
    /// # Errors
    /// As `EmscriptenProgram::instantiate`.
    pub fn instantiate(module: &Module, options: Options) -> Result<WasmiProgram, RunError> {
        let engine = module.engine();
        let mut store = Store::new(engine, HostState::new(options, WasmiExports::default()));
        let (linker, uses_invoke) = resolve(engine, module)?;
        let instance = linker
            .instantiate_and_start(&mut store, module)
            .map_err(|e| RunError::Load(format!("instantiation failed: {e}")))?;
        let memory = instance.get_memory(&store, "memory");
        let errno_location = instance.get_typed_func::<(), i32>(&store, "__errno_location").ok();
        let invoke = if uses_invoke {
            let need = |name: &str| RunError::Load(format!("the module imports invoke_* but does not export {name}"));
            Some(InvokeExports {
                stack_save: instance.get_typed_func(&store, "stackSave").map_err(|_| need("stackSave"))?,
                stack_restore: instance.get_typed_func(&store, "stackRestore").map_err(|_| need("stackRestore"))?,
                set_threw: instance.get_typed_func(&store, "setThrew").map_err(|_| need("setThrew"))?,
                table: instance
                    .get_table(&store, "__indirect_function_table")
                    .ok_or_else(|| need("__indirect_function_table"))?,
            })
        } else {
            None
        };
        *store.data_mut().exports_mut() = WasmiExports { memory, invoke, errno_location };
        let mut program = WasmiProgram { store, instance };
        if let Some(ctors) = program.instance.get_func(&program.store, "__wasm_call_ctors") {
            let r = ctors.call(&mut program.store, &[], &mut []);
            program.flush();
            r.map_err(run_error)?;
        }
        Ok(program)
    }

    /// Runs `main(argc, argv)` as `EmscriptenProgram::run_main` does (argv on the C stack via
    /// `stackAlloc`); returns the exit status.
    ///
    /// # Errors
    /// A trap, abort or uncaught longjmp, or a usage error.
    pub fn run_main<S: AsRef<str>>(&mut self, args: &[S]) -> Result<i32, RunError> {
        let main = self
            .instance
            .get_typed_func::<(i32, i32), i32>(&self.store, "main")
            .map_err(|e| RunError::Usage(format!("main: {e}")))?;
        let mut argv = vec![self.store.data().args().first().cloned().unwrap_or_else(|| "./this.program".into())];
        argv.extend(args.iter().map(|s| s.as_ref().to_string()));
        self.store.data_mut().set_args(argv.clone());
        let alloc = self.typed_func::<i32, i32>("stackAlloc")?;
        let mut ptrs = Vec::with_capacity(argv.len() + 1);
        for s in &argv {
            let mut bytes = s.as_bytes().to_vec();
            bytes.push(0);
            let p = alloc.call(&mut self.store, bytes.len() as i32).map_err(run_error)? as u32;
            self.write_memory(p, &bytes)?;
            ptrs.push(p);
        }
        ptrs.push(0);
        let array = alloc.call(&mut self.store, (ptrs.len() * 4) as i32).map_err(run_error)? as u32;
        let bytes: Vec<u8> = ptrs.iter().flat_map(|p| p.to_le_bytes()).collect();
        self.write_memory(array, &bytes)?;
        let r = main.call(&mut self.store, (argv.len() as i32, array as i32));
        self.flush();
        match r.map_err(run_error) {
            Ok(status) => Ok(status),
            Err(RunError::Exit(status)) => Ok(status),
            Err(e) => Err(e),
        }
    }

    /// A typed handle to the export `name`.
    ///
    /// # Errors
    /// [`RunError::Usage`] if there is no such function or its type differs.
    pub fn typed_func<P: wasmi::WasmParams, R: wasmi::WasmResults>(
        &self,
        name: &str,
    ) -> Result<TypedFunc<P, R>, RunError> {
        self.instance.get_typed_func::<P, R>(&self.store, name).map_err(|e| RunError::Usage(format!("{name}: {e}")))
    }

    fn memory(&self) -> Result<Memory, RunError> {
        self.store.data().exports().memory.ok_or_else(|| RunError::Usage("the module has no memory".into()))
    }

    /// Copies `bytes` into linear memory at `ptr`.
    ///
    /// # Errors
    /// No memory, or out of bounds.
    pub fn write_memory(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), RunError> {
        self.memory()?.write(&mut self.store, ptr as usize, bytes).map_err(|e| RunError::Trap(e.to_string()))
    }

    /// The bytes of the NUL-terminated string at `ptr`.
    ///
    /// # Errors
    /// No memory.
    pub fn read_c_string(&self, ptr: u32) -> Result<Vec<u8>, RunError> {
        Ok(emscripten::c_bytes(self.memory()?.data(&self.store), ptr).to_vec())
    }

    /// Writes out buffered stdout bytes.
    pub fn flush(&mut self) {
        self.store.data_mut().io_mut().flush();
    }

    /// The store (to call functions obtained with [`typed_func`](WasmiProgram::typed_func)).
    pub fn store_mut(&mut self) -> &mut Store<State> {
        &mut self.store
    }
}

/// The MicroQuickJS sandbox on wasmi (the counterpart of `emscripten::Sandbox`, same calls:
/// `malloc`, copy, `sandbox_eval`, `free`, read the result string).
pub struct WasmiSandbox {
    program: WasmiProgram,
    eval: TypedFunc<(i32, i32), i32>,
    get_error: TypedFunc<(), i32>,
    malloc: TypedFunc<i32, i32>,
    free: TypedFunc<i32, ()>,
}

impl WasmiSandbox {
    /// Loads the sandbox module (stdout discarded) and calls `sandbox_init(heap_bytes)`.
    ///
    /// # Errors
    /// Load/link errors, or [`RunError::SandboxInit`].
    pub fn new(engine: &wasmi::Engine, wasm: &[u8], heap_bytes: u32) -> Result<WasmiSandbox, RunError> {
        let module = Module::new(engine, wasm).map_err(|e| RunError::Load(e.to_string()))?;
        WasmiSandbox::instantiate(&module, heap_bytes)
    }

    /// [`new`](WasmiSandbox::new) for a compiled module.
    ///
    /// # Errors
    /// As for [`new`](WasmiSandbox::new).
    pub fn instantiate(module: &Module, heap_bytes: u32) -> Result<WasmiSandbox, RunError> {
        let options = Options { stdout: emscripten::Sink::Null, stdin: emscripten::Input::Empty, ..Options::default() };
        let mut program = WasmiProgram::instantiate(module, options)?;
        let init = program.typed_func::<i32, i32>("sandbox_init")?;
        let r = init.call(program.store_mut(), heap_bytes as i32).map_err(run_error)?;
        if r == 0 {
            return Err(RunError::SandboxInit(heap_bytes));
        }
        Ok(WasmiSandbox {
            eval: program.typed_func("sandbox_eval")?,
            get_error: program.typed_func("sandbox_get_error")?,
            malloc: program.typed_func("malloc")?,
            free: program.typed_func("free")?,
            program,
        })
    }

    /// Evaluates `code`; returns `String(completion value)`, or the exception's text as `Err`.
    ///
    /// # Errors
    /// The exception text, or how the Wasm code failed.
    pub fn eval(&mut self, code: &str) -> Result<String, String> {
        let len = code.len() as i32;
        let store = self.program.store_mut();
        let p = self.malloc.call(&mut *store, len + 1).map_err(|e| run_error(e).to_string())?;
        if p == 0 {
            return Err("malloc for the script failed".into());
        }
        let mut text = Vec::with_capacity(code.len() + 1);
        text.extend_from_slice(code.as_bytes());
        text.push(0);
        self.program.write_memory(p as u32, &text).map_err(|e| e.to_string())?;
        let store = self.program.store_mut();
        let r = self.eval.call(&mut *store, (p, len)).map_err(|e| run_error(e).to_string())?;
        self.free.call(&mut *store, p).map_err(|e| run_error(e).to_string())?;
        let (ptr, ok) = if r == 0 {
            (self.get_error.call(&mut *store, ()).map_err(|e| run_error(e).to_string())?, false)
        } else {
            (r, true)
        };
        let s = self.program.read_c_string(ptr as u32).map_err(|e| e.to_string())?;
        let s = String::from_utf8_lossy(&s).into_owned();
        if ok {
            Ok(s)
        } else {
            Err(s)
        }
    }
}
