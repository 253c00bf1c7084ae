//! [`Module`]: decoding, validation and compilation of a Wasm binary.
//!
//! wasmparser's `Validator` checks every section and, through a `FuncValidator`, every
//! operator while the translator lowers it; then `codegen` builds each function's closures.
//! Nothing here runs Wasm: a module is immutable and can be instantiated many times.

use crate::codegen::{self, Code};
use crate::engine::{Engine, SigId};
use crate::error::{Error, ErrorKind};
use crate::translate::{self, ir::FuncIr, ModuleEnv};
use crate::types::{ExternType, FuncType, GlobalType, MemoryType, Mutability, TableType, ValType};
use std::sync::{Arc, OnceLock, Weak};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef, Validator, WasmFeatures};

/// A constant initializer expression (WebAssembly 2.0 allows exactly one instruction).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ConstExpr {
    /// A value in slot encoding (numbers and `ref.null`).
    Bits(u64),
    /// The value of an (imported) global.
    GlobalGet(u32),
    /// A reference to a function of the module.
    RefFunc(u32),
}

/// Where an export points, in the module's index spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExternIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
}

/// An import declaration.
#[derive(Debug, Clone)]
pub(crate) struct Import {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

#[derive(Debug, Clone)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

#[derive(Debug, Clone)]
pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug, Clone)]
pub(crate) enum DataMode {
    Passive,
    Active { offset: ConstExpr },
}

#[derive(Debug, Clone)]
pub(crate) struct DataSegment {
    pub mode: DataMode,
    pub bytes: Arc<[u8]>,
}

/// A function's closures and frame layout, once translated.
pub(crate) struct Compiled {
    /// Number of parameters (the declared locals follow them).
    pub params: u32,
    /// Declared locals after the parameters (zeroed on entry).
    pub locals: u32,
    /// Slots the frame needs.
    pub frame_size: u32,
    /// Block closures; block 0 is the entry.
    pub blocks: Box<[Code]>,
    /// Where block 0's code starts (one load less on every call than going through
    /// `blocks`).
    pub entry: codegen::Entry,
}

impl Compiled {
    /// A function's compiled form.
    pub(crate) fn new(ir: &translate::ir::FuncIr, blocks: Box<[Code]>) -> Compiled {
        let entry = blocks[0].entry();
        Compiled { params: ir.params, locals: ir.locals, frame_size: ir.frame_size, blocks, entry }
    }
}

/// A defined function of a module: its signature, and its code once compiled (at load time,
/// or on the first call in lazy mode).
pub(crate) struct FuncCode {
    /// The function's index in the module's function index space.
    pub index: u32,
    /// The signature, for `call_indirect` checks.
    pub sig: SigId,
    /// The function's type index and the byte range of its body in `ModuleInner::bytes`
    /// (used by lazy compilation).
    pub type_index: u32,
    pub body: std::ops::Range<usize>,
    /// The module, for lazy compilation (weak: the module owns this code); set once the
    /// module is complete.
    pub module: OnceLock<Weak<ModuleInner>>,
    /// The compiled code.
    pub compiled: OnceLock<Compiled>,
}

impl FuncCode {
    /// Translates and compiles this function now (lazy mode's first call).
    #[cold]
    pub(crate) fn compile_lazily(&self) -> Result<&Compiled, Error> {
        let m = self.module.get().and_then(Weak::upgrade).ok_or_else(|| Error::msg("module dropped while running"))?;
        let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new_features(
            &m.bytes[self.body.clone()],
            self.body.start,
            features(),
        ));
        let env = ModuleEnv { types: &m.types, func_types: &m.func_types };
        let ir = translate::translate_function(&env, self.type_index, &body, None, &mut Default::default())
            .map_err(|e| compile_err(format!("{} (at offset {:#x})", e.message, e.offset)))?;
        let blocks = codegen::compile(&codegen::Env { module: &m }, &ir, m.engine.profile_counts(self.index, &ir));
        let compiled = Compiled::new(&ir, blocks);
        Ok(self.compiled.get_or_init(|| compiled))
    }
}

