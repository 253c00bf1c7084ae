//! Robustness of loading: real modules truncated, bit-flipped and spliced, fed to
//! `Module::new` and, when that succeeds, instantiated with dummy imports and their exported
//! functions called once. The only acceptable outcomes are `Ok` and `Err`: a panic is a bug.
//!
//! As a side check, our compile verdict (accept/reject) is compared with wasmi's
//! `Module::validate` under the same WebAssembly 2.0 feature set; mismatches are counted and
//! reported but are not failures (the engines may have different implementation limits).

use crate::rng::Rng;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A module to mutate.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Where it came from.
    pub name: String,
    /// Its binary.
    pub bytes: Vec<u8>,
}

/// The default corpus root: the workspace root (the parent of this crate).
pub fn default_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn sorted_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Loads the seeds: `corpus/out/mquickjs.wasm`, `corpus/out/c/*.wasm` (when the corpus has been
/// built), every `corpus/wat/*.wat` assembled with `wat`, and a few `wasm-smith` modules (so the
/// seed set is never empty and covers every section kind).
pub fn load_seeds(root: &Path) -> Vec<Seed> {
    let mut seeds = Vec::new();
    let mut add = |path: &Path, bytes: Vec<u8>| {
        seeds.push(Seed { name: path.strip_prefix(root).unwrap_or(path).display().to_string(), bytes });
    };
    let qjs = root.join("corpus/out/mquickjs.wasm");
    if let Ok(b) = std::fs::read(&qjs) {
        add(&qjs, b);
    }
    for p in sorted_files(&root.join("corpus/out/c"), "wasm") {
        if let Ok(b) = std::fs::read(&p) {
            add(&p, b);
        }
    }
    for p in sorted_files(&root.join("corpus/wat"), "wat") {
        match wat::parse_file(&p) {
            Ok(b) => add(&p, b),
            Err(e) => eprintln!("warning: {}: {e}", p.display()),
        }
    }
    for i in 0..8u64 {
        let mut rng = Rng::for_case(0x5eed, i);
        let mut input = rng.bytes(4096);
        input[0] = (i as u8) | 1; // with imports
        if let Ok(g) = crate::generate::generate(&input) {
            seeds.push(Seed { name: format!("wasm-smith #{i}"), bytes: g.wasm });
        }
    }
    seeds
}

/// Picks a seed: the large MicroQuickJS module (about 50 times the cost of the others to
/// validate) one time in 40, the others uniformly.
fn pick<'a>(rng: &mut Rng, seeds: &'a [Seed]) -> &'a Seed {
    let big = seeds.iter().position(|s| s.name.ends_with("mquickjs.wasm"));
    match big {
        Some(b) if seeds.len() > 1 => {
            if rng.chance(1, 40) {
                &seeds[b]
            } else {
                let i = rng.below(seeds.len() as u64 - 1) as usize;
                &seeds[if i >= b { i + 1 } else { i }]
            }
        }
        _ => &seeds[rng.below(seeds.len() as u64) as usize],
    }
}

fn flip_bits(rng: &mut Rng, bytes: &mut [u8], max: u64) -> String {
    if bytes.is_empty() {
        return "no flips (empty)".into();
    }
    let n = rng.range(1, max);
    let mut at = Vec::new();
    for _ in 0..n {
        let p = rng.below(bytes.len() as u64) as usize;
        if rng.chance(1, 4) {
            const INTERESTING: &[u8] = &[0x00, 0xff, 0x7f, 0x80, 0x40, 0x01, 0x0b, 0x41, 0x20];
            bytes[p] = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
            at.push(format!("{p}=0x{:02x}", bytes[p]));
        } else {
            let bit = rng.below(8);
            bytes[p] ^= 1 << bit;
            at.push(format!("{p}^bit{bit}"));
        }
    }
    format!("flips [{}]", at.join(", "))
}

