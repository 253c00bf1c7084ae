//! The differential oracle: one generated module, run on this engine and on wasmi 2.0 with the
//! same imports and the same arguments, compared after every step.
//!
//! What is compared (see `docs/ROBUSTNESS.md` for the accepted differences):
//! - compilation: both accept or both reject;
//! - instantiation: both succeed or both fail (a trap in the start function or in segment
//!   initialisation); when both report a trap code, the codes must match; after a failure the
//!   imported memory, table and globals (which outlive the failed instance) must match;
//! - every exported function, called in export order, twice, with arguments derived from the
//!   input: results (a NaN matches any NaN of the same type unless the module canonicalises
//!   NaNs), or traps (same kind, with wasmi's codes mapped onto ours), or host errors;
//! - after instantiation and after every call: the host call log, every exported and imported
//!   memory (size and bytes), every exported and imported mutable global, every exported and
//!   imported table (size and which entries are null);
//! - call stack exhaustion on either side ends the case: both exhausted, or one exhausted
//!   while the other did not, are accepted (the engines count depth differently), and state
//!   is not compared after it.

use crate::generate::{self, Generated};
use crate::rng::{fnv1a, Rng};
use std::fmt::Write as _;

/// The call depth limit given to both engines.
pub const MAX_CALL_DEPTH: u32 = 1000;

/// How many times each exported function is called.
pub const ROUNDS: usize = 2;

/// A value in engine-neutral form.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `i32`.
    I32(i32),
    /// `i64`.
    I64(i64),
    /// `f32` bits.
    F32(u32),
    /// `f64` bits.
    F64(u64),
    /// `funcref`: `None` is null; as an argument `Some(k)` is the k-th exported function; as a
    /// result any non-null reference is `Some(u32::MAX)` (only null-ness is compared).
    FuncRef(Option<u32>),
    /// `externref`: `None` is null, else the `u32` payload the host stored in it.
    ExternRef(Option<u32>),
}

/// An engine-neutral value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `funcref`
    FuncRef,
    /// `externref`
    ExternRef,
}

/// A trap kind, with both engines' codes mapped onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trap {
    /// `unreachable`.
    Unreachable,
    /// Out-of-bounds memory access (loads, stores, bulk memory, data segments).
    MemoryOutOfBounds,
    /// Out-of-bounds table access, including a `call_indirect` index past the table's end
    /// (ours: `undefined element`; wasmi: `TableOutOfBounds`).
    TableOutOfBounds,
    /// `call_indirect` of a null entry (ours: `uninitialized element`; wasmi:
    /// `IndirectCallToNull`).
    IndirectCallToNull,
    /// `call_indirect` signature mismatch.
    IndirectCallTypeMismatch,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed division overflow or float-to-int conversion out of range.
    IntegerOverflow,
    /// Float-to-int conversion of NaN.
    InvalidConversionToInteger,
    /// Call stack exhausted.
    StackOverflow,
    /// Engine fuel exhausted (not used: termination comes from `wasm-smith`'s fuel global).
    OutOfFuel,
    /// Anything else (printed with its engine's name).
    Other(&'static str),
}

/// Why a call or an instantiation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// A trap.
    Trap(Trap),
    /// An error raised by a host function, passed through.
    Host,
    /// Any other error (never expected at run time; printed).
    Other(String),
}

impl Failure {
    fn is_stack_overflow(&self) -> bool {
        matches!(self, Failure::Trap(Trap::StackOverflow))
    }
}

fn map_ours(e: &engine::Error) -> Failure {
    use engine::TrapCode as C;
    if let Some(code) = e.as_trap_code() {
        return Failure::Trap(match code {
            C::Unreachable => Trap::Unreachable,
            C::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            C::TableOutOfBounds | C::UndefinedElement => Trap::TableOutOfBounds,
            C::UninitializedElement => Trap::IndirectCallToNull,
            C::IndirectCallTypeMismatch => Trap::IndirectCallTypeMismatch,
            C::IntegerDivideByZero => Trap::IntegerDivideByZero,
            C::IntegerOverflow => Trap::IntegerOverflow,
            C::InvalidConversionToInteger => Trap::InvalidConversionToInteger,
            C::StackOverflow => Trap::StackOverflow,
            C::OutOfFuel => Trap::OutOfFuel,
            #[allow(unreachable_patterns)]
            _ => Trap::Other("ours"),
        });
    }
    match e.kind() {
        engine::ErrorKind::Host => Failure::Host,
        k => Failure::Other(format!("ours {k:?}: {e}")),
    }
}

