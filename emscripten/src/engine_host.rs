//! The [`HostContext`] adapter for this crate's engine: `engine::Caller<'_, HostState>`.
//!
//! - exports are cached after instantiation in [`EngineExports`] (the `X` of
//!   [`HostState`]), as typed handles;
//! - faults become `Error::host(Exit | Abort | HostTrap)` or the engine's own trap codes, which
//!   [`RunError::from`](crate::RunError) classifies;
//! - the longjmp signal is the engine's unwind signal, `Error::unwind(LONGJMP_PAYLOAD)`, which
//!   passes through any number of Wasm frames to the nearest host frame;
//! - table calls with all-i32 types use typed calls (no `Val` boxing, no allocation).

use crate::error::{Abort, Exit, HostTrap, LONGJMP_PAYLOAD};
use crate::host::{CallError, Fault, HostContext};
use crate::state::HostState;
use engine::{Caller, Error, ErrorKind, Func, Memory, Table, TrapCode, TypedFunc, Val, WasmTyList};

/// The exports `invoke_*` needs, cached after instantiation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InvokeExports {
    pub stack_save: TypedFunc<(), i32>,
    pub stack_restore: TypedFunc<i32, ()>,
    pub set_threw: TypedFunc<(i32, i32), ()>,
    pub table: Table,
}

/// The engine adapter's part of the [`HostState`]: the exports the imports need, cached after
/// instantiation.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineExports {
    pub(crate) memory: Option<Memory>,
    pub(crate) invoke: Option<InvokeExports>,
    pub(crate) errno_location: Option<TypedFunc<(), i32>>,
}

impl From<Fault> for Error {
    fn from(f: Fault) -> Error {
        match f {
            Fault::Exit(s) => Error::host(Exit(s)),
            Fault::Abort(m) => Error::host(Abort(m)),
            Fault::Trap(m) => Error::host(HostTrap(m)),
            Fault::MemoryOutOfBounds => TrapCode::MemoryOutOfBounds.into(),
            Fault::TableOutOfBounds => TrapCode::TableOutOfBounds.into(),
        }
    }
}

#[cold]
fn no_memory() -> Error {
    Fault::Trap("the module has no exported or imported memory".into()).into()
}

#[cold]
fn missing_invoke_exports() -> Error {
    Fault::Trap("the module does not export stackSave, stackRestore, setThrew and __indirect_function_table".into())
        .into()
}

type Cx<'a> = Caller<'a, HostState>;

#[inline(always)]
fn invoke_exports(cx: &Cx<'_>) -> Result<InvokeExports, Error> {
    cx.data().exports.invoke.ok_or_else(missing_invoke_exports)
}

/// The function at `index` of `__indirect_function_table`.
#[inline(always)]
fn table_func(cx: &Cx<'_>, index: u32) -> Result<Func, CallError<Error>> {
    let ex = invoke_exports(cx)?;
    match ex.table.get(cx, index) {
        Some(Val::FuncRef(Some(f))) => Ok(f),
        Some(Val::FuncRef(None)) => Err(CallError::Null),
        Some(_) => Err(CallError::NotFuncref),
        None => Err(CallError::OutOfBounds),
    }
}

/// A typed call of `func`, or [`CallError::WrongType`].
#[inline(always)]
fn call_typed<P: WasmTyList, R: WasmTyList>(cx: &mut Cx<'_>, func: Func, args: P) -> Result<R, CallError<Error>> {
    let typed = func.typed::<P, R>(&*cx).map_err(|_| CallError::WrongType(func.ty(&*cx).to_string()))?;
    Ok(typed.call(&mut *cx, args)?)
}

impl HostContext for Caller<'_, HostState> {
    type Error = Error;
    type Exports = crate::engine_host::EngineExports;

    #[inline(always)]
    fn state(&self) -> &HostState {
        self.data()
    }

    #[inline(always)]
    fn state_mut(&mut self) -> &mut HostState {
        self.data_mut()
    }

    #[inline]
    fn memory(&mut self) -> Result<&mut [u8], Error> {
        let mem = self.data().exports.memory.ok_or_else(no_memory)?;
        Ok(mem.data_mut(self))
    }

    fn memory_grow(&mut self, delta: u32) -> bool {
        match self.data().exports.memory {
            Some(mem) => mem.grow(self, delta).is_ok(),
            None => false,
        }
    }

    #[inline(always)]
    fn has_invoke_exports(&self) -> bool {
        self.data().exports.invoke.is_some()
    }

    #[inline(always)]
    fn stack_save(&mut self) -> Result<i32, Error> {
        invoke_exports(self)?.stack_save.call(self, ())
    }

    #[inline(always)]
    fn stack_restore(&mut self, sp: i32) -> Result<(), Error> {
        invoke_exports(self)?.stack_restore.call(self, sp)
    }

    #[inline(always)]
    fn set_threw(&mut self, threw: i32, value: i32) -> Result<(), Error> {
        invoke_exports(self)?.set_threw.call(self, (threw, value))
    }

    fn errno_location(&mut self) -> Result<Option<u32>, Error> {
        match self.data().exports.errno_location {
            Some(f) => Ok(Some(f.call(self, ())? as u32)),
            None => Ok(None),
        }
    }

    fn call_table(&mut self, index: u32, args: &[Val], results: &mut [Val]) -> Result<(), CallError<Error>> {
        let func = table_func(self, index)?;
        match func.call(&mut *self, args, results) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::Usage => Err(CallError::WrongType(func.ty(&*self).to_string())),
            Err(e) => Err(CallError::Failed(e)),
        }
    }

    #[inline(always)]
    fn call_table_i32(&mut self, index: u32, a: &[i32], has_result: bool) -> Result<i32, CallError<Error>> {
        let f = table_func(self, index)?;
        macro_rules! call {
            ($($i:literal),*) => {
                if has_result {
                    call_typed::<($(call!(@t $i),)*), i32>(self, f, ($(a[$i],)*))
                } else {
                    call_typed::<($(call!(@t $i),)*), ()>(self, f, ($(a[$i],)*)).map(|()| 0)
                }
            };
            (@t $i:literal) => { i32 };
        }
        match a.len() {
            0 => call!(),
            1 => call!(0),
            2 => call!(0, 1),
            3 => call!(0, 1, 2),
            4 => call!(0, 1, 2, 3),
            5 => call!(0, 1, 2, 3, 4),
            6 => call!(0, 1, 2, 3, 4, 5),
            7 => call!(0, 1, 2, 3, 4, 5, 6),
            8 => call!(0, 1, 2, 3, 4, 5, 6, 7),
            _ => {
                let vals: smallvec::SmallVec<[Val; 8]> = a.iter().map(|&v| Val::I32(v)).collect();
                let mut out = [Val::I32(0)];
                let n = usize::from(has_result);
                self.call_table(index, &vals, &mut out[..n])?;
                Ok(out[0].i32().unwrap_or(0))
            }
        }
    }

    #[inline]
    fn longjmp() -> Error {
        Error::unwind(LONGJMP_PAYLOAD)
    }

    #[inline(always)]
    fn is_longjmp(error: &Error) -> bool {
        error.unwind_payload() == Some(LONGJMP_PAYLOAD)
    }
}
