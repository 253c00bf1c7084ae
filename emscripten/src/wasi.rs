//! The `wasi_snapshot_preview1` imports an emcc program may use, as the reference host
//! implements them: `fd_write` (fd 1 = stdout, 2 = stderr), `fd_read` (fd 0), `fd_close`,
//! `fd_seek` (ESPIPE on 0..2), `fd_fdstat_get`, `proc_exit`, `clock_time_get`, `random_get`,
//! `args_sizes_get`/`args_get` and `environ_sizes_get`/`environ_get`. Any other descriptor is
//! `EBADF`. The i64 parameters of `fd_seek` and `clock_time_get` may be legalized; that is
//! taken from each import's type (see [`Layout`](crate::sig::Layout)).

use crate::error::Exit;
use crate::state::{memory, read_u32, slice, slice_mut, write_u32, write_u64, HostState};
use crate::Handler;
use engine::{Caller, Error, TrapCode, Val};

const ESUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EINVAL: i32 = 28;
const ESPIPE: i32 = 70;

/// The logical signature and implementation of a WASI import, by name.
pub(crate) fn lookup(name: &str) -> Option<(&'static str, Handler)> {
    Some(match name {
        "fd_write" => ("iiiii", fd_write),
        "fd_read" => ("iiiii", fd_read),
        "fd_close" => ("ii", fd_close),
        "fd_seek" => ("iijii", fd_seek),
        "fd_fdstat_get" => ("iii", fd_fdstat_get),
        "proc_exit" => ("vi", proc_exit),
        "clock_time_get" => ("iiji", clock_time_get),
        "random_get" => ("iii", random_get),
        "args_sizes_get" => ("iii", args_sizes_get),
        "args_get" => ("iii", args_get),
        "environ_sizes_get" => ("iii", environ_sizes_get),
        "environ_get" => ("iii", environ_get),
        _ => return None,
    })
}

#[inline]
fn arg_i32(args: &[Val], i: usize) -> i32 {
    args.get(i).and_then(Val::i32).unwrap_or(0)
}

#[inline]
fn errno(e: i32) -> Result<Option<Val>, Error> {
    Ok(Some(Val::I32(e)))
}

/// The address of iovec `i` of the array at `iov` (8 bytes each).
fn iovec_addr(iov: u32, i: u32) -> Result<u32, Error> {
    i.checked_mul(8).and_then(|o| iov.checked_add(o)).ok_or_else(|| TrapCode::MemoryOutOfBounds.into())
}

/// Sets the module's `errno` (through the cached `__errno_location` export, if any).
pub(crate) fn set_errno(caller: &mut Caller<'_, HostState>, value: i32) -> Result<(), Error> {
    if let (Some(loc), Some(mem)) = (caller.data().cached.errno_location, caller.data().cached.memory) {
        let p = loc.call(&mut *caller, ())? as u32 & !3;
        slice_mut(mem.data_mut(&mut *caller), p, 4)?.copy_from_slice(&value.to_le_bytes());
    }
    Ok(())
}

fn fd_write(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    let (fd, iov, iovcnt, pnum) =
        (arg_i32(args, 0), arg_i32(args, 1) as u32, arg_i32(args, 2) as u32, arg_i32(args, 3) as u32);
    if fd != 1 && fd != 2 {
        return errno(EBADF);
    }
    let mem = memory(caller)?;
    // The streams live in the host state; take them out while the memory is borrowed.
    let mut io = std::mem::take(&mut caller.data_mut().io);
    let written = (|| {
        let data = mem.data(&*caller);
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
        Ok::<u32, Error>(n)
    })();
    caller.data_mut().io = io;
    write_u32(mem.data_mut(&mut *caller), pnum, written?)?;
    errno(ESUCCESS)
}

fn fd_read(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    let (fd, iov, iovcnt, pnum) =
        (arg_i32(args, 0), arg_i32(args, 1) as u32, arg_i32(args, 2) as u32, arg_i32(args, 3) as u32);
    if fd != 0 {
        return errno(EBADF);
    }
    let mem = memory(caller)?;
    let mut io = std::mem::take(&mut caller.data_mut().io);
    let got = (|| {
        let data = mem.data_mut(&mut *caller);
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
        Ok::<u32, Error>(n)
    })();
    caller.data_mut().io = io;
    write_u32(mem.data_mut(&mut *caller), pnum, got?)?;
    errno(ESUCCESS)
}

