//! `fuzz`: long differential and robustness runs (see `docs/ROBUSTNESS.md`).
//!
//!     cargo run --release -p fuzz -- diff --cases 100000 --seed 1
//!     cargo run --release -p fuzz -- mutate --cases 1000000 --seed 1
//!     cargo run --release -p fuzz -- replay fuzz/failures/diff-s1-c42-lazy.bin
//!
//! Exits with status 1 if any case diverged or panicked; failing inputs go to `--failures`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(about = "Differential (against wasmi 2.0) and robustness fuzzing of the engine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// Number of cases.
    #[arg(long, default_value_t = 10_000)]
    cases: u64,
    /// Seed of the run (cases are a pure function of seed and index).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Index of the first case (to resume, or with --cases 1 to replay one case).
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Directory for failing inputs.
    #[arg(long, default_value = "fuzz/failures")]
    failures: PathBuf,
    /// Seconds between progress lines on stderr.
    #[arg(long, default_value_t = 10)]
    progress: u64,
    /// Stop after this many failures.
    #[arg(long, default_value_t = 100)]
    max_failures: u64,
}

impl Common {
    fn options(&self) -> fuzz::RunOptions {
        fuzz::RunOptions {
            cases: self.cases,
            seed: self.seed,
            start: self.start,
            failures: Some(self.failures.clone()),
            progress: (self.progress > 0).then(|| Duration::from_secs(self.progress)),
            max_failures: self.max_failures,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Generated modules, run on this engine and on wasmi, compared.
    Diff(Common),
    /// Mutated corpus modules: loading, instantiating and calling must never panic.
    Mutate {
        #[command(flatten)]
        common: Common,
        /// Workspace root holding corpus/ (default: the one this crate was built in).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Also call every export of each instantiated module (zero arguments, 50 ms deadline
        /// per call; see docs/ROBUSTNESS.md for why this is off by default).
        #[arg(long)]
        calls: bool,
    },
    /// Replays files: `.bin` (diff generator input), `.wat`/`.wasm` under `diff/` or given
    /// with --diff (run through the oracle), otherwise loaded as mutated modules.
    Replay {
        /// Treat `.wat`/`.wasm` files as differential cases (default: as mutation cases).
        #[arg(long)]
        diff: bool,
        /// Seed of the arguments for `.wat`/`.wasm` differential cases (a failure's `.txt`
        /// gives the one its case used).
        #[arg(long, default_value_t = 0)]
        arg_seed: u64,
        /// Only lazy compilation on our side (default: both modes).
        #[arg(long)]
        lazy: bool,
        /// Only eager compilation on our side (default: both modes).
        #[arg(long)]
        eager: bool,
        files: Vec<PathBuf>,
    },
    /// Calls exported functions of a module (`.wat` or `.wasm`) with given arguments on both
    /// engines and prints both outcomes, e.g. `run m.wat f i32:1 f64:0x7ff8000000000000 -- g`.
    Run {
        /// Lazy compilation on our side.
        #[arg(long)]
        lazy: bool,
        file: PathBuf,
        /// Calls: a function name followed by its arguments (TYPE:VALUE); `--` separates calls.
        #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
        calls: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Diff(c) => {
            let opts = c.options();
            let t = std::time::Instant::now();
            let (s, failures) = fuzz::run_diff(&opts);
            println!(
                "diff summary: seed={} start={} cases={} divergences={} panics={} skipped={} compiled={} instantiated={} \
                 instantiation_failed={} calls={} calls_trapped={} stack_exhaustion={} (one side: {}) lazy={} wasmi_outvoted={} nan_suspect={} secs={:.0}",
                opts.seed,
                opts.start,
                s.cases,
                s.divergences,
                s.panics,
                s.skipped,
                s.compiled,
                s.instantiated,
                s.instantiation_failed,
                s.calls,
                s.calls_trapped,
                s.stack_exhaustion,
                s.stack_exhaustion_one_side,
                s.lazy,
                s.wasmi_outvoted,
                s.nan_suspect,
                t.elapsed().as_secs_f64()
            );
            println!("diff call failures by kind: {:?}", s.failure_kinds);
            if failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Mutate { common, root, calls } => {
            let opts = common.options();
            let root = root.unwrap_or_else(fuzz::mutate::default_root);
            let seeds = fuzz::mutate::load_seeds(&root);
            eprintln!(
                "{} seed modules: {}",
                seeds.len(),
                seeds.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
            );
            let t = std::time::Instant::now();
            let (s, failures) = fuzz::run_mutate_with(&opts, &seeds, calls);
            println!(
                "mutate summary: seed={} start={} cases={} panics={} compiled={} instantiated={} calls={} \
                 verdict_mismatches={} wasmi_panics={} secs={:.0}",
                opts.seed,
                opts.start,
                s.cases,
                s.panics,
                s.compiled,
                s.instantiated,
                s.calls,
                s.verdict_mismatches,
                s.wasmi_panics,
                t.elapsed().as_secs_f64()
            );
            if failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Run { lazy, file, calls } => {
            let bytes = match std::fs::read(&file)
                .map_err(|e| e.to_string())
                .and_then(|b| wat::parse_bytes(&b).map(|w| w.into_owned()).map_err(|e| e.to_string()))
            {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("{}: {e}", file.display());
                    return ExitCode::FAILURE;
                }
            };
            let mut parsed: Vec<(String, Vec<fuzz::diff::Value>)> = Vec::new();
            for group in calls.split(|a| a == "--") {
                let Some((name, args)) = group.split_first() else { continue };
                match args.iter().map(|a| fuzz::diff::parse_value(a)).collect::<Result<Vec<_>, _>>() {
                    Ok(v) => parsed.push((name.clone(), v)),
                    Err(e) => {
                        eprintln!("{e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            for line in fuzz::diff::Oracle::new().explain(&bytes, lazy, &parsed) {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Command::Replay { diff, arg_seed, lazy, eager, files } => {
            let modes: Vec<bool> = match (lazy, eager) {
                (true, false) => vec![true],
                (false, true) => vec![false],
                _ => vec![false, true],
            };
            let mut bad = 0;
            for f in &files {
                let as_diff = diff
                    || f.extension().is_some_and(|e| e == "bin")
                    || f.components().any(|c| c.as_os_str() == "diff");
                let r = if as_diff {
                    fuzz::replay_diff_file_with(f, arg_seed, &modes)
                } else {
                    fuzz::replay_mutate_file(f)
                };
                match r {
                    Ok(()) => println!("ok   {}", f.display()),
                    Err(e) => {
                        bad += 1;
                        println!("FAIL {e}");
                    }
                }
            }
            println!("replay: {} passed, {} failed", files.len() - bad, bad);
            if bad == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
