//! [`Linker`]: names host functions and external values, then resolves a module's imports.

use crate::error::{Error, ErrorKind};
use crate::func::{Func, IntoFunc};
use crate::instance::{import_matches, instantiate, Extern, Instance};
use crate::module::Module;
use crate::store::{AsContextMut, HostFn};
use crate::types::{ExternType, FuncType};
use crate::{Caller, Engine, Val};
use std::collections::HashMap;
use std::sync::Arc;

enum Definition {
    /// A value that already lives in a particular store.
    Extern(Extern),
    /// A host function, created in the store on instantiation.
    Host(FuncType, Arc<HostFn>),
}

/// Resolves imports by `(module, name)`. Host functions defined here can be used with any
/// store of the same data type `T`.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition>,
    shadowing: bool,
    _marker: std::marker::PhantomData<fn(T)>,
}

impl<T> std::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linker").field("definitions", &self.defs.len()).finish()
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker { engine: engine.clone(), defs: HashMap::new(), shadowing: false, _marker: Default::default() }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same name (default no).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition) -> Result<&mut Self, Error> {
        let key = (module.to_string(), name.to_string());
        if !self.shadowing && self.defs.contains_key(&key) {
            return Err(Error::new(ErrorKind::Link, format!("`{module}`.`{name}` is already defined")));
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines a host function from a typed Rust closure.
    ///
    /// # Errors
    /// If the name is taken and shadowing is off.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self, Error> {
        let (ty, host) = f.into_host();
        self.insert(module, name, Definition::Host(ty, host.0))
    }

    /// Defines a host function with a dynamic signature.
    ///
    /// # Errors
    /// If the name is taken and shadowing is off.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Result<&mut Self, Error> {
        let host = crate::func::dynamic_host_pub(ty.clone(), f);
        self.insert(module, name, Definition::Host(ty, host))
    }

    /// Defines a store value (function, memory, table, global) under a name.
    ///
    /// # Errors
    /// If the name is taken and shadowing is off.
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> Result<&mut Self, Error> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines every export of `instance` under the module name `module`.
    ///
    /// # Errors
    /// If a name is taken and shadowing is off.
    pub fn instance(
        &mut self,
        store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self, Error> {
        for (name, ext) in instance.exports(&store) {
            self.define(module, &name, ext)?;
        }
        Ok(self)
    }

    /// Looks up a definition, creating host functions in `store` as needed.
    pub fn get(&self, mut store: impl AsContextMut<Data = T>, module: &str, name: &str) -> Option<Extern> {
        let def = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(match def {
            Definition::Extern(e) => *e,
            Definition::Host(ty, host) => {
                let cx = store.as_context_mut();
                Extern::Func(Func::from_host(cx.ctx, ty.clone(), host.clone()))
            }
        })
    }

    /// Resolves `module`'s imports and instantiates it. Every missing import is reported at
    /// once, by name and type.
    ///
    /// # Errors
    /// [`ErrorKind::Link`] for missing or mismatched imports; traps from segments or the
    /// start function.
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>, module: &Module) -> Result<Instance, Error> {
        let mut missing = Vec::new();
        for (m, n, ty) in module.imports() {
            if !self.defs.contains_key(&(m.to_string(), n.to_string())) {
                missing.push(format!("{m}.{n} ({})", describe(ty)));
            }
        }
        if !missing.is_empty() {
            return Err(Error::new(ErrorKind::Link, format!("missing imports: {}", missing.join(", "))));
        }
        let mut externs = Vec::with_capacity(module.inner.imports.len());
        for (m, n, ty) in module.imports() {
            let e = self.get(&mut store, m, n).expect("checked above");
            let cx = store.as_context_mut();
            import_matches(cx.ctx, e, ty)
                .map_err(|err| Error::new(ErrorKind::Link, format!("import `{m}`.`{n}`: {err}")))?;
            externs.push(e);
        }
        let cx = store.as_context_mut();
        cx.ctx.host_data = cx.data as *mut T as *mut ();
        instantiate(cx.ctx, module, &externs)
    }
}

fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => format!("func {f}"),
        ExternType::Global(g) => format!("global {:?} {}", g.mutability(), g.content()),
        ExternType::Memory(m) => format!("memory {} pages", m.minimum()),
        ExternType::Table(t) => format!("table of {} {}", t.element(), t.minimum()),
    }
}
