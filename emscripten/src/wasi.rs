//! The `wasi_snapshot_preview1` imports an emcc program may use, as the reference host
//! implements them: `fd_write` (fd 1 = stdout, 2 = stderr), `fd_read` (fd 0), `fd_close`,
//! `fd_seek` (ESPIPE on 0..2), `fd_fdstat_get`, `proc_exit`, `clock_time_get`, `random_get`,
//! `args_sizes_get`/`args_get` and `environ_sizes_get`/`environ_get`. Any other descriptor is
//! `EBADF`. The i64 parameters of `fd_seek` and `clock_time_get` may be legalized; that is
//! taken from each import's type (see [`Layout`](crate::sig::Layout)). Written once against
//! [`HostContext`], for any engine.

use crate::env::arg_i32;
use crate::host::{Fault, HostContext};
use crate::imports::Builtin;
use crate::state::{read_u32, slice, slice_mut, write_u32, write_u64};
use engine::Val;

const ESUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EINVAL: i32 = 28;
const ESPIPE: i32 = 70;

/// The logical signature and implementation of a WASI import, by name.
pub(crate) fn lookup(name: &str) -> Option<(&'static str, Builtin)> {
    Some(match name {
        "fd_write" => ("iiiii", Builtin::FdWrite),
        "fd_read" => ("iiiii", Builtin::FdRead),
        "fd_close" => ("ii", Builtin::FdClose),
        "fd_seek" => ("iijii", Builtin::FdSeek),
        "fd_fdstat_get" => ("iii", Builtin::FdFdstatGet),
        "proc_exit" => ("vi", Builtin::ProcExit),
        "clock_time_get" => ("iiji", Builtin::ClockTimeGet),
        "random_get" => ("iii", Builtin::RandomGet),
        "args_sizes_get" => ("iii", Builtin::ArgsSizesGet),
        "args_get" => ("iii", Builtin::ArgsGet),
        "environ_sizes_get" => ("iii", Builtin::EnvironSizesGet),
        "environ_get" => ("iii", Builtin::EnvironGet),
        _ => return None,
    })
}

#[inline]
fn errno<E>(e: i32) -> Result<Option<Val>, E> {
    Ok(Some(Val::I32(e)))
}

/// The address of iovec `i` of the array at `iov` (8 bytes each).
fn iovec_addr(iov: u32, i: u32) -> Result<u32, Fault> {
    i.checked_mul(8).and_then(|o| iov.checked_add(o)).ok_or(Fault::MemoryOutOfBounds)
}

/// Sets the module's `errno` (through its `__errno_location` export, if any).
pub(crate) fn set_errno<C: HostContext>(cx: &mut C, value: i32) -> Result<(), C::Error> {
    if let Some(p) = cx.errno_location()? {
        slice_mut(cx.memory()?, p & !3, 4)?.copy_from_slice(&value.to_le_bytes());
    }
    Ok(())
}

pub(crate) fn fd_write<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let (fd, iov, iovcnt, pnum) =
        (arg_i32(args, 0), arg_i32(args, 1) as u32, arg_i32(args, 2) as u32, arg_i32(args, 3) as u32);
    if fd != 1 && fd != 2 {
        return errno(EBADF);
    }
    cx.memory()?;
    // The streams live in the host state; take them out while the memory is borrowed.
    let mut io = std::mem::take(&mut cx.state_mut().io);
    let written = (|| {
        let data = cx.memory()?;
        let mut n = 0u32;
        for i in 0..iovcnt {
            let at = iovec_addr(iov, i)?;
            let (ptr, len) = (read_u32(data, at)?, read_u32(data, at.wrapping_add(4))?);
            let chunk = slice(data, ptr, len)?;
            if fd == 1 {
                io.write_stdout(chunk);
            } else {
                io.write_stderr(chunk);
            }
            n = n.wrapping_add(len);
        }
        Ok::<u32, C::Error>(n)
    })();
    cx.state_mut().io = io;
    write_u32(cx.memory()?, pnum, written?)?;
    errno(ESUCCESS)
}

