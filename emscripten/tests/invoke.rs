//! `invoke_*` and longjmp on small hand-written modules that mimic emcc's pattern: they export
//! `stackSave`/`stackRestore`/`setThrew`/`__indirect_function_table`, call table functions
//! through `env.invoke_<sig>` imports (i64s legalized as two i32 and a low i32 result plus
//! `getTempRet0`), and "longjmp" like `emscripten_longjmp`: `setThrew(env, val)`, then
//! `_emscripten_throw_longjmp()`.

use emscripten::{EmscriptenProgram, Options, RunError};
use engine::{Engine, Val};

const EMCC_LIKE: &str = r#"
(module
  (import "env" "invoke_jij" (func $invoke_jij (param i32 i32 i32 i32) (result i32)))
  (import "env" "invoke_vi" (func $invoke_vi (param i32 i32)))
  (import "env" "invoke_ji" (func $invoke_ji (param i32 i32) (result i32)))
  (import "env" "invoke_ddfj" (func $invoke_ddfj (param i32 f64 f32 i32 i32) (result f64)))
  (import "env" "invoke_vj" (func $invoke_vj (param i32 i32 i32)))
  (import "env" "getTempRet0" (func $getTempRet0 (result i32)))
  (import "env" "setTempRet0" (func $setTempRet0 (param i32)))
  (import "env" "_emscripten_throw_longjmp" (func $throw_longjmp))
  (import "env" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $sp (mut i32) (i32.const 65536))
  (global $threw (mut i32) (i32.const 0))
  (global $threwValue (mut i32) (i32.const 0))
  (global $seen (mut i64) (i64.const 0))
  (table (export "__indirect_function_table") 10 funcref)
  (elem (i32.const 1) $add_i64 $longjmper $trapper $mix $longjmper_j $exiter $store_i64)
  (func (export "stackSave") (result i32) global.get $sp)
  (func (export "stackRestore") (param i32) local.get 0 global.set $sp)
  (func $setThrew (export "setThrew") (param i32 i32)
    global.get $threw i32.eqz
    if local.get 0 global.set $threw local.get 1 global.set $threwValue end)

  ;; table functions: real i64s
  (func $add_i64 (param i32 i64) (result i64)
    local.get 1 local.get 0 i64.extend_i32_s i64.add)
  (func $longjmper (param i32)
    ;; uses some C stack, then longjmps like emscripten_longjmp(env=1234, val)
    global.get $sp i32.const 256 i32.sub global.set $sp
    i32.const 1234 local.get 0 call $setThrew
    call $throw_longjmp)
  (func $trapper (param i32) unreachable)
  (func $mix (param f64 f32 i64) (result f64)
    local.get 0 local.get 1 f64.promote_f32 f64.add local.get 2 f64.convert_i64_s f64.add)
  (func $longjmper_j (param i32) (result i64) local.get 0 call $longjmper i64.const -1)
  (func $exiter (param i32) local.get 0 call $exit)
  (func $store_i64 (param i64) local.get 0 global.set $seen)

  (func $reset
    i32.const 0 global.set $threw i32.const 0 global.set $threwValue)

  ;; a + (hi:lo) through invoke_jij, reassembled from the low result and getTempRet0
  (func (export "call_add") (param $a i32) (param $lo i32) (param $hi i32) (result i64)
    (local $low i32)
    i32.const 1 local.get $a local.get $lo local.get $hi call $invoke_jij local.set $low
    call $getTempRet0 i64.extend_i32_u i64.const 32 i64.shl
    local.get $low i64.extend_i32_u i64.or)
  ;; longjmp caught by invoke_vi: returns the longjmp value; -2 if the stack pointer was not
  ;; restored, -1 if setThrew(1, 0) clobbered the first throw
  (func (export "try_jump") (param $val i32) (result i32)
    (local $sp0 i32)
    call $reset
    global.get $sp local.set $sp0
    i32.const 2 local.get $val call $invoke_vi
    global.get $sp local.get $sp0 i32.ne if i32.const -2 return end
    global.get $threw i32.const 1234 i32.ne if i32.const -1 return end
    global.get $threwValue)
  ;; longjmp out of a `j` function: invoke returns 0 and leaves tempRet0 alone
  (func (export "try_jump_j") (param $val i32) (result i32)
    call $reset
    i32.const 77 call $setTempRet0
    i32.const 5 local.get $val call $invoke_ji
    i32.const 0 i32.ne if i32.const -1 return end
    call $getTempRet0 i32.const 77 i32.ne if i32.const -2 return end
    global.get $threwValue)
  (func (export "call_mix") (param f64 f32 i32 i32) (result f64)
    i32.const 4 local.get 0 local.get 1 local.get 2 local.get 3 call $invoke_ddfj)
  (func (export "pass_i64") (param i32 i32) (result i64)
    i32.const 7 local.get 0 local.get 1 call $invoke_vj global.get $seen)
  (func (export "jump_uncaught") (param i32) local.get 0 call $longjmper)
  (func (export "invoke_trap") i32.const 3 i32.const 0 call $invoke_vi)
  (func (export "invoke_exit") (param i32) i32.const 6 local.get 0 call $invoke_vi)
  (func (export "invoke_null") i32.const 9 i32.const 0 call $invoke_vi)
  (func (export "invoke_oob") i32.const 100 i32.const 0 call $invoke_vi)
  (func (export "invoke_wrong_type") i32.const 1 i32.const 0 call $invoke_vi)
  (func (export "invoke_wrong_type_j") i32.const 2 i32.const 0 i32.const 0 call $invoke_vj)
  (func (export "many_jumps") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    loop $l
      call $reset
      i32.const 2 local.get $i call $invoke_vi
      local.get $sum global.get $threwValue i32.add local.set $sum
      local.get $i i32.const 1 i32.add local.tee $i local.get $n i32.lt_u br_if $l
    end
    local.get $sum)
)
"#;

