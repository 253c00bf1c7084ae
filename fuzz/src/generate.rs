//! Module generation with `wasm-smith`, restricted to WebAssembly 2.0 without SIMD.
//!
//! A generated case is a pure function of its input bytes: the first byte picks a few
//! configuration variants, the rest drives `wasm-smith` through [`arbitrary::Unstructured`], and
//! the call arguments are derived from a hash of the whole input (see [`crate::diff`]).

use arbitrary::Unstructured;

/// The imports a generated module may use. Both engines satisfy them with the same host
/// functions, memory, table and globals (see [`crate::diff`]).
pub const AVAILABLE_IMPORTS: &str = r#"(module
    (import "host" "add" (func (param i32 i32) (result i32)))
    (import "host" "log_i32" (func (param i32)))
    (import "host" "log_i64" (func (param i64)))
    (import "host" "log_f32" (func (param f32)))
    (import "host" "log_f64" (func (param f64)))
    (import "host" "mix" (func (param i64 f64) (result i32 i64)))
    (import "host" "fail" (func (param i32) (result i32)))
    (import "host" "memory" (memory 1 4))
    (import "host" "table" (table 2 20 funcref))
    (import "host" "g_i32" (global i32))
    (import "host" "g_i64" (global (mut i64)))
    (import "host" "g_f32" (global f32))
    (import "host" "g_f64" (global (mut f64)))
)"#;

/// Fuel given to each generated module by `ensure_termination`: every function entry and loop
/// head costs one unit (bulk operations cost their length); when it is gone, the code executes
/// `unreachable`. The fuel global is exported as [`FUEL_EXPORT`]; the oracle refills it before
/// every call.
pub const FUEL: u32 = 3000;

/// The export name given to `ensure_termination`'s fuel global.
pub const FUEL_EXPORT: &str = "__fuzz_fuel__";

/// Largest memory a generated module may declare or grow to (bytes).
pub const MAX_MEMORY_BYTES: u64 = 8 * 65536;

/// A generated test case.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The module's binary.
    pub wasm: Vec<u8>,
    /// Whether `wasm-smith` canonicalised NaNs (then float results are compared bit for bit).
    pub canonical_nans: bool,
    /// Whether the module may import from [`AVAILABLE_IMPORTS`].
    pub imports: bool,
}

/// The `wasm-smith` configuration for this engine's feature set. `variant` (the input's first
/// byte) varies a few knobs.
pub fn config(variant: u8) -> wasm_smith::Config {
    let imports = variant & 1 != 0;
    // Three cases in four canonicalise NaNs (exact comparison); the rest exercise NaN
    // propagation, compared with NaN tolerance.
    let canonicalize_nans = variant & 0x82 != 0;
    wasm_smith::Config {
        available_imports: imports.then(|| wat::parse_str(AVAILABLE_IMPORTS).expect("imports module")),
        max_imports: if imports { 13 } else { 0 },
        // WebAssembly 2.0 features: on.
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        allow_floats: variant & 4 == 0 || variant & 8 == 0,
        // Everything past 2.0: off.
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        tail_call_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        acquire_release_atomics_enabled: false,
        multibyte_array_access_enabled: false,
        // Shape and size bounds.
        canonicalize_nans,
        export_everything: true,
        allow_start_export: true,
        generate_custom_sections: variant & 16 != 0,
        min_uleb_size: if variant & 32 != 0 { 1 + (variant >> 6) } else { 1 },
        max_types: 12,
        min_funcs: 2,
        max_funcs: 20,
        max_globals: 8,
        max_exports: 40,
        max_data_segments: 8,
        max_element_segments: 8,
        max_elements: 20,
        max_instructions: 200,
        max_nesting_depth: 8,
        max_memories: 1,
        max_memory32_bytes: MAX_MEMORY_BYTES,
        memory_max_size_required: true,
        max_tables: 3,
        max_table_elements: 64,
        table_max_size_required: true,
        max_values: 8,
        ..wasm_smith::Config::default()
    }
}

/// Generates the module of a case from its input bytes, with `ensure_termination` applied.
///
/// # Errors
/// If `wasm-smith` gives up (rare; such inputs are skipped).
pub fn generate(input: &[u8]) -> Result<Generated, String> {
    let variant = input.first().copied().unwrap_or(0);
    let config = config(variant);
    let canonical_nans = config.canonicalize_nans;
    let imports = config.available_imports.is_some();
    let mut u = Unstructured::new(input.get(1..).unwrap_or(&[]));
    let mut module = wasm_smith::Module::new(config, &mut u).map_err(|e| format!("wasm-smith: {e}"))?;
    let fuel_global = module.ensure_termination(FUEL).map_err(|e| format!("ensure_termination: {e}"))?;
    let wasm = add_global_export(&module.to_bytes(), FUEL_EXPORT, fuel_global)?;
    Ok(Generated { wasm, canonical_nans, imports })
}

fn read_leb(bytes: &[u8], pos: &mut usize) -> Result<u32, String> {
    let mut result: u64 = 0;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*pos).ok_or("truncated LEB")?;
        *pos += 1;
        result |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return u32::try_from(result).map_err(|_| "LEB too large".to_string());
        }
        shift += 7;
        if shift > 35 {
            return Err("LEB too long".into());
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Adds the export `name` of global `index` to a valid module binary: appended to the export
/// section, or in a new export section placed where the binary format wants it.
pub fn add_global_export(wasm: &[u8], name: &str, index: u32) -> Result<Vec<u8>, String> {
    if wasm.len() < 8 {
        return Err("not a module".into());
    }
    let mut entry = Vec::new();
    write_leb(&mut entry, name.len() as u32);
    entry.extend_from_slice(name.as_bytes());
    entry.push(0x03); // global
    write_leb(&mut entry, index);
    let section = |out: &mut Vec<u8>, count: u32, body: &[u8]| {
        let mut payload = Vec::new();
        write_leb(&mut payload, count);
        payload.extend_from_slice(body);
        payload.extend_from_slice(&entry);
        out.push(7);
        write_leb(out, payload.len() as u32);
        out.extend_from_slice(&payload);
    };
    let mut out = wasm[..8].to_vec();
    let mut pos = 8;
    let mut done = false;
    while pos < wasm.len() {
        let start = pos;
        let id = wasm[pos];
        pos += 1;
        let size = read_leb(wasm, &mut pos)? as usize;
        let body_start = pos;
        let end = body_start.checked_add(size).filter(|e| *e <= wasm.len()).ok_or("section past the end")?;
        pos = end;
        // Sections after the export section: start 8, element 9, data count 12, code 10, data 11.
        if !done && (8..=12).contains(&id) {
            section(&mut out, 1, &[]);
            done = true;
        }
        if id == 7 {
            let mut p = body_start;
            let count = read_leb(wasm, &mut p)?;
            section(&mut out, count + 1, &wasm[p..end]);
            done = true;
        } else {
            out.extend_from_slice(&wasm[start..end]);
        }
    }
    if !done {
        section(&mut out, 1, &[]);
    }
    Ok(out)
}
