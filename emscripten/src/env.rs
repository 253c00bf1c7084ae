//! The non-WASI `env` imports of emcc 3.1.6's JS-host flavour (besides `invoke_*`):
//! `abort`, `__assert_fail`, `exit`, `setTempRet0`, `getTempRet0`, `emscripten_memcpy_big`,
//! `emscripten_resize_heap`, `gettimeofday`, `clock_gettime`. Each behaves exactly as in the
//! reference host `corpus/node/host.js` (which follows emcc's own JS library), including its
//! JavaScript number arithmetic where that is observable.

use crate::host::{Fault, HostContext};
use crate::imports::Builtin;
use crate::state::{c_bytes, slice_mut};
use engine::Val;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// emcc 3.1.6's `_emscripten_get_heap_max()`: 2 GiB.
pub const HEAP_MAX: f64 = 2147483648.0;

/// WASI/musl errno `EINVAL`.
const EINVAL: i32 = 28;

/// The logical signature and implementation of an `env` import, by name.
pub(crate) fn lookup(name: &str) -> Option<(&'static str, Builtin)> {
    Some(match name {
        "abort" => ("v", Builtin::Abort),
        "__assert_fail" => ("viiii", Builtin::AssertFail),
        "exit" => ("vi", Builtin::Exit),
        "setTempRet0" => ("vi", Builtin::SetTempRet0),
        "getTempRet0" => ("i", Builtin::GetTempRet0),
        "emscripten_memcpy_big" => ("iiii", Builtin::MemcpyBig),
        "emscripten_resize_heap" => ("ii", Builtin::ResizeHeap),
        "gettimeofday" => ("iii", Builtin::Gettimeofday),
        "clock_gettime" => ("iii", Builtin::ClockGettime),
        _ => return None,
    })
}

#[inline]
pub(crate) fn arg_i32(args: &[Val], i: usize) -> i32 {
    args.get(i).and_then(Val::i32).unwrap_or(0)
}

/// JavaScript's ToUint32 (what `x >>> 0` does to a number).
pub(crate) fn to_uint32(x: f64) -> u32 {
    if !x.is_finite() {
        return 0;
    }
    x.trunc().rem_euclid(4294967296.0) as u32
}

/// JavaScript's ToInt32 (what `x | 0` does to a number).
pub(crate) fn to_int32(x: f64) -> i32 {
    to_uint32(x) as i32
}

/// `Date.now()`: integer milliseconds since the Unix epoch.
pub(crate) fn date_now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64) as f64
}

/// A monotonic clock in fractional milliseconds (node's `process.hrtime()` has an arbitrary
/// origin; ours is the first use in this process).
pub(crate) fn monotonic_ns() -> u64 {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

pub(crate) fn abort<C: HostContext>(_: &mut C, _: &[Val]) -> Result<Option<Val>, C::Error> {
    Err(Fault::Abort("Aborted()".into()).into())
}

pub(crate) fn assert_fail<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let data = cx.memory()?;
    let text = |p: i32, default: &str| {
        if p == 0 {
            default.to_string()
        } else {
            String::from_utf8_lossy(c_bytes(data, p as u32)).into_owned()
        }
    };
    let cond = String::from_utf8_lossy(c_bytes(data, arg_i32(args, 0) as u32)).into_owned();
    let file = text(arg_i32(args, 1), "unknown filename");
    let line = arg_i32(args, 2);
    let func = text(arg_i32(args, 3), "unknown function");
    Err(Fault::Abort(format!("Aborted(Assertion failed: {cond}, at: {file},{line},{func})")).into())
}

pub(crate) fn exit<C: HostContext>(_: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    Err(Fault::Exit(arg_i32(args, 0)).into())
}

pub(crate) fn set_temp_ret0<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    cx.state_mut().temp_ret0 = arg_i32(args, 0);
    Ok(None)
}

pub(crate) fn get_temp_ret0<C: HostContext>(cx: &mut C, _: &[Val]) -> Result<Option<Val>, C::Error> {
    Ok(Some(Val::I32(cx.state().temp_ret0)))
}

/// `memmove` inside linear memory with the clamping of `Uint8Array.copyWithin`; returns `dest`.
pub(crate) fn memcpy_big<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let (dest, src, num) = (arg_i32(args, 0), arg_i32(args, 1), arg_i32(args, 2));
    let data = cx.memory()?;
    let len = data.len() as i64;
    let to = (dest as u32 as i64).min(len);
    let from = (src as u32 as i64).min(len);
    let end = (src as u32 as i64 + num as i64).clamp(0, len);
    let count = (end - from).min(len - to);
    if count > 0 {
        let (from, to, count) = (from as usize, to as usize, count as usize);
        data.copy_within(from..from + count, to);
    }
    Ok(Some(Val::I32(dest)))
}

/// emcc 3.1.6's `emscripten_resize_heap`, with the same double arithmetic: over-allocate up
/// to +20 % (then +10 %, +5 %) in 64 KiB pages, at most `requested + 96 MiB`, capped at 2 GiB.
pub(crate) fn resize_heap<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let old_size = cx.memory()?.len() as f64;
    let requested = arg_i32(args, 0) as u32 as f64;
    if requested > HEAP_MAX {
        return Ok(Some(Val::I32(0)));
    }
    let align_up = |x: f64, multiple: f64| x + (multiple - x % multiple) % multiple;
    for cut_down in [1.0f64, 2.0, 4.0] {
        let mut over = old_size * (1.0 + 0.2 / cut_down);
        over = over.min(requested + 100663296.0);
        let new_size = HEAP_MAX.min(align_up(requested.max(over), 65536.0));
        let current = cx.memory()?.len() as f64;
        let delta = to_uint32(new_size - current + 65535.0) >> 16;
        if cx.memory_grow(delta) {
            return Ok(Some(Val::I32(1)));
        }
    }
    Ok(Some(Val::I32(0)))
}

/// Writes `HEAP32[ptr >> 2] = a; HEAP32[(ptr + 4) >> 2] = b` (aligned, as typed arrays do).
fn write_pair<C: HostContext>(cx: &mut C, ptr: i32, a: i32, b: i32) -> Result<(), C::Error> {
    let data = cx.memory()?;
    let p = ptr as u32 & !3;
    slice_mut(data, p, 4)?.copy_from_slice(&a.to_le_bytes());
    slice_mut(data, p.wrapping_add(4), 4)?.copy_from_slice(&b.to_le_bytes());
    Ok(())
}

pub(crate) fn gettimeofday<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let now = date_now_ms();
    write_pair(cx, arg_i32(args, 0), to_int32(now / 1e3), to_int32((now % 1e3) * 1e3))?;
    Ok(Some(Val::I32(0)))
}

pub(crate) fn clock_gettime<C: HostContext>(cx: &mut C, args: &[Val]) -> Result<Option<Val>, C::Error> {
    let now = match arg_i32(args, 0) {
        0 => date_now_ms(),
        1 | 4 => monotonic_ns() as f64 / 1e6,
        _ => {
            crate::wasi::set_errno(cx, EINVAL)?;
            return Ok(Some(Val::I32(-1)));
        }
    };
    write_pair(cx, arg_i32(args, 1), to_int32(now / 1e3), to_int32((now % 1e3) * 1e3 * 1e3))?;
    Ok(Some(Val::I32(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_conversions() {
        assert_eq!(to_uint32(-1.0), u32::MAX);
        assert_eq!(to_int32(4294967295.0), -1);
        assert_eq!(to_uint32(f64::NAN), 0);
        assert_eq!(to_uint32(3.9), 3);
        assert_eq!(to_int32(-3.9), -3);
    }
}
