//! `docs/BENCHMARKS.md` from the latest benchmark results: criterion's wall times
//! (`target/criterion/**/new/{benchmark,estimates}.json`, the median) and iai-callgrind's
//! instruction counts (`target/iai/bench/iai/GROUP/FUNCTION.ID/callgrind.*.out`, `Ir`), per
//! group a table of this engine, wasmi and their ratio (engine / wasmi: below 1 this engine is
//! faster) with the group's geometric mean, the machine and the date, and a bar chart of the
//! ratios (`docs/benchmarks.svg`, drawn here).
//!
//! Only the text between the `<!-- report:begin -->` and `<!-- report:end -->` markers is
//! replaced; the rest of the file (how to run, hand-written notes) is kept.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The start marker of the generated part of `docs/BENCHMARKS.md`.
pub const BEGIN: &str = "<!-- report:begin -->";
/// The end marker.
pub const END: &str = "<!-- report:end -->";

/// The order groups are shown in (others follow alphabetically).
const GROUP_ORDER: &[&str] =
    &["execute/wat", "execute/c", "execute/js", "compile/eager", "compile/lazy", "instantiate"];

/// One side of a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// This engine.
    Engine,
    /// wasmi 2.0.
    Wasmi,
}

/// What is known about one case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Case {
    /// Median wall time in nanoseconds: this engine, wasmi.
    pub time: [Option<f64>; 2],
    /// Instructions (callgrind `Ir`): this engine, wasmi.
    pub instructions: [Option<u64>; 2],
}

impl Case {
    /// engine / wasmi wall time.
    pub fn time_ratio(&self) -> Option<f64> {
        Some(self.time[0]? / self.time[1]?)
    }

    /// engine / wasmi instructions.
    pub fn instruction_ratio(&self) -> Option<f64> {
        Some(self.instructions[0]? as f64 / self.instructions[1]? as f64)
    }
}

/// Results by group (`execute/c`), then case (`sha256`).
pub type Results = BTreeMap<String, BTreeMap<String, Case>>;

fn side(s: &str) -> Option<Side> {
    if s.starts_with("engine") {
        Some(Side::Engine)
    } else if s.starts_with("wasmi") {
        Some(Side::Wasmi)
    } else {
        None
    }
}

/// Splits a criterion group id `execute/c/sha256` into group and case; `None` for names
/// that are not of this suite (e.g. results left behind by older versions of the benches).
fn split_group_id(id: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = id.split('/').collect();
    match parts.as_slice() {
        ["execute" | "compile", kind, case] => Some((format!("{}/{kind}", parts[0]), case.to_string())),
        ["instantiate", case] => Some(("instantiate".into(), case.to_string())),
        _ => None,
    }
}

fn find_files(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            find_files(&p, keep, out);
        } else if keep(&p) {
            out.push(p);
        }
    }
}

fn modified(p: &Path) -> SystemTime {
    p.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Results older than this before the newest one are left out as stale (from an earlier run
/// whose cases no longer exist).
const STALE: Duration = Duration::from_secs(24 * 3600);

/// Reads criterion's results under `dir` (`target/criterion`) into `results`; returns the
/// warnings (stale or unreadable results).
pub fn read_criterion(dir: &Path, results: &mut Results) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    find_files(
        dir,
        &|p| p.file_name().is_some_and(|n| n == "estimates.json") && p.parent().is_some_and(|d| d.ends_with("new")),
        &mut files,
    );
    let newest = files.iter().map(|p| modified(p)).max().unwrap_or(SystemTime::UNIX_EPOCH);
    for est in files {
        let bench = est.with_file_name("benchmark.json");
        let (Ok(b), Ok(e)) = (std::fs::read_to_string(&bench), std::fs::read_to_string(&est)) else {
            warnings.push(format!("cannot read {}", est.display()));
            continue;
        };
        let (Ok(b), Ok(e)) =
            (serde_json::from_str::<serde_json::Value>(&b), serde_json::from_str::<serde_json::Value>(&e))
        else {
            warnings.push(format!("cannot parse {}", est.display()));
            continue;
        };
        let (Some(group_id), Some(function)) = (b["group_id"].as_str(), b["function_id"].as_str()) else { continue };
        let (Some((group, case)), Some(side)) = (split_group_id(group_id), side(function)) else { continue };
        if newest.duration_since(modified(&est)).unwrap_or_default() > STALE {
            warnings.push(format!("left out {group_id}/{function}: older than a day before the newest result"));
            continue;
        }
        let Some(median) = e["median"]["point_estimate"].as_f64() else {
            warnings.push(format!("no median in {}", est.display()));
            continue;
        };
        results.entry(group).or_default().entry(case).or_default().time[side as usize] = Some(median);
    }
    warnings
}

/// The `Ir` count of a callgrind output file (its `summary:` or `totals:` line).
pub fn callgrind_instructions(text: &str) -> Option<u64> {
    let events: Vec<&str> = text.lines().find_map(|l| l.strip_prefix("events:"))?.split_whitespace().collect();
    let at = events.iter().position(|e| *e == "Ir")?;
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("summary:"))
        .or_else(|| text.lines().rev().find_map(|l| l.strip_prefix("totals:")))?;
    line.split_whitespace().nth(at)?.parse().ok()
}

