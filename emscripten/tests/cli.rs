//! `engine-run`'s command line: modes, usage errors (status 2, one `engine-run: ` line),
//! `--invoke`, ordering of `--eval`/`--file`, and stdout/stderr interleaving.

mod common;

use common::{compare, corpus_file, root, run_engine, run_node};
use std::path::PathBuf;
use std::process::Command;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engine-run-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn usage_load_and_link_errors_are_one_line_with_status_2() {
    corpus_file("mquickjs.wasm");
    corpus_file("c/setjmp_loop.wasm");
    let unsupported = temp_file(
        "unsupported.wasm",
        &wat::parse_str(r#"(module (import "env" "nope" (func)) (import "env" "invoke_q" (func (param i32))) (memory (export "memory") 1))"#)
            .unwrap(),
    );
    let garbage = temp_file("garbage.wasm", b"\0asm\x01\0\0\0\x01\xff\xff");
    let q = "corpus/out/mquickjs.wasm";
    let cases: Vec<Vec<String>> = vec![
        s(&[]),
        s(&["/nonexistent/x.wasm"]),
        s(&["Cargo.toml"]),
        vec![garbage.display().to_string()],
        vec![unsupported.display().to_string()],
        s(&[q, "--heap", "abc", "--eval", "1"]),
        s(&[q, "--heap", "0", "--eval", "1"]),
        s(&[q, "--heap", "4294967296", "--eval", "1"]),
        s(&[q, "extra-argument"]),
        s(&[q]), // stdin is not a terminal: nothing to evaluate
        s(&[q, "--eval"]),
        s(&[q, "--file", "/nonexistent/x.js"]),
        s(&[q, "--bogus"]),
        s(&[q, "--invoke", "no_such_export"]),
        s(&[q, "--invoke", "malloc"]),
        s(&[q, "--invoke", "malloc", "twelve"]),
        s(&[q, "--invoke", "malloc", "1", "--eval", "1"]),
        s(&["corpus/out/c/setjmp_loop.wasm", "--eval", "1"]),
    ];
    for args in &cases {
        let o = run_engine(args);
        let err = o.stderr_str();
        assert_eq!(o.status, 2, "{args:?}: status {}, stderr {err}", o.status);
        assert!(err.starts_with("engine-run: "), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
        assert!(o.stdout.is_empty(), "{args:?}: stdout {}", o.stdout_str());
    }
    let o = run_engine(&[unsupported.display().to_string()]);
    assert!(o.stderr_str().contains("env.nope") && o.stderr_str().contains("env.invoke_q"), "{}", o.stderr_str());
}

#[test]
fn help_and_version() {
    let o = run_engine(&s(&["--help"]));
    assert_eq!(o.status, 0);
    assert!(o.stdout_str().contains("--invoke"));
    let o = run_engine(&s(&["--version"]));
    assert_eq!(o.status, 0);
    assert!(o.stdout_str().starts_with("engine-run "));
}

#[test]
fn invoke_prints_results_per_param_types() {
    let m = temp_file(
        "calc.wasm",
        &wat::parse_str(
            r#"(module
              (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
              (func (export "wide") (param i64 f32 f64) (result i64 f32 f64)
                local.get 0 i64.const 1 i64.add local.get 1 local.get 2 f64.neg)
              (func (export "nothing"))
              (func (export "boom") unreachable))"#,
        )
        .unwrap(),
    );
    let m = m.display().to_string();
    let run = |a: &[&str]| {
        let mut v = vec![m.clone()];
        v.extend(a.iter().map(|x| x.to_string()));
        run_engine(&v)
    };
    let o = run(&["--invoke", "add", "40", "2"]);
    assert_eq!((o.status, o.stdout_str().as_str()), (0, "42\n"));
    let o = run(&["--invoke", "add", "-5", "0xffffffff"]);
    assert_eq!(o.stdout_str(), "-6\n");
    let o = run(&["--invoke", "wide", "9223372036854775806", "1.5", "-2.25"]);
    assert_eq!(o.stdout_str(), "9223372036854775807\n1.5\n2.25\n");
    let o = run(&["--invoke", "nothing"]);
    assert_eq!((o.status, o.stdout_str().as_str()), (0, ""));
    let o = run(&["--invoke", "boom"]);
    assert_eq!((o.status, o.stderr_str().as_str()), (134, "trap: unreachable\n"));
}

#[test]
fn invoke_on_an_emscripten_program() {
    corpus_file("c/invoke_sigs.wasm");
    let o = run_engine(&s(&["corpus/out/c/invoke_sigs.wasm", "--invoke", "main", "0", "0"]));
    assert_eq!(o.status, 0, "{}", o.stderr_str());
    assert!(o.stdout_str().ends_with("invoke_sigs: all ok\n0\n"), "{}", o.stdout_str());
    let o = run_engine(&s(&["corpus/out/mquickjs.wasm", "--invoke", "sandbox_init", "100"]));
    assert_eq!(o.stdout_str(), "0\n");
}

#[test]
fn evals_and_files_run_in_command_line_order() {
    corpus_file("mquickjs.wasm");
    let f1 = temp_file("one.js", b"var order = ['file1']; print('in file1'); 1");
    let f3 = temp_file("three.js", b"order.push('file3'); order.join(' ')");
    let args = vec![
        "corpus/out/mquickjs.wasm".to_string(),
        "--file".into(),
        f1.display().to_string(),
        "--eval".into(),
        "order.push('eval2'); print('in eval2'); 2".into(),
        "--heap".into(),
        "1000000".into(),
        "--file".into(),
        f3.display().to_string(),
    ];
    let o = run_engine(&args);
    assert_eq!(o.stdout_str(), "in file1\n1\nin eval2\n2\nfile1 eval2 file3\n");
    assert_eq!(compare(&run_node(&args), &o, false), None);
}

/// With `2>&1` both streams land in one pipe: the order must be program order, as in host.js.
#[test]
fn stdout_and_stderr_interleave_in_program_order() {
    corpus_file("c/printf_formats.wasm");
    let bin = env!("CARGO_BIN_EXE_engine-run");
    let host = root().join("corpus/node/host.js");
    let sh = |cmd: String| {
        let o = Command::new("sh").arg("-c").arg(cmd).current_dir(root()).output().unwrap();
        (o.status.code(), o.stdout)
    };
    for args in [
        "corpus/out/c/printf_formats.wasm".to_string(),
        "corpus/out/mquickjs.wasm --eval \"print('out 1'); print('out 2'); null.x\"".to_string(),
        "corpus/out/c/abort.wasm".to_string(),
    ] {
        let ours = sh(format!("'{bin}' {args} 2>&1"));
        let node = sh(format!("node '{}' {args} 2>&1", host.display()));
        assert_eq!(
            ours,
            node,
            "{args}:\n{}\n---\n{}",
            String::from_utf8_lossy(&ours.1),
            String::from_utf8_lossy(&node.1)
        );
    }
}

#[test]
fn main_status_is_masked_like_a_process() {
    for (ret, status) in [(300, 44), (-1, 255), (256, 0)] {
        let m = temp_file(
            &format!("ret{status}.wasm"),
            &wat::parse_str(format!(
                r#"(module (memory (export "memory") 1)
                  (func (export "stackAlloc") (param i32) (result i32) i32.const 1024)
                  (func (export "main") (param i32 i32) (result i32) i32.const {ret}))"#
            ))
            .unwrap(),
        );
        let args = vec![m.display().to_string()];
        let o = run_engine(&args);
        assert_eq!(o.status, status);
        assert_eq!(compare(&run_node(&args), &o, false), None);
    }
}

#[test]
fn timeout_fuel_and_memory_flags_stop_runaway_scripts() {
    let bin = env!("CARGO_BIN_EXE_engine-run");
    let js = corpus_file("mquickjs.wasm");
    let run = |args: &[&str]| {
        let start = std::time::Instant::now();
        let o = Command::new(bin).arg(&js).args(args).output().unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned(), start.elapsed())
    };
    let (status, stderr, took) = run(&["--timeout-ms", "1000", "--eval", "while(true){}"]);
    assert_eq!(status, Some(134));
    assert!(stderr.contains("interrupted (time limit"), "{stderr}");
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
    let (status, stderr, _) = run(&["--fuel", "1000000", "--eval", "for(;;){}"]);
    assert_eq!(status, Some(134));
    assert!(stderr.contains("all fuel consumed"), "{stderr}");
    let (status, _, _) = run(&["--max-memory", "4194304", "--eval", "1"]);
    assert_ne!(status, Some(0), "a 16 MiB heap does not fit under a 4 MiB cap");
    let (status, stderr, _) = run(&["--max-memory", "lots", "--eval", "1"]);
    assert_eq!(status, Some(2));
    assert!(stderr.starts_with("engine-run: "), "{stderr}");
}
