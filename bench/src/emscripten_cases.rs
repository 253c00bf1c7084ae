//! Emscripten workloads on both engines through the shared import layer: the C benchmark
//! programs of `corpus/c/` and MicroQuickJS scripts through `sandbox_eval`, plus the modules
//! the compile and instantiate benchmarks use.
//!
//! On this engine the loaders are the `emscripten` crate's own `EmscriptenProgram` and
//! `Sandbox`; on wasmi they are [`WasmiProgram`] and [`WasmiSandbox`], whose imports are the
//! same `emscripten` code through a wasmi adapter ([`crate::wasmi_host`]).
//!
//! C benchmark programs declare their case in their header:
//!
//! ```text
//! // bench-args: 1024
//! // expect: sha256("abc") = ba78...
//! // expect: sha256(1048576 bytes) = 345f...
//! ```
//!
//! `main` is run with the `bench-args` and must print exactly the `expect` lines (checked
//! against `node corpus/node/host.js` when the program was written) and return 0.

use crate::corpus_dir;
use crate::wasmi_host::{WasmiProgram, WasmiSandbox};
use emscripten::{Capture, EmscriptenProgram, Options, Sandbox};
use std::path::PathBuf;

/// The JavaScript heap the benchmarks give MicroQuickJS (host.js's default).
pub const JS_HEAP: u32 = 16 << 20;

/// A built corpus file, `corpus/out/REL`, or a panic that says how to build it.
pub fn corpus_out(rel: &str) -> PathBuf {
    let p = corpus_dir().join("out").join(rel);
    assert!(
        p.is_file(),
        "{} is missing: build the corpus first with `corpus/build.sh` (needs emcc: apt-get install -y emscripten node-acorn)",
        p.display()
    );
    p
}