/// Reads iai-callgrind's results under `dir` (`target/iai/bench/iai`) into `results`.
pub fn read_iai(dir: &Path, results: &mut Results) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    find_files(
        dir,
        &|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with("callgrind.") && n.ends_with(".out")
            })
        },
        &mut files,
    );
    let newest = files.iter().map(|p| modified(p)).max().unwrap_or(SystemTime::UNIX_EPOCH);
    for out in files {
        // .../GROUP/FUNCTION.ID/callgrind.FUNCTION.ID.out
        let Some(bench_dir) = out.parent() else { continue };
        let (Some(group_dir), Some(name)) = (bench_dir.parent().and_then(Path::file_name), bench_dir.file_name())
        else {
            continue;
        };
        let group_dir = group_dir.to_string_lossy();
        let name = name.to_string_lossy();
        let Some((function, case)) = name.split_once('.') else { continue };
        let Some(side) = side(function) else { continue };
        let group = match group_dir.split_once('_') {
            Some((a, b)) if a == "execute" || a == "compile" => format!("{a}/{b}"),
            _ => group_dir.to_string(),
        };
        if !GROUP_ORDER.contains(&group.as_str()) {
            continue;
        }
        if newest.duration_since(modified(&out)).unwrap_or_default() > STALE {
            warnings.push(format!("left out iai {group}/{case}/{function}: older than a day before the newest result"));
            continue;
        }
        match std::fs::read_to_string(&out).ok().as_deref().and_then(callgrind_instructions) {
            Some(ir) => {
                results.entry(group).or_default().entry(case.to_string()).or_default().instructions[side as usize] =
                    Some(ir)
            }
            None => warnings.push(format!("no Ir count in {}", out.display())),
        }
    }
    warnings
}

/// The geometric mean of `values` (`None` if empty).
pub fn geomean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v.ln();
        n += 1;
    }
    (n > 0).then(|| (sum / n as f64).exp())
}

/// Groups in display order.
pub fn ordered_groups(results: &Results) -> Vec<&String> {
    let mut groups: Vec<&String> = results.keys().collect();
    groups.sort_by_key(|g| (GROUP_ORDER.iter().position(|o| o == g).unwrap_or(usize::MAX), g.to_string()));
    groups
}

fn fmt_time(ns: Option<f64>) -> String {
    match ns {
        None => "–".into(),
        Some(t) if t >= 1e9 => format!("{:.2} s", t / 1e9),
        Some(t) if t >= 1e6 => format!("{:.2} ms", t / 1e6),
        Some(t) if t >= 1e3 => format!("{:.2} µs", t / 1e3),
        Some(t) => format!("{t:.0} ns"),
    }
}

fn fmt_count(n: Option<u64>) -> String {
    match n {
        None => "–".into(),
        Some(n) if n >= 1_000_000_000 => format!("{:.2} G", n as f64 / 1e9),
        Some(n) if n >= 1_000_000 => format!("{:.1} M", n as f64 / 1e6),
        Some(n) if n >= 1_000 => format!("{:.1} k", n as f64 / 1e3),
        Some(n) => n.to_string(),
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    match r {
        None => "–".into(),
        Some(r) if r < 1.0 => format!("**{r:.2}**"),
        Some(r) => format!("{r:.2}"),
    }
}

/// The machine: CPU model (from `/proc/cpuinfo`) and logical core count.
pub fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|r| r.trim_start_matches([' ', '\t', ':']).trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = info.lines().filter(|l| l.starts_with("processor")).count();
    let cores = if cores == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { cores };
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let mut s = format!("{model}, {cores} logical cores");
    if !rustc.is_empty() {
        let _ = write!(s, ", {rustc}");
    }
    s
}

/// `YYYY-MM-DD` (UTC) of a time.
pub fn date(t: SystemTime) -> String {
    let days = t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86400) as i64;
    // Howard Hinnant's civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The generated Markdown (without the markers). `svg_name` is the chart's file name, linked
