//! `engine-run`: runs emcc 3.1.6 (JS-host flavour) `.wasm` files on the engine, behaving like
//! the reference host `corpus/node/host.js` on V8 (same stdout, exit statuses and stderr texts).
//!
//! ```text
//! engine-run PROG.wasm [ARGS...]                  run main(argc, argv), exit with its status
//! engine-run MQUICKJS.wasm [--heap BYTES] (--eval CODE | --file PATH)...
//!                                                 evaluate scripts in one MicroQuickJS context
//! engine-run MQUICKJS.wasm                        (stdin a terminal) an interactive prompt
//! engine-run MODULE.wasm --invoke NAME [ARGS...]  call any export, print its results
//! ```
//!
//! A module is run as the MicroQuickJS sandbox when it exports `sandbox_eval`. Exit statuses:
//! the program's status (`& 255`); 134 with `Aborted()`, `Aborted(Assertion failed: ...)`,
//! `uncaught longjmp` or `trap: <message>` on stderr; 1 for a JavaScript exception (its message
//! and backtrace on stderr) or a failed `sandbox_init`; 2 with one line starting with
//! `engine-run: ` for usage, load and link errors. Note: for traps host.js prints V8's message
//! (e.g. `trap: unreachable`, `trap: memory access out of bounds`,
//! `trap: Maximum call stack size exceeded`) where we print the engine's
//! (`trap: unreachable`, `trap: out of bounds memory access`, `trap: call stack exhausted`).

use clap::{CommandFactory, FromArgMatches, Parser};
use emscripten::{EmscriptenProgram, JsError, Limits, Options, RunError, Sandbox, DEFAULT_HEAP};
use engine::{CompilationMode, Config, Engine, Val, ValType};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;

/// Exit status for usage, load and link errors.
const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "engine-run",
    version,
    args_override_self = true,
    about = "Run emcc 3.1.6 .wasm programs (and the MicroQuickJS sandbox) on the engine",
    after_help = "Examples:\n  engine-run corpus/out/c/setjmp_loop.wasm 5 \"two words\"\n  engine-run corpus/out/mquickjs.wasm --eval 'print(\"hi\"); 40+2'\n  engine-run corpus/out/c/invoke_sigs.wasm --invoke main 0 0\n\nArguments that look like options go to the program after `--`."
)]
struct Cli {
    /// The .wasm module (built with `emcc -o X.js`; its X.wasm)
    module: PathBuf,

    /// JavaScript to evaluate (sandbox modules; repeatable, in order with --file)
    #[arg(long = "eval", value_name = "CODE", allow_hyphen_values = true)]
    eval: Vec<String>,

    /// A JavaScript file to evaluate (sandbox modules; repeatable; `-` is stdin)
    #[arg(long = "file", value_name = "PATH")]
    file: Vec<PathBuf>,

    /// JavaScript heap size in bytes for sandbox_init [default: 16777216]
    #[arg(long, value_name = "BYTES")]
    heap: Option<String>,

    /// Call the export NAME with ARGS (parsed per its parameter types) and print its results
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,

    /// Stop the program after this many milliseconds of wall time (exit 134, "time limit").
    #[arg(long = "timeout-ms", value_name = "MS")]
    timeout_ms: Option<u64>,

    /// Stop the program after this much fuel: one unit per call and per loop iteration.
    #[arg(long, value_name = "UNITS")]
    fuel: Option<u64>,

    /// Largest linear memory the program may grow to, in bytes (malloc fails past it).
    #[arg(long = "max-memory", value_name = "BYTES")]
    max_memory: Option<String>,

    /// When functions are compiled: `lazy` (on first call, the default: fast start-up) or
    /// `eager` (all at load time).
    #[arg(long, value_name = "MODE", default_value = "lazy")]
    compile: String,

    /// Arguments for main (argv[1..]) or for the --invoke'd function
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
    args: Vec<String>,
}

/// A usage/load/link error: one line on stderr, status 2.
fn fail(message: impl std::fmt::Display) -> i32 {
    // always one line, even for multi-line messages (e.g. from the Wasm decoder)
    let text = message.to_string();
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(std::io::stderr(), "engine-run: {line}");
    EXIT_USAGE
}

fn main() {
    let status = run();
    let _ = std::io::stdout().flush();
    std::process::exit(status);
}