fn fd_close(_: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    errno(if (0..=2).contains(&arg_i32(args, 0)) { ESUCCESS } else { EBADF })
}

fn fd_seek(_: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    errno(if (0..=2).contains(&arg_i32(args, 0)) { ESPIPE } else { EBADF })
}

fn fd_fdstat_get(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    if !(0..=2).contains(&arg_i32(args, 0)) {
        return errno(EBADF);
    }
    let mem = memory(caller)?;
    let stat = slice_mut(mem.data_mut(&mut *caller), arg_i32(args, 1) as u32, 24)?;
    stat.fill(0);
    stat[0] = 2; // __WASI_FILETYPE_CHARACTER_DEVICE
    errno(ESUCCESS)
}

fn proc_exit(_: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    Err(Error::host(Exit(arg_i32(args, 0))))
}

fn clock_time_get(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    let ns = match arg_i32(args, 0) {
        // node: BigInt(Date.now()) * 1000000n, so millisecond resolution
        0 => crate::env::date_now_ms() as u64 * 1_000_000,
        1 => crate::env::monotonic_ns(),
        _ => return errno(EINVAL),
    };
    let mem = memory(caller)?;
    write_u64(mem.data_mut(&mut *caller), arg_i32(args, 2) as u32, ns)?;
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

fn random_get(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    let mem = memory(caller)?;
    let mut rng = caller.data().rng;
    let buf = slice_mut(mem.data_mut(&mut *caller), arg_i32(args, 0) as u32, arg_i32(args, 1) as u32)?;
    for chunk in buf.chunks_mut(8) {
        let r = next_random(&mut rng).to_le_bytes();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
    caller.data_mut().rng = rng;
    errno(ESUCCESS)
}

fn strings_sizes(caller: &mut Caller<'_, HostState>, environ: bool, args: &[Val]) -> Result<Option<Val>, Error> {
    let st = caller.data();
    let list = if environ { &st.environ } else { &st.args };
    let count = list.len() as u32;
    let size = list.iter().map(|s| s.len() as u32 + 1).sum::<u32>();
    let mem = memory(caller)?;
    let data = mem.data_mut(&mut *caller);
    write_u32(data, arg_i32(args, 0) as u32, count)?;
    write_u32(data, arg_i32(args, 1) as u32, size)?;
    errno(ESUCCESS)
}

fn strings_get(caller: &mut Caller<'_, HostState>, environ: bool, args: &[Val]) -> Result<Option<Val>, Error> {
    let mem = memory(caller)?;
    let list = {
        let st = caller.data_mut();
        std::mem::take(if environ { &mut st.environ } else { &mut st.args })
    };
    let r = (|| {
        let data = mem.data_mut(&mut *caller);
        let (mut ptrs, mut buf) = (arg_i32(args, 0) as u32, arg_i32(args, 1) as u32);
        for s in &list {
            write_u32(data, ptrs, buf)?;
            ptrs = ptrs.wrapping_add(4);
            let dst = slice_mut(data, buf, s.len() as u32 + 1)?;
            dst[..s.len()].copy_from_slice(s.as_bytes());
            dst[s.len()] = 0;
            buf = buf.wrapping_add(s.len() as u32 + 1);
        }
        Ok::<(), Error>(())
    })();
    let st = caller.data_mut();
    *(if environ { &mut st.environ } else { &mut st.args }) = list;
    r?;
    errno(ESUCCESS)
}

fn args_sizes_get(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    strings_sizes(caller, false, args)
}
fn args_get(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    strings_get(caller, false, args)
}
fn environ_sizes_get(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    strings_sizes(caller, true, args)
}
fn environ_get(caller: &mut Caller<'_, HostState>, args: &[Val]) -> Result<Option<Val>, Error> {
    strings_get(caller, true, args)
}
