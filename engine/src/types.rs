//! Wasm types as the embedding API sees them: value, function, global, memory and table types.

use std::fmt;
use std::sync::Arc;

/// The type of a Wasm value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE float.
    F32,
    /// 64-bit IEEE float.
    F64,
    /// A reference to a function (nullable).
    FuncRef,
    /// An opaque host reference (nullable).
    ExternRef,
}

impl ValType {
    pub(crate) fn from_wasmparser(t: wasmparser::ValType) -> Option<ValType> {
        Some(match t {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::Ref(r) => Self::from_ref_type(r)?,
            wasmparser::ValType::V128 => return None,
        })
    }

    pub(crate) fn from_ref_type(r: wasmparser::RefType) -> Option<ValType> {
        if r == wasmparser::RefType::FUNCREF {
            Some(ValType::FuncRef)
        } else if r == wasmparser::RefType::EXTERNREF {
            Some(ValType::ExternRef)
        } else {
            None
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A function signature. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    params_results: Arc<[ValType]>,
    len_params: usize,
}

impl FuncType {
    /// Creates a function type from its parameter and result types.
    pub fn new(params: impl IntoIterator<Item = ValType>, results: impl IntoIterator<Item = ValType>) -> Self {
        let mut v: Vec<ValType> = params.into_iter().collect();
        let len_params = v.len();
        v.extend(results);
        FuncType { params_results: v.into(), len_params }
    }

    /// The parameter types.
    pub fn params(&self) -> &[ValType] {
        &self.params_results[..self.len_params]
    }

    /// The result types.
    pub fn results(&self) -> &[ValType] {
        &self.params_results[self.len_params..]
    }
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p: Vec<String> = self.params().iter().map(|t| t.to_string()).collect();
        let r: Vec<String> = self.results().iter().map(|t| t.to_string()).collect();
        write!(f, "({}) -> ({})", p.join(", "), r.join(", "))
    }
}

/// Whether a global can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Immutable.
    Const,
    /// Mutable.
    Var,
}

/// The type of a global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    content: ValType,
    mutability: Mutability,
}

impl GlobalType {
    /// Creates a global type.
    pub fn new(content: ValType, mutability: Mutability) -> Self {
        GlobalType { content, mutability }
    }
    /// The value type.
    pub fn content(&self) -> ValType {
        self.content
    }
    /// Whether it is mutable.
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }
}

/// The type of a linear memory, in 64 KiB pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    minimum: u32,
    maximum: Option<u32>,
}

impl MemoryType {
    /// Creates a memory type. Panics never; limits are checked at instantiation.
    pub fn new(minimum: u32, maximum: Option<u32>) -> Self {
        MemoryType { minimum, maximum }
    }
    /// Minimum size in pages.
    pub fn minimum(&self) -> u32 {
        self.minimum
    }
    /// Maximum size in pages, if any.
    pub fn maximum(&self) -> Option<u32> {
        self.maximum
    }
}

/// The type of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    element: ValType,
    minimum: u32,
    maximum: Option<u32>,
}

impl TableType {
    /// Creates a table type; `element` must be a reference type.
    pub fn new(element: ValType, minimum: u32, maximum: Option<u32>) -> Self {
        TableType { element, minimum, maximum }
    }
    /// The element type.
    pub fn element(&self) -> ValType {
        self.element
    }
    /// Minimum number of elements.
    pub fn minimum(&self) -> u32 {
        self.minimum
    }
    /// Maximum number of elements, if any.
    pub fn maximum(&self) -> Option<u32> {
        self.maximum
    }
}

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A global.
    Global(GlobalType),
    /// A memory.
    Memory(MemoryType),
    /// A table.
    Table(TableType),
}

/// Checks the import-matching rule for limits: `actual` fits within `expected`.
pub(crate) fn limits_match(actual_min: u64, actual_max: Option<u64>, min: u64, max: Option<u64>) -> bool {
    if actual_min < min {
        return false;
    }
    match (max, actual_max) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(m), Some(am)) => am <= m,
    }
}
