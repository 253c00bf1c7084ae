//! The C programs of the corpus (`corpus/out/c/*.wasm`) on our `engine-run` against the
//! reference host (`node corpus/node/host.js`): stdout and exit status identical, stderr
//! identical unless it is a trap message (V8's text there, the engine's here). Also the same
//! programs through the library API, with captured output.

mod common;

use common::{compare, corpus_bytes, corpus_file, parallel, root, run_engine, run_node};
use emscripten::{EmscriptenProgram, Options, RunError};

/// Every program the corpus builds, with its documented exit status.
const PROGRAMS: &[(&str, i32)] = &[
    ("abort", 134),
    ("assert_fail", 134),
    ("heap_growth", 0),
    ("invoke_sigs", 0),
    ("longjmp_deep", 3),
    ("longjmp_uncaught", 134),
    ("memcpy_big", 0),
    ("printf_formats", 7),
    ("setjmp_loop", 0),
    ("setjmp_nested", 0),
];

#[test]
fn c_programs_match_v8() {
    let mut runs: Vec<Vec<String>> = Vec::new();
    for (name, _) in PROGRAMS {
        corpus_file(&format!("c/{name}.wasm"));
        runs.push(vec![format!("corpus/out/c/{name}.wasm")]);
    }
    // every .wasm in corpus/out/c, also ones added after this list was written
    for entry in std::fs::read_dir(root().join("corpus/out/c")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "wasm") {
            let arg = format!("corpus/out/c/{}", p.file_name().unwrap().to_string_lossy());
            if !runs.iter().any(|r| r[0] == arg) {
                runs.push(vec![arg]);
            }
        }
    }
    let with_args: &[&[&str]] =
        &[&["5", "two words"], &["0"], &["3000", "", "ünïcödé", "-x"], &["-5", "--not-an-option"], &["10000"]];
    for a in with_args {
        let mut r = vec!["corpus/out/c/setjmp_loop.wasm".to_string()];
        r.extend(a.iter().map(|s| s.to_string()));
        runs.push(r);
    }
    runs.push(vec!["corpus/out/c/invoke_sigs.wasm".into(), "ignored".into(), "args".into()]);

    let results = parallel(&runs, |args| {
        let node = run_node(args);
        let ours = run_engine(args);
        (node.clone(), ours.clone(), compare(&node, &ours, true))
    });
    let mut failures = Vec::new();
    for (args, (node, ours, diff)) in runs.iter().zip(&results) {
        if let Some(d) = diff {
            failures.push(format!("=== {args:?} ===\n{d}"));
        }
        if let Some((_, status)) =
            PROGRAMS.iter().find(|(n, _)| args.len() == 1 && args[0].ends_with(&format!("/{n}.wasm")))
        {
            assert_eq!(node.status, *status, "{args:?}: host.js status (README table)");
            assert_eq!(ours.status, *status, "{args:?}: engine-run status");
        }
    }
    eprintln!("{} C program runs compared with V8", runs.len());
    assert!(failures.is_empty(), "{} runs differ from V8:\n{}", failures.len(), failures.join("\n"));
}

/// The same programs through the library, output captured in memory.
#[test]
fn c_programs_through_the_library() {
    let engine = engine::Engine::default();
    for (name, status) in PROGRAMS {
        let wasm = corpus_bytes(&format!("c/{name}.wasm"));
        let (options, out, err) = Options::captured();
        let mut prog = EmscriptenProgram::load(&engine, &wasm, options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = prog.run_main::<&str>(&[]);
        let stdout = out.to_string_lossy();
        let stderr = err.to_string_lossy();
        match (name, &r) {
            (&"abort", Err(RunError::Abort(m))) => assert_eq!(m, "Aborted()"),
            (&"assert_fail", Err(RunError::Abort(m))) => assert_eq!(
                m,
                "Aborted(Assertion failed: v == 42 && \"the answer\", at: c/assert_fail.c,15,check_answer)"
            ),
            (&"longjmp_uncaught", Err(RunError::UncaughtLongjmp)) => {}
            (_, Ok(s)) => {
                assert_eq!(*s, *status, "{name}: status; stdout:\n{stdout}\nstderr:\n{stderr}");
                if *status == 0 {
                    assert!(stdout.ends_with(&format!("{name}: all ok\n")), "{name}: {stdout}");
                }
            }
            _ => panic!("{name}: unexpected result {r:?}; stdout:\n{stdout}\nstderr:\n{stderr}"),
        }
        if let Err(e) = &r {
            assert_eq!(e.exit_status(), *status, "{name}");
        }
        if *name == "printf_formats" {
            assert_eq!(stderr, "this line goes to stderr\n");
            assert!(stdout.ends_with("calling exit(7)\n"), "{stdout}");
        }
    }
}

#[test]
fn setjmp_loop_gets_argv() {
    let engine = engine::Engine::default();
    let (options, out, _err) = Options::captured();
    let mut prog = EmscriptenProgram::load(&engine, &corpus_bytes("c/setjmp_loop.wasm"), options).unwrap();
    assert_eq!(prog.run_main(&["7", "two words"]).unwrap(), 0);
    let s = out.to_string_lossy();
    assert!(s.starts_with("argc = 3, iterations = 7\nargv[1] = \"7\"\nargv[2] = \"two words\"\n"), "{s}");
    assert!(s.ends_with("setjmp_loop: all ok\n"), "{s}");
}