fn load(wat: &str) -> Result<EmscriptenProgram, RunError> {
    let wasm = wat::parse_str(wat).expect("valid wat");
    EmscriptenProgram::load(&Engine::default(), &wasm, Options::captured().0)
}

fn call(p: &mut EmscriptenProgram, name: &str, args: &[Val]) -> Result<Vec<Val>, RunError> {
    p.call(name, args)
}

#[test]
fn invoke_legalized_i64_param_and_result() {
    let mut p = load(EMCC_LIKE).unwrap();
    // 5 + 0x7_ffff_ffff through invoke_jij: the i64 arrives as (lo, hi), the result leaves as
    // the low i32 plus setTempRet0(high)
    let r = call(&mut p, "call_add", &[Val::I32(5), Val::I32(-1), Val::I32(7)]).unwrap();
    assert_eq!(r, vec![Val::I64(0x8_0000_0004)]);
    let r = call(&mut p, "call_add", &[Val::I32(-1), Val::I32(0), Val::I32(0)]).unwrap();
    assert_eq!(r, vec![Val::I64(-1)]);
    assert_eq!(p.store().data().temp_ret0(), -1);
    let r = call(&mut p, "call_add", &[Val::I32(1), Val::I32(i32::MAX), Val::I32(i32::MIN)]).unwrap();
    assert_eq!(r, vec![Val::I64(i64::MIN + (1i64 << 31))]);
}

#[test]
fn invoke_legalized_i64_param_void_result() {
    let mut p = load(EMCC_LIKE).unwrap();
    let r = call(&mut p, "pass_i64", &[Val::I32(0x89ab_cdefu32 as i32), Val::I32(0x0123_4567)]).unwrap();
    assert_eq!(r, vec![Val::I64(0x0123_4567_89ab_cdef)]);
}

#[test]
fn invoke_floats_and_legalized_i64() {
    let mut p = load(EMCC_LIKE).unwrap();
    let r = call(&mut p, "call_mix", &[Val::from(1.5f64), Val::from(0.25f32), Val::I32(-3), Val::I32(-1)]).unwrap();
    assert_eq!(r, vec![Val::from(1.5 + 0.25 - 3.0)]);
}

#[test]
fn invoke_catches_longjmp_restores_stack_and_keeps_first_throw() {
    let mut p = load(EMCC_LIKE).unwrap();
    assert_eq!(call(&mut p, "try_jump", &[Val::I32(42)]).unwrap(), vec![Val::I32(42)]);
    assert_eq!(call(&mut p, "try_jump", &[Val::I32(7)]).unwrap(), vec![Val::I32(7)]);
    // j result: zero, tempRet0 untouched
    assert_eq!(call(&mut p, "try_jump_j", &[Val::I32(9)]).unwrap(), vec![Val::I32(9)]);
    // many in a row: nothing accumulates (Wasm call depth, value stack, C stack)
    let n = 20_000;
    let r = call(&mut p, "many_jumps", &[Val::I32(n)]).unwrap();
    assert_eq!(r, vec![Val::I32((0..n).sum::<i32>())]);
}

#[test]
fn uncaught_longjmp_is_an_error_not_a_crash() {
    let mut p = load(EMCC_LIKE).unwrap();
    let e = call(&mut p, "jump_uncaught", &[Val::I32(1)]).unwrap_err();
    assert_eq!(e, RunError::UncaughtLongjmp);
    assert_eq!(e.exit_status(), 134);
    assert_eq!(e.stderr_message().as_deref(), Some("uncaught longjmp"));
    // the instance is still usable
    assert_eq!(call(&mut p, "try_jump", &[Val::I32(3)]).unwrap(), vec![Val::I32(3)]);
}

