//! The JavaScript case set: every `tests/js_cases/*.js` (plus a few generated cases) runs on
//! `node corpus/node/host.js <mquickjs>.wasm --eval ...` (V8, the reference) and on our
//! `engine-run <mquickjs>.wasm --eval ...`; stdout, stderr and exit status must be identical.
//! Both MicroQuickJS builds (`mquickjs.wasm`, `-O2`, and `mquickjs-small.wasm`, `-Oz`, which
//! use different `invoke_*` signatures) are checked.
//!
//! Case file conventions: a first line `// heap: BYTES` sets `--heap`; lines starting with
//! `//---` split the file into several `--eval` arguments, evaluated in order in one context.

mod common;

use common::{compare, corpus_file, parallel, root, run_engine, run_node};

struct Case {
    name: String,
    heap: Option<u32>,
    evals: Vec<String>,
}

fn parse_case(name: &str, text: &str) -> Case {
    let heap = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// heap:"))
        .map(|h| h.trim().parse().unwrap_or_else(|_| panic!("{name}: bad heap directive")));
    let mut evals = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.starts_with("//---") {
            evals.push(String::new());
        } else {
            evals.last_mut().unwrap().push_str(line);
        }
    }
    evals.retain(|e| !e.trim().is_empty());
    Case { name: name.to_string(), heap, evals }
}

fn file_cases() -> Vec<Case> {
    let dir = root().join("emscripten/tests/js_cases");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/js_cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| parse_case(&p.file_stem().unwrap().to_string_lossy(), &std::fs::read_to_string(p).unwrap()))
        .collect()
}

/// Cases whose source is too big or too regular to keep as files: the parser's own
/// longjmp paths (stack overflow on deep nesting, out of memory) with small heaps.
fn generated_cases() -> Vec<Case> {
    let nest = |n: usize| format!("{}{}.length", "[".repeat(n), "]".repeat(n));
    let vars = |n: usize, tail: &str| {
        let mut s: String = (0..n).map(|i| format!("var v{i}={i};")).collect();
        s.push_str(tail);
        s
    };
    let case = |name: &str, heap: Option<u32>, code: String| Case { name: name.into(), heap, evals: vec![code] };
    vec![
        case("gen_parser_nesting_stack_overflow_64k", Some(65536), nest(1000)),
        case("gen_parser_nesting_ok_256k", Some(262144), nest(1000)),
        case("gen_parser_nesting_default_heap", None, nest(5000)),
        case("gen_parser_out_of_memory_64k", Some(65536), vars(3000, "v2999")),
        case("gen_parser_many_vars_256k", Some(262144), vars(3000, "v2999")),
        case(
            "gen_parser_oom_caught_by_eval",
            Some(98304),
            "var s = ''; for (var i = 0; i < 3000; i++) s += 'var w' + i + '=' + i + ';';\n\
             var r = 'no error'; try { (0, eval)(s) } catch (e) { r = String(e) } s = null; gc(); r"
                .into(),
        ),
        case(
            "gen_parser_nesting_caught_by_eval",
            Some(65536),
            format!("var r; try {{ (0, eval)('{}') }} catch (e) {{ r = String(e) }} print(r); 'survived'", nest(2000)),
        ),
        case(
            "gen_object_literal_nesting",
            None,
            format!("var o = {}1{}; JSON.stringify(o).length", "{a:".repeat(3000), "}".repeat(3000)),
        ),
    ]
}

fn args_for(wasm: &str, case: &Case) -> Vec<String> {
    let mut args = vec![wasm.to_string()];
    if let Some(h) = case.heap {
        args.push("--heap".into());
        args.push(h.to_string());
    }
    for e in &case.evals {
        args.push("--eval".into());
        args.push(e.clone());
    }
    args
}

#[test]
fn js_cases_match_v8() {
    let builds = ["mquickjs.wasm", "mquickjs-small.wasm"];
    for b in builds {
        corpus_file(b);
    }
    let mut cases = file_cases();
    cases.extend(generated_cases());
    assert!(cases.len() >= 40, "the case set should have at least 40 cases, has {}", cases.len());

    let jobs: Vec<(String, &Case)> =
        builds.iter().flat_map(|b| cases.iter().map(move |c| (format!("corpus/out/{b}"), c))).collect();
    let results = parallel(&jobs, |(wasm, case)| {
        let args = args_for(wasm, case);
        let node = run_node(&args);
        let ours = run_engine(&args);
        (node.clone(), compare(&node, &ours, false))
    });

    let show = std::env::var_os("JS_CASES_SHOW").is_some();
    let mut failures = Vec::new();
    for ((wasm, case), (node, diff)) in jobs.iter().zip(&results) {
        if show {
            eprintln!("=== {} ({wasm}): status {}\n{}{}", case.name, node.status, node.stdout_str(), node.stderr_str());
        }
        // a host.js failure means the harness, not the engine, is broken
        assert!(
            node.status == 0 || node.status == 1,
            "{} on {wasm}: node host.js exited with {}: {}",
            case.name,
            node.status,
            node.stderr_str()
        );
        if let Some(d) = diff {
            failures.push(format!("=== {} ({wasm}) ===\n{d}", case.name));
        }
    }
    eprintln!("{} JavaScript cases x {} builds compared with V8", cases.len(), builds.len());
    assert!(failures.is_empty(), "{} of {} runs differ from V8:\n{}", failures.len(), jobs.len(), failures.join("\n"));
}

/// A few outcomes pinned by value, so that the comparison cannot pass with both sides wrong.
#[test]
fn js_pinned_outcomes() {
    corpus_file("mquickjs.wasm");
    let run = |code: &str| run_engine(&["corpus/out/mquickjs.wasm".into(), "--eval".into(), code.into()]);
    let o = run("function fib(n){return n<2?n:fib(n-1)+fib(n-2)} fib(25)");
    assert_eq!((o.status, o.stdout_str().as_str()), (0, "75025\n"));
    let o = run("print('hi'); 40+2");
    assert_eq!(o.stdout_str(), "hi\n42\n");
    let o = run("(0, eval)('1+')");
    assert_eq!(o.status, 1);
    assert_eq!(
        o.stderr_str(),
        "SyntaxError: unexpected character in expression\n    at <input>:1:3\n    at eval (native)\n    at <eval> (<eval>:1:10)\n"
    );
    let o = run("Math.random()");
    assert_eq!(o.stdout_str(), "0.28083505005035936\n");
}
