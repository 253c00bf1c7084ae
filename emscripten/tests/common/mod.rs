//! Helpers shared by the integration tests: locating the corpus (failing loudly when it has
//! not been built), and running the reference host (node + corpus/node/host.js) and our
//! `engine-run` on the same arguments.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// A file under `corpus/out/`, which must exist: otherwise the test fails and says how to
/// build it (it never passes silently).
pub fn corpus_file(rel: &str) -> PathBuf {
    let p = root().join("corpus/out").join(rel);
    assert!(
        p.is_file(),
        "{} is missing: build the corpus first with `corpus/build.sh` (needs emcc: apt-get install -y emscripten node-acorn)",
        p.display()
    );
    p
}

/// The bytes of a corpus file (see [`corpus_file`]).
pub fn corpus_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(corpus_file(rel)).expect("read corpus file")
}

/// The reference host script.
pub fn host_js() -> PathBuf {
    let p = root().join("corpus/node/host.js");
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

/// What a process did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

fn run(mut cmd: Command) -> Outcome {
    let out = cmd.stdin(std::process::Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    Outcome { status: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: out.stderr }
}

/// Runs `node corpus/node/host.js ARGS`. Fails the test if node is not installed.
pub fn run_node(args: &[String]) -> Outcome {
    let mut cmd = Command::new("node");
    cmd.arg(host_js()).args(args).current_dir(root());
    if Command::new("node").arg("--version").output().is_err() {
        panic!("node is not installed; the comparison tests need it (apt-get install -y nodejs)");
    }
    run(cmd)
}

/// Runs our `engine-run ARGS`.
pub fn run_engine(args: &[String]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_engine-run"));
    cmd.args(args).current_dir(root());
    run(cmd)
}

/// Compares two outcomes; `None` if they agree. Trap messages (`trap: ...` on stderr) are
/// V8's in host.js and the engine's in engine-run, so with `lenient_traps` two stderr texts
/// that both start with `trap: ` agree.
pub fn compare(node: &Outcome, ours: &Outcome, lenient_traps: bool) -> Option<String> {
    let mut problems = Vec::new();
    if node.status != ours.status {
        problems.push(format!("exit status: node {} vs engine-run {}", node.status, ours.status));
    }
    if node.stdout != ours.stdout {
        problems.push(format!(
            "stdout differs:\n--- node ---\n{}\n--- engine-run ---\n{}",
            clip(&node.stdout_str()),
            clip(&ours.stdout_str())
        ));
    }
    let traps = lenient_traps && node.stderr.starts_with(b"trap: ") && ours.stderr.starts_with(b"trap: ");
    if node.stderr != ours.stderr && !traps {
        problems.push(format!(
            "stderr differs:\n--- node ---\n{}\n--- engine-run ---\n{}",
            clip(&node.stderr_str()),
            clip(&ours.stderr_str())
        ));
    }
    if problems.is_empty() {
        None
    } else {
        Some(problems.join("\n"))
    }
}

fn clip(s: &str) -> String {
    if s.len() > 2000 {
        let mut end = 2000;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}... ({} bytes)", &s[..end], s.len())
    } else {
        s.to_string()
    }
}

/// Runs `jobs` on all cores; returns the results in order.
pub fn parallel<T: Sync, R: Send>(jobs: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let n = std::thread::available_parallelism().map_or(4, |n| n.get()).min(16);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> = jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..n {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= jobs.len() {
                    break;
                }
                let r = f(&jobs[i]);
                *results[i].lock().unwrap() = Some(r);
            });
        }
    });
    results.into_iter().map(|m| m.into_inner().unwrap().expect("job ran")).collect()
}
