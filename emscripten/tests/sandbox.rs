//! The MicroQuickJS sandbox API ([`emscripten::Sandbox`]) on `corpus/out/mquickjs.wasm`.

mod common;

use common::corpus_bytes;
use emscripten::{JsError, Options, RunError, Sandbox, DEFAULT_HEAP};
use engine::Engine;

fn sandbox() -> Sandbox {
    Sandbox::new(&Engine::default(), &corpus_bytes("mquickjs.wasm"), DEFAULT_HEAP).expect("sandbox")
}

/// The seed's integration test: init, eval `1 + 2`, get `3`.
#[test]
fn seed_init_eval_1_plus_2() {
    let mut js = sandbox();
    assert_eq!(js.eval("1 + 2").unwrap(), "3");
}

#[test]
fn both_builds_evaluate() {
    for build in ["mquickjs.wasm", "mquickjs-small.wasm"] {
        let mut js = Sandbox::new(&Engine::default(), &corpus_bytes(build), 1 << 20).unwrap();
        assert_eq!(js.eval("function fib(n){return n<2?n:fib(n-1)+fib(n-2)} fib(20)").unwrap(), "6765", "{build}");
    }
}

#[test]
fn printed_output_is_captured() {
    let mut js = sandbox();
    assert_eq!(js.eval("print('hello', 1, [2, 3]); console.log('x'); 'done'").unwrap(), "done");
    assert_eq!(js.take_output(), "hello 1 [ 2, 3 ]\nx\n");
    assert_eq!(js.take_output(), "");
}

#[test]
fn state_persists_between_evals() {
    let mut js = sandbox();
    js.eval("var counter = 0; function bump() { return ++counter }").unwrap();
    js.eval("bump(); bump()").unwrap();
    assert_eq!(js.eval("bump()").unwrap(), "3");
    js.reset(DEFAULT_HEAP).unwrap();
    assert_eq!(js.eval("typeof bump").unwrap(), "undefined");
}

#[test]
fn exceptions_carry_message_and_backtrace() {
    let mut js = sandbox();
    let e = js.eval("function f() { throw new TypeError('bad thing') }\nf()").unwrap_err();
    let msg = e.exception().expect("an exception").message();
    assert!(msg.starts_with("TypeError: bad thing\n    at f (<eval>:1:"), "{msg}");
    assert!(msg.contains("at <eval> (<eval>:2:2)"), "{msg}");
    // the context is still usable afterwards
    assert_eq!(js.eval("40 + 2").unwrap(), "42");
}

#[test]
fn every_longjmp_path_is_a_js_error() {
    let mut js = Sandbox::new(&Engine::default(), &corpus_bytes("mquickjs.wasm"), 65536).unwrap();
    let cases: &[(&str, &str)] = &[
        ("(0, eval)('1+')", "SyntaxError: unexpected character in expression"),
        ("JSON.parse('{bad')", "SyntaxError: expecting '\"'"),
        ("new RegExp('(')", "SyntaxError: expecting ')'"),
        (&format!("{}{}", "[".repeat(1000), "]".repeat(1000)), "SyntaxError: stack overflow"),
        (&(0..3000).map(|i| format!("var v{i}={i};")).collect::<String>(), "SyntaxError: not enough memory"),
    ];
    for (code, first_line) in cases {
        let e = js.eval(code).unwrap_err();
        let msg = e.exception().unwrap_or_else(|| panic!("{e:?}")).message();
        assert_eq!(msg.lines().next(), Some(*first_line));
        assert_eq!(js.eval("1 + 1").unwrap(), "2", "usable after {first_line}");
    }
}

#[test]
fn heap_exhaustion_is_a_js_error() {
    let mut js = Sandbox::new(&Engine::default(), &corpus_bytes("mquickjs.wasm"), 65536).unwrap();
    let e = js.eval("var a=[]; for(var i=0;i<100000;i++) a.push('x'+i); a.length").unwrap_err();
    assert!(e.to_string().starts_with("InternalError: out of memory"), "{e}");
}

#[test]
fn deep_recursion() {
    let mut js = sandbox();
    assert_eq!(js.eval("function r(n){return n?r(n-1)+1:0} r(100000)").unwrap(), "100000");
    let e = js.eval("var a=[]; for (var i=0;i<100000;i++) a=[a]; String(a).length").unwrap_err();
    assert!(e.to_string().starts_with("InternalError: C stack overflow"), "{e}");
}

#[test]
fn init_failure_is_reported() {
    let e = Sandbox::new(&Engine::default(), &corpus_bytes("mquickjs.wasm"), 100).unwrap_err();
    assert_eq!(e, RunError::SandboxInit(100));
    assert_eq!(e.to_string(), "sandbox_init(100) failed");
    assert_eq!(e.exit_status(), 1);
}

#[test]
fn non_utf8_results_survive_as_bytes() {
    let mut js = sandbox();
    // a lone surrogate is not UTF-8; the raw bytes are what MicroQuickJS produced
    let raw = js.eval_bytes(b"'a' + String.fromCharCode(0xd800) + 'b'").unwrap();
    assert_eq!(raw.first(), Some(&b'a'));
    assert_eq!(raw.last(), Some(&b'b'));
    assert!(js.eval("'\\u00e9\\u20ac'").unwrap() == "\u{e9}\u{20ac}");
}

#[test]
fn custom_sinks() {
    let (options, out, err) = Options::captured();
    let mut js = Sandbox::with_options(&Engine::default(), &corpus_bytes("mquickjs.wasm"), 1 << 20, options).unwrap();
    js.eval("print('to the capture')").unwrap();
    assert_eq!(out.to_string_lossy(), "to the capture\n");
    assert_eq!(err.to_string_lossy(), "");
    assert!(matches!(js.eval("throw 1"), Err(JsError::Exception(_))));
}

#[test]
fn a_module_without_the_sandbox_api_is_rejected() {
    let e = Sandbox::new(&Engine::default(), &corpus_bytes("c/memcpy_big.wasm"), DEFAULT_HEAP).unwrap_err();
    assert!(matches!(&e, RunError::Load(m) if m.contains("sandbox_init")), "{e:?}");
}

#[test]
fn sandboxes_are_send_and_run_on_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<Sandbox>();
    let wasm = corpus_bytes("mquickjs.wasm");
    let engine = Engine::default();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let (wasm, engine) = (&wasm, &engine);
                s.spawn(move || {
                    let mut js = Sandbox::new(engine, wasm, 1 << 20).unwrap();
                    js.eval(&format!("function fib(n){{return n<2?n:fib(n-1)+fib(n-2)}} fib({})", 15 + i)).unwrap()
                })
            })
            .collect();
        let got: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(got, ["610", "987", "1597", "2584"]);
    });
}