/// A validated, compiled Wasm module. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub types: Vec<FuncType>,
    pub type_sigs: Vec<SigId>,
    pub imports: Vec<Import>,
    pub func_types: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<(String, ExternIndex)>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    /// Compiled code of the defined functions (index = function index - imported count).
    /// Shared so that it never moves once created: compiled calls point into it.
    pub code: Arc<[FuncCode]>,
    /// The module's bytes, kept for lazy compilation (empty in eager mode).
    pub bytes: Box<[u8]>,
    /// Lowered IR per defined function, kept when `Config::keep_ir` is on.
    pub irs: Vec<FuncIr>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("functions", &self.inner.func_types.len())
            .field("imports", &self.inner.imports.len())
            .field("exports", &self.inner.exports.len())
            .finish()
    }
}

/// The WebAssembly 2.0 feature set without SIMD.
pub(crate) fn features() -> WasmFeatures {
    WasmFeatures::WASM2.difference(WasmFeatures::SIMD)
}

fn compile_err(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Compile, e.to_string())
}

fn val_type(t: wasmparser::ValType) -> Result<ValType, Error> {
    ValType::from_wasmparser(t).ok_or_else(|| compile_err(format!("unsupported value type {t:?}")))
}

fn ref_type(t: wasmparser::RefType) -> Result<ValType, Error> {
    ValType::from_ref_type(t).ok_or_else(|| compile_err(format!("unsupported reference type {t:?}")))
}

fn table_type(t: &wasmparser::TableType) -> Result<TableType, Error> {
    Ok(TableType::new(ref_type(t.element_type)?, t.initial as u32, t.maximum.map(|m| m as u32)))
}

fn memory_type(t: &wasmparser::MemoryType) -> MemoryType {
    MemoryType::new(t.initial as u32, t.maximum.map(|m| m as u32))
}

fn global_type(t: &wasmparser::GlobalType) -> Result<GlobalType, Error> {
    let m = if t.mutable { Mutability::Var } else { Mutability::Const };
    Ok(GlobalType::new(val_type(t.content_type)?, m))
}

fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    use wasmparser::Operator as O;
    let mut r = e.get_operators_reader();
    let op = r.read().map_err(compile_err)?;
    let v = match op {
        O::I32Const { value } => ConstExpr::Bits(value as u32 as u64),
        O::I64Const { value } => ConstExpr::Bits(value as u64),
        O::F32Const { value } => ConstExpr::Bits(value.bits() as u64),
        O::F64Const { value } => ConstExpr::Bits(value.bits()),
        O::RefNull { .. } => ConstExpr::Bits(0),
        O::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        O::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        other => return Err(compile_err(format!("unsupported constant expression {other:?}"))),
    };
    Ok(v)
}