pub(crate) fn fd_read<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let (fd, iov, iovcnt, pnum) =
        (arg_i32(args, 0), arg_i32(args, 1) as u32, arg_i32(args, 2) as u32, arg_i32(args, 3) as u32);
    if fd != 0 {
        return errno(EBADF);
    }
    cx.memory()?;
    let mut io = std::mem::take(&mut cx.state_mut().io);
    let got = (|| {
        let data = cx.memory()?;
        let mut n = 0u32;
        for i in 0..iovcnt {
            let at = iovec_addr(iov, i)?;
            let (ptr, len) = (read_u32(data, at)?, read_u32(data, at.wrapping_add(4))?);
            if len == 0 {
                continue;
            }
            let got = io.read_stdin(slice_mut(data, ptr, len)?) as u32;
            n = n.wrapping_add(got);
            if got < len {
                break;
            }
        }
        Ok::<u32, C::Error>(n)
    })();
    cx.state_mut().io = io;
    write_u32(cx.memory()?, pnum, got?)?;
    errno(ESUCCESS)
}

pub(crate) fn fd_close<C: HostContext>(_: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    errno(if (0..=2).contains(&arg_i32(args, 0)) { ESUCCESS } else { EBADF })
}

pub(crate) fn fd_seek<C: HostContext>(_: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    errno(if (0..=2).contains(&arg_i32(args, 0)) { ESPIPE } else { EBADF })
}

pub(crate) fn fd_fdstat_get<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    if !(0..=2).contains(&arg_i32(args, 0)) {
        return errno(EBADF);
    }
    let stat = slice_mut(cx.memory()?, arg_i32(args, 1) as u32, 24)?;
    stat.fill(0);
    stat[0] = 2; // __WASI_FILETYPE_CHARACTER_DEVICE
    errno(ESUCCESS)
}

pub(crate) fn proc_exit<C: HostContext>(_: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    Err(Fault::Exit(arg_i32(args, 0)).into())
}

pub(crate) fn clock_time_get<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let ns = match arg_i32(args, 0) {
        // node: BigInt(Date.now()) * 1000000n, so millisecond resolution
        0 => crate::env::date_now_ms() as u64 * 1_000_000,
        1 => crate::env::monotonic_ns(),
        _ => return errno(EINVAL),
    };
    write_u64(cx.memory()?, arg_i32(args, 2) as u32, ns)?;
    errno(ESUCCESS)
}

/// splitmix64, seeded from std's per-process random hash keys.
fn next_random(state: &mut u64) -> u64 {
    if *state == 0 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(crate::env::monotonic_ns());
        *state = h.finish() | 1;
    }
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub(crate) fn random_get<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    cx.memory()?;
    let mut rng = cx.state().rng;
    let buf = slice_mut(cx.memory()?, arg_i32(args, 0) as u32, arg_i32(args, 1) as u32)?;
    for chunk in buf.chunks_mut(8) {
        let r = next_random(&mut rng).to_le_bytes();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
    cx.state_mut().rng = rng;
    errno(ESUCCESS)
}

fn strings_sizes<C: HostContext>(cx: &mut C, environ: bool, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let st = cx.state();
    let list = if environ { &st.environ } else { &st.args };
    let count = list.len() as u32;
    let size = list.iter().map(|s| s.len() as u32 + 1).sum::<u32>();
    let data = cx.memory()?;
    write_u32(data, arg_i32(args, 0) as u32, count)?;
    write_u32(data, arg_i32(args, 1) as u32, size)?;
    errno(ESUCCESS)
}

fn strings_get<C: HostContext>(cx: &mut C, environ: bool, args: &[Val]) -> Result<Option<Val>, C::Error> {
    cx.memory()?;
    let list = {
        let st = cx.state_mut();
        std::mem::take(if environ { &mut st.environ } else { &mut st.args })
    };
    let r = (|| {
        let data = cx.memory()?;
        let (mut ptrs, mut buf) = (arg_i32(args, 0) as u32, arg_i32(args, 1) as u32);
        for s in &list {
            write_u32(data, ptrs, buf)?;
            ptrs = ptrs.wrapping_add(4);
            let dst = slice_mut(data, buf, s.len() as u32 + 1)?;
            dst[..s.len()].copy_from_slice(s.as_bytes());
            dst[s.len()] = 0;
            buf = buf.wrapping_add(s.len() as u32 + 1);
        }
        Ok::<(), C::Error>(())
    })();
    let st = cx.state_mut();
    *(if environ { &mut st.environ } else { &mut st.args }) = list;
    r?;
    errno(ESUCCESS)
}

pub(crate) fn args_sizes_get<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    strings_sizes(cx, false, args)
}
pub(crate) fn args_get<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    strings_get(cx, false, args)
}
pub(crate) fn environ_sizes_get<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    strings_sizes(cx, true, args)
}
pub(crate) fn environ_get<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    strings_get(cx, true, args)
}
