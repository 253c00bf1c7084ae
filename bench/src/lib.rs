//! Shared benchmark workloads: each case is a module plus an entry point, runnable on this
//! engine and on wasmi 2.0 with identical inputs and identical host imports, and checked
//! once before timing so that a broken engine cannot win.
//!
//! - WAT cases live in `corpus/wat/`; each declares its expected results in its header as
//!   `;; expect: run(ARG) = RESULT` lines, the last of which is the benchmark argument.
//! - Emscripten workloads ([`emscripten_cases`]): the C benchmark programs of `corpus/c/` and
//!   MicroQuickJS scripts, on both engines through the `emscripten` crate's import layer
//!   (on wasmi through the adapter in [`wasmi_host`]).
//! - [`report`]: turns criterion's and iai-callgrind's results into `docs/BENCHMARKS.md`.

pub mod emscripten_cases;
pub mod report;
pub mod shapes;
pub mod wasmi_host;

use std::path::PathBuf;

/// The repository's `corpus/` directory.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// Reads and assembles a WAT file from `corpus/wat/`.
pub fn wat_module(name: &str) -> Vec<u8> {
    let path = corpus_dir().join("wat").join(name);
    wat::parse_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One `run(i32) -> i32` workload from `corpus/wat/`.
#[derive(Debug, Clone)]
pub struct WatCase {
    /// File stem, e.g. `sieve`.
    pub name: String,
    /// The assembled module.
    pub wasm: Vec<u8>,
    /// `(argument, expected result)` pairs from the header; the last is the benchmark's.
    pub expect: Vec<(i32, i32)>,
}

impl WatCase {
    /// The benchmark argument and its expected result.
    pub fn bench_point(&self) -> (i32, i32) {
        *self.expect.last().expect("at least one expect line")
    }
}

/// Parses `;; expect: run(ARG) = RESULT` lines.
pub fn parse_expect(source: &str) -> Vec<(i32, i32)> {
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix(";; expect: run("))
        .filter_map(|rest| {
            let (arg, res) = rest.split_once(") = ")?;
            Some((arg.trim().parse().ok()?, res.trim().parse().ok()?))
        })
        .collect()
}

/// Every WAT case with expectations, sorted by name.
pub fn wat_cases() -> Vec<WatCase> {
    let dir = corpus_dir().join("wat");
    let mut cases: Vec<WatCase> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .filter_map(|p| {
            let src = std::fs::read_to_string(&p).ok()?;
            let expect = parse_expect(&src);
            if expect.is_empty() {
                return None;
            }
            let name = p.file_stem()?.to_string_lossy().into_owned();
            let wasm = wat::parse_str(&src).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            Some(WatCase { name, wasm, expect })
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// The host function every case may import: `env.add(a, b) = a + b` (wrapping).
fn host_add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// A loaded `(i32) -> i32` export on this engine.
pub struct OursI32 {
    store: engine::Store<()>,
    func: engine::TypedFunc<i32, i32>,
}

impl OursI32 {
    /// Instantiates `wasm` (eager compilation) and looks up `export`.
    pub fn new(wasm: &[u8], export: &str) -> Self {
        Self::with_engine(&engine::Engine::default(), wasm, export)
    }

    /// The same on a given engine (e.g. one profiling blocks).
    pub fn with_engine(e: &engine::Engine, wasm: &[u8], export: &str) -> Self {
        let e = e.clone();
        let m = engine::Module::new(&e, wasm).expect("module");
        let mut store = engine::Store::new(&e, ());
        let mut linker = engine::Linker::new(&e);
        linker.func_wrap("env", "add", host_add).expect("define env.add");
        let inst = linker.instantiate(&mut store, &m).expect("instantiate");
        let func = inst.get_typed_func::<i32, i32>(&store, export).expect("export");
        OursI32 { store, func }
    }
    /// Calls the export.
    pub fn call(&mut self, x: i32) -> i32 {
        self.func.call(&mut self.store, x).expect("call")
    }
}

/// The same on wasmi 2.0, with eager compilation so execution is measured alone.
pub struct WasmiI32 {
    store: wasmi::Store<()>,
    func: wasmi::TypedFunc<i32, i32>,
}

/// A wasmi engine with eager compilation.
pub fn wasmi_engine() -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    config.compilation_mode(wasmi::CompilationMode::Eager);
    wasmi::Engine::new(&config)
}

impl WasmiI32 {
    /// Instantiates `wasm` and looks up `export`.
    pub fn new(wasm: &[u8], export: &str) -> Self {
        let e = wasmi_engine();
        let m = wasmi::Module::new(&e, wasm).expect("module");
        let mut store = wasmi::Store::new(&e, ());
        let mut linker = wasmi::Linker::new(&e);
        linker.func_wrap("env", "add", host_add).expect("define env.add");
        let inst = linker.instantiate_and_start(&mut store, &m).expect("instantiate");
        let func = inst.get_typed_func::<i32, i32>(&store, export).expect("export");
        WasmiI32 { store, func }
    }
    /// Calls the export.
    pub fn call(&mut self, x: i32) -> i32 {
        self.func.call(&mut self.store, x).expect("call")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wat_case_agrees_with_v8_on_both_engines() {
        let cases = wat_cases();
        assert!(cases.len() >= 10, "expected the corpus's WAT cases, found {}", cases.len());
        for c in &cases {
            let (arg, expect) = c.expect[0];
            assert_eq!(OursI32::new(&c.wasm, "run").call(arg), expect, "{} on this engine", c.name);
            assert_eq!(WasmiI32::new(&c.wasm, "run").call(arg), expect, "{} on wasmi", c.name);
        }
    }

    #[test]
    fn expect_lines_parse() {
        assert_eq!(parse_expect(";; expect: run(10) = -5\n;; expect: run(7) = 3\n(module)"), vec![(10, -5), (7, 3)]);
    }
}
