//! The host state of one Emscripten instance (the `T` of `Store<T>`), and memory helpers.
//!
//! Besides `tempRet0`, the streams and argv/environ, the state caches the exports the host
//! functions need (`memory`, `stackSave`, `stackRestore`, `setThrew`,
//! `__indirect_function_table`, `__errno_location`) right after instantiation, so no import
//! ever looks an export up by name while the program runs.

use crate::error::host_trap;
use crate::io::Io;
use engine::{Caller, Error, Memory, Table, TrapCode, TypedFunc};

/// The exports `invoke_*` needs, cached after instantiation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InvokeExports {
    pub stack_save: TypedFunc<(), i32>,
    pub stack_restore: TypedFunc<i32, ()>,
    pub set_threw: TypedFunc<(i32, i32), ()>,
    pub table: Table,
}

/// Exports cached in the host state.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cached {
    pub memory: Option<Memory>,
    pub invoke: Option<InvokeExports>,
    pub errno_location: Option<TypedFunc<(), i32>>,
}

/// The host state of one Emscripten program: the `T` of its `Store<T>`.
#[derive(Debug, Default)]
pub struct HostState {
    pub(crate) temp_ret0: i32,
    pub(crate) cached: Cached,
    pub(crate) io: Io,
    /// argv as seen by WASI `args_get` (program name first).
    pub(crate) args: Vec<String>,
    /// The environment as seen by WASI `environ_get` (`NAME=value` strings).
    pub(crate) environ: Vec<String>,
    pub(crate) rng: u64,
}

impl HostState {
    /// The current value of `tempRet0` (the high half of the last legalized i64 result).
    pub fn temp_ret0(&self) -> i32 {
        self.temp_ret0
    }

    /// The program's streams.
    pub fn io_mut(&mut self) -> &mut Io {
        &mut self.io
    }
}

/// The instance's linear memory, or a trap if it has none (or it is not known yet).
#[inline]
pub(crate) fn memory(caller: &Caller<'_, HostState>) -> Result<Memory, Error> {
    caller.data().cached.memory.ok_or_else(|| host_trap("the module has no exported or imported memory"))
}

/// `len` bytes at `ptr`, or an out-of-bounds trap.
#[inline]
pub(crate) fn slice(data: &[u8], ptr: u32, len: u32) -> Result<&[u8], Error> {
    let start = ptr as usize;
    data.get(start..start + len as usize).ok_or_else(|| TrapCode::MemoryOutOfBounds.into())
}

/// `len` bytes at `ptr`, mutably, or an out-of-bounds trap.
#[inline]
pub(crate) fn slice_mut(data: &mut [u8], ptr: u32, len: u32) -> Result<&mut [u8], Error> {
    let start = ptr as usize;
    data.get_mut(start..start + len as usize).ok_or_else(|| TrapCode::MemoryOutOfBounds.into())
}

/// Reads a little-endian u32 at `ptr`.
#[inline]
pub(crate) fn read_u32(data: &[u8], ptr: u32) -> Result<u32, Error> {
    let b = slice(data, ptr, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Writes a little-endian u32 at `ptr`.
#[inline]
pub(crate) fn write_u32(data: &mut [u8], ptr: u32, v: u32) -> Result<(), Error> {
    slice_mut(data, ptr, 4)?.copy_from_slice(&v.to_le_bytes());
    Ok(())
}

/// Writes a little-endian u64 at `ptr`.
#[inline]
pub(crate) fn write_u64(data: &mut [u8], ptr: u32, v: u64) -> Result<(), Error> {
    slice_mut(data, ptr, 8)?.copy_from_slice(&v.to_le_bytes());
    Ok(())
}

/// The bytes of the NUL-terminated string at `ptr` (without the NUL; up to the end of
/// memory if there is none).
pub(crate) fn c_bytes(data: &[u8], ptr: u32) -> &[u8] {
    let tail = data.get(ptr as usize..).unwrap_or(&[]);
    let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
    &tail[..end]
}
