//! Functions: [`Func`] handles, host functions ([`Func::wrap`], [`Func::new`]), [`Caller`],
//! and typed calls ([`TypedFunc`]).

use crate::error::{Error, ErrorKind};
use crate::exec::Ctx;
use crate::instance::Extern;
use crate::store::{AsContext, AsContextMut, FuncEntity, HostFn, StoreContext, StoreContextMut};
use crate::types::{FuncType, ValType};
use crate::value::{ExternRef, Val};
use smallvec::SmallVec;
use std::marker::PhantomData;
use std::sync::Arc;

/// A function in a store (Wasm or host). A plain index: `Copy` and cheap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);

/// The context a host function runs in: the store, the host data, and the calling instance.
pub struct Caller<'a, T> {
    pub(crate) ctx: &'a mut Ctx,
    pub(crate) data: &'a mut T,
}

impl<T> Caller<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        self.data
    }
    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.data
    }
    /// An export of the instance whose Wasm code called this host function.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        if self.ctx.instance == u32::MAX {
            return None;
        }
        crate::instance::Instance(self.ctx.instance).export_in(self.ctx, name)
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext { ctx: self.ctx, data: self.data }
    }
}
impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut { ctx: self.ctx, data: self.data }
    }
}

/// Builds the type-erased host function: recovers `&mut T` from the context.
pub(crate) fn erase_host<T: 'static>(
    f: impl Fn(Caller<'_, T>, &mut [u64]) -> Result<(), Error> + Send + Sync + 'static,
) -> Arc<HostFn> {
    Arc::new(move |ctx: &mut Ctx, slots: &mut [u64]| {
        // SAFETY: `host_data` is set to the store's `&mut T` by every entry into the store
        // (`Func::call` through `AsContextMut`), and the store is borrowed for the whole call.
        let data = unsafe { &mut *(ctx.host_data as *mut T) };
        f(Caller { ctx, data }, slots)
    })
}

impl Func {
    /// Creates a host function with a dynamic signature.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Func {
        let host = dynamic_host(ty.clone(), f);
        let cx = store.as_context_mut();
        Func::from_host(cx.ctx, ty, host)
    }

    /// Creates a host function from a Rust closure with typed parameters and results, e.g.
    /// `|a: i32, b: i32| a + b` or `|caller: Caller<'_, T>, x: i64| -> Result<i64, Error>`.
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, host) = f.into_host();
        let cx = store.as_context_mut();
        Func::from_host(cx.ctx, ty, host.0)
    }

    pub(crate) fn from_host(ctx: &mut Ctx, ty: FuncType, host: Arc<HostFn>) -> Func {
        let sig = ctx.engine.intern(&ty);
        ctx.funcs.push(FuncEntity::Host { host, sig, ty });
        Func(ctx.funcs.len() as u32 - 1)
    }

    /// The function's signature.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        store.as_context().ctx.funcs[self.0 as usize].ty().clone()
    }

    /// Calls the function with dynamically typed values.
    ///
    /// # Errors
    /// A trap, a host error, an uncaught unwind signal, or a [`ErrorKind::Usage`] error if the
    /// arguments or result buffer do not match the signature.
    pub fn call(&self, mut store: impl AsContextMut, params: &[Val], results: &mut [Val]) -> Result<(), Error> {
        let cx = store.as_context_mut();
        let ty = cx.ctx.funcs.get(self.0 as usize).ok_or_else(foreign)?.ty().clone();
        if params.len() != ty.params().len() || params.iter().zip(ty.params()).any(|(v, t)| v.ty() != *t) {
            return Err(Error::new(ErrorKind::Usage, format!("arguments do not match the signature {ty}")));
        }
        if results.len() != ty.results().len() {
            return Err(Error::new(ErrorKind::Usage, format!("result buffer does not match the signature {ty}")));
        }
        let args: SmallVec<[u64; 8]> = params.iter().map(|v| v.to_bits()).collect();
        let mut out: SmallVec<[u64; 8]> = SmallVec::from_elem(0, results.len());
        cx.ctx.host_data = cx.data as *mut _ as *mut ();
        cx.ctx.call_from_host(self.0, &args, &mut out)?;
        for ((r, bits), t) in results.iter_mut().zip(out).zip(ty.results()) {
            *r = Val::from_bits(*t, bits);
        }
        Ok(())
    }

    /// A typed view of this function, checked against its signature.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`] if `Params`/`Results` do not match.
    pub fn typed<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        let ty = self.ty(store);
        if ty.params() != Params::types().as_slice() || ty.results() != Results::types().as_slice() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("function type {ty} does not match the requested typed signature"),
            ));
        }
        Ok(TypedFunc { func: *self, _marker: PhantomData })
    }
}