fn run() -> i32 {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return clap_error(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return clap_error(e),
    };

    // --eval and --file in command-line order
    let mut jobs: Vec<(usize, Vec<u8>)> = Vec::new();
    for (i, code) in matches.indices_of("eval").into_iter().flatten().zip(&cli.eval) {
        jobs.push((i, code.clone().into_bytes()));
    }
    for (i, path) in matches.indices_of("file").into_iter().flatten().zip(&cli.file) {
        let bytes = if path.as_os_str() == "-" {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map(|_| b)
        } else {
            std::fs::read(path)
        };
        match bytes {
            Ok(b) => jobs.push((i, b)),
            Err(e) => return fail(format_args!("cannot read {}: {e}", path.display())),
        }
    }
    jobs.sort_by_key(|(i, _)| *i);
    let jobs: Vec<Vec<u8>> = jobs.into_iter().map(|(_, b)| b).collect();
    let heap = match cli.heap.as_deref().map(parse_heap).transpose() {
        Ok(h) => h,
        Err(e) => return fail(e),
    };

    let wasm = match std::fs::read(&cli.module) {
        Ok(w) => w,
        Err(e) => return fail(format_args!("cannot read {}: {e}", cli.module.display())),
    };
    let max_memory = match cli.max_memory.as_deref().map(parse_max_memory).transpose() {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    let mut config = Config::default();
    config.consume_fuel(cli.fuel.is_some());
    config.compilation_mode(match cli.compile.as_str() {
        "lazy" => CompilationMode::Lazy,
        "eager" => CompilationMode::Eager,
        other => return fail(format_args!("--compile takes `lazy` or `eager`, not {other:?}")),
    });
    let engine = Engine::new(&config);
    let limits = Limits { timeout: cli.timeout_ms.map(std::time::Duration::from_millis), fuel: cli.fuel, max_memory };
    let program = match EmscriptenProgram::load(&engine, &wasm, Options { limits, ..Options::default() }) {
        Ok(p) => p,
        Err(e) => return report(None, &cli.module, e),
    };

    if let Some(name) = &cli.invoke {
        if !jobs.is_empty() || heap.is_some() {
            return fail("--invoke cannot be combined with --eval, --file or --heap");
        }
        return invoke(program, &cli.module, name, &cli.args);
    }
    if program.has_export("sandbox_eval") {
        if let Some(a) = cli.args.first() {
            return fail(format_args!("unexpected argument {a:?} (sandbox modules take --heap, --eval, --file)"));
        }
        return sandbox(program, &cli.module, heap.unwrap_or(DEFAULT_HEAP), jobs);
    }
    if !jobs.is_empty() || heap.is_some() {
        return fail(format_args!(
            "--eval, --file and --heap are for MicroQuickJS sandbox modules, and {} does not export sandbox_eval \
             (to pass them to main, put them after `--`)",
            cli.module.display()
        ));
    }
    let mut program = program;
    let status = match program.run_main(&cli.args) {
        Ok(status) => status & 255,
        Err(e) => report(Some(&mut program), &cli.module, e),
    };
    exit_with(program, status)
}

/// Flushes the program's output; returns the exit status.
fn exit_with(mut program: EmscriptenProgram, status: i32) -> i32 {
    program.flush();
    status
}

/// Turns a clap error into one `engine-run: ` line (help and version go to stdout, status 0).
fn clap_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = write!(std::io::stdout(), "{e}");
        return 0;
    }
    let text = e.to_string();
    let mut parts = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        parts.push(line.trim().trim_start_matches("error: ").to_string());
    }
    fail(format_args!("{} (see engine-run --help)", parts.join(" ")))
}

/// host.js accepts an integer from 1 to 2^31 - 1.
fn parse_max_memory(s: &str) -> Result<usize, String> {
    match s.trim().parse::<u64>() {
        Ok(v @ 1..=0x1_0000_0000) => Ok(v as usize),
        _ => Err(format!("bad --max-memory {s:?} (expected a number of bytes from 1 to 4294967296)")),
    }
}

fn parse_heap(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse::<u64>().ok(),
    };
    match v {
        Some(v @ 1..=0x7fff_ffff) => Ok(v as u32),
        _ => Err(format!("bad --heap {s:?} (expected an integer from 1 to 2147483647)")),
    }
}

/// Reports how a run ended (as host.js does) and returns the exit status.
fn report(program: Option<&mut EmscriptenProgram>, module: &std::path::Path, e: RunError) -> i32 {
    let status = e.exit_status();
    if status == EXIT_USAGE {
        return fail(format_args!("{}: {e}", module.display()));
    }
    if let Some(msg) = e.stderr_message() {
        let line = format!("{msg}\n");
        match program {
            Some(p) => p.write_stderr(line.as_bytes()),
            None => {
                let _ = std::io::stderr().write_all(line.as_bytes());
            }
        }
    }
    status
}