/// Produces mutated input `index` of a run: returns the bytes and how they were made.
pub fn mutate(rng: &mut Rng, seeds: &[Seed]) -> (Vec<u8>, String) {
    let a = pick(rng, seeds);
    let op = rng.below(10);
    match op {
        // Truncation.
        0 | 1 => {
            let cut = rng.below(a.bytes.len() as u64 + 1) as usize;
            (a.bytes[..cut].to_vec(), format!("{} truncated at {cut} of {}", a.name, a.bytes.len()))
        }
        // Bit flips / byte overwrites.
        2..=5 => {
            let mut b = a.bytes.clone();
            let how = flip_bits(rng, &mut b, if op == 5 { 32 } else { 4 });
            (b, format!("{} with {how}", a.name))
        }
        // Splice: the head of one module with the tail of another (or the same one).
        6 | 7 => {
            let b = pick(rng, seeds);
            let i = rng.below(a.bytes.len() as u64 + 1) as usize;
            let j = rng.below(b.bytes.len() as u64 + 1) as usize;
            let mut v = a.bytes[..i].to_vec();
            v.extend_from_slice(&b.bytes[j..]);
            (v, format!("{}[..{i}] + {}[{j}..]", a.name, b.name))
        }
        // Flips, then truncation.
        8 => {
            let mut b = a.bytes.clone();
            let how = flip_bits(rng, &mut b, 4);
            let cut = rng.below(b.len() as u64 + 1) as usize;
            b.truncate(cut);
            (b, format!("{} with {how}, truncated at {cut}", a.name))
        }
        // Splice, then flips.
        _ => {
            let b = pick(rng, seeds);
            let i = rng.below(a.bytes.len() as u64 + 1) as usize;
            let j = rng.below(b.bytes.len() as u64 + 1) as usize;
            let mut v = a.bytes[..i].to_vec();
            v.extend_from_slice(&b.bytes[j..]);
            let how = flip_bits(rng, &mut v, 4);
            (v, format!("{}[..{i}] + {}[{j}..] with {how}", a.name, b.name))
        }
    }
}

/// Counters of a mutation run.
#[derive(Debug, Default, Clone)]
pub struct MutateStats {
    /// Inputs tried.
    pub cases: u64,
    /// Inputs our engine compiled.
    pub compiled: u64,
    /// ... and instantiated.
    pub instantiated: u64,
    /// Exported functions called on instantiated modules.
    pub calls: u64,
    /// Inputs where our accept/reject verdict differs from wasmi's `Module::validate`
    /// (informational).
    pub verdict_mismatches: u64,
    /// Panics in our engine: failures.
    pub panics: u64,
    /// Panics inside wasmi's validator (not ours; informational).
    pub wasmi_panics: u64,
}

/// What happened to one input.
#[derive(Debug, Clone, PartialEq)]
pub enum MutateOutcome {
    /// `Module::new` failed.
    Rejected,
    /// Compiled, then instantiation failed.
    NotInstantiated,
    /// Compiled and instantiated (and its exports were called).
    Instantiated,
}

/// Our engines (eager and lazy) and wasmi's validator configuration.
pub struct Loader {
    eager: engine::Engine,
    lazy: engine::Engine,
    wasmi: wasmi::Engine,
    /// Call each export of an instantiated module (with zero arguments, under a deadline). Off
    /// by default: at commit 69dcf72 a deadline does not stop recursion-heavy code (see
    /// `docs/ROBUSTNESS.md`), so a mutated module can run for hours.
    pub call_exports: bool,
    /// Compare the compile verdict with wasmi's.
    pub check_verdict: bool,
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

/// Store limits for mutated modules: 64 MiB per memory, 65,536 table elements.
#[allow(clippy::field_reassign_with_default)] // field by field: the struct may grow
fn small_limits() -> engine::StoreLimits {
    let mut limits = engine::StoreLimits::default();
    limits.max_memory_bytes = 64 << 20;
    limits.max_table_elements = 1 << 16;
    limits
}

/// Time budget for a start function and for each exported function call.
pub const CALL_DEADLINE: Duration = Duration::from_millis(50);

/// At most this many exported functions are called per instantiated module.
pub const MAX_CALLS: usize = 32;

impl Loader {
    /// Engines in both compilation modes, default limits otherwise.
    pub fn new() -> Loader {
        let mut eager = engine::Config::default();
        eager.compilation_mode(engine::CompilationMode::Eager);
        let mut lazy = engine::Config::default();
        lazy.compilation_mode(engine::CompilationMode::Lazy);
        Loader {
            eager: engine::Engine::new(&eager),
            lazy: engine::Engine::new(&lazy),
            wasmi: wasmi::Engine::new(&crate::diff::wasmi_config()),
            call_exports: false,
            check_verdict: true,
        }
    }

