//! Counts lowered instruction shapes over modules, to choose superinstructions by measurement:
//! `cargo run --release -p engine --example shapes -- FILE.wasm...`.
//!
//! A shape is an instruction's operator with its operand kinds (`s` slot, `#` immediate), e.g.
//! `i32.add s #`; terminators count as `if <cmp> s #` and so on. It prints the most frequent
//! shapes and the most frequent adjacent pairs within a basic block (static counts).

use std::collections::HashMap;

fn shape(line: &str) -> String {
    let body = line.trim();
    let rhs = match body.split_once(" = ") {
        Some((lhs, rhs)) if lhs.starts_with('s') && !lhs.contains(' ') => rhs,
        _ => body,
    };
    rhs.split_whitespace()
        .map(|w| {
            let w = w.trim_matches(|c| c == '[' || c == ']' || c == '?' || c == ':');
            if w.starts_with('s') && w[1..].chars().all(|c| c.is_ascii_digit()) && w.len() > 1 {
                "s".to_string()
            } else if w.starts_with('#') {
                "#".to_string()
            } else if w.starts_with('b') && w[1..].chars().all(|c| c.is_ascii_digit()) && w.len() > 1 {
                "b".to_string()
            } else if let Some(p) = w.find("+") {
                format!("{}+off", if w[..p].starts_with('#') { "#" } else { "s" })
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let mut config = engine::Config::default();
    config.keep_ir(true);
    let eng = engine::Engine::new(&config);
    let mut singles: HashMap<String, usize> = HashMap::new();
    let mut pairs: HashMap<String, usize> = HashMap::new();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let wasm = wat::parse_bytes(&bytes).expect("wat").into_owned();
        let module = engine::Module::new(&eng, &wasm).expect("module");
        let imported = module.imports().filter(|(_, _, t)| matches!(t, engine::ExternType::Func(_))).count() as u32;
        let mut i = imported;
        while let Some(ir) = module.function_ir(i) {
            let mut prev: Option<String> = None;
            for line in ir.lines().skip(1) {
                if line.starts_with('b') {
                    prev = None;
                    continue;
                }
                let s = shape(line);
                *singles.entry(s.clone()).or_default() += 1;
                if let Some(p) = prev {
                    *pairs.entry(format!("{p}  ;  {s}")).or_default() += 1;
                }
                prev = Some(s);
            }
            i += 1;
        }
    }
    for (title, map) in [("shapes", &singles), ("adjacent pairs", &pairs)] {
        let mut v: Vec<_> = map.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        let total: usize = v.iter().map(|(_, n)| **n).sum();
        println!("== {title} ({total} in all)");
        for (s, n) in v.iter().take(40) {
            println!("{n:8} {:5.1}%  {s}", **n as f64 * 100.0 / total as f64);
        }
    }
}