fn foreign() -> Error {
    Error::new(ErrorKind::Usage, "handle does not belong to this store")
}

fn dynamic_host<T: 'static>(
    ty: FuncType,
    f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
) -> Arc<HostFn> {
    erase_host(move |caller: Caller<'_, T>, slots: &mut [u64]| {
        let params: SmallVec<[Val; 8]> =
            ty.params().iter().zip(slots.iter()).map(|(t, b)| Val::from_bits(*t, *b)).collect();
        let mut results: SmallVec<[Val; 8]> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        f(caller, &params, &mut results)?;
        for ((slot, v), t) in slots.iter_mut().zip(&results).zip(ty.results()) {
            if v.ty() != *t {
                return Err(Error::msg(format!("host function returned {:?}, expected {t}", v.ty())));
            }
            *slot = v.to_bits();
        }
        Ok(())
    })
}

pub(crate) fn dynamic_host_pub<T: 'static>(
    ty: FuncType,
    f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
) -> Arc<HostFn> {
    dynamic_host(ty, f)
}

/// A Rust type that maps to one Wasm value type.
pub trait WasmTy: Copy + Send + Sync + 'static {
    /// Its Wasm type.
    fn ty() -> ValType;
    /// Encodes to slot bits.
    fn to_bits(self) -> u64;
    /// Decodes from slot bits.
    fn from_bits(bits: u64) -> Self;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:expr, |$s:ident| $to:expr, |$b:ident| $from:expr) => {
        impl WasmTy for $t {
            fn ty() -> ValType {
                $vt
            }
            #[inline]
            fn to_bits(self) -> u64 {
                let $s = self;
                $to
            }
            #[inline]
            fn from_bits($b: u64) -> Self {
                $from
            }
        }
    };
}
wasm_ty!(i32, ValType::I32, |v| v as u32 as u64, |b| b as u32 as i32);
wasm_ty!(u32, ValType::I32, |v| v as u64, |b| b as u32);
wasm_ty!(i64, ValType::I64, |v| v as u64, |b| b as i64);
wasm_ty!(u64, ValType::I64, |v| v, |b| b);
wasm_ty!(f32, ValType::F32, |v| v.to_bits() as u64, |b| f32::from_bits(b as u32));
wasm_ty!(f64, ValType::F64, |v| v.to_bits(), |b| f64::from_bits(b));
wasm_ty!(
    Option<Func>,
    ValType::FuncRef,
    |v| Val::FuncRef(v).to_bits(),
    |b| match Val::from_bits(ValType::FuncRef, b) {
        Val::FuncRef(f) => f,
        _ => None,
    }
);
wasm_ty!(Option<ExternRef>, ValType::ExternRef, |v| Val::ExternRef(v).to_bits(), |b| match Val::from_bits(
    ValType::ExternRef,
    b
) {
    Val::ExternRef(e) => e,
    _ => None,
});

/// A list of Wasm values as a Rust type: `()`, a single [`WasmTy`], or a tuple of them.
pub trait WasmTyList: Sized + Send + 'static {
    /// The Wasm types, in order.
    fn types() -> SmallVec<[ValType; 8]>;
    /// Writes the values to slots.
    fn store(self, slots: &mut [u64]);
    /// Reads the values from slots.
    fn load(slots: &[u64]) -> Self;
}

impl<A: WasmTy> WasmTyList for A {
    fn types() -> SmallVec<[ValType; 8]> {
        smallvec::smallvec![A::ty()]
    }
    #[inline]
    fn store(self, slots: &mut [u64]) {
        slots[0] = self.to_bits();
    }
    #[inline]
    fn load(slots: &[u64]) -> Self {
        A::from_bits(slots[0])
    }
}