fn map_wasmi(e: &wasmi::Error) -> Failure {
    use wasmi::TrapCode as C;
    if let Some(code) = e.as_trap_code() {
        return Failure::Trap(match code {
            C::UnreachableCodeReached => Trap::Unreachable,
            C::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
            C::TableOutOfBounds => Trap::TableOutOfBounds,
            C::IndirectCallToNull => Trap::IndirectCallToNull,
            C::BadSignature => Trap::IndirectCallTypeMismatch,
            C::IntegerDivisionByZero => Trap::IntegerDivideByZero,
            C::IntegerOverflow => Trap::IntegerOverflow,
            C::BadConversionToInteger => Trap::InvalidConversionToInteger,
            C::StackOverflow => Trap::StackOverflow,
            C::OutOfFuel => Trap::OutOfFuel,
            _ => Trap::Other("wasmi"),
        });
    }
    match e.kind() {
        wasmi::errors::ErrorKind::Message(m) if &**m == HOST_ERROR => Failure::Host,
        _ => Failure::Other(format!("wasmi: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// The host side shared by both engines.

const HOST_ERROR: &str = "host function failed on purpose";

/// The host state of a case: every call of a logging import, in order.
#[derive(Debug, Default)]
pub struct Host {
    /// (which import, argument bits; NaN arguments logged as a fixed marker).
    pub log: Vec<(u8, u64)>,
}

/// The signature of each host function in [`generate::AVAILABLE_IMPORTS`].
fn host_funcs() -> Vec<(&'static str, Vec<Ty>, Vec<Ty>)> {
    vec![
        ("add", vec![Ty::I32, Ty::I32], vec![Ty::I32]),
        ("log_i32", vec![Ty::I32], vec![]),
        ("log_i64", vec![Ty::I64], vec![]),
        ("log_f32", vec![Ty::F32], vec![]),
        ("log_f64", vec![Ty::F64], vec![]),
        ("mix", vec![Ty::I64, Ty::F64], vec![Ty::I32, Ty::I64]),
        ("fail", vec![Ty::I32], vec![Ty::I32]),
    ]
}

const NAN_MARK: u64 = 0x7ff8_dead_beef_0000;

/// The behaviour of the host functions, the same for both engines. Never lets NaN bits escape
/// into integers (they are nondeterministic in Wasm).
fn host_call(name: &str, host: &mut Host, args: &[Value]) -> Result<Vec<Value>, ()> {
    match (name, args) {
        ("add", [Value::I32(a), Value::I32(b)]) => Ok(vec![Value::I32(a.wrapping_add(*b))]),
        ("log_i32", [Value::I32(a)]) => {
            host.log.push((1, *a as u32 as u64));
            Ok(vec![])
        }
        ("log_i64", [Value::I64(a)]) => {
            host.log.push((2, *a as u64));
            Ok(vec![])
        }
        ("log_f32", [Value::F32(a)]) => {
            host.log.push((3, if f32::from_bits(*a).is_nan() { NAN_MARK } else { *a as u64 }));
            Ok(vec![])
        }
        ("log_f64", [Value::F64(a)]) => {
            host.log.push((4, if f64::from_bits(*a).is_nan() { NAN_MARK } else { *a }));
            Ok(vec![])
        }
        ("mix", [Value::I64(a), Value::F64(b)]) => {
            let fb = if f64::from_bits(*b).is_nan() { 0 } else { *b };
            host.log.push((5, *a as u64 ^ fb));
            Ok(vec![Value::I32((*a as i32) ^ 0x1234_5678), Value::I64(a.wrapping_mul(3).wrapping_add(fb as i64))])
        }
        ("fail", [Value::I32(a)]) => {
            host.log.push((6, *a as u32 as u64));
            if (*a as u32) % 5 == 3 {
                Err(())
            } else {
                Ok(vec![Value::I32(a.wrapping_mul(7))])
            }
        }
        _ => panic!("host function {name} called with {args:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions.

fn ty_ours(t: Ty) -> engine::ValType {
    match t {
        Ty::I32 => engine::ValType::I32,
        Ty::I64 => engine::ValType::I64,
        Ty::F32 => engine::ValType::F32,
        Ty::F64 => engine::ValType::F64,
        Ty::FuncRef => engine::ValType::FuncRef,
        Ty::ExternRef => engine::ValType::ExternRef,
    }
}

fn ty_from_ours(t: engine::ValType) -> Ty {
    match t {
        engine::ValType::I32 => Ty::I32,
        engine::ValType::I64 => Ty::I64,
        engine::ValType::F32 => Ty::F32,
        engine::ValType::F64 => Ty::F64,
        engine::ValType::FuncRef => Ty::FuncRef,
        engine::ValType::ExternRef => Ty::ExternRef,
    }
}

fn ty_wasmi(t: Ty) -> wasmi::ValType {
    match t {
        Ty::I32 => wasmi::ValType::I32,
        Ty::I64 => wasmi::ValType::I64,
        Ty::F32 => wasmi::ValType::F32,
        Ty::F64 => wasmi::ValType::F64,
        Ty::FuncRef => wasmi::ValType::FuncRef,
        Ty::ExternRef => wasmi::ValType::ExternRef,
    }
}

fn from_ours<T>(store: &engine::Store<T>, v: &engine::Val) -> Value {
    use engine::AsContext;
    match *v {
        engine::Val::I32(x) => Value::I32(x),
        engine::Val::I64(x) => Value::I64(x),
        engine::Val::F32(x) => Value::F32(x),
        engine::Val::F64(x) => Value::F64(x),
        engine::Val::FuncRef(f) => Value::FuncRef(f.map(|_| u32::MAX)),
        engine::Val::ExternRef(r) => {
            Value::ExternRef(r.map(|r| r.data(store.as_context()).downcast_ref::<u32>().copied().unwrap_or(u32::MAX)))
        }
    }
}

fn from_ours_simple(v: &engine::Val) -> Value {
    match *v {
        engine::Val::I32(x) => Value::I32(x),
        engine::Val::I64(x) => Value::I64(x),
        engine::Val::F32(x) => Value::F32(x),
        engine::Val::F64(x) => Value::F64(x),
        engine::Val::FuncRef(f) => Value::FuncRef(f.map(|_| u32::MAX)),
        engine::Val::ExternRef(r) => Value::ExternRef(r.map(|_| u32::MAX)),
    }
}

fn to_ours_simple(v: &Value) -> engine::Val {
    match *v {
        Value::I32(x) => engine::Val::I32(x),
        Value::I64(x) => engine::Val::I64(x),
        Value::F32(x) => engine::Val::F32(x),
        Value::F64(x) => engine::Val::F64(x),
        Value::FuncRef(_) => engine::Val::FuncRef(None),
        Value::ExternRef(_) => engine::Val::ExternRef(None),
    }
}

fn from_wasmi<T>(store: &wasmi::Store<T>, v: &wasmi::Val) -> Value {
    match v {
        wasmi::Val::I32(x) => Value::I32(*x),
        wasmi::Val::I64(x) => Value::I64(*x),
        wasmi::Val::F32(x) => Value::F32(x.to_bits()),
        wasmi::Val::F64(x) => Value::F64(x.to_bits()),
        wasmi::Val::FuncRef(f) => Value::FuncRef(if f.is_null() { None } else { Some(u32::MAX) }),
        wasmi::Val::ExternRef(r) => {
            Value::ExternRef(r.val().map(|r| r.data(store).downcast_ref::<u32>().copied().unwrap_or(u32::MAX)))
        }
        wasmi::Val::V128(_) => panic!("v128 value from wasmi"),
    }
}

fn from_wasmi_simple(v: &wasmi::Val) -> Value {
    match v {
        wasmi::Val::I32(x) => Value::I32(*x),
        wasmi::Val::I64(x) => Value::I64(*x),
        wasmi::Val::F32(x) => Value::F32(x.to_bits()),
        wasmi::Val::F64(x) => Value::F64(x.to_bits()),
        wasmi::Val::FuncRef(f) => Value::FuncRef(if f.is_null() { None } else { Some(u32::MAX) }),
        wasmi::Val::ExternRef(r) => Value::ExternRef(if r.is_null() { None } else { Some(u32::MAX) }),
        wasmi::Val::V128(_) => panic!("v128 value from wasmi"),
    }
}

fn to_wasmi_simple(v: &Value) -> wasmi::Val {
    match *v {
        Value::I32(x) => wasmi::Val::I32(x),
        Value::I64(x) => wasmi::Val::I64(x),
        Value::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
        Value::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
        Value::FuncRef(_) => wasmi::Val::FuncRef(wasmi::Nullable::Null),
        Value::ExternRef(_) => wasmi::Val::ExternRef(wasmi::Nullable::Null),
    }
}

/// Whether two values match: equal, or both NaN of the same type when NaN bits are not
/// deterministic (`exact_nans == false`).
pub fn values_match(a: &Value, b: &Value, exact_nans: bool) -> bool {
    match (a, b) {
        (Value::F32(x), Value::F32(y)) => {
            x == y || (!exact_nans && f32::from_bits(*x).is_nan() && f32::from_bits(*y).is_nan())
        }
        (Value::F64(x), Value::F64(y)) => {
            x == y || (!exact_nans && f64::from_bits(*x).is_nan() && f64::from_bits(*y).is_nan())
        }
        _ => a == b,
    }
}

/// Whether every difference between two equally long memories lies inside a 4- or 8-byte
/// window that holds a NaN (f32 or f64) in both. Used only when the module does not
/// canonicalise NaNs: a stored NaN's bits may legitimately differ.
pub fn memory_diff_explained_by_nans(a: &[u8], b: &[u8]) -> bool {
    let nan32 = |m: &[u8], o: usize| {
        o + 4 <= m.len() && f32::from_bits(u32::from_le_bytes(m[o..o + 4].try_into().unwrap())).is_nan()
    };
    let nan64 = |m: &[u8], o: usize| {
        o + 8 <= m.len() && f64::from_bits(u64::from_le_bytes(m[o..o + 8].try_into().unwrap())).is_nan()
    };
    let mut checked = 0;
    for p in 0..a.len() {
        if a[p] == b[p] {
            continue;
        }
        checked += 1;
        if checked > 4096 {
            return false;
        }
        let ok32 = (p.saturating_sub(3)..=p).any(|o| nan32(a, o) && nan32(b, o));
        let ok64 = (p.saturating_sub(7)..=p).any(|o| nan64(a, o) && nan64(b, o));
        if !ok32 && !ok64 {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Arguments.

/// Deterministic arguments for a signature. `nfuncs` is the number of exported functions (for
/// non-null `funcref` arguments).
pub fn gen_args(rng: &mut Rng, params: &[Ty], nfuncs: usize) -> Vec<Value> {
    params.iter().map(|t| gen_value(rng, *t, nfuncs)).collect()
}

fn gen_value(rng: &mut Rng, t: Ty, nfuncs: usize) -> Value {
    const I32S: &[i32] = &[0, 1, -1, 2, 7, 8, 16, 255, 256, 65535, 65536, i32::MIN, i32::MAX, -65536, 1 << 16];
    const I64S: &[i64] = &[0, 1, -1, 2, 7, 64, 65536, i64::MIN, i64::MAX, i32::MIN as i64, u32::MAX as i64, 1 << 32];
    const F32S: &[u32] = &[
        0x0000_0000,
        0x8000_0000,
        0x3f80_0000,
        0xbf80_0000,
        0x7f80_0000,
        0xff80_0000,
        0x7fc0_0000,
        0xffc0_0000,
        0x7fa0_0001,
        0x7f80_0001,
        0x0000_0001,
        0x7f7f_ffff,
        0x4f00_0000,
        0xcf00_0000,
        0x4f80_0000,
        0x3f00_0000,
        0x5f00_0000,
        0xdf00_0000,
        0x4effffff,
    ];
    const F64S: &[u64] = &[
        0,
        0x8000_0000_0000_0000,
        0x3ff0_0000_0000_0000,
        0xbff0_0000_0000_0000,
        0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000,
        0x7ff8_0000_0000_0000,
        0xfff8_0000_0000_0000,
        0x7ff4_0000_0000_0001,
        0x0000_0000_0000_0001,
        0x7fef_ffff_ffff_ffff,
        0x41e0_0000_0000_0000,
        0xc1e0_0000_0000_0000,
        0x41f0_0000_0000_0000,
        0x43e0_0000_0000_0000,
        0xc3e0_0000_0000_0000,
        0x3fe0_0000_0000_0000,
        0x41df_ffff_ffc0_0000,
    ];
    let pick = rng.below(4);
    match t {
        Ty::I32 => Value::I32(match pick {
            0 | 1 => I32S[rng.below(I32S.len() as u64) as usize],
            2 => rng.below(64) as i32,
            _ => rng.next_u64() as i32,
        }),
        Ty::I64 => Value::I64(match pick {
            0 | 1 => I64S[rng.below(I64S.len() as u64) as usize],
            2 => rng.below(64) as i64,
            _ => rng.next_u64() as i64,
        }),
        Ty::F32 => Value::F32(match pick {
            0 | 1 => F32S[rng.below(F32S.len() as u64) as usize],
            2 => (rng.below(2000) as f32 / 8.0 - 100.0).to_bits(),
            _ => rng.next_u64() as u32,
        }),
        Ty::F64 => Value::F64(match pick {
            0 | 1 => F64S[rng.below(F64S.len() as u64) as usize],
            2 => (rng.below(2000) as f64 / 8.0 - 100.0).to_bits(),
            _ => rng.next_u64(),
        }),
        Ty::FuncRef => {
            Value::FuncRef(if nfuncs > 0 && rng.chance(1, 2) { Some(rng.below(nfuncs as u64) as u32) } else { None })
        }
        Ty::ExternRef => Value::ExternRef(if rng.chance(2, 3) { Some(rng.below(1000) as u32) } else { None }),
    }
}

// ---------------------------------------------------------------------------------------------
// The engines under comparison, behind one interface.

/// One engine running one module, with the shared host imports.
trait Side {
    /// Instantiates the module (running its start function).
    fn instantiate(&mut self) -> Result<(), (Failure, String)>;
    /// Calls an exported function. `funcs` names the exported functions (`FuncRef(Some(k))`
    /// arguments refer to them), `results` gives the result types.
    fn call(
        &mut self,
        name: &str,
        args: &[Value],
        funcs: &[String],
        results: &[Ty],
    ) -> Result<Vec<Value>, (Failure, String)>;
    /// Sets an exported global.
    fn set_global(&mut self, name: &str, v: Value) -> Result<(), String>;
    /// The host call log.
    fn log(&self) -> &[(u8, u64)];
    /// The imported memory's bytes.
    fn imported_memory(&self) -> &[u8];
    /// The imported table's null-ness per entry.
    fn imported_table(&self) -> Vec<bool>;
    /// The imported globals' values, in [`host_globals`] order.
    fn imported_globals(&self) -> Vec<Value>;
    /// An exported memory's bytes.
    fn memory(&self, name: &str) -> Option<&[u8]>;
    /// An exported global's value.
    fn global(&self, name: &str) -> Option<Value>;
    /// An exported table's null-ness per entry.
    fn table(&self, name: &str) -> Option<Vec<bool>>;
}

/// The imported globals: (name, type, mutable, initial value).
fn host_globals() -> Vec<(&'static str, Ty, bool, Value)> {
    vec![
        ("g_i32", Ty::I32, false, Value::I32(42)),
        ("g_i64", Ty::I64, true, Value::I64(-7)),
        ("g_f32", Ty::F32, false, Value::F32(1.5f32.to_bits())),
        ("g_f64", Ty::F64, true, Value::F64((-0.0f64).to_bits())),
    ]
}

// --- This engine.

struct Ours {
    store: engine::Store<Host>,
    linker: engine::Linker<Host>,
    module: engine::Module,
    memory: engine::Memory,
    table: engine::Table,
    globals: Vec<engine::Global>,
    instance: Option<engine::Instance>,
}

impl Ours {
    fn new(engine: &engine::Engine, module: engine::Module) -> Ours {
        let mut store = engine::Store::new(engine, Host::default());
        let mut linker = engine::Linker::new(engine);
        for (name, params, results) in host_funcs() {
            let ty = engine::FuncType::new(params.iter().map(|t| ty_ours(*t)), results.iter().map(|t| ty_ours(*t)));
            linker
                .func_new("host", name, ty, move |mut caller, args, out| {
                    let args: Vec<Value> = args.iter().map(from_ours_simple).collect();
                    match host_call(name, caller.data_mut(), &args) {
                        Ok(vals) => {
                            for (o, v) in out.iter_mut().zip(&vals) {
                                *o = to_ours_simple(v);
                            }
                            Ok(())
                        }
                        Err(()) => Err(engine::Error::msg(HOST_ERROR)),
                    }
                })
                .expect("define host function");
        }
        let memory = engine::Memory::new(&mut store, engine::MemoryType::new(1, Some(4))).expect("memory");
        let table = engine::Table::new(
            &mut store,
            engine::TableType::new(engine::ValType::FuncRef, 2, Some(20)),
            engine::Val::FuncRef(None),
        )
        .expect("table");
        linker.define("host", "memory", memory).expect("define");
        linker.define("host", "table", table).expect("define");
        let mut globals = Vec::new();
        for (name, ty, mutable, init) in host_globals() {
            let m = if mutable { engine::Mutability::Var } else { engine::Mutability::Const };
            let g = engine::Global::new(&mut store, engine::GlobalType::new(ty_ours(ty), m), to_ours_simple(&init))
                .expect("global");
            linker.define("host", name, g).expect("define");
            globals.push(g);
        }
        Ours { store, linker, module, memory, table, globals, instance: None }
    }
}

fn table_nulls_ours(store: &engine::Store<Host>, t: engine::Table) -> Vec<bool> {
    (0..t.size(store))
        .map(|i| match t.get(store, i) {
            Some(engine::Val::FuncRef(f)) => f.is_none(),
            Some(engine::Val::ExternRef(r)) => r.is_none(),
            _ => false,
        })
        .collect()
}

impl Side for Ours {
    fn instantiate(&mut self) -> Result<(), (Failure, String)> {
        let i = self.linker.instantiate(&mut self.store, &self.module).map_err(|e| (map_ours(&e), e.to_string()))?;
        self.instance = Some(i);
        Ok(())
    }
    fn call(
        &mut self,
        name: &str,
        args: &[Value],
        funcs: &[String],
        results: &[Ty],
    ) -> Result<Vec<Value>, (Failure, String)> {
        let inst = self.instance.expect("instantiated");
        let f = inst.get_func(&self.store, name).expect("function export");
        let mut a = Vec::with_capacity(args.len());
        for v in args {
            a.push(match v {
                Value::FuncRef(Some(i)) => engine::Val::FuncRef(inst.get_func(&self.store, &funcs[*i as usize])),
                Value::ExternRef(Some(p)) => engine::Val::ExternRef(Some(engine::ExternRef::new(&mut self.store, *p))),
                v => to_ours_simple(v),
            });
        }
        let mut r: Vec<engine::Val> = results.iter().map(|t| engine::Val::default_for(ty_ours(*t))).collect();
        match f.call(&mut self.store, &a, &mut r) {
            Ok(()) => Ok(r.iter().map(|v| from_ours(&self.store, v)).collect()),
            Err(e) => Err((map_ours(&e), e.to_string())),
        }
    }
    fn set_global(&mut self, name: &str, v: Value) -> Result<(), String> {
        let g = self.instance.and_then(|i| i.get_global(&self.store, name)).ok_or("no such global")?;
        g.set(&mut self.store, to_ours_simple(&v)).map_err(|e| e.to_string())
    }
    fn log(&self) -> &[(u8, u64)] {
        &self.store.data().log
    }
    fn imported_memory(&self) -> &[u8] {
        use engine::AsContext;
        self.memory.data(self.store.as_context())
    }
    fn imported_table(&self) -> Vec<bool> {
        table_nulls_ours(&self.store, self.table)
    }
    fn imported_globals(&self) -> Vec<Value> {
        self.globals.iter().map(|g| from_ours(&self.store, &g.get(&self.store))).collect()
    }
    fn memory(&self, name: &str) -> Option<&[u8]> {
        use engine::AsContext;
        let m = self.instance?.get_memory(&self.store, name)?;
        Some(m.data(self.store.as_context()))
    }
    fn global(&self, name: &str) -> Option<Value> {
        let g = self.instance?.get_global(&self.store, name)?;
        Some(from_ours(&self.store, &g.get(&self.store)))
    }
    fn table(&self, name: &str) -> Option<Vec<bool>> {
        let t = self.instance?.get_table(&self.store, name)?;
        Some(table_nulls_ours(&self.store, t))
    }
}

// --- wasmi 2.0.

struct Wasmi {
    store: wasmi::Store<Host>,
    linker: wasmi::Linker<Host>,
    module: wasmi::Module,
    memory: wasmi::Memory,
    table: wasmi::Table,
    globals: Vec<wasmi::Global>,
    instance: Option<wasmi::Instance>,
}

impl Wasmi {
    fn new(engine: &wasmi::Engine, module: wasmi::Module) -> Wasmi {
        let mut store = wasmi::Store::new(engine, Host::default());
        let mut linker = wasmi::Linker::new(engine);
        for (name, params, results) in host_funcs() {
            let ty = wasmi::FuncType::new(params.iter().map(|t| ty_wasmi(*t)), results.iter().map(|t| ty_wasmi(*t)));
            linker
                .func_new("host", name, ty, move |mut caller: wasmi::Caller<'_, Host>, args, out| {
                    let args: Vec<Value> = args.iter().map(from_wasmi_simple).collect();
                    match host_call(name, caller.data_mut(), &args) {
                        Ok(vals) => {
                            for (o, v) in out.iter_mut().zip(&vals) {
                                *o = to_wasmi_simple(v);
                            }
                            Ok(())
                        }
                        Err(()) => Err(wasmi::Error::new(HOST_ERROR)),
                    }
                })
                .expect("define host function");
        }
        let memory = wasmi::Memory::new(&mut store, wasmi::MemoryType::new(1, Some(4))).expect("memory");
        let table = wasmi::Table::new(
            &mut store,
            wasmi::TableType::new(wasmi::RefType::Func, 2, Some(20)),
            wasmi::Ref::Func(wasmi::Nullable::Null),
        )
        .expect("table");
        linker.define("host", "memory", memory).expect("define");
        linker.define("host", "table", table).expect("define");
        let mut globals = Vec::new();
        for (name, _ty, mutable, init) in host_globals() {
            let m = if mutable { wasmi::Mutability::Var } else { wasmi::Mutability::Const };
            let g = wasmi::Global::new(&mut store, to_wasmi_simple(&init), m);
            linker.define("host", name, g).expect("define");
            globals.push(g);
        }
        Wasmi { store, linker, module, memory, table, globals, instance: None }
    }
}

fn table_nulls_wasmi(store: &wasmi::Store<Host>, t: wasmi::Table) -> Vec<bool> {
    (0..t.size(store)).map(|i| t.get(store, i).map(|r| r.is_null()).unwrap_or(false)).collect()
}

impl Side for Wasmi {
    fn instantiate(&mut self) -> Result<(), (Failure, String)> {
        let i = self
            .linker
            .instantiate_and_start(&mut self.store, &self.module)
            .map_err(|e| (map_wasmi(&e), e.to_string()))?;
        self.instance = Some(i);
        Ok(())
    }
    fn call(
        &mut self,
        name: &str,
        args: &[Value],
        funcs: &[String],
        results: &[Ty],
    ) -> Result<Vec<Value>, (Failure, String)> {
        let inst = self.instance.expect("instantiated");
        let f = inst.get_func(&self.store, name).expect("function export");
        let mut a = Vec::with_capacity(args.len());
        for v in args {
            a.push(match v {
                Value::FuncRef(Some(i)) => wasmi::Val::FuncRef(match inst.get_func(&self.store, &funcs[*i as usize]) {
                    Some(f) => wasmi::Nullable::Val(f),
                    None => wasmi::Nullable::Null,
                }),
                Value::ExternRef(Some(p)) => {
                    wasmi::Val::ExternRef(wasmi::Nullable::Val(wasmi::ExternRef::new(&mut self.store, *p)))
                }
                v => to_wasmi_simple(v),
            });
        }
        let mut r: Vec<wasmi::Val> = results.iter().map(|t| wasmi::Val::default_for_ty(ty_wasmi(*t))).collect();
        match f.call(&mut self.store, &a, &mut r) {
            Ok(()) => Ok(r.iter().map(|v| from_wasmi(&self.store, v)).collect()),
            Err(e) => Err((map_wasmi(&e), e.to_string())),
        }
    }
    fn set_global(&mut self, name: &str, v: Value) -> Result<(), String> {
        let g = self.instance.and_then(|i| i.get_global(&self.store, name)).ok_or("no such global")?;
        g.set(&mut self.store, to_wasmi_simple(&v)).map_err(|e| e.to_string())
    }
    fn log(&self) -> &[(u8, u64)] {
        &self.store.data().log
    }
    fn imported_memory(&self) -> &[u8] {
        self.memory.data(&self.store)
    }
    fn imported_table(&self) -> Vec<bool> {
        table_nulls_wasmi(&self.store, self.table)
    }
    fn imported_globals(&self) -> Vec<Value> {
        self.globals.iter().map(|g| from_wasmi(&self.store, &g.get(&self.store))).collect()
    }
    fn memory(&self, name: &str) -> Option<&[u8]> {
        let m = self.instance?.get_memory(&self.store, name)?;
        Some(m.data(&self.store))
    }
    fn global(&self, name: &str) -> Option<Value> {
        let g = self.instance?.get_global(&self.store, name)?;
        Some(from_wasmi(&self.store, &g.get(&self.store)))
    }
    fn table(&self, name: &str) -> Option<Vec<bool>> {
        let t = self.instance?.get_table(&self.store, name)?;
        Some(table_nulls_wasmi(&self.store, t))
    }
}

// --- The tie-breaker: wasmi 0.31, the last stack-based wasmi (an independent translator).

struct Old {
    store: wasmi_old::Store<Host>,
    linker: wasmi_old::Linker<Host>,
    module: wasmi_old::Module,
    memory: wasmi_old::Memory,
    table: wasmi_old::Table,
    globals: Vec<wasmi_old::Global>,
    instance: Option<wasmi_old::Instance>,
}

fn ty_old(t: Ty) -> wasmi_old::core::ValueType {
    use wasmi_old::core::ValueType as V;
    match t {
        Ty::I32 => V::I32,
        Ty::I64 => V::I64,
        Ty::F32 => V::F32,
        Ty::F64 => V::F64,
        Ty::FuncRef => V::FuncRef,
        Ty::ExternRef => V::ExternRef,
    }
}

fn to_old_simple(v: &Value) -> wasmi_old::Value {
    use wasmi_old::Value as V;
    match *v {
        Value::I32(x) => V::I32(x),
        Value::I64(x) => V::I64(x),
        Value::F32(x) => V::F32(wasmi_old::core::F32::from_bits(x)),
        Value::F64(x) => V::F64(wasmi_old::core::F64::from_bits(x)),
        Value::FuncRef(_) => V::FuncRef(wasmi_old::FuncRef::null()),
        Value::ExternRef(_) => V::ExternRef(wasmi_old::ExternRef::null()),
    }
}

fn from_old(store: &wasmi_old::Store<Host>, v: &wasmi_old::Value) -> Value {
    use wasmi_old::Value as V;
    match v {
        V::I32(x) => Value::I32(*x),
        V::I64(x) => Value::I64(*x),
        V::F32(x) => Value::F32(x.to_bits()),
        V::F64(x) => Value::F64(x.to_bits()),
        V::FuncRef(f) => Value::FuncRef(if f.is_null() { None } else { Some(u32::MAX) }),
        V::ExternRef(r) => {
            Value::ExternRef(r.data(store).map(|d| d.downcast_ref::<u32>().copied().unwrap_or(u32::MAX)))
        }
    }
}

fn from_old_simple(v: &wasmi_old::Value) -> Value {
    use wasmi_old::Value as V;
    match v {
        V::I32(x) => Value::I32(*x),
        V::I64(x) => Value::I64(*x),
        V::F32(x) => Value::F32(x.to_bits()),
        V::F64(x) => Value::F64(x.to_bits()),
        V::FuncRef(f) => Value::FuncRef(if f.is_null() { None } else { Some(u32::MAX) }),
        V::ExternRef(r) => Value::ExternRef(if r.is_null() { None } else { Some(u32::MAX) }),
    }
}

fn map_old(e: &wasmi_old::Error) -> Failure {
    use wasmi_old::core::TrapCode as C;
    match e {
        wasmi_old::Error::Trap(t) => match t.trap_code() {
            Some(code) => Failure::Trap(match code {
                C::UnreachableCodeReached => Trap::Unreachable,
                C::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
                C::TableOutOfBounds => Trap::TableOutOfBounds,
                C::IndirectCallToNull => Trap::IndirectCallToNull,
                C::BadSignature => Trap::IndirectCallTypeMismatch,
                C::IntegerDivisionByZero => Trap::IntegerDivideByZero,
                C::IntegerOverflow => Trap::IntegerOverflow,
                C::BadConversionToInteger => Trap::InvalidConversionToInteger,
                C::StackOverflow => Trap::StackOverflow,
                C::OutOfFuel => Trap::OutOfFuel,
                #[allow(unreachable_patterns)]
                _ => Trap::Other("wasmi 0.31"),
            }),
            None if t.to_string().contains(HOST_ERROR) => Failure::Host,
            None => Failure::Other(format!("wasmi 0.31: {t}")),
        },
        e => Failure::Other(format!("wasmi 0.31: {e}")),
    }
}

/// The tie-breaker's configuration: WebAssembly 2.0, the same call depth limit.
pub fn old_config() -> wasmi_old::Config {
    let mut c = wasmi_old::Config::default();
    c.wasm_tail_call(false).wasm_extended_const(false).set_stack_limits(
        wasmi_old::StackLimits::new(1024, 16 * 1024 * 1024, MAX_CALL_DEPTH as usize).expect("stack limits"),
    );
    c
}

impl Old {
    fn new(engine: &wasmi_old::Engine, module: wasmi_old::Module) -> Old {
        let mut store = wasmi_old::Store::new(engine, Host::default());
        let mut linker = wasmi_old::Linker::new(engine);
        for (name, params, results) in host_funcs() {
            let ty = wasmi_old::FuncType::new(params.iter().map(|t| ty_old(*t)), results.iter().map(|t| ty_old(*t)));
            linker
                .func_new("host", name, ty, move |mut caller: wasmi_old::Caller<'_, Host>, args, out| {
                    let args: Vec<Value> = args.iter().map(from_old_simple).collect();
                    match host_call(name, caller.data_mut(), &args) {
                        Ok(vals) => {
                            for (o, v) in out.iter_mut().zip(&vals) {
                                *o = to_old_simple(v);
                            }
                            Ok(())
                        }
                        Err(()) => Err(wasmi_old::core::Trap::new(HOST_ERROR)),
                    }
                })
                .expect("define host function");
        }
        let memory =
            wasmi_old::Memory::new(&mut store, wasmi_old::MemoryType::new(1, Some(4)).expect("type")).expect("memory");
        let table = wasmi_old::Table::new(
            &mut store,
            wasmi_old::TableType::new(wasmi_old::core::ValueType::FuncRef, 2, Some(20)),
            wasmi_old::Value::FuncRef(wasmi_old::FuncRef::null()),
        )
        .expect("table");
        linker.define("host", "memory", memory).expect("define");
        linker.define("host", "table", table).expect("define");
        let mut globals = Vec::new();
        for (name, _ty, mutable, init) in host_globals() {
            let m = if mutable { wasmi_old::Mutability::Var } else { wasmi_old::Mutability::Const };
            let g = wasmi_old::Global::new(&mut store, to_old_simple(&init), m);
            linker.define("host", name, g).expect("define");
            globals.push(g);
        }
        Old { store, linker, module, memory, table, globals, instance: None }
    }
}

fn table_nulls_old(store: &wasmi_old::Store<Host>, t: wasmi_old::Table) -> Vec<bool> {
    (0..t.size(store))
        .map(|i| match t.get(store, i) {
            Some(wasmi_old::Value::FuncRef(f)) => f.is_null(),
            Some(wasmi_old::Value::ExternRef(r)) => r.is_null(),
            _ => false,
        })
        .collect()
}

impl Side for Old {
    fn instantiate(&mut self) -> Result<(), (Failure, String)> {
        let i = self
            .linker
            .instantiate(&mut self.store, &self.module)
            .and_then(|pre| pre.start(&mut self.store))
            .map_err(|e| (map_old(&e), e.to_string()))?;
        self.instance = Some(i);
        Ok(())
    }
    fn call(
        &mut self,
        name: &str,
        args: &[Value],
        funcs: &[String],
        results: &[Ty],
    ) -> Result<Vec<Value>, (Failure, String)> {
        let inst = self.instance.expect("instantiated");
        let f = inst.get_func(&self.store, name).expect("function export");
        let mut a = Vec::with_capacity(args.len());
        for v in args {
            a.push(match v {
                Value::FuncRef(Some(i)) => {
                    wasmi_old::Value::FuncRef(wasmi_old::FuncRef::new(inst.get_func(&self.store, &funcs[*i as usize])))
                }
                Value::ExternRef(Some(p)) => {
                    wasmi_old::Value::ExternRef(wasmi_old::ExternRef::new::<u32>(&mut self.store, Some(*p)))
                }
                v => to_old_simple(v),
            });
        }
        let mut r: Vec<wasmi_old::Value> = results.iter().map(|t| wasmi_old::Value::default(ty_old(*t))).collect();
        match f.call(&mut self.store, &a, &mut r) {
            Ok(()) => Ok(r.iter().map(|v| from_old(&self.store, v)).collect()),
            Err(e) => Err((map_old(&e), e.to_string())),
        }
    }
    fn set_global(&mut self, name: &str, v: Value) -> Result<(), String> {
        let g = self.instance.and_then(|i| i.get_global(&self.store, name)).ok_or("no such global")?;
        g.set(&mut self.store, to_old_simple(&v)).map_err(|e| e.to_string())
    }
    fn log(&self) -> &[(u8, u64)] {
        &self.store.data().log
    }
    fn imported_memory(&self) -> &[u8] {
        self.memory.data(&self.store)
    }
    fn imported_table(&self) -> Vec<bool> {
        table_nulls_old(&self.store, self.table)
    }
    fn imported_globals(&self) -> Vec<Value> {
        self.globals.iter().map(|g| from_old(&self.store, &g.get(&self.store))).collect()
    }
    fn memory(&self, name: &str) -> Option<&[u8]> {
        let m = self.instance?.get_memory(&self.store, name)?;
        Some(m.data(&self.store))
    }
    fn global(&self, name: &str) -> Option<Value> {
        let g = self.instance?.get_global(&self.store, name)?;
        Some(from_old(&self.store, &g.get(&self.store)))
    }
    fn table(&self, name: &str) -> Option<Vec<bool>> {
        let t = self.instance?.get_table(&self.store, name)?;
        Some(table_nulls_old(&self.store, t))
    }
}

// ---------------------------------------------------------------------------------------------
// The oracle.

/// Counters of a differential run.
#[derive(Debug, Default, Clone)]
pub struct DiffStats {
    /// Cases run.
    pub cases: u64,
    /// Cases whose module `wasm-smith` could not produce (skipped).
    pub skipped: u64,
    /// Modules both engines compiled.
    pub compiled: u64,
    /// Modules both engines instantiated.
    pub instantiated: u64,
    /// Modules whose instantiation failed on both engines (start trap or segment).
    pub instantiation_failed: u64,
    /// Function calls compared.
    pub calls: u64,
    /// Calls that trapped (or failed in a host function) on both engines.
    pub calls_trapped: u64,
    /// Cases ended by call stack exhaustion on at least one side.
    pub stack_exhaustion: u64,
    /// ... of which only one side was exhausted.
    pub stack_exhaustion_one_side: u64,
    /// Cases run with lazy compilation on our side.
    pub lazy: u64,
    /// Divergences.
    pub divergences: u64,
    /// Cases where this engine and wasmi 2.0 disagreed but this engine and wasmi 0.31 agreed on
    /// everything (wasmi 2.0 outvoted: counted, not failures).
    pub wasmi_outvoted: u64,
    /// Disagreements in modules that do not canonicalise NaNs, where NaN bits (which Wasm
    /// leaves nondeterministic) can flow into integers, memory and control flow through
    /// `reinterpret`, stores and comparisons: reported, not failures.
    pub nan_suspect: u64,
    /// Panics (in either engine or the harness).
    pub panics: u64,
    /// How the calls that failed on both sides failed: (kind, count), sorted by kind.
    pub failure_kinds: std::collections::BTreeMap<String, u64>,
}

/// The verdict of one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Both engines agreed on everything compared.
    Agree,
    /// Nothing was compared (the generator gave up).
    Skipped(String),
    /// This engine and wasmi 2.0 disagreed, but wasmi 0.31 sided with this engine on the whole
    /// case: a wasmi 2.0 bug, not a failure. The text is the original disagreement.
    WasmiOutvoted(String),
    /// The engines disagreed in a module that does not canonicalise NaNs: possibly NaN bits
    /// leaking into integers (accepted), possibly a bug; reported, not a failure.
    NanSuspect(String),
    /// The engines disagreed; the text says where and how.
    Diverge(String),
}

/// The engines, configured once.
pub struct Oracle {
    eager: engine::Engine,
    lazy: engine::Engine,
    wasmi: wasmi::Engine,
    old: wasmi_old::Engine,
}

impl Default for Oracle {
    fn default() -> Self {
        Oracle::new()
    }
}

/// Our engine's configuration for differential runs.
pub fn ours_config(lazy: bool) -> engine::Config {
    let mut c = engine::Config::default();
    c.compilation_mode(if lazy { engine::CompilationMode::Lazy } else { engine::CompilationMode::Eager })
        .max_call_depth(MAX_CALL_DEPTH);
    c
}

/// wasmi's configuration: WebAssembly 2.0 (no proposals past it), eager translation.
pub fn wasmi_config() -> wasmi::Config {
    let mut c = wasmi::Config::default();
    c.compilation_mode(wasmi::CompilationMode::Eager)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false)
        .set_max_recursion_depth(MAX_CALL_DEPTH as usize);
    c
}

impl Oracle {
    /// The engines with the differential configuration.
    pub fn new() -> Oracle {
        Oracle {
            eager: engine::Engine::new(&ours_config(false)),
            lazy: engine::Engine::new(&ours_config(true)),
            wasmi: wasmi::Engine::new(&wasmi_config()),
            old: wasmi_old::Engine::new(&old_config()),
        }
    }

    /// Generates the module of `input` and runs the comparison, with our side compiling
    /// lazily if `lazy`. Panics propagate (the runner catches them).
    pub fn run(&self, input: &[u8], lazy: bool, stats: &mut DiffStats) -> Verdict {
        stats.cases += 1;
        if lazy {
            stats.lazy += 1;
        }
        let generated = match generate::generate(input) {
            Ok(g) => g,
            Err(e) => {
                stats.skipped += 1;
                return Verdict::Skipped(e);
            }
        };
        self.verdict(&generated, fnv1a(input), lazy, stats)
    }

    /// Runs an already generated module (used by regression tests and the `replay` command).
    pub fn run_module(&self, generated: &Generated, arg_seed: u64, lazy: bool, stats: &mut DiffStats) -> Verdict {
        stats.cases += 1;
        if lazy {
            stats.lazy += 1;
        }
        self.verdict(generated, arg_seed, lazy, stats)
    }

    fn verdict(&self, g: &Generated, arg_seed: u64, lazy: bool, stats: &mut DiffStats) -> Verdict {
        // A panic inside wasmi 2.0 is wasmi's problem: the tie-breaker then decides alone.
        // Any other panic propagates (the runner counts it).
        let result = match crate::panics::catch(|| self.compare(g, lazy, &mut Rng::new(arg_seed), stats)) {
            Ok(r) => r,
            Err(p) if p.contains("/wasmi-2.0.0/") => Err(format!("wasmi 2.0 panicked: {p}")),
            Err(p) => panic!("{p}"),
        };
        match result {
            Ok(()) => Verdict::Agree,
            Err(msg) => {
                // Tie-break with wasmi 0.31 on the whole case (same arguments), counting nothing.
                match self.compare_with_old(g, lazy, &mut Rng::new(arg_seed)) {
                    Ok(()) => {
                        stats.wasmi_outvoted += 1;
                        Verdict::WasmiOutvoted(msg)
                    }
                    Err(old) if !g.canonical_nans => {
                        stats.nan_suspect += 1;
                        Verdict::NanSuspect(format!("{msg}\n    against wasmi 0.31: {old}"))
                    }
                    Err(old) => {
                        stats.divergences += 1;
                        Verdict::Diverge(format!("{msg}\n    against wasmi 0.31: {old}"))
                    }
                }
            }
        }
    }

    /// Runs explicit calls on all three engines and describes each outcome side by side (for
    /// minimising a divergence by hand: `fuzz run`). State is compared only for exported
    /// globals.
    pub fn explain(&self, wasm: &[u8], lazy: bool, calls: &[(String, Vec<Value>)]) -> Vec<String> {
        let mut lines = Vec::new();
        let engine = if lazy { &self.lazy } else { &self.eager };
        let mo = match engine::Module::new(engine, wasm) {
            Ok(m) => m,
            Err(e) => return vec![format!("compile (ours): {e}")],
        };
        let mw = match wasmi::Module::new(&self.wasmi, wasm) {
            Ok(m) => m,
            Err(e) => return vec![format!("compile (wasmi): {e}")],
        };
        let mold = match wasmi_old::Module::new(&self.old, wasm) {
            Ok(m) => m,
            Err(e) => return vec![format!("compile (wasmi 0.31): {e}")],
        };
        let exports: Vec<(String, engine::ExternType)> = mo.exports().map(|(n, t)| (n.to_string(), t)).collect();
        let funcs: Vec<String> =
            exports.iter().filter(|(_, t)| matches!(t, engine::ExternType::Func(_))).map(|(n, _)| n.clone()).collect();
        let mut sides: Vec<(&str, Box<dyn Side>)> = vec![
            ("ours", Box::new(Ours::new(engine, mo))),
            ("wasmi", Box::new(Wasmi::new(&self.wasmi, mw))),
            ("wasmi 0.31", Box::new(Old::new(&self.old, mold))),
        ];
        let mut parts = Vec::new();
        for (n, s) in sides.iter_mut() {
            parts.push(format!("{n} {:?}", s.instantiate().err()));
        }
        lines.push(format!("instantiate: {}", parts.join(", ")));
        for (name, args) in calls {
            let Some((_, engine::ExternType::Func(ft))) = exports.iter().find(|(n, _)| n == name) else {
                lines.push(format!("{name}: no such function export"));
                continue;
            };
            let results: Vec<Ty> = ft.results().iter().map(|t| ty_from_ours(*t)).collect();
            let mut parts = Vec::new();
            for (n, s) in sides.iter_mut() {
                parts.push(match s.call(name, args, &funcs, &results) {
                    Ok(v) => format!("{n} {v:?}"),
                    Err((f, e)) => format!("{n} error {f:?} ({e})"),
                });
            }
            lines.push(format!("{name}{args:?}: {}", parts.join(", ")));
            for (gname, t) in &exports {
                if matches!(t, engine::ExternType::Global(_)) {
                    let vals: Vec<Option<Value>> = sides.iter().map(|(_, s)| s.global(gname)).collect();
                    if vals.iter().any(|v| v != &vals[0]) {
                        lines.push(format!(
                            "    global {gname:?}: ours {:?}, wasmi {:?}, wasmi 0.31 {:?}",
                            vals[0], vals[1], vals[2]
                        ));
                    }
                }
            }
        }
        lines
    }

    fn compare(&self, g: &Generated, lazy: bool, rng: &mut Rng, stats: &mut DiffStats) -> Result<(), String> {
        let engine = if lazy { &self.lazy } else { &self.eager };
        let mode = if lazy { "lazy" } else { "eager" };
        let m_ours = engine::Module::new(engine, &g.wasm);
        let m_wasmi = wasmi::Module::new(&self.wasmi, &g.wasm[..]);
        let (m_ours, m_wasmi) = match (m_ours, m_wasmi) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(a), Err(_)) => return Err(format!("compile: both engines reject a generated module: {a}")),
            (Err(a), Ok(_)) => return Err(format!("compile ({mode}): ours rejects, wasmi accepts: {a}")),
            (Ok(_), Err(b)) => return Err(format!("compile ({mode}): ours accepts, wasmi rejects: {b}")),
        };
        stats.compiled += 1;
        // Exports must agree (wasmi lists them sorted by name; ours in module order).
        let exports: Vec<(String, engine::ExternType)> = m_ours.exports().map(|(n, t)| (n.to_string(), t)).collect();
        let mut wasmi_names: Vec<String> = m_wasmi.exports().map(|e| e.name().to_string()).collect();
        let mut our_names: Vec<String> = exports.iter().map(|(n, _)| n.clone()).collect();
        wasmi_names.sort();
        our_names.sort();
        if our_names != wasmi_names {
            return Err(format!("exports differ: ours {our_names:?}, wasmi {wasmi_names:?}"));
        }
        let mut a = Ours::new(engine, m_ours);
        let mut b = Wasmi::new(&self.wasmi, m_wasmi);
        compare_sides(&mut a, &mut b, "wasmi", &exports, g.canonical_nans, mode, rng, stats)
    }

    fn compare_with_old(&self, g: &Generated, lazy: bool, rng: &mut Rng) -> Result<(), String> {
        let engine = if lazy { &self.lazy } else { &self.eager };
        let mode = if lazy { "lazy" } else { "eager" };
        let m_ours = engine::Module::new(engine, &g.wasm).map_err(|e| format!("compile (ours): {e}"))?;
        let m_old = wasmi_old::Module::new(&self.old, &g.wasm[..]).map_err(|e| format!("compile (wasmi 0.31): {e}"))?;
        let exports: Vec<(String, engine::ExternType)> = m_ours.exports().map(|(n, t)| (n.to_string(), t)).collect();
        let mut a = Ours::new(engine, m_ours);
        let mut b = Old::new(&self.old, m_old);
        compare_sides(&mut a, &mut b, "wasmi 0.31", &exports, g.canonical_nans, mode, rng, &mut DiffStats::default())
    }
}

/// The comparison proper, after both modules compiled: instantiation, then every exported
/// function called `ROUNDS` times in export order, state compared after each step.
#[allow(clippy::too_many_arguments)]
fn compare_sides(
    a: &mut dyn Side,
    b: &mut dyn Side,
    bname: &str,
    exports: &[(String, engine::ExternType)],
    exact: bool,
    mode: &str,
    rng: &mut Rng,
    stats: &mut DiffStats,
) -> Result<(), String> {
    match (a.instantiate(), b.instantiate()) {
        (Ok(()), Ok(())) => stats.instantiated += 1,
        (Err((fa, ea)), Err((fb, eb))) => {
            stats.instantiation_failed += 1;
            if fa.is_stack_overflow() || fb.is_stack_overflow() {
                stats.stack_exhaustion += 1;
                return Ok(());
            }
            if let (Failure::Trap(ta), Failure::Trap(tb)) = (&fa, &fb) {
                if ta != tb {
                    return Err(format!("instantiate ({mode}): ours traps {ta:?} ({ea}), {bname} traps {tb:?} ({eb})"));
                }
            }
            return compare_state(a, b, bname, &[], exact)
                .map_err(|e| format!("after failed instantiation ({mode}): {e}"));
        }
        (Err((fa, ea)), Ok(())) => {
            if fa.is_stack_overflow() {
                stats.stack_exhaustion += 1;
                stats.stack_exhaustion_one_side += 1;
                return Ok(());
            }
            return Err(format!("instantiate ({mode}): ours fails ({ea}), {bname} succeeds"));
        }
        (Ok(()), Err((fb, eb))) => {
            if fb.is_stack_overflow() {
                stats.stack_exhaustion += 1;
                stats.stack_exhaustion_one_side += 1;
                return Ok(());
            }
            return Err(format!("instantiate ({mode}): ours succeeds, {bname} fails ({eb})"));
        }
    }
    compare_state(a, b, bname, exports, exact).map_err(|e| format!("after instantiation ({mode}): {e}"))?;
    let funcs: Vec<String> =
        exports.iter().filter(|(_, t)| matches!(t, engine::ExternType::Func(_))).map(|(n, _)| n.clone()).collect();
    let has_fuel = exports.iter().any(|(n, _)| n == generate::FUEL_EXPORT);
    for round in 0..ROUNDS {
        for name in &funcs {
            let Some((_, engine::ExternType::Func(ty))) = exports.iter().find(|(n, _)| n == name) else { continue };
            let params: Vec<Ty> = ty.params().iter().map(|t| ty_from_ours(*t)).collect();
            let results: Vec<Ty> = ty.results().iter().map(|t| ty_from_ours(*t)).collect();
            let args = gen_args(rng, &params, funcs.len());
            let call = format!("round {round}, call {name:?}{args:?} ({mode})");
            if has_fuel {
                let fuel = Value::I32(generate::FUEL as i32);
                a.set_global(generate::FUEL_EXPORT, fuel.clone()).map_err(|e| format!("refuel (ours): {e}"))?;
                b.set_global(generate::FUEL_EXPORT, fuel).map_err(|e| format!("refuel ({bname}): {e}"))?;
            }
            let out_a = a.call(name, &args, &funcs, &results);
            let out_b = b.call(name, &args, &funcs, &results);
            stats.calls += 1;
            match (&out_a, &out_b) {
                (Ok(x), Ok(y)) => {
                    if x.len() != y.len() || x.iter().zip(y).any(|(p, q)| !values_match(p, q, exact)) {
                        return Err(format!("{call}: results differ: ours {x:?}, {bname} {y:?}"));
                    }
                }
                (Err((fa, ea)), Err((fb, eb))) => {
                    if fa.is_stack_overflow() || fb.is_stack_overflow() {
                        stats.stack_exhaustion += 1;
                        if fa != fb {
                            stats.stack_exhaustion_one_side += 1;
                        }
                        return Ok(());
                    }
                    if fa != fb {
                        return Err(format!("{call}: ours fails with {fa:?} ({ea}), {bname} with {fb:?} ({eb})"));
                    }
                    stats.calls_trapped += 1;
                    *stats.failure_kinds.entry(format!("{fa:?}")).or_default() += 1;
                }
                (Err((fa, ea)), Ok(y)) => {
                    if fa.is_stack_overflow() {
                        stats.stack_exhaustion += 1;
                        stats.stack_exhaustion_one_side += 1;
                        return Ok(());
                    }
                    return Err(format!("{call}: ours fails with {fa:?} ({ea}), {bname} returns {y:?}"));
                }
                (Ok(x), Err((fb, eb))) => {
                    if fb.is_stack_overflow() {
                        stats.stack_exhaustion += 1;
                        stats.stack_exhaustion_one_side += 1;
                        return Ok(());
                    }
                    return Err(format!("{call}: ours returns {x:?}, {bname} fails with {fb:?} ({eb})"));
                }
            }
            compare_state(a, b, bname, exports, exact).map_err(|e| format!("after {call}: {e}"))?;
        }
    }
    Ok(())
}

fn compare_memory(what: &str, bname: &str, a: &[u8], b: &[u8], exact: bool) -> Result<(), String> {
    if a.len() != b.len() {
        return Err(format!("{what}: size differs: ours {} bytes, {bname} {} bytes", a.len(), b.len()));
    }
    if a != b && (exact || !memory_diff_explained_by_nans(a, b)) {
        let first = a.iter().zip(b).position(|(x, y)| x != y).unwrap();
        let lo = first & !7;
        let hi = (lo + 16).min(a.len());
        return Err(format!(
            "{what}: bytes differ from offset {first}: ours {:02x?}, {bname} {:02x?} (at {lo})",
            &a[lo..hi],
            &b[lo..hi]
        ));
    }
    Ok(())
}

/// Compares everything observable from the host.
fn compare_state(
    a: &dyn Side,
    b: &dyn Side,
    bname: &str,
    exports: &[(String, engine::ExternType)],
    exact: bool,
) -> Result<(), String> {
    if a.log() != b.log() {
        return Err(format!("host call logs differ: ours {:?}, {bname} {:?}", a.log(), b.log()));
    }
    compare_memory("imported memory", bname, a.imported_memory(), b.imported_memory(), exact)?;
    let (ta, tb) = (a.imported_table(), b.imported_table());
    if ta != tb {
        return Err(format!("imported table (true = null): ours {ta:?}, {bname} {tb:?}"));
    }
    for ((x, y), (name, ..)) in a.imported_globals().iter().zip(b.imported_globals()).zip(host_globals()) {
        if !values_match(x, &y, exact) {
            return Err(format!("imported global {name}: ours {x:?}, {bname} {y:?}"));
        }
    }
    for (name, ty) in exports {
        match ty {
            engine::ExternType::Memory(_) => {
                let (Some(x), Some(y)) = (a.memory(name), b.memory(name)) else {
                    return Err(format!("memory export {name:?} missing"));
                };
                compare_memory(&format!("memory {name:?}"), bname, x, y, exact)?;
            }
            engine::ExternType::Global(_) => {
                let (Some(x), Some(y)) = (a.global(name), b.global(name)) else {
                    return Err(format!("global export {name:?} missing"));
                };
                if !values_match(&x, &y, exact) {
                    return Err(format!("global {name:?}: ours {x:?}, {bname} {y:?}"));
                }
            }
            engine::ExternType::Table(_) => {
                let (Some(x), Some(y)) = (a.table(name), b.table(name)) else {
                    return Err(format!("table export {name:?} missing"));
                };
                if x != y {
                    return Err(format!("table {name:?} (true = null): ours {x:?}, {bname} {y:?}"));
                }
            }
            engine::ExternType::Func(_) => {}
        }
    }
    Ok(())
}

/// Parses a value written as `i32:5`, `i64:-1`, `f32:1.5`, `f32:0x7fc00000` (bits), `f64:...`,
/// `funcref:null`, `externref:null`.
pub fn parse_value(s: &str) -> Result<Value, String> {
    let (t, v) = s.split_once(':').ok_or_else(|| format!("{s}: expected TYPE:VALUE"))?;
    let int = |v: &str| -> Result<i128, String> {
        if let Some(h) = v.strip_prefix("0x") {
            i128::from_str_radix(h, 16).map_err(|e| e.to_string())
        } else {
            v.parse::<i128>().map_err(|e| e.to_string())
        }
    };
    Ok(match t {
        "i32" => Value::I32(int(v)? as i32),
        "i64" => Value::I64(int(v)? as i64),
        "f32" if v.starts_with("0x") => Value::F32(int(v)? as u32),
        "f64" if v.starts_with("0x") => Value::F64(int(v)? as u64),
        "f32" => Value::F32(v.parse::<f32>().map_err(|e| e.to_string())?.to_bits()),
        "f64" => Value::F64(v.parse::<f64>().map_err(|e| e.to_string())?.to_bits()),
        "funcref" => Value::FuncRef(None),
        "externref" => Value::ExternRef(None),
        _ => return Err(format!("{s}: unknown type")),
    })
}

/// A one-line description of a case for failure reports.
pub fn describe(input: &[u8]) -> String {
    let mut s = String::new();
    match generate::generate(input) {
        Ok(g) => {
            let _ = write!(
                s,
                "{} input bytes -> {} byte module (canonical NaNs: {}, imports: {})",
                input.len(),
                g.wasm.len(),
                g.canonical_nans,
                g.imports
            );
        }
        Err(e) => {
            let _ = write!(s, "{} input bytes, no module: {e}", input.len());
        }
    }
    s
}
