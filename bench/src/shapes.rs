//! Instruction shapes of the engine's lowered IR text, for choosing superinstructions by
//! measurement (`examples/shapes.rs` counts them statically, `examples/profile.rs` weighted
//! by how often each block runs).

/// The shape of one IR line: its operator with operand kinds (`s` slot, `#` immediate, `b`
/// block), e.g. `i32.add s #` or `if i32.lt_s s s then b else b`.
pub fn shape(line: &str) -> String {
    let body = line.trim();
    let rhs = match body.split_once(" = ") {
        Some((lhs, rhs)) if lhs.starts_with('s') && !lhs.contains(' ') => rhs,
        _ => body,
    };
    rhs.split_whitespace()
        .map(|w| {
            let w = w.trim_matches(|c| c == '[' || c == ']' || c == '?' || c == ':');
            let numbered = |p: char| w.len() > 1 && w.starts_with(p) && w[1..].chars().all(|c| c.is_ascii_digit());
            if let Some(p) = w.find('+').filter(|_| w.starts_with('s') || w.starts_with('#')) {
                format!("{}+off", if w[..p].starts_with('#') { "#" } else { "s" })
            } else if numbered('s') {
                "s".to_string()
            } else if w.starts_with('#') {
                "#".to_string()
            } else if numbered('b') {
                "b".to_string()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Counts of shapes and of adjacent pairs within blocks.
#[derive(Default)]
pub struct ShapeCounts {
    /// Shape -> count.
    pub singles: std::collections::HashMap<String, u64>,
    /// `first  ;  second` -> count.
    pub pairs: std::collections::HashMap<String, u64>,
}

impl ShapeCounts {
    /// Adds one block's lines (instructions then terminator), `weight` times.
    pub fn add_block<'a>(&mut self, lines: impl Iterator<Item = &'a str>, weight: u64) {
        let mut prev: Option<String> = None;
        for line in lines {
            let s = shape(line);
            *self.singles.entry(s.clone()).or_default() += weight;
            if let Some(p) = prev {
                *self.pairs.entry(format!("{p}  ;  {s}")).or_default() += weight;
            }
            prev = Some(s);
        }
    }

    /// Prints the `top` most frequent shapes and pairs with their shares.
    pub fn print(&self, top: usize) {
        for (title, map) in [("shapes", &self.singles), ("adjacent pairs", &self.pairs)] {
            let mut v: Vec<_> = map.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let total: u64 = v.iter().map(|(_, n)| **n).sum();
            println!("== {title} ({total} in all)");
            for (s, n) in v.iter().take(top) {
                println!("{n:12} {:5.1}%  {s}", **n as f64 * 100.0 / total.max(1) as f64);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_abstract_operands() {
        assert_eq!(shape("  s3 = i32.add s1 #4"), "i32.add s #");
        assert_eq!(shape("  s3 = i32.load [s7+12]"), "i32.load s+off");
        assert_eq!(shape("  i32.store [#16+0] = s2"), "i32.store #+off = s");
        assert_eq!(shape("  if i32.lt_s s1 s0 then b1 else b2"), "if i32.lt_s s s then b else b");
    }

    #[test]
    fn pairs_stay_within_a_block_and_are_weighted() {
        let mut c = ShapeCounts::default();
        c.add_block(["s1 = i32.add s1 #1", "s2 = i32.load [s1+0]", "return"].into_iter(), 10);
        c.add_block(["return"].into_iter(), 1);
        assert_eq!(c.singles["return"], 11);
        assert_eq!(c.pairs["i32.add s #  ;  i32.load s+off"], 10);
        assert_eq!(c.pairs.len(), 2);
    }
}