    /// Loads `bytes` on our engine (compile, instantiate with dummy imports, call exports).
    /// Panics propagate: wrap in [`crate::panics::catch`].
    pub fn load(&self, bytes: &[u8], lazy: bool, stats: &mut MutateStats) -> MutateOutcome {
        let engine = if lazy { &self.lazy } else { &self.eager };
        let module = match engine::Module::new(engine, bytes) {
            Ok(m) => m,
            Err(_) => return MutateOutcome::Rejected,
        };
        stats.compiled += 1;
        let mut store = engine::Store::new(engine, ());
        store.set_limits(small_limits());
        let mut imports = Vec::new();
        for (_, _, ty) in module.imports() {
            let ext: engine::Extern = match ty {
                engine::ExternType::Func(ft) => {
                    let results: Vec<engine::ValType> = ft.results().to_vec();
                    engine::Func::new(&mut store, ft.clone(), move |_, _, out| {
                        for (o, t) in out.iter_mut().zip(&results) {
                            *o = engine::Val::default_for(*t);
                        }
                        Ok(())
                    })
                    .into()
                }
                engine::ExternType::Memory(mt) => match engine::Memory::new(&mut store, *mt) {
                    Ok(m) => m.into(),
                    Err(_) => return MutateOutcome::NotInstantiated,
                },
                engine::ExternType::Table(tt) => {
                    match engine::Table::new(&mut store, *tt, engine::Val::default_for(tt.element())) {
                        Ok(t) => t.into(),
                        Err(_) => return MutateOutcome::NotInstantiated,
                    }
                }
                engine::ExternType::Global(gt) => {
                    match engine::Global::new(&mut store, *gt, engine::Val::default_for(gt.content())) {
                        Ok(g) => g.into(),
                        Err(_) => return MutateOutcome::NotInstantiated,
                    }
                }
            };
            imports.push(ext);
        }
        store.set_deadline(Some(CALL_DEADLINE));
        let instance = match engine::Instance::new(&mut store, &module, &imports) {
            Ok(i) => i,
            Err(_) => return MutateOutcome::NotInstantiated,
        };
        if self.call_exports {
            let funcs: Vec<engine::Func> =
                instance.exports(&store).into_iter().filter_map(|(_, e)| e.into_func()).take(MAX_CALLS).collect();
            for f in funcs {
                let ty = f.ty(&store);
                let args: Vec<engine::Val> = ty.params().iter().map(|t| engine::Val::default_for(*t)).collect();
                let mut out: Vec<engine::Val> = ty.results().iter().map(|t| engine::Val::default_for(*t)).collect();
                store.set_deadline(Some(CALL_DEADLINE));
                let _ = f.call(&mut store, &args, &mut out);
                stats.calls += 1;
            }
        }
        MutateOutcome::Instantiated
    }

    /// wasmi's verdict on `bytes` (`Ok(true)` = valid), or `Err` if its validator panicked.
    pub fn wasmi_valid(&self, bytes: &[u8]) -> Result<bool, String> {
        crate::panics::catch(|| wasmi::Module::validate(&self.wasmi, bytes).is_ok())
    }
}
