//! The host state of one Emscripten program, and memory helpers.
//!
//! [`HostState`] holds what the imports keep between calls: `tempRet0`, the streams,
//! argv/environ and the random state, plus the engine adapter's own part `X` (for this crate's
//! engine, [`EngineExports`](crate::EngineExports): the exports the host functions need
//! (`memory`, `stackSave`, `stackRestore`, `setThrew`, `__indirect_function_table`,
//! `__errno_location`), cached right after instantiation so that no import ever looks an
//! export up by name while the program runs).

use crate::host::Fault;
use crate::io::Io;
use crate::program::Options;

/// The host state of one Emscripten program (the `T` of its store), generic over the engine
/// adapter's cached exports `X`.
#[derive(Debug, Default)]
pub struct HostState<X = crate::engine_host::EngineExports> {
    pub(crate) temp_ret0: i32,
    pub(crate) io: Io,
    /// argv as seen by WASI `args_get` (program name first).
    pub(crate) args: Vec<String>,
    /// The environment as seen by WASI `environ_get` (`NAME=value` strings).
    pub(crate) environ: Vec<String>,
    pub(crate) rng: u64,
    pub(crate) exports: X,
}

impl<X> HostState<X> {
    /// The state of a program connected as `options` says, with the adapter's part `exports`.
    pub fn new(options: Options, exports: X) -> HostState<X> {
        HostState {
            temp_ret0: 0,
            io: Io::new(options.stdout, options.stderr, options.stdin),
            args: vec![options.program_name],
            environ: options.environ,
            rng: 0,
            exports,
        }
    }

    /// The current value of `tempRet0` (the high half of the last legalized i64 result).
    pub fn temp_ret0(&self) -> i32 {
        self.temp_ret0
    }

    /// The program's streams.
    pub fn io_mut(&mut self) -> &mut Io {
        &mut self.io
    }

    /// argv as WASI `args_get` shows it (program name first).
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// Replaces argv (the program name included) for WASI `args_get`.
    pub fn set_args(&mut self, args: Vec<String>) {
        self.args = args;
    }

    /// The engine adapter's part (its cached exports).
    pub fn exports(&self) -> &X {
        &self.exports
    }

    /// The engine adapter's part, mutably.
    pub fn exports_mut(&mut self) -> &mut X {
        &mut self.exports
    }
}

/// `len` bytes at `ptr`, or an out-of-bounds fault.
#[inline]
pub(crate) fn slice(data: &[u8], ptr: u32, len: u32) -> Result<&[u8], Fault> {
    let start = ptr as usize;
    data.get(start..start + len as usize).ok_or(Fault::MemoryOutOfBounds)
}

/// `len` bytes at `ptr`, mutably, or an out-of-bounds fault.
#[inline]
pub(crate) fn slice_mut(data: &mut [u8], ptr: u32, len: u32) -> Result<&mut [u8], Fault> {
    let start = ptr as usize;
    data.get_mut(start..start + len as usize).ok_or(Fault::MemoryOutOfBounds)
}

/// Reads a little-endian u32 at `ptr`.
#[inline]
pub(crate) fn read_u32(data: &[u8], ptr: u32) -> Result<u32, Fault> {
    let b = slice(data, ptr, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Writes a little-endian u32 at `ptr`.
#[inline]
pub(crate) fn write_u32(data: &mut [u8], ptr: u32, v: u32) -> Result<(), Fault> {
    slice_mut(data, ptr, 4)?.copy_from_slice(&v.to_le_bytes());
    Ok(())
}

/// Writes a little-endian u64 at `ptr`.
#[inline]
pub(crate) fn write_u64(data: &mut [u8], ptr: u32, v: u64) -> Result<(), Fault> {
    slice_mut(data, ptr, 8)?.copy_from_slice(&v.to_le_bytes());
    Ok(())
}

/// The bytes of the NUL-terminated string at `ptr` (without the NUL; up to the end of
/// memory if there is none).
pub fn c_bytes(data: &[u8], ptr: u32) -> &[u8] {
    let tail = data.get(ptr as usize..).unwrap_or(&[]);
    let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
    &tail[..end]
}