/// The bytes of `corpus/out/REL`.
pub fn corpus_out_bytes(rel: &str) -> Vec<u8> {
    let p = corpus_out(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One C benchmark program.
#[derive(Debug, Clone)]
pub struct CCase {
    /// File stem, e.g. `sha256`.
    pub name: String,
    /// `corpus/out/c/NAME.wasm`.
    pub wasm: Vec<u8>,
    /// `argv[1..]` for the benchmark run.
    pub args: Vec<String>,
    /// The exact expected stdout.
    pub expect: String,
}

/// Parses the `// bench-args:` and `// expect:` header lines of a C source; `None` if it is
/// not a benchmark program.
pub fn parse_c_header(source: &str) -> Option<(Vec<String>, String)> {
    let mut args = None;
    let mut expect = String::new();
    for line in source.lines() {
        if let Some(a) = line.strip_prefix("// bench-args:") {
            args = Some(a.split_whitespace().map(str::to_string).collect());
        } else if let Some(e) = line.strip_prefix("// expect: ") {
            expect.push_str(e);
            expect.push('\n');
        }
    }
    Some((args?, expect))
}

/// Every C benchmark program (`corpus/c/*.c` with a `// bench-args:` line), sorted by name.
pub fn c_cases() -> Vec<CCase> {
    let dir = corpus_dir().join("c");
    let mut cases: Vec<CCase> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .filter_map(|p| {
            let (args, expect) = parse_c_header(&std::fs::read_to_string(&p).ok()?)?;
            let name = p.file_stem()?.to_string_lossy().into_owned();
            let wasm = corpus_out_bytes(&format!("c/{name}.wasm"));
            Some(CCase { name, wasm, args, expect })
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// The C benchmark program `name`.
pub fn c_case(name: &str) -> CCase {
    c_cases().into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no C benchmark program {name}"))
}

/// One MicroQuickJS workload: a script (ES5) and its completion value.
#[derive(Debug, Clone, Copy)]
pub struct JsCase {
    /// Case name.
    pub name: &'static str,
    /// The script, evaluated whole on every iteration.
    pub code: &'static str,
    /// `String(completion value)`, as V8 running the same mquickjs.wasm gives it.
    pub expect: &'static str,
}

/// The MicroQuickJS workloads (expected values from `node corpus/node/host.js
/// corpus/out/mquickjs.wasm --eval CODE`, and plain node agrees).
pub const JS_CASES: &[JsCase] = &[
    JsCase {
        name: "fib",
        code: "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) } fib(22)",
        expect: "17711",
    },
    JsCase {
        name: "numeric_loop",
        code: "(function () { var s = 0; for (var i = 0; i < 30000; i++) { s = (s + i * i) % 1000003; } return s; })()",
        expect: "6431",
    },
    JsCase {
        name: "string_build",
        code: "(function () { var s = ''; for (var i = 0; i < 10000; i++) { s += String.fromCharCode(97 + i % 26); } \
               var parts = []; for (var j = 0; j < 2000; j++) parts.push('item' + j); \
               return s.length + ':' + parts.join(',').length + ':' + s.charAt(5000); })()",
        expect: "10000:16889:i",
    },
    JsCase {
        name: "json",
        code: "(function () { var o = { a: [1, 2, 3], b: { c: 'x', d: [true, false, null] }, e: 1.5 }; var n = 0; \
               for (var i = 0; i < 500; i++) { var s = JSON.stringify(o); o = JSON.parse(s); o.a.push(i % 7); \
               if (o.a.length > 20) o.a = o.a.slice(10); n += s.length; } return n; })()",
        expect: "40840",
    },
    JsCase {
        name: "regexp",
        code: r"(function () { var words = []; for (var i = 0; i < 4000; i++) words.push('user' + i + '@host' + (i % 13) + '.com'); var text = words.join(' '); var re = /([a-z]+)(\d+)@([a-z]+)(\d+)\.com/g; var m, n = 0, s = 0; while ((m = re.exec(text)) !== null) { n++; s += m[2].length + m[4].length; } return n + ':' + s + ':' + text.replace(/host(\d)\.com/g, 'h$1').length; })()",
        expect: "4000:19811:54257",
    },
    JsCase {
        name: "sort",
        code: "(function () { var a = []; var x = 1; for (var i = 0; i < 5000; i++) { x = (x * 48271) % 2147483647; \
               a.push(x); } a.sort(function (p, q) { return p - q; }); return a[0] + ':' + a[2500] + ':' + a[4999]; })()",
        expect: "48271:1098344760:2145568456",
    },
    JsCase {
        name: "objects",
        code: "(function () { function P(x, y) { this.x = x; this.y = y; } var sum = 0; \
               for (var i = 0; i < 10000; i++) { var p = new P(i, i * 2); var q = { a: p, b: [p.x, p.y] }; \
               sum += q.b[1] - q.a.x; } return sum; })()",
        expect: "49995000",
    },
];

/// The workload `name`.
pub fn js_case(name: &str) -> JsCase {
    *JS_CASES.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no JS case {name}"))
}

/// `corpus/out/mquickjs.wasm`.
pub fn mquickjs_wasm() -> Vec<u8> {
    corpus_out_bytes("mquickjs.wasm")
}

/// The largest C module of the corpus (`corpus/out/c/*.wasm`): its name and bytes.
pub fn largest_c_module() -> (String, Vec<u8>) {
    let dir = corpus_out("mquickjs.wasm").parent().expect("corpus/out").join("c");
    let mut best: Option<(u64, String, PathBuf)> = None;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.expect("dir entry").path();
        if p.extension().is_some_and(|x| x == "wasm") {
            let len = p.metadata().map(|m| m.len()).unwrap_or(0);
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            if best.as_ref().is_none_or(|(l, n, _)| (len, &name) > (*l, n)) {
                best = Some((len, name, p));
            }
        }
    }
    let (_, name, path) = best.expect("no C modules in corpus/out/c: run corpus/build.sh");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (name, bytes)
}

/// Options that capture stdout and discard stderr, with an empty stdin.
fn captured() -> (Options, Capture) {
    let (mut options, out, _err) = Options::captured();
    options.stderr = emscripten::Sink::Null;
    (options, out)
}

/// A C program instantiated on this engine, whose `main` can run again and again.
pub struct EngineC {
    program: EmscriptenProgram,
    out: Capture,
    stack_save: engine::TypedFunc<(), i32>,
    stack_restore: engine::TypedFunc<i32, ()>,
}

impl EngineC {
    /// Instantiates `wasm` (eager compilation).
    pub fn new(wasm: &[u8]) -> EngineC {
        EngineC::with_engine(&engine::Engine::default(), wasm)
    }

    /// Instantiates `wasm` on `engine` (e.g. one with block profiling on).
    pub fn with_engine(engine: &engine::Engine, wasm: &[u8]) -> EngineC {
        let (options, out) = captured();
        let program = EmscriptenProgram::load(engine, wasm, options).expect("load on the engine");
        let stack_save = program.typed_func("stackSave").expect("stackSave");
        let stack_restore = program.typed_func("stackRestore").expect("stackRestore");
        EngineC { program, out, stack_save, stack_restore }
    }

    /// Runs `main(argc, argv)` (the C stack restored afterwards, so runs can repeat); returns
    /// its stdout.
    pub fn run(&mut self, args: &[String]) -> String {
        let sp = self.stack_save.call(self.program.store_mut(), ()).expect("stackSave");
        let status = self.program.run_main(args).expect("main on the engine");
        self.stack_restore.call(self.program.store_mut(), sp).expect("stackRestore");
        assert_eq!(status, 0, "exit status on the engine");
        String::from_utf8_lossy(&self.out.take()).into_owned()
    }
}

/// The same on wasmi 2.0.
pub struct WasmiC {
    program: WasmiProgram,
    out: Capture,
    stack_save: wasmi::TypedFunc<(), i32>,
    stack_restore: wasmi::TypedFunc<i32, ()>,
}

impl WasmiC {
    /// Instantiates `wasm` (eager compilation, [`crate::wasmi_engine`]).
    pub fn new(wasm: &[u8]) -> WasmiC {
        let (options, out) = captured();
        let program = WasmiProgram::load(&crate::wasmi_engine(), wasm, options).expect("load on wasmi");
        let stack_save = program.typed_func("stackSave").expect("stackSave");
        let stack_restore = program.typed_func("stackRestore").expect("stackRestore");
        WasmiC { program, out, stack_save, stack_restore }
    }

    /// Runs `main(argc, argv)`; returns its stdout.
    pub fn run(&mut self, args: &[String]) -> String {
        let sp = self.stack_save.call(self.program.store_mut(), ()).expect("stackSave");
        let status = self.program.run_main(args).expect("main on wasmi");
        self.stack_restore.call(self.program.store_mut(), sp).expect("stackRestore");
        assert_eq!(status, 0, "exit status on wasmi");
        String::from_utf8_lossy(&self.out.take()).into_owned()
    }
}

/// MicroQuickJS on this engine.
pub struct EngineJs(Sandbox);

impl EngineJs {
    /// Loads `wasm` (eager compilation) and creates a context.
    pub fn new(wasm: &[u8]) -> EngineJs {
        EngineJs::with_engine(&engine::Engine::default(), wasm)
    }

    /// Loads `wasm` on a given engine (e.g. with lazy compilation) and creates a context.
    pub fn with_engine(engine: &engine::Engine, wasm: &[u8]) -> EngineJs {
        EngineJs(Sandbox::new(engine, wasm, JS_HEAP).expect("sandbox on the engine"))
    }

    /// Evaluates `code`; returns its completion value as a string.
    pub fn eval(&mut self, code: &str) -> String {
        self.0.eval(code).unwrap_or_else(|e| panic!("eval on the engine: {e}"))
    }
}

/// MicroQuickJS on wasmi 2.0.
pub struct WasmiJs(WasmiSandbox);

impl WasmiJs {
    /// Loads `wasm` (eager compilation) and creates a context.
    pub fn new(wasm: &[u8]) -> WasmiJs {
        WasmiJs::with_engine(&crate::wasmi_engine(), wasm)
    }

    /// Loads `wasm` on a given wasmi engine (e.g. with lazy translation) and creates a context.
    pub fn with_engine(engine: &wasmi::Engine, wasm: &[u8]) -> WasmiJs {
        WasmiJs(WasmiSandbox::new(engine, wasm, JS_HEAP).expect("sandbox on wasmi"))
    }

    /// Evaluates `code`; returns its completion value as a string.
    pub fn eval(&mut self, code: &str) -> String {
        self.0.eval(code).unwrap_or_else(|e| panic!("eval on wasmi: {e}"))
    }
}

/// Compiles `wasm` on this engine, eagerly or lazily.
pub fn compile_engine(wasm: &[u8], lazy: bool) -> engine::Module {
    let mut config = engine::Config::default();
    config.compilation_mode(if lazy { engine::CompilationMode::Lazy } else { engine::CompilationMode::Eager });
    engine::Module::new(&engine::Engine::new(&config), wasm).expect("compile on the engine")
}

/// Compiles `wasm` on wasmi 2.0, eagerly or with lazy translation (validation stays eager).
pub fn compile_wasmi(wasm: &[u8], lazy: bool) -> wasmi::Module {
    let mut config = wasmi::Config::default();
    config.compilation_mode(if lazy { wasmi::CompilationMode::LazyTranslation } else { wasmi::CompilationMode::Eager });
    wasmi::Module::new(&wasmi::Engine::new(&config), wasm).expect("compile on wasmi")
}

/// Instantiates an Emscripten module on this engine (imports, instance, `__wasm_call_ctors`).
pub fn instantiate_engine(module: &engine::Module) -> EmscriptenProgram {
    EmscriptenProgram::instantiate(module, captured().0).expect("instantiate on the engine")
}

/// The same on wasmi 2.0.
pub fn instantiate_wasmi(module: &wasmi::Module) -> WasmiProgram {
    WasmiProgram::instantiate(module, captured().0).expect("instantiate on wasmi")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_headers_parse() {
        let (args, expect) = parse_c_header("/* x */\n// bench-args: 5 two\n// expect: a b\n// expect: c\n").unwrap();
        assert_eq!(args, vec!["5", "two"]);
        assert_eq!(expect, "a b\nc\n");
        assert!(parse_c_header("// expect: a\n").is_none());
    }

    #[test]
    fn every_c_case_agrees_with_v8_on_both_engines() {
        let cases = c_cases();
        assert!(cases.len() >= 4, "expected the corpus's C benchmark programs, found {}", cases.len());
        for c in &cases {
            let mut ours = EngineC::new(&c.wasm);
            let mut theirs = WasmiC::new(&c.wasm);
            assert_eq!(ours.run(&c.args), c.expect, "{} on this engine", c.name);
            assert_eq!(ours.run(&c.args), c.expect, "{} on this engine, second run", c.name);
            assert_eq!(theirs.run(&c.args), c.expect, "{} on wasmi", c.name);
            assert_eq!(theirs.run(&c.args), c.expect, "{} on wasmi, second run", c.name);
        }
    }

    #[test]
    fn every_js_case_agrees_with_v8_on_both_engines() {
        let wasm = mquickjs_wasm();
        let mut ours = EngineJs::new(&wasm);
        let mut theirs = WasmiJs::new(&wasm);
        for c in JS_CASES {
            assert_eq!(ours.eval(c.code), c.expect, "{} on this engine", c.name);
            assert_eq!(theirs.eval(c.code), c.expect, "{} on wasmi", c.name);
        }
    }

    /// The shared layer on wasmi: exceptions (their parser errors travel by longjmp through
    /// invoke_*), printing, and the other C programs of the corpus.
    #[test]
    fn the_shared_emscripten_layer_runs_on_wasmi() {
        let mut js = WasmiSandbox::new(&crate::wasmi_engine(), &mquickjs_wasm(), 1 << 20).unwrap();
        let e = js.eval("(0, eval)('1+')").unwrap_err();
        assert!(e.starts_with("SyntaxError: unexpected character in expression"), "{e}");
        let e = js.eval("JSON.parse('{bad')").unwrap_err();
        assert!(e.starts_with("SyntaxError: expecting '\"'"), "{e}");
        assert_eq!(js.eval("Math.random()").unwrap(), "0.28083505005035936");

        // longjmp_deep recurses about 1100 deep: more than wasmi's default limit of 1000 frames
        let mut config = wasmi::Config::default();
        config.set_max_recursion_depth(100_000);
        let deep = wasmi::Engine::new(&config);
        for (name, status) in [("setjmp_loop", 0), ("setjmp_nested", 0), ("invoke_sigs", 0), ("longjmp_deep", 3)] {
            let (options, out) = captured();
            let mut p = WasmiProgram::load(&deep, &corpus_out_bytes(&format!("c/{name}.wasm")), options).unwrap();
            assert_eq!(p.run_main::<&str>(&[]).unwrap(), status, "{name}");
            assert!(out.to_string_lossy().ends_with(&format!("{name}: all ok\n")), "{name}");
        }
        let (options, _) = captured();
        let mut p =
            WasmiProgram::load(&crate::wasmi_engine(), &corpus_out_bytes("c/longjmp_uncaught.wasm"), options).unwrap();
        assert_eq!(p.run_main::<&str>(&[]), Err(emscripten::RunError::UncaughtLongjmp));
        let (options, _) = captured();
        let mut p = WasmiProgram::load(&crate::wasmi_engine(), &corpus_out_bytes("c/abort.wasm"), options).unwrap();
        assert_eq!(p.run_main::<&str>(&[]), Err(emscripten::RunError::Abort("Aborted()".into())));
        let (options, _) = captured();
        let mut p =
            WasmiProgram::load(&crate::wasmi_engine(), &corpus_out_bytes("c/printf_formats.wasm"), options).unwrap();
        assert_eq!(p.run_main::<&str>(&[]), Ok(7));
    }
}