#[test]
fn other_errors_pass_through_invoke() {
    let mut p = load(EMCC_LIKE).unwrap();
    assert_eq!(call(&mut p, "invoke_trap", &[]).unwrap_err(), RunError::Trap("unreachable".into()));
    assert_eq!(call(&mut p, "invoke_exit", &[Val::I32(42)]).unwrap_err(), RunError::Exit(42));
    match call(&mut p, "invoke_null", &[]).unwrap_err() {
        RunError::Trap(m) => assert_eq!(m, "invoke_vi: null table entry 9"),
        e => panic!("{e:?}"),
    }
    assert!(matches!(call(&mut p, "invoke_oob", &[]).unwrap_err(), RunError::Trap(_)));
    match call(&mut p, "invoke_wrong_type", &[]).unwrap_err() {
        RunError::Trap(m) => assert_eq!(m, "invoke_vi: table entry 1 has type (i32, i64) -> (i64)"),
        e => panic!("{e:?}"),
    }
    match call(&mut p, "invoke_wrong_type_j", &[]).unwrap_err() {
        RunError::Trap(m) => assert_eq!(m, "invoke_vj: table entry 2 has type (i32) -> ()"),
        e => panic!("{e:?}"),
    }
    assert_eq!(call(&mut p, "try_jump", &[Val::I32(5)]).unwrap(), vec![Val::I32(5)]);
}

#[test]
fn invoke_with_real_i64_in_the_import_type() {
    // WASM_BIGINT-style imports: the i64s are not legalized; derived from the import's type
    let mut p = load(
        r#"(module
          (import "env" "invoke_jj" (func $invoke_jj (param i32 i64) (result i64)))
          (memory (export "memory") 1)
          (global $sp (mut i32) (i32.const 1024))
          (table (export "__indirect_function_table") 2 funcref)
          (elem (i32.const 1) $neg)
          (func (export "stackSave") (result i32) global.get $sp)
          (func (export "stackRestore") (param i32) local.get 0 global.set $sp)
          (func (export "setThrew") (param i32 i32))
          (func $neg (param i64) (result i64) i64.const 0 local.get 0 i64.sub)
          (func (export "run") (param i64) (result i64) i32.const 1 local.get 0 call $invoke_jj))"#,
    )
    .unwrap();
    assert_eq!(call(&mut p, "run", &[Val::I64(1 << 40)]).unwrap(), vec![Val::I64(-(1 << 40))]);
}

#[test]
fn unsupported_imports_are_reported_together() {
    let e = load(
        r#"(module
          (import "env" "no_such_function" (func (param i32)))
          (import "env" "invoke_vx" (func (param i32)))
          (import "env" "invoke_vj" (func (param i32 i32)))
          (import "env" "abort" (func (param i32) (result i32)))
          (import "elsewhere" "thing" (func))
          (import "env" "table" (table 1 funcref))
          (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
          (import "env" "setTempRet0" (func (param i32))))"#,
    )
    .unwrap_err();
    let RunError::Link(list) = &e else { panic!("{e:?}") };
    assert_eq!(list.len(), 7, "{list:#?}");
    for name in [
        "env.no_such_function: func (i32) -> ()",
        "env.invoke_vx",
        "env.invoke_vj: func (i32, i32) -> ()",
        "env.abort: func (i32) -> (i32)",
        "elsewhere.thing",
        "env.table: table",
        "wasi_snapshot_preview1.sock_accept",
    ] {
        assert!(list.iter().any(|l| l.starts_with(name)), "{name} missing from {list:#?}");
    }
    assert_eq!(e.exit_status(), 2);
    assert!(e.to_string().starts_with("7 unsupported import(s): "), "{e}");
}

#[test]
fn invoke_needs_the_setjmp_exports() {
    let e = load(
        r#"(module
          (import "env" "invoke_v" (func (param i32)))
          (memory (export "memory") 1)
          (func (export "stackSave") (result i32) i32.const 0))"#,
    )
    .unwrap_err();
    assert!(matches!(&e, RunError::Load(m) if m.contains("stackRestore")), "{e:?}");
}

#[test]
fn ctors_run_once_and_exit_in_main_is_a_status() {
    let mut p = load(
        r#"(module
          (import "env" "exit" (func $exit (param i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "\20\00\00\00\03\00\00\00")
          (data (i32.const 32) "hi\n")
          (global $ctors (mut i32) (i32.const 0))
          (global $sp (mut i32) (i32.const 65536))
          (func (export "stackAlloc") (param i32) (result i32)
            global.get $sp local.get 0 i32.sub i32.const -16 i32.and global.set $sp global.get $sp)
          (func (export "__wasm_call_ctors") global.get $ctors i32.const 1 i32.add global.set $ctors)
          (func (export "ctors") (result i32) global.get $ctors)
          (func (export "main") (param i32 i32) (result i32)
            i32.const 1 i32.const 16 i32.const 1 i32.const 8 call $fd_write drop
            ;; exit(40 + ctors + argc + first byte of argv[1])
            global.get $ctors i32.const 40 i32.add local.get 0 i32.add
            local.get 1 i32.load offset=4 i32.load8_u i32.add call $exit
            i32.const 0))"#,
    )
    .unwrap();
    assert_eq!(call(&mut p, "ctors", &[]).unwrap(), vec![Val::I32(1)]);
    assert_eq!(p.run_main(&["\u{1}", "b"]).unwrap(), 40 + 1 + 3 + 1);
    assert_eq!(p.read_memory(8, 4).unwrap(), 3u32.to_le_bytes());
}