macro_rules! tuple_list {
    ($($n:ident $i:tt),*) => {
        impl<$($n: WasmTy),*> WasmTyList for ($($n,)*) {
            fn types() -> SmallVec<[ValType; 8]> {
                smallvec::smallvec![$($n::ty()),*]
            }
            #[inline]
            #[allow(unused_variables)]
            fn store(self, slots: &mut [u64]) {
                $(slots[$i] = self.$i.to_bits();)*
            }
            #[inline]
            #[allow(unused_variables, clippy::unused_unit)]
            fn load(slots: &[u64]) -> Self {
                ($($n::from_bits(slots[$i]),)*)
            }
        }
    };
}
tuple_list!();
tuple_list!(A 0);
tuple_list!(A 0, B 1);
tuple_list!(A 0, B 1, C 2);
tuple_list!(A 0, B 1, C 2, D 3);
tuple_list!(A 0, B 1, C 2, D 3, E 4);
tuple_list!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_list!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_list!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_list!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_list!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);

/// What a typed host closure may return: values, or `Result` of values.
pub trait HostReturn: Send + 'static {
    /// The values returned on success.
    type Values: WasmTyList;
    /// Converts to a result.
    fn into_result(self) -> Result<Self::Values, Error>;
}

impl<R: WasmTyList> HostReturn for R {
    type Values = R;
    #[inline]
    fn into_result(self) -> Result<R, Error> {
        Ok(self)
    }
}

impl<R: WasmTyList> HostReturn for Result<R, Error> {
    type Values = R;
    #[inline]
    fn into_result(self) -> Result<R, Error> {
        self
    }
}

/// A host function with its Rust types erased (produced by [`IntoFunc`]).
#[doc(hidden)]
pub struct ErasedHost(pub(crate) Arc<HostFn>);

/// Closures usable as host functions by [`Func::wrap`] and `Linker::func_wrap`.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host(self) -> (FuncType, ErasedHost);
}

macro_rules! into_func {
    ($($a:ident $i:tt),*) => {
        impl<T: 'static, F, R, $($a: WasmTy),*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            #[allow(non_snake_case, unused_variables)]
            fn into_host(self) -> (FuncType, ErasedHost) {
                let ty = FuncType::new(<($($a,)*) as WasmTyList>::types(), R::Values::types());
                let host = erase_host(move |_caller: Caller<'_, T>, slots: &mut [u64]| {
                    let r = (self)($($a::from_bits(slots[$i])),*).into_result()?;
                    r.store(slots);
                    Ok(())
                });
                (ty, ErasedHost(host))
            }
        }

        impl<T: 'static, F, R, $($a: WasmTy),*> IntoFunc<T, (Caller<'static, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            #[allow(non_snake_case, unused_variables)]
            fn into_host(self) -> (FuncType, ErasedHost) {
                let ty = FuncType::new(<($($a,)*) as WasmTyList>::types(), R::Values::types());
                let host = erase_host(move |caller: Caller<'_, T>, slots: &mut [u64]| {
                    let r = (self)(caller, $($a::from_bits(slots[$i])),*).into_result()?;
                    r.store(slots);
                    Ok(())
                });
                (ty, ErasedHost(host))
            }
        }
    };
}
into_func!();
into_func!(A 0);
into_func!(A 0, B 1);
into_func!(A 0, B 1, C 2);
into_func!(A 0, B 1, C 2, D 3);
into_func!(A 0, B 1, C 2, D 3, E 4);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8);

/// A function with a statically checked signature: calls skip dynamic type checks.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}
impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TypedFunc({:?})", self.func)
    }
}

impl<Params: WasmTyList, Results: WasmTyList> TypedFunc<Params, Results> {
    /// Calls the function.
    ///
    /// # Errors
    /// A trap, a host error, or an uncaught unwind signal.
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results, Error> {
        let cx = store.as_context_mut();
        let mut args = [0u64; 16];
        let np = Params::types().len();
        let nr = Results::types().len();
        params.store(&mut args[..np]);
        let mut out = [0u64; 16];
        cx.ctx.host_data = cx.data as *mut _ as *mut ();
        cx.ctx.call_from_host(self.func.0, &args[..np], &mut out[..nr])?;
        Ok(Results::load(&out[..nr]))
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }
}
