//! Runtime values exchanged with the host: [`Val`], and the slot encoding used inside the engine.

use crate::func::Func;
use crate::types::ValType;

/// An opaque host reference stored in the store (`externref`). Compared by identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef(pub(crate) u32);

impl ExternRef {
    /// Stores `data` in the store and returns a reference to it.
    pub fn new<T: std::any::Any + Send + Sync>(mut store: impl crate::AsContextMut, data: T) -> ExternRef {
        let cx = store.as_context_mut();
        cx.ctx.externs.push(Box::new(data));
        ExternRef(cx.ctx.externs.len() as u32 - 1)
    }

    /// The data this reference points to.
    pub fn data<'a, T: 'a>(
        &self,
        store: impl Into<crate::StoreContext<'a, T>>,
    ) -> &'a (dyn std::any::Any + Send + Sync) {
        let cx = store.into();
        &*cx.ctx.externs[self.0 as usize]
    }
}

/// A Wasm value. Floats are carried as their bit patterns so NaN payloads survive exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as bits.
    F32(u32),
    /// An `f64`, as bits.
    F64(u64),
    /// A `funcref` (`None` is null).
    FuncRef(Option<Func>),
    /// An `externref` (`None` is null).
    ExternRef(Option<ExternRef>),
}

impl Val {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The zero (or null) value of a type.
    pub fn default_for(ty: ValType) -> Val {
        Val::from_bits(ty, 0)
    }

    /// The `i32` inside, if that is the type.
    pub fn i32(&self) -> Option<i32> {
        if let Val::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    /// The `i64` inside, if that is the type.
    pub fn i64(&self) -> Option<i64> {
        if let Val::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    /// The `f32` inside, if that is the type.
    pub fn f32(&self) -> Option<f32> {
        if let Val::F32(v) = self {
            Some(f32::from_bits(*v))
        } else {
            None
        }
    }
    /// The `f64` inside, if that is the type.
    pub fn f64(&self) -> Option<f64> {
        if let Val::F64(v) = self {
            Some(f64::from_bits(*v))
        } else {
            None
        }
    }

    /// Slot encoding: i32/f32 zero-extended bits, refs as index + 1 (0 is null).
    pub(crate) fn to_bits(self) -> u64 {
        match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(f) => f.map_or(0, |f| f.0 as u64 + 1),
            Val::ExternRef(e) => e.map_or(0, |e| e.0 as u64 + 1),
        }
    }

    /// Decodes a slot of the given type.
    pub(crate) fn from_bits(ty: ValType, bits: u64) -> Val {
        match ty {
            ValType::I32 => Val::I32(bits as u32 as i32),
            ValType::I64 => Val::I64(bits as i64),
            ValType::F32 => Val::F32(bits as u32),
            ValType::F64 => Val::F64(bits),
            ValType::FuncRef => Val::FuncRef(if bits == 0 { None } else { Some(Func((bits - 1) as u32)) }),
            ValType::ExternRef => Val::ExternRef(if bits == 0 { None } else { Some(ExternRef((bits - 1) as u32)) }),
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}
