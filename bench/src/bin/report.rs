//! `cargo run --release -p bench --bin report`: writes `docs/BENCHMARKS.md` (between its
//! report markers) and `docs/benchmarks.svg` from the latest `cargo bench` results (criterion
//! under `target/criterion`, iai-callgrind under `target/iai`), and prints the summary.
//! Options: `--target-dir DIR` (default `$CARGO_TARGET_DIR` or `target/`), `--docs DIR`
//! (default `docs/`).

use bench::report::{self, Case, Results};
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let mut docs = root.join("docs");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--target-dir", Some(d)) => target = PathBuf::from(d),
            ("--docs", Some(d)) => docs = PathBuf::from(d),
            _ => {
                eprintln!("usage: report [--target-dir DIR] [--docs DIR]");
                std::process::exit(2);
            }
        }
    }

    let mut results = Results::new();
    let mut warnings = report::read_criterion(&target.join("criterion"), &mut results);
    warnings.extend(report::read_iai(&target.join("iai/bench/iai"), &mut results));
    for w in &warnings {
        eprintln!("report: {w}");
    }
    if results.is_empty() {
        eprintln!(
            "report: no results under {}: run `cargo bench -p bench` first (see docs/BENCHMARKS.md)",
            target.display()
        );
        std::process::exit(1);
    }

    let mut notes = Vec::new();
    if let Some((name, len)) = largest_c(&root) {
        notes.push(format!(
            "`largest_c` is the largest C module of the corpus, `corpus/out/c/{name}.wasm` ({len} bytes); `mquickjs` is \
             `corpus/out/mquickjs.wasm`."
        ));
    }
    let date = report::date(std::time::SystemTime::now());
    let machine = report::machine();
    let md = report::markdown(&results, &machine, &date, "benchmarks.svg", &notes);
    let svg = report::svg(&results, &format!("This engine vs wasmi 2.0 ({date})"));

    std::fs::create_dir_all(&docs).expect("create docs dir");
    let doc_path = docs.join("BENCHMARKS.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_else(|_| "# Benchmarks\n".into());
    std::fs::write(&doc_path, report::splice(&doc, &md)).expect("write BENCHMARKS.md");
    std::fs::write(docs.join("benchmarks.svg"), svg).expect("write benchmarks.svg");
    println!("wrote {} and {}", doc_path.display(), docs.join("benchmarks.svg").display());

    // the summary on stdout
    println!("\n{machine}, {date}\n\ngeomean of engine/wasmi per group (time, instructions):");
    for g in report::ordered_groups(&results) {
        let cases = &results[g];
        let t = report::geomean(cases.values().filter_map(Case::time_ratio));
        let i = report::geomean(cases.values().filter_map(Case::instruction_ratio));
        println!("  {g:<14} {:>6}  {:>6}", show(t), show(i));
    }
    let all = |f: fn(&Case) -> Option<f64>| {
        let mut v: Vec<(String, f64)> = results
            .iter()
            .flat_map(|(g, cases)| cases.iter().filter_map(move |(n, c)| Some((format!("{g}/{n}"), f(c)?))))
            .collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1));
        v
    };
    for (what, v) in [("time", all(Case::time_ratio)), ("instructions", all(Case::instruction_ratio))] {
        if v.is_empty() {
            continue;
        }
        let best: Vec<String> = v.iter().take(3).map(|(n, r)| format!("{n} {r:.2}")).collect();
        let worst: Vec<String> = v.iter().rev().take(3).map(|(n, r)| format!("{n} {r:.2}")).collect();
        println!("\n{what}: best {}\n{what}: worst {}", best.join(", "), worst.join(", "));
    }
}

fn show(r: Option<f64>) -> String {
    r.map_or("-".into(), |r| format!("{r:.2}"))
}

/// The largest `corpus/out/c/*.wasm` (as the compile benchmark picks it), if built.
fn largest_c(root: &std::path::Path) -> Option<(String, u64)> {
    let mut best: Option<(u64, String)> = None;
    for e in std::fs::read_dir(root.join("corpus/out/c")).ok()?.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "wasm") {
            let len = p.metadata().map(|m| m.len()).unwrap_or(0);
            let name = p.file_stem()?.to_string_lossy().into_owned();
            if best.as_ref().is_none_or(|(l, n)| (len, &name) > (*l, n)) {
                best = Some((len, name));
            }
        }
    }
    best.map(|(l, n)| (n, l))
}