fn sandbox(program: EmscriptenProgram, module: &std::path::Path, heap: u32, jobs: Vec<Vec<u8>>) -> i32 {
    let interactive = jobs.is_empty();
    if interactive && !std::io::stdin().is_terminal() {
        return fail("nothing to evaluate (use --eval CODE or --file PATH, or run on a terminal for a prompt)");
    }
    let mut sb = match Sandbox::from_program(program, heap) {
        Ok(s) => s,
        Err(e) => return report(None, module, e),
    };
    let status = if interactive {
        repl(&mut sb, module)
    } else {
        jobs.iter().try_for_each(|code| eval_and_print(&mut sb, module, code)).err().unwrap_or(0)
    };
    sb.program_mut().flush();
    status
}

/// Evaluates one script: its completion value on stdout, or the error on stderr (returning
/// the exit status).
fn eval_and_print(sb: &mut Sandbox, module: &std::path::Path, code: &[u8]) -> Result<(), i32> {
    match sb.eval_bytes(code) {
        Ok(mut value) => {
            value.push(b'\n');
            sb.program_mut().write_stdout(&value);
            Ok(())
        }
        Err(JsError::Exception(e)) => {
            let mut text = e.bytes().to_vec();
            if text.last() != Some(&b'\n') {
                text.push(b'\n');
            }
            sb.program_mut().write_stderr(&text);
            Err(1)
        }
        Err(JsError::OutOfMemory) => {
            sb.program_mut().write_stderr(b"malloc for the script failed\n");
            Err(1)
        }
        Err(JsError::Fatal(e)) => Err(report(Some(sb.program_mut()), module, e)),
    }
}

/// The interactive prompt: one line, one evaluation; errors are shown and the session goes on.
fn repl(sb: &mut Sandbox, module: &std::path::Path) -> i32 {
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        sb.program_mut().write_stdout(b"> ");
        sb.program_mut().flush();
        line.clear();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                sb.program_mut().write_stdout(b"\n");
                sb.program_mut().flush();
                return 0;
            }
            Ok(_) => {}
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Err(status) = eval_and_print(sb, module, line.as_bytes()) {
            if status != 1 {
                return status; // the Wasm side failed: the sandbox is unusable
            }
        }
        sb.program_mut().flush();
    }
}

fn parse_val(ty: ValType, s: &str) -> Option<Val> {
    fn int(s: &str) -> Option<i128> {
        let (neg, t) = match s.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(h) => i128::from_str_radix(h, 16).ok()?,
            None => t.parse::<i128>().ok()?,
        };
        Some(if neg { -v } else { v })
    }
    fn float(s: &str) -> Option<f64> {
        match s {
            "Infinity" | "+Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => s.parse::<f64>().ok(),
        }
    }
    Some(match ty {
        // i32/i64 accept the signed and the unsigned range
        ValType::I32 => Val::I32(int(s).filter(|v| (i32::MIN as i128..=u32::MAX as i128).contains(v))? as i32),
        ValType::I64 => Val::I64(int(s).filter(|v| (i64::MIN as i128..=u64::MAX as i128).contains(v))? as i64),
        ValType::F32 => Val::F32((float(s)? as f32).to_bits()),
        ValType::F64 => Val::F64(float(s)?.to_bits()),
        ValType::FuncRef | ValType::ExternRef => return None,
    })
}

fn show_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(*b).to_string(),
        Val::F64(b) => f64::from_bits(*b).to_string(),
        Val::FuncRef(f) => if f.is_some() { "funcref" } else { "null" }.to_string(),
        Val::ExternRef(e) => if e.is_some() { "externref" } else { "null" }.to_string(),
    }
}

fn invoke(mut program: EmscriptenProgram, module: &std::path::Path, name: &str, args: &[String]) -> i32 {
    let Some(ty) = program.func_type(name) else {
        return fail(format_args!("{}: no exported function named {name:?}", module.display()));
    };
    if args.len() != ty.params().len() {
        return fail(format_args!(
            "{name} has type {ty}: expected {} argument(s), got {}",
            ty.params().len(),
            args.len()
        ));
    }
    let mut vals = Vec::with_capacity(args.len());
    for (a, t) in args.iter().zip(ty.params()) {
        match parse_val(*t, a) {
            Some(v) => vals.push(v),
            None => return fail(format_args!("cannot use {a:?} as an argument of type {t} for {name}")),
        }
    }
    let status = match program.call(name, &vals) {
        Ok(results) => {
            for r in &results {
                program.write_stdout(format!("{}\n", show_val(r)).as_bytes());
            }
            0
        }
        Err(e) => report(Some(&mut program), module, e),
    };
    exit_with(program, status)
}
