//! A/B timing of two builds on the MicroQuickJS workloads, with wasmi in the same rounds:
//! `ab_js BASE NEW [ROUNDS] [CASE...]`, where `BASE` and `NEW` are `sandbox_eval` binaries
//! of two builds (say, a worktree of the last commit built into another target directory,
//! and the working tree). Each round runs every case on the base engine, the new engine and
//! wasmi (from `NEW`), one after the other, so all three see the same machine state; the best
//! evaluation time of each over all rounds is reported, with `new/base` and both engines'
//! ratios to wasmi. The machines here are shared and noisy, and a build's layout alone moves
//! single cases by several percent: trust a difference that holds over rounds and reruns.

use bench::emscripten_cases::JS_CASES;
use std::process::Command;

/// Evaluations per process (the best one counts).
const REPEAT: &str = "5";

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: ab_js BASE_SANDBOX_EVAL NEW_SANDBOX_EVAL [ROUNDS] [CASE...]");
        std::process::exit(2);
    }
    let (base, new) = (&a[1], &a[2]);
    let rounds: usize = a.get(3).map_or(3, |r| r.parse().expect("ROUNDS must be a number"));
    let names: Vec<&str> = a.iter().skip(4).map(String::as_str).collect();
    let cases: Vec<_> = JS_CASES.iter().filter(|c| names.is_empty() || names.contains(&c.name)).collect();
    let runs = [(base.as_str(), "engine"), (new.as_str(), "engine"), (new.as_str(), "wasmi")];
    let mut best = vec![[f64::INFINITY; 3]; cases.len()];
    for _ in 0..rounds {
        for (case, best) in cases.iter().zip(&mut best) {
            for (k, &(binary, engine)) in runs.iter().enumerate() {
                best[k] = best[k].min(best_eval_ms(binary, engine, case.code));
            }
        }
    }
    let (mut log_new, mut log_base, mut log_ab) = (0.0, 0.0, 0.0);
    for (case, &[b, n, w]) in cases.iter().zip(&best) {
        println!(
            "{:14} base {b:7.2} ms  new {n:7.2} ms  wasmi {w:7.2} ms  new/base {:.3}  vs wasmi: new {:.2} base {:.2}",
            case.name,
            n / b,
            n / w,
            b / w
        );
        (log_new, log_base, log_ab) = (log_new + (n / w).ln(), log_base + (b / w).ln(), log_ab + (n / b).ln());
    }
    let geo = |x: f64| (x / cases.len() as f64).exp();
    println!("geomean: new/base {:.3}; vs wasmi: new {:.3} base {:.3}", geo(log_ab), geo(log_new), geo(log_base));
}

/// The best of `REPEAT` evaluations of `code` by one `sandbox_eval` process, in ms.
fn best_eval_ms(binary: &str, engine: &str, code: &str) -> f64 {
    let out = Command::new(binary)
        .args([engine, code, REPEAT])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
    assert!(out.status.success(), "{binary} {engine} failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|l| l.split_once(": eval ")?.1.split_whitespace().next().and_then(parse_ms))
        .fold(f64::INFINITY, f64::min)
}

/// A `Duration`'s debug form (`12.3ms`, `950.1µs`, `1.2s`) in ms.
fn parse_ms(d: &str) -> Option<f64> {
    let split = d.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (value, unit) = d.split_at(split);
    let value: f64 = value.parse().ok()?;
    Some(match unit {
        "ns" => value / 1e6,
        "µs" => value / 1e3,
        "ms" => value,
        "s" => value * 1e3,
        _ => return None,
    })
}