impl Module {
    /// Decodes, validates and compiles a Wasm binary (the text format is not accepted here;
    /// use the `wat` crate to assemble text first).
    ///
    /// # Errors
    /// A [`ErrorKind::Compile`] error naming the problem and its byte offset (and the function
    /// index for errors inside a function body). Never panics, whatever the bytes.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, Error> {
        let bytes = bytes.as_ref();
        let mut validator = Validator::new_with_features(features());
        let mut m = ModuleInner {
            engine: engine.clone(),
            types: Vec::new(),
            type_sigs: Vec::new(),
            imports: Vec::new(),
            func_types: Vec::new(),
            num_imported_funcs: 0,
            tables: Vec::new(),
            num_imported_tables: 0,
            memories: Vec::new(),
            num_imported_memories: 0,
            globals: Vec::new(),
            num_imported_globals: 0,
            global_inits: Vec::new(),
            exports: Vec::new(),
            start: None,
            elems: Vec::new(),
            datas: Vec::new(),
            code: Arc::new([]),
            bytes: Box::new([]),
            irs: Vec::new(),
        };
        let lazy = engine.config().compilation_mode == crate::engine::CompilationMode::Lazy;
        let mut allocs = wasmparser::FuncValidatorAllocations::default();
        // The translator's buffers, reused by every function of the module.
        let mut scratch = translate::Scratch::default();
        // The parser must decode with the same feature set the validator checks, or it
        // would accept encodings (64-bit offsets, memory indices) that 2.0 forbids.
        let mut parser = Parser::new(0);
        parser.set_features(features());
        for payload in parser.parse_all(bytes) {
            let payload = payload.map_err(compile_err)?;
            let valid = validator.payload(&payload).map_err(compile_err)?;
            match payload {
                Payload::TypeSection(r) => {
                    for ty in r.into_iter_err_on_gc_types() {
                        let ty = ty.map_err(compile_err)?;
                        let params = ty.params().iter().map(|t| val_type(*t)).collect::<Result<Vec<_>, _>>()?;
                        let results = ty.results().iter().map(|t| val_type(*t)).collect::<Result<Vec<_>, _>>()?;
                        let ft = FuncType::new(params, results);
                        m.type_sigs.push(engine.intern(&ft));
                        m.types.push(ft);
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r {
                        let imp = imp.map_err(compile_err)?;
                        let ty = match imp.ty {
                            TypeRef::Func(i) => {
                                m.func_types.push(i);
                                m.num_imported_funcs += 1;
                                ExternType::Func(m.types[i as usize].clone())
                            }
                            TypeRef::Table(t) => {
                                let t = table_type(&t)?;
                                m.tables.push(t);
                                m.num_imported_tables += 1;
                                ExternType::Table(t)
                            }
                            TypeRef::Memory(t) => {
                                let t = memory_type(&t);
                                m.memories.push(t);
                                m.num_imported_memories += 1;
                                ExternType::Memory(t)
                            }
                            TypeRef::Global(t) => {
                                let t = global_type(&t)?;
                                m.globals.push(t);
                                m.num_imported_globals += 1;
                                ExternType::Global(t)
                            }
                            TypeRef::Tag(_) => return Err(compile_err("tags are not supported")),
                        };
                        m.imports.push(Import { module: imp.module.to_string(), name: imp.name.to_string(), ty });
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        m.func_types.push(t.map_err(compile_err)?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        let t = t.map_err(compile_err)?;
                        m.tables.push(table_type(&t.ty)?);
                    }
                }
                Payload::MemorySection(r) => {
                    for t in r {
                        m.memories.push(memory_type(&t.map_err(compile_err)?));
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g.map_err(compile_err)?;
                        m.globals.push(global_type(&g.ty)?);
                        m.global_inits.push(const_expr(&g.init_expr)?);
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e.map_err(compile_err)?;
                        let idx = match e.kind {
                            ExternalKind::Func => ExternIndex::Func(e.index),
                            ExternalKind::Table => ExternIndex::Table(e.index),
                            ExternalKind::Memory => ExternIndex::Memory(e.index),
                            ExternalKind::Global => ExternIndex::Global(e.index),
                            ExternalKind::Tag => return Err(compile_err("tags are not supported")),
                        };
                        m.exports.push((e.name.to_string(), idx));
                    }
                }
                Payload::StartSection { func, .. } => m.start = Some(func),
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e.map_err(compile_err)?;
                        let mode = match e.kind {
                            wasmparser::ElementKind::Passive => ElemMode::Passive,
                            wasmparser::ElementKind::Declared => ElemMode::Declared,
                            wasmparser::ElementKind::Active { table_index, offset_expr } => {
                                ElemMode::Active { table: table_index.unwrap_or(0), offset: const_expr(&offset_expr)? }
                            }
                        };
                        let mut items = Vec::new();
                        match e.items {
                            wasmparser::ElementItems::Functions(r) => {
                                for f in r {
                                    items.push(ConstExpr::RefFunc(f.map_err(compile_err)?));
                                }
                            }
                            wasmparser::ElementItems::Expressions(_, r) => {
                                for x in r {
                                    items.push(const_expr(&x.map_err(compile_err)?)?);
                                }
                            }
                        }
                        m.elems.push(ElemSegment { mode, items });
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d.map_err(compile_err)?;
                        let mode = match d.kind {
                            wasmparser::DataKind::Passive => DataMode::Passive,
                            wasmparser::DataKind::Active { offset_expr, .. } => {
                                DataMode::Active { offset: const_expr(&offset_expr)? }
                            }
                        };
                        m.datas.push(DataSegment { mode, bytes: d.data.into() });
                    }
                }
                Payload::CodeSectionStart { count, .. } => {
                    // Every defined function's entry, before any body: in eager mode each
                    // body is compiled as soon as it is validated (so only one function's IR
                    // is alive at a time), and its calls point at these entries.
                    let first = m.num_imported_funcs as usize;
                    let defined = m.func_types.len() - first;
                    if count as usize != defined {
                        return Err(compile_err("function and code section counts differ"));
                    }
                    m.code = m.func_types[first..]
                        .iter()
                        .enumerate()
                        .map(|(i, &ty)| FuncCode {
                            index: (first + i) as u32,
                            sig: m.type_sigs[ty as usize],
                            type_index: ty,
                            body: 0..0,
                            module: OnceLock::new(),
                            compiled: OnceLock::new(),
                        })
                        .collect();
                }
                Payload::CodeSectionEntry(body) => {
                    let wasmparser::ValidPayload::Func(func, _) = valid else {
                        return Err(compile_err("internal: code entry without validator"));
                    };
                    let index = func.index;
                    let defined = (index - m.num_imported_funcs) as usize;
                    let mut fv = func.into_validator(std::mem::take(&mut allocs));
                    if lazy {
                        fv.validate(&body).map_err(|e| {
                            compile_err(format!("in function {index}: {} (at offset {:#x})", e.message(), e.offset()))
                        })?;
                        // Nothing points into the code yet in lazy mode.
                        let code = Arc::get_mut(&mut m.code)
                            .ok_or_else(|| compile_err("internal: code entries shared while loading"))?;
                        code[defined].body = body.range();
                    } else {
                        let env = ModuleEnv { types: &m.types, func_types: &m.func_types };
                        let type_index = m.func_types[index as usize];
                        let ir = translate::translate_function(&env, type_index, &body, Some(&mut fv), &mut scratch)
                            .map_err(|e| {
                                compile_err(format!("in function {index}: {} (at offset {:#x})", e.message, e.offset))
                            })?;
                        let code = &m.code[defined];
                        let counts = m.engine.profile_counts(code.index, &ir);
                        let blocks = codegen::compile(&codegen::Env { module: &m }, &ir, counts);
                        let _ = code.compiled.set(Compiled::new(&ir, blocks));
                        if engine.config().keep_ir {
                            m.irs.push(ir);
                        } else {
                            scratch.recycle(ir);
                        }
                    }
                    allocs = fv.into_allocations();
                }
                _ => {}
            }
        }
        if lazy {
            m.bytes = bytes.into();
        }
        let inner = Arc::new(m);
        for code in inner.code.iter() {
            let _ = code.module.set(Arc::downgrade(&inner));
        }
        Ok(Module { inner })
    }

    /// The engine this module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's imports: (module, name, type).
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, &ExternType)> {
        self.inner.imports.iter().map(|i| (i.module.as_str(), i.name.as_str(), &i.ty))
    }

    /// The module's exports: (name, type).
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternType)> + '_ {
        self.inner.exports.iter().map(move |(n, idx)| (n.as_str(), self.inner.extern_type(*idx)))
    }

    /// The lowered IR of function `func_index` as readable text, if the engine was configured
    /// with [`Config::keep_ir`](crate::Config::keep_ir) and the function is defined here.
    pub fn function_ir(&self, func_index: u32) -> Option<String> {
        let i = func_index.checked_sub(self.inner.num_imported_funcs)?;
        self.inner.irs.get(i as usize).map(|ir| ir.to_string())
    }

    /// Number of closures (statements and terminators) compiled for the defined functions,
    /// and the number of basic blocks.
    pub fn code_stats(&self) -> (usize, usize) {
        let blocks: usize = self.inner.code.iter().map(|c| c.compiled.get().map_or(0, |c| c.blocks.len())).sum();
        let closures: usize =
            self.inner.irs.iter().map(|ir| ir.blocks.iter().map(|b| b.insts.len() + 1).sum::<usize>()).sum();
        (closures, blocks)
    }
}

impl ModuleInner {
    pub(crate) fn extern_type(&self, idx: ExternIndex) -> ExternType {
        match idx {
            ExternIndex::Func(i) => ExternType::Func(self.types[self.func_types[i as usize] as usize].clone()),
            ExternIndex::Table(i) => ExternType::Table(self.tables[i as usize]),
            ExternIndex::Memory(i) => ExternType::Memory(self.memories[i as usize]),
            ExternIndex::Global(i) => ExternType::Global(self.globals[i as usize]),
        }
    }

    /// The type of function `index` of this module.
    pub(crate) fn func_type(&self, index: u32) -> &FuncType {
        &self.types[self.func_types[index as usize] as usize]
    }
}