/// relative to the Markdown file; `notes` are extra lines (which module `largest_c` is, ...).
pub fn markdown(results: &Results, machine: &str, date: &str, svg_name: &str, notes: &[String]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## Results ({date})\n");
    let _ =
        writeln!(md, "Machine: {machine}. Generated by `cargo run --release -p bench --bin report` from the latest");
    let _ =
        writeln!(md, "`cargo bench` results. **Ratio = this engine / wasmi 2.0**: below 1 (in bold) this engine is");
    let _ = writeln!(md, "faster or executes fewer instructions. Times are criterion medians (wall time, noisy on");
    let _ = writeln!(md, "shared machines); instructions are callgrind `Ir` counts from iai-callgrind (exact).");
    for n in notes {
        let _ = writeln!(md, "{n}");
    }
    let _ = writeln!(md, "\n![ratio engine / wasmi per case, log scale]({svg_name})\n");

    let _ = writeln!(md, "### Summary: geometric mean of the ratios per group\n");
    let _ = writeln!(md, "| group | cases | time ratio | instructions ratio |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for g in ordered_groups(results) {
        let cases = &results[g];
        let t = geomean(cases.values().filter_map(Case::time_ratio));
        let i = geomean(cases.values().filter_map(Case::instruction_ratio));
        let _ = writeln!(md, "| `{g}` | {} | {} | {} |", cases.len(), fmt_ratio(t), fmt_ratio(i));
    }
    for g in ordered_groups(results) {
        let cases = &results[g];
        let _ = writeln!(md, "\n### `{g}`\n");
        let _ = writeln!(
            md,
            "| case | engine time | wasmi time | ratio | engine instructions | wasmi instructions | ratio |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
        for (name, c) in cases {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {} | {} |",
                fmt_time(c.time[0]),
                fmt_time(c.time[1]),
                fmt_ratio(c.time_ratio()),
                fmt_count(c.instructions[0]),
                fmt_count(c.instructions[1]),
                fmt_ratio(c.instruction_ratio())
            );
        }
        let t = geomean(cases.values().filter_map(Case::time_ratio));
        let i = geomean(cases.values().filter_map(Case::instruction_ratio));
        let _ = writeln!(md, "| *geomean* | | | {} | | | {} |", fmt_ratio(t), fmt_ratio(i));
    }
    md
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A horizontal bar chart of the ratios on a log2 scale centred on 1: bars to the left (green)
/// where this engine is faster, to the right (red) where it is slower; time ratios solid,
/// instruction ratios hatched-light below them.
pub fn svg(results: &Results, title: &str) -> String {
    const LABEL_W: f64 = 230.0;
    const PLOT_W: f64 = 520.0;
    const BAR_H: f64 = 9.0;
    const ROW_H: f64 = 24.0;
    const HEAD_H: f64 = 26.0;
    const RANGE: f64 = 3.0; // log2: 1/8 .. 8
    let center = LABEL_W + PLOT_W / 2.0;
    let x_of = |r: f64| center + (r.log2().clamp(-RANGE, RANGE) / RANGE) * (PLOT_W / 2.0);

    let mut rows = Vec::new(); // (label, time ratio, instr ratio, is group header)
    for g in ordered_groups(results) {
        let cases = &results[g];
        let t = geomean(cases.values().filter_map(Case::time_ratio));
        let i = geomean(cases.values().filter_map(Case::instruction_ratio));
        rows.push((format!("{g} (geomean)"), t, i, true));
        for (name, c) in cases {
            rows.push((name.clone(), c.time_ratio(), c.instruction_ratio(), false));
        }
    }
    let top = 56.0;
    let height = top + rows.len() as f64 * ROW_H + rows.iter().filter(|r| r.3).count() as f64 * (HEAD_H - ROW_H) + 40.0;
    let width = LABEL_W + PLOT_W + 70.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(s, r#"<text x="10" y="20" font-size="14" font-weight="bold">{}</text>"#, escape(title));
    let _ = writeln!(
        s,
        r##"<text x="10" y="38" fill="#555">ratio engine / wasmi (log scale): left of 1 this engine is faster. Solid: time; light: instructions.</text>"##
    );
    // axis ticks
    let bottom = height - 30.0;
    for k in -3i32..=3 {
        let r = 2f64.powi(k);
        let x = x_of(r);
        let label = if k < 0 { format!("1/{}", 1 << -k) } else { format!("{}", 1 << k) };
        let (stroke, w) = if k == 0 { ("#333", 1.5) } else { ("#ddd", 1.0) };
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{bottom}" stroke="{stroke}" stroke-width="{w}"/>"#
        );
        let _ = writeln!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#555">{label}</text>"##,
            bottom + 15.0
        );
    }
    let mut y = top;
    for (label, t, i, header) in &rows {
        let h = if *header { HEAD_H } else { ROW_H };
        let ty = y + (h - 2.0 * BAR_H) / 2.0;
        let weight = if *header { r#" font-weight="bold""# } else { "" };
        let indent = if *header { 10.0 } else { 24.0 };
        let _ = writeln!(s, r#"<text x="{indent}" y="{:.1}"{weight}>{}</text>"#, ty + BAR_H + 3.0, escape(label));
        for (k, r) in [t, i].iter().enumerate() {
            let Some(r) = **r else { continue };
            let x = x_of(r);
            let (x0, w) = if x < center { (x, center - x) } else { (center, x - center) };
            let color = match (r < 1.0, k) {
                (true, 0) => "#2e8b57",
                (true, _) => "#9fd4b4",
                (false, 0) => "#c0392b",
                (false, _) => "#eba49c",
            };
            let by = ty + k as f64 * BAR_H;
            let _ = writeln!(
                s,
                r#"<rect x="{x0:.1}" y="{by:.1}" width="{:.1}" height="{:.1}" fill="{color}"><title>{} {}: {r:.3}</title></rect>"#,
                w.max(0.5),
                BAR_H - 1.0,
                escape(label),
                if k == 0 { "time" } else { "instructions" }
            );
            if k == 0 || t.is_none() {
                let (tx, anchor) = if x < center { (x - 4.0, "end") } else { (x + 4.0, "start") };
                let _ = writeln!(
                    s,
                    r#"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="10">{r:.2}</text>"#,
                    by + BAR_H - 1.0
                );
            }
        }
        y += h;
    }
    let _ = writeln!(s, "</svg>");
    s
}

/// Replaces the text between the markers in `doc` with `generated` (markers kept); without
/// markers, inserts the marked block after the first line (the title).
pub fn splice(doc: &str, generated: &str) -> String {
    let block = format!("{BEGIN}\n{}\n{END}", generated.trim_end());
    if let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) {
        if b < e {
            return format!("{}{block}{}", &doc[..b], &doc[e + END.len()..]);
        }
    }
    match doc.split_once('\n') {
        Some((title, rest)) => format!("{title}\n\n{block}\n{rest}"),
        None => format!("{doc}\n\n{block}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_split() {
        assert_eq!(split_group_id("execute/c/sha256"), Some(("execute/c".into(), "sha256".into())));
        assert_eq!(split_group_id("instantiate/mquickjs"), Some(("instantiate".into(), "mquickjs".into())));
        assert_eq!(split_group_id("execute/counter"), None);
    }

    #[test]
    fn callgrind_summary() {
        let text = "events: Ir Dr\nsummary: 1234 5\n\nfn=x\n1 2 3\ntotals: 1234 5\n";
        assert_eq!(callgrind_instructions(text), Some(1234));
        assert_eq!(callgrind_instructions("events: Dr Ir\ntotals: 7 9\n"), Some(9));
    }

    #[test]
    fn geomean_and_date() {
        assert!((geomean([2.0, 8.0]).unwrap() - 4.0).abs() < 1e-12);
        assert_eq!(geomean([]), None);
        assert_eq!(date(SystemTime::UNIX_EPOCH), "1970-01-01");
        assert_eq!(date(SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29");
    }

    #[test]
    fn splice_keeps_the_rest() {
        let doc = format!("# T\n\nintro\n{BEGIN}\nold\n{END}\n\n## Notes\nmine\n");
        let out = splice(&doc, "new\n");
        assert_eq!(out, format!("# T\n\nintro\n{BEGIN}\nnew\n{END}\n\n## Notes\nmine\n"));
        let out = splice("# T\nrest\n", "gen");
        assert_eq!(out, format!("# T\n\n{BEGIN}\ngen\n{END}\nrest\n"));
    }

    #[test]
    fn renders() {
        let mut r = Results::new();
        r.entry("execute/c".into())
            .or_default()
            .insert("sha256".into(), Case { time: [Some(2e6), Some(4e6)], instructions: [Some(100), Some(50)] });
        let md = markdown(&r, "cpu", "2026-01-01", "benchmarks.svg", &[]);
        assert!(md.contains("| sha256 | 2.00 ms | 4.00 ms | **0.50** | 100 | 50 | 2.00 |"), "{md}");
        let s = svg(&r, "t");
        assert!(s.starts_with("<svg") && s.contains("sha256"));
    }
}
