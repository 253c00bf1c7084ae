//! Pure WebAssembly 2.0 numeric semantics (everything except SIMD).
//!
//! Every Wasm numeric instruction is a small `#[inline(always)]` free function named
//! `{type}_{op}` after the Wasm mnemonic (`i32_add`, `f64_nearest`, `i64_trunc_f32_u`, ...).
//! The same functions back every closure variant and constant folding, so the interpreter has a
//! single source of truth for numeric behavior.
//!
//! Conventions:
//! - Integer values are carried as `i32`/`i64`; unsigned operations reinterpret their operands
//!   (`a as u32`) and return the signed bit pattern.
//! - Arithmetic wraps; shift and rotate counts are masked to the bit width.
//! - Comparisons and tests (`eqz`, `eq`, `lt_s`, `f32_lt`, ...) return `i32` 0 or 1.
//! - Operations that can trap return `Result<_, TrapCode>`.
//! - `abs`, `neg` and `copysign` are pure bit operations and preserve NaN payloads exactly;
//!   `min`/`max` return an arithmetic NaN if either operand is NaN and order -0.0 below +0.0.

use crate::error::TrapCode;

// ---------------------------------------------------------------------------------------------
// i32
// ---------------------------------------------------------------------------------------------

/// `i32.add`: wrapping addition.
#[inline(always)]
pub fn i32_add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// `i32.sub`: wrapping subtraction.
#[inline(always)]
pub fn i32_sub(a: i32, b: i32) -> i32 {
    a.wrapping_sub(b)
}

/// `i32.mul`: wrapping multiplication.
#[inline(always)]
pub fn i32_mul(a: i32, b: i32) -> i32 {
    a.wrapping_mul(b)
}

/// `i32.div_s`: signed division; traps on zero divisor and on `MIN / -1`.
#[inline(always)]
pub fn i32_div_s(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    if a == i32::MIN && b == -1 {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(a / b)
}

/// `i32.div_u`: unsigned division; traps on zero divisor.
#[inline(always)]
pub fn i32_div_u(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(((a as u32) / (b as u32)) as i32)
}

/// `i32.rem_s`: signed remainder (sign of the dividend); traps on zero divisor, `MIN % -1 == 0`.
#[inline(always)]
pub fn i32_rem_s(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(a.wrapping_rem(b))
}

/// `i32.rem_u`: unsigned remainder; traps on zero divisor.
#[inline(always)]
pub fn i32_rem_u(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(((a as u32) % (b as u32)) as i32)
}

/// `i32.and`: bitwise and.
#[inline(always)]
pub fn i32_and(a: i32, b: i32) -> i32 {
    a & b
}

/// `i32.or`: bitwise or.
#[inline(always)]
pub fn i32_or(a: i32, b: i32) -> i32 {
    a | b
}

/// `i32.xor`: bitwise exclusive or.
#[inline(always)]
pub fn i32_xor(a: i32, b: i32) -> i32 {
    a ^ b
}

/// `i32.shl`: shift left, count masked to 5 bits.
#[inline(always)]
pub fn i32_shl(a: i32, b: i32) -> i32 {
    a.wrapping_shl(b as u32)
}

/// `i32.shr_s`: arithmetic shift right, count masked to 5 bits.
#[inline(always)]
pub fn i32_shr_s(a: i32, b: i32) -> i32 {
    a.wrapping_shr(b as u32)
}

/// `i32.shr_u`: logical shift right, count masked to 5 bits.
#[inline(always)]
pub fn i32_shr_u(a: i32, b: i32) -> i32 {
    (a as u32).wrapping_shr(b as u32) as i32
}

/// `i32.rotl`: rotate left, count taken modulo 32.
#[inline(always)]
pub fn i32_rotl(a: i32, b: i32) -> i32 {
    a.rotate_left((b as u32) & 31)
}

/// `i32.rotr`: rotate right, count taken modulo 32.
#[inline(always)]
pub fn i32_rotr(a: i32, b: i32) -> i32 {
    a.rotate_right((b as u32) & 31)
}

/// `i32.clz`: count leading zero bits (32 for zero).
#[inline(always)]
pub fn i32_clz(a: i32) -> i32 {
    a.leading_zeros() as i32
}

/// `i32.ctz`: count trailing zero bits (32 for zero).
#[inline(always)]
pub fn i32_ctz(a: i32) -> i32 {
    a.trailing_zeros() as i32
}

/// `i32.popcnt`: count one bits.
#[inline(always)]
pub fn i32_popcnt(a: i32) -> i32 {
    a.count_ones() as i32
}

/// `i32.eqz`: 1 if zero, else 0.
#[inline(always)]
pub fn i32_eqz(a: i32) -> i32 {
    i32::from(a == 0)
}

/// `i32.eq`: equality, as 0/1.
#[inline(always)]
pub fn i32_eq(a: i32, b: i32) -> i32 {
    i32::from(a == b)
}

/// `i32.ne`: inequality, as 0/1.
#[inline(always)]
pub fn i32_ne(a: i32, b: i32) -> i32 {
    i32::from(a != b)
}

/// `i32.lt_s`: signed less-than, as 0/1.
#[inline(always)]
pub fn i32_lt_s(a: i32, b: i32) -> i32 {
    i32::from(a < b)
}

/// `i32.lt_u`: unsigned less-than, as 0/1.
#[inline(always)]
pub fn i32_lt_u(a: i32, b: i32) -> i32 {
    i32::from((a as u32) < (b as u32))
}

/// `i32.gt_s`: signed greater-than, as 0/1.
#[inline(always)]
pub fn i32_gt_s(a: i32, b: i32) -> i32 {
    i32::from(a > b)
}

/// `i32.gt_u`: unsigned greater-than, as 0/1.
#[inline(always)]
pub fn i32_gt_u(a: i32, b: i32) -> i32 {
    i32::from((a as u32) > (b as u32))
}

/// `i32.le_s`: signed less-or-equal, as 0/1.
#[inline(always)]
pub fn i32_le_s(a: i32, b: i32) -> i32 {
    i32::from(a <= b)
}

/// `i32.le_u`: unsigned less-or-equal, as 0/1.
#[inline(always)]
pub fn i32_le_u(a: i32, b: i32) -> i32 {
    i32::from((a as u32) <= (b as u32))
}

/// `i32.ge_s`: signed greater-or-equal, as 0/1.
#[inline(always)]
pub fn i32_ge_s(a: i32, b: i32) -> i32 {
    i32::from(a >= b)
}

/// `i32.ge_u`: unsigned greater-or-equal, as 0/1.
#[inline(always)]
pub fn i32_ge_u(a: i32, b: i32) -> i32 {
    i32::from((a as u32) >= (b as u32))
}

/// `i32.extend8_s`: sign-extend the low 8 bits.
#[inline(always)]
pub fn i32_extend8_s(a: i32) -> i32 {
    a as i8 as i32
}

/// `i32.extend16_s`: sign-extend the low 16 bits.
#[inline(always)]
pub fn i32_extend16_s(a: i32) -> i32 {
    a as i16 as i32
}

// ---------------------------------------------------------------------------------------------
// i64
// ---------------------------------------------------------------------------------------------

/// `i64.add`: wrapping addition.
#[inline(always)]
pub fn i64_add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// `i64.sub`: wrapping subtraction.
#[inline(always)]
pub fn i64_sub(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b)
}

/// `i64.mul`: wrapping multiplication.
#[inline(always)]
pub fn i64_mul(a: i64, b: i64) -> i64 {
    a.wrapping_mul(b)
}

/// `i64.div_s`: signed division; traps on zero divisor and on `MIN / -1`.
#[inline(always)]
pub fn i64_div_s(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    if a == i64::MIN && b == -1 {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(a / b)
}

/// `i64.div_u`: unsigned division; traps on zero divisor.
#[inline(always)]
pub fn i64_div_u(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(((a as u64) / (b as u64)) as i64)
}

/// `i64.rem_s`: signed remainder (sign of the dividend); traps on zero divisor, `MIN % -1 == 0`.
#[inline(always)]
pub fn i64_rem_s(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(a.wrapping_rem(b))
}

/// `i64.rem_u`: unsigned remainder; traps on zero divisor.
#[inline(always)]
pub fn i64_rem_u(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        return Err(TrapCode::IntegerDivideByZero);
    }
    Ok(((a as u64) % (b as u64)) as i64)
}

/// `i64.and`: bitwise and.
#[inline(always)]
pub fn i64_and(a: i64, b: i64) -> i64 {
    a & b
}

/// `i64.or`: bitwise or.
#[inline(always)]
pub fn i64_or(a: i64, b: i64) -> i64 {
    a | b
}

/// `i64.xor`: bitwise exclusive or.
#[inline(always)]
pub fn i64_xor(a: i64, b: i64) -> i64 {
    a ^ b
}

/// `i64.shl`: shift left, count masked to 6 bits.
#[inline(always)]
pub fn i64_shl(a: i64, b: i64) -> i64 {
    a.wrapping_shl(b as u32)
}

/// `i64.shr_s`: arithmetic shift right, count masked to 6 bits.
#[inline(always)]
pub fn i64_shr_s(a: i64, b: i64) -> i64 {
    a.wrapping_shr(b as u32)
}

/// `i64.shr_u`: logical shift right, count masked to 6 bits.
#[inline(always)]
pub fn i64_shr_u(a: i64, b: i64) -> i64 {
    (a as u64).wrapping_shr(b as u32) as i64
}

/// `i64.rotl`: rotate left, count taken modulo 64.
#[inline(always)]
pub fn i64_rotl(a: i64, b: i64) -> i64 {
    a.rotate_left((b as u32) & 63)
}

/// `i64.rotr`: rotate right, count taken modulo 64.
#[inline(always)]
pub fn i64_rotr(a: i64, b: i64) -> i64 {
    a.rotate_right((b as u32) & 63)
}

/// `i64.clz`: count leading zero bits (64 for zero).
#[inline(always)]
pub fn i64_clz(a: i64) -> i64 {
    i64::from(a.leading_zeros())
}

/// `i64.ctz`: count trailing zero bits (64 for zero).
#[inline(always)]
pub fn i64_ctz(a: i64) -> i64 {
    i64::from(a.trailing_zeros())
}

/// `i64.popcnt`: count one bits.
#[inline(always)]
pub fn i64_popcnt(a: i64) -> i64 {
    i64::from(a.count_ones())
}

/// `i64.eqz`: 1 if zero, else 0.
#[inline(always)]
pub fn i64_eqz(a: i64) -> i32 {
    i32::from(a == 0)
}

/// `i64.eq`: equality, as 0/1.
#[inline(always)]
pub fn i64_eq(a: i64, b: i64) -> i32 {
    i32::from(a == b)
}

/// `i64.ne`: inequality, as 0/1.
#[inline(always)]
pub fn i64_ne(a: i64, b: i64) -> i32 {
    i32::from(a != b)
}

/// `i64.lt_s`: signed less-than, as 0/1.
#[inline(always)]
pub fn i64_lt_s(a: i64, b: i64) -> i32 {
    i32::from(a < b)
}

/// `i64.lt_u`: unsigned less-than, as 0/1.
#[inline(always)]
pub fn i64_lt_u(a: i64, b: i64) -> i32 {
    i32::from((a as u64) < (b as u64))
}

/// `i64.gt_s`: signed greater-than, as 0/1.
#[inline(always)]
pub fn i64_gt_s(a: i64, b: i64) -> i32 {
    i32::from(a > b)
}

/// `i64.gt_u`: unsigned greater-than, as 0/1.
#[inline(always)]
pub fn i64_gt_u(a: i64, b: i64) -> i32 {
    i32::from((a as u64) > (b as u64))
}

/// `i64.le_s`: signed less-or-equal, as 0/1.
#[inline(always)]
pub fn i64_le_s(a: i64, b: i64) -> i32 {
    i32::from(a <= b)
}

/// `i64.le_u`: unsigned less-or-equal, as 0/1.
#[inline(always)]
pub fn i64_le_u(a: i64, b: i64) -> i32 {
    i32::from((a as u64) <= (b as u64))
}

/// `i64.ge_s`: signed greater-or-equal, as 0/1.
#[inline(always)]
pub fn i64_ge_s(a: i64, b: i64) -> i32 {
    i32::from(a >= b)
}

/// `i64.ge_u`: unsigned greater-or-equal, as 0/1.
#[inline(always)]
pub fn i64_ge_u(a: i64, b: i64) -> i32 {
    i32::from((a as u64) >= (b as u64))
}

/// `i64.extend8_s`: sign-extend the low 8 bits.
#[inline(always)]
pub fn i64_extend8_s(a: i64) -> i64 {
    a as i8 as i64
}

/// `i64.extend16_s`: sign-extend the low 16 bits.
#[inline(always)]
pub fn i64_extend16_s(a: i64) -> i64 {
    a as i16 as i64
}

/// `i64.extend32_s`: sign-extend the low 32 bits.
#[inline(always)]
pub fn i64_extend32_s(a: i64) -> i64 {
    a as i32 as i64
}

// ---------------------------------------------------------------------------------------------
// f32
// ---------------------------------------------------------------------------------------------

const F32_SIGN: u32 = 0x8000_0000;
const F64_SIGN: u64 = 0x8000_0000_0000_0000;

/// `f32.add`: IEEE 754 addition.
#[inline(always)]
pub fn f32_add(a: f32, b: f32) -> f32 {
    a + b
}

/// `f32.sub`: IEEE 754 subtraction.
#[inline(always)]
pub fn f32_sub(a: f32, b: f32) -> f32 {
    a - b
}

/// `f32.mul`: IEEE 754 multiplication.
#[inline(always)]
pub fn f32_mul(a: f32, b: f32) -> f32 {
    a * b
}

/// `f32.div`: IEEE 754 division.
#[inline(always)]
pub fn f32_div(a: f32, b: f32) -> f32 {
    a / b
}

/// `f32.min`: NaN if either operand is NaN; `-0.0` is less than `+0.0`.
#[inline(always)]
pub fn f32_min(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a == b {
        // Equal values differ at most in the sign of zero: prefer the negative one.
        f32::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

/// `f32.max`: NaN if either operand is NaN; `+0.0` is greater than `-0.0`.
#[inline(always)]
pub fn f32_max(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a == b {
        // Equal values differ at most in the sign of zero: prefer the positive one.
        f32::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

/// `f32.copysign`: magnitude of `a` with the sign bit of `b` (bitwise, NaN payloads kept).
#[inline(always)]
pub fn f32_copysign(a: f32, b: f32) -> f32 {
    f32::from_bits((a.to_bits() & !F32_SIGN) | (b.to_bits() & F32_SIGN))
}

/// `f32.abs`: clear the sign bit (bitwise, NaN payloads kept).
#[inline(always)]
pub fn f32_abs(a: f32) -> f32 {
    f32::from_bits(a.to_bits() & !F32_SIGN)
}

/// `f32.neg`: flip the sign bit (bitwise, NaN payloads kept).
#[inline(always)]
pub fn f32_neg(a: f32) -> f32 {
    f32::from_bits(a.to_bits() ^ F32_SIGN)
}

/// `f32.sqrt`: IEEE 754 square root.
#[inline(always)]
pub fn f32_sqrt(a: f32) -> f32 {
    a.sqrt()
}

/// Rounding functions may return a signalling NaN input unchanged; Wasm requires an
/// arithmetic NaN (quiet bit set) as the result.
#[inline(always)]
fn quiet_f32(r: f32) -> f32 {
    if r.is_nan() {
        f32::from_bits(r.to_bits() | 0x0040_0000)
    } else {
        r
    }
}

/// See [`quiet_f32`].
#[inline(always)]
fn quiet_f64(r: f64) -> f64 {
    if r.is_nan() {
        f64::from_bits(r.to_bits() | 0x0008_0000_0000_0000)
    } else {
        r
    }
}

/// `f32.ceil`: round toward positive infinity.
#[inline(always)]
pub fn f32_ceil(a: f32) -> f32 {
    quiet_f32(a.ceil())
}

/// `f32.floor`: round toward negative infinity.
#[inline(always)]
pub fn f32_floor(a: f32) -> f32 {
    quiet_f32(a.floor())
}

/// `f32.trunc`: round toward zero.
#[inline(always)]
pub fn f32_trunc(a: f32) -> f32 {
    quiet_f32(a.trunc())
}

/// `f32.nearest`: round to nearest integer, ties to even.
#[inline(always)]
pub fn f32_nearest(a: f32) -> f32 {
    quiet_f32(a.round_ties_even())
}

/// `f32.eq`: IEEE equality (false for NaN), as 0/1.
#[inline(always)]
pub fn f32_eq(a: f32, b: f32) -> i32 {
    i32::from(a == b)
}

/// `f32.ne`: IEEE inequality (true for NaN), as 0/1.
#[inline(always)]
pub fn f32_ne(a: f32, b: f32) -> i32 {
    i32::from(a != b)
}

/// `f32.lt`: less-than (false for NaN), as 0/1.
#[inline(always)]
pub fn f32_lt(a: f32, b: f32) -> i32 {
    i32::from(a < b)
}

/// `f32.gt`: greater-than (false for NaN), as 0/1.
#[inline(always)]
pub fn f32_gt(a: f32, b: f32) -> i32 {
    i32::from(a > b)
}

/// `f32.le`: less-or-equal (false for NaN), as 0/1.
#[inline(always)]
pub fn f32_le(a: f32, b: f32) -> i32 {
    i32::from(a <= b)
}

/// `f32.ge`: greater-or-equal (false for NaN), as 0/1.
#[inline(always)]
pub fn f32_ge(a: f32, b: f32) -> i32 {
    i32::from(a >= b)
}

// ---------------------------------------------------------------------------------------------
// f64
// ---------------------------------------------------------------------------------------------

/// `f64.add`: IEEE 754 addition.
#[inline(always)]
pub fn f64_add(a: f64, b: f64) -> f64 {
    a + b
}

/// `f64.sub`: IEEE 754 subtraction.
#[inline(always)]
pub fn f64_sub(a: f64, b: f64) -> f64 {
    a - b
}

/// `f64.mul`: IEEE 754 multiplication.
#[inline(always)]
pub fn f64_mul(a: f64, b: f64) -> f64 {
    a * b
}

/// `f64.div`: IEEE 754 division.
#[inline(always)]
pub fn f64_div(a: f64, b: f64) -> f64 {
    a / b
}

/// `f64.min`: NaN if either operand is NaN; `-0.0` is less than `+0.0`.
#[inline(always)]
pub fn f64_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a == b {
        // Equal values differ at most in the sign of zero: prefer the negative one.
        f64::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

/// `f64.max`: NaN if either operand is NaN; `+0.0` is greater than `-0.0`.
#[inline(always)]
pub fn f64_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a == b {
        // Equal values differ at most in the sign of zero: prefer the positive one.
        f64::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

/// `f64.copysign`: magnitude of `a` with the sign bit of `b` (bitwise, NaN payloads kept).
#[inline(always)]
pub fn f64_copysign(a: f64, b: f64) -> f64 {
    f64::from_bits((a.to_bits() & !F64_SIGN) | (b.to_bits() & F64_SIGN))
}

/// `f64.abs`: clear the sign bit (bitwise, NaN payloads kept).
#[inline(always)]
pub fn f64_abs(a: f64) -> f64 {
    f64::from_bits(a.to_bits() & !F64_SIGN)
}

/// `f64.neg`: flip the sign bit (bitwise, NaN payloads kept).
#[inline(always)]
pub fn f64_neg(a: f64) -> f64 {
    f64::from_bits(a.to_bits() ^ F64_SIGN)
}

/// `f64.sqrt`: IEEE 754 square root.
#[inline(always)]
pub fn f64_sqrt(a: f64) -> f64 {
    a.sqrt()
}

/// `f64.ceil`: round toward positive infinity.
#[inline(always)]
pub fn f64_ceil(a: f64) -> f64 {
    quiet_f64(a.ceil())
}

/// `f64.floor`: round toward negative infinity.
#[inline(always)]
pub fn f64_floor(a: f64) -> f64 {
    quiet_f64(a.floor())
}

/// `f64.trunc`: round toward zero.
#[inline(always)]
pub fn f64_trunc(a: f64) -> f64 {
    quiet_f64(a.trunc())
}

/// `f64.nearest`: round to nearest integer, ties to even.
#[inline(always)]
pub fn f64_nearest(a: f64) -> f64 {
    quiet_f64(a.round_ties_even())
}

/// `f64.eq`: IEEE equality (false for NaN), as 0/1.
#[inline(always)]
pub fn f64_eq(a: f64, b: f64) -> i32 {
    i32::from(a == b)
}

/// `f64.ne`: IEEE inequality (true for NaN), as 0/1.
#[inline(always)]
pub fn f64_ne(a: f64, b: f64) -> i32 {
    i32::from(a != b)
}

/// `f64.lt`: less-than (false for NaN), as 0/1.
#[inline(always)]
pub fn f64_lt(a: f64, b: f64) -> i32 {
    i32::from(a < b)
}

/// `f64.gt`: greater-than (false for NaN), as 0/1.
#[inline(always)]
pub fn f64_gt(a: f64, b: f64) -> i32 {
    i32::from(a > b)
}

/// `f64.le`: less-or-equal (false for NaN), as 0/1.
#[inline(always)]
pub fn f64_le(a: f64, b: f64) -> i32 {
    i32::from(a <= b)
}

/// `f64.ge`: greater-or-equal (false for NaN), as 0/1.
#[inline(always)]
pub fn f64_ge(a: f64, b: f64) -> i32 {
    i32::from(a >= b)
}

// ---------------------------------------------------------------------------------------------
// Integer width conversions
// ---------------------------------------------------------------------------------------------

/// `i32.wrap_i64`: keep the low 32 bits.
#[inline(always)]
pub fn i32_wrap_i64(a: i64) -> i32 {
    a as i32
}

/// `i64.extend_i32_s`: sign-extend to 64 bits.
#[inline(always)]
pub fn i64_extend_i32_s(a: i32) -> i64 {
    i64::from(a)
}

/// `i64.extend_i32_u`: zero-extend to 64 bits.
#[inline(always)]
pub fn i64_extend_i32_u(a: i32) -> i64 {
    i64::from(a as u32)
}

// ---------------------------------------------------------------------------------------------
// Trapping float-to-int truncations
//
// Each checks NaN first (`InvalidConversionToInteger`), then that the value truncated toward
// zero fits the target (`IntegerOverflow`, which also covers infinities). The bounds are the
// exclusive limits of the valid open interval, all exactly representable in the source type.
// ---------------------------------------------------------------------------------------------

/// `i32.trunc_f32_s`: valid iff `-2147483904.0 < x < 2147483648.0`.
#[inline(always)]
pub fn i32_trunc_f32_s(x: f32) -> Result<i32, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    // -2^31 - 256: the f32 just below -2^31 (ulp there is 256).
    if x > -2147483904.0_f32 && x < 2147483648.0_f32 {
        Ok(x as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i32.trunc_f32_u`: valid iff `-1.0 < x < 4294967296.0`.
#[inline(always)]
pub fn i32_trunc_f32_u(x: f32) -> Result<i32, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    if x > -1.0_f32 && x < 4294967296.0_f32 {
        Ok(x as u32 as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i32.trunc_f64_s`: valid iff `-2147483649.0 < x < 2147483648.0`.
#[inline(always)]
pub fn i32_trunc_f64_s(x: f64) -> Result<i32, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    if x > -2147483649.0_f64 && x < 2147483648.0_f64 {
        Ok(x as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i32.trunc_f64_u`: valid iff `-1.0 < x < 4294967296.0`.
#[inline(always)]
pub fn i32_trunc_f64_u(x: f64) -> Result<i32, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    if x > -1.0_f64 && x < 4294967296.0_f64 {
        Ok(x as u32 as i32)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f32_s`: valid iff `-2^63 <= x < 2^63` (`-2^63` itself is exact in f32).
#[inline(always)]
pub fn i64_trunc_f32_s(x: f32) -> Result<i64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    if (-9223372036854775808.0_f32..9223372036854775808.0_f32).contains(&x) {
        Ok(x as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f32_u`: valid iff `-1.0 < x < 2^64`.
#[inline(always)]
pub fn i64_trunc_f32_u(x: f32) -> Result<i64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    if x > -1.0_f32 && x < 18446744073709551616.0_f32 {
        Ok(x as u64 as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f64_s`: valid iff `-2^63 <= x < 2^63` (`-2^63` itself is exact in f64).
#[inline(always)]
pub fn i64_trunc_f64_s(x: f64) -> Result<i64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    if (-9223372036854775808.0_f64..9223372036854775808.0_f64).contains(&x) {
        Ok(x as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

/// `i64.trunc_f64_u`: valid iff `-1.0 < x < 2^64`.
#[inline(always)]
pub fn i64_trunc_f64_u(x: f64) -> Result<i64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    if x > -1.0_f64 && x < 18446744073709551616.0_f64 {
        Ok(x as u64 as i64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

// ---------------------------------------------------------------------------------------------
// Saturating float-to-int truncations (Rust `as` saturates and maps NaN to 0, as Wasm does)
// ---------------------------------------------------------------------------------------------

/// `i32.trunc_sat_f32_s`: truncate, saturating to `i32` range; NaN gives 0.
#[inline(always)]
pub fn i32_trunc_sat_f32_s(x: f32) -> i32 {
    x as i32
}

/// `i32.trunc_sat_f32_u`: truncate, saturating to `u32` range; NaN gives 0.
#[inline(always)]
pub fn i32_trunc_sat_f32_u(x: f32) -> i32 {
    x as u32 as i32
}

/// `i32.trunc_sat_f64_s`: truncate, saturating to `i32` range; NaN gives 0.
#[inline(always)]
pub fn i32_trunc_sat_f64_s(x: f64) -> i32 {
    x as i32
}

/// `i32.trunc_sat_f64_u`: truncate, saturating to `u32` range; NaN gives 0.
#[inline(always)]
pub fn i32_trunc_sat_f64_u(x: f64) -> i32 {
    x as u32 as i32
}

/// `i64.trunc_sat_f32_s`: truncate, saturating to `i64` range; NaN gives 0.
#[inline(always)]
pub fn i64_trunc_sat_f32_s(x: f32) -> i64 {
    x as i64
}

/// `i64.trunc_sat_f32_u`: truncate, saturating to `u64` range; NaN gives 0.
#[inline(always)]
pub fn i64_trunc_sat_f32_u(x: f32) -> i64 {
    x as u64 as i64
}

/// `i64.trunc_sat_f64_s`: truncate, saturating to `i64` range; NaN gives 0.
#[inline(always)]
pub fn i64_trunc_sat_f64_s(x: f64) -> i64 {
    x as i64
}

/// `i64.trunc_sat_f64_u`: truncate, saturating to `u64` range; NaN gives 0.
#[inline(always)]
pub fn i64_trunc_sat_f64_u(x: f64) -> i64 {
    x as u64 as i64
}

// ---------------------------------------------------------------------------------------------
// Int-to-float conversions (Rust `as` rounds to nearest, ties to even)
// ---------------------------------------------------------------------------------------------

/// `f32.convert_i32_s`: signed integer to nearest f32.
#[inline(always)]
pub fn f32_convert_i32_s(a: i32) -> f32 {
    a as f32
}

/// `f32.convert_i32_u`: unsigned integer (reinterpreted) to nearest f32.
#[inline(always)]
pub fn f32_convert_i32_u(a: i32) -> f32 {
    a as u32 as f32
}

/// `f32.convert_i64_s`: signed integer to nearest f32.
#[inline(always)]
pub fn f32_convert_i64_s(a: i64) -> f32 {
    a as f32
}

/// `f32.convert_i64_u`: unsigned integer (reinterpreted) to nearest f32.
#[inline(always)]
pub fn f32_convert_i64_u(a: i64) -> f32 {
    a as u64 as f32
}

/// `f64.convert_i32_s`: signed integer to f64 (exact).
#[inline(always)]
pub fn f64_convert_i32_s(a: i32) -> f64 {
    f64::from(a)
}

/// `f64.convert_i32_u`: unsigned integer (reinterpreted) to f64 (exact).
#[inline(always)]
pub fn f64_convert_i32_u(a: i32) -> f64 {
    f64::from(a as u32)
}

/// `f64.convert_i64_s`: signed integer to nearest f64.
#[inline(always)]
pub fn f64_convert_i64_s(a: i64) -> f64 {
    a as f64
}

/// `f64.convert_i64_u`: unsigned integer (reinterpreted) to nearest f64.
#[inline(always)]
pub fn f64_convert_i64_u(a: i64) -> f64 {
    a as u64 as f64
}

// ---------------------------------------------------------------------------------------------
// Float width conversions
// ---------------------------------------------------------------------------------------------

/// `f32.demote_f64`: round to nearest f32.
#[inline(always)]
pub fn f32_demote_f64(a: f64) -> f32 {
    a as f32
}

/// `f64.promote_f32`: widen to f64 (exact).
#[inline(always)]
pub fn f64_promote_f32(a: f32) -> f64 {
    f64::from(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TrapCode::{IntegerDivideByZero, IntegerOverflow, InvalidConversionToInteger};

    fn same32(a: f32, b: f32) -> bool {
        a.to_bits() == b.to_bits()
    }

    fn same64(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits()
    }

    #[test]
    fn int_division() {
        assert_eq!(i32_div_s(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_div_u(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_rem_s(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_rem_u(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_div_s(i32::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i32_div_s(-7, 2), Ok(-3));
        assert_eq!(i32_rem_s(-7, 2), Ok(-1));
        assert_eq!(i32_rem_s(7, -2), Ok(1));
        assert_eq!(i32_div_u(-1, 2), Ok(0x7FFF_FFFF));
        assert_eq!(i32_rem_u(-1, 3), Ok((u32::MAX % 3) as i32));
        assert_eq!(i32_div_u(i32::MIN, -1), Ok(0));

        assert_eq!(i64_div_s(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_div_u(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_rem_s(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_rem_u(7, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        assert_eq!(i64_div_s(-7, 2), Ok(-3));
        assert_eq!(i64_rem_s(-7, 2), Ok(-1));
        assert_eq!(i64_div_u(-1, 2), Ok(i64::MAX));
        assert_eq!(i64_rem_u(-1, 10), Ok((u64::MAX % 10) as i64));
    }

    #[test]
    fn int_arith_shifts_bits() {
        assert_eq!(i32_add(i32::MAX, 1), i32::MIN);
        assert_eq!(i32_sub(i32::MIN, 1), i32::MAX);
        assert_eq!(i32_mul(0x1000_0000, 16), 0);
        assert_eq!(i64_add(i64::MAX, 1), i64::MIN);
        assert_eq!(i64_mul(i64::MIN, -1), i64::MIN);

        assert_eq!(i32_shl(1, 33), 2);
        assert_eq!(i32_shr_s(-8, 33), -4);
        assert_eq!(i32_shr_u(-8, 33), 0x7FFF_FFFC);
        assert_eq!(i32_shl(1, -1), i32::MIN);
        assert_eq!(i32_rotl(0x8000_0001_u32 as i32, 1), 3);
        assert_eq!(i32_rotr(3, 1), 0x8000_0001_u32 as i32);
        assert_eq!(i32_rotl(0x1234_5678, 36), 0x2345_6781);
        assert_eq!(i32_rotr(0x1234_5678, -4), 0x2345_6781);
        assert_eq!(i32_rotr(0x1234_5678, -28), 0x8123_4567_u32 as i32);
        assert_eq!(i64_shl(1, 65), 2);
        assert_eq!(i64_shr_s(-8, 65), -4);
        assert_eq!(i64_shr_u(-8, 65), 0x7FFF_FFFF_FFFF_FFFC);
        assert_eq!(i64_rotl(i64::MIN | 1, 1), 3);
        assert_eq!(i64_rotr(3, 65), i64::MIN | 1);

        assert_eq!(i32_clz(0), 32);
        assert_eq!(i32_ctz(0), 32);
        assert_eq!(i32_clz(1), 31);
        assert_eq!(i32_ctz(i32::MIN), 31);
        assert_eq!(i32_popcnt(-1), 32);
        assert_eq!(i64_clz(0), 64);
        assert_eq!(i64_ctz(0), 64);
        assert_eq!(i64_popcnt(-1), 64);

        assert_eq!(i32_extend8_s(0x80), -128);
        assert_eq!(i32_extend8_s(0x17F), 127);
        assert_eq!(i32_extend16_s(0x8000), -32768);
        assert_eq!(i64_extend8_s(0xFF), -1);
        assert_eq!(i64_extend16_s(0x1_7FFF), 0x7FFF);
        assert_eq!(i64_extend32_s(0x8000_0000), -2147483648);
        assert_eq!(i64_extend32_s(0x1_7FFF_FFFF), 0x7FFF_FFFF);
    }

    #[test]
    fn int_comparisons() {
        assert_eq!(i32_eqz(0), 1);
        assert_eq!(i32_eqz(5), 0);
        assert_eq!(i64_eqz(0), 1);
        assert_eq!(i64_eqz(i64::MIN), 0);
        assert_eq!(i32_lt_s(-1, 0), 1);
        assert_eq!(i32_lt_u(-1, 0), 0);
        assert_eq!(i32_gt_u(-1, 0), 1);
        assert_eq!(i32_ge_u(0, -1), 0);
        assert_eq!(i32_le_s(3, 3), 1);
        assert_eq!(i32_ne(3, 3), 0);
        assert_eq!(i64_lt_s(-1, 0), 1);
        assert_eq!(i64_lt_u(-1, 0), 0);
        assert_eq!(i64_gt_s(-1, 0), 0);
        assert_eq!(i64_gt_u(-1, 0), 1);
        assert_eq!(i64_le_u(0, -1), 1);
        assert_eq!(i64_ge_s(0, -1), 1);
        assert_eq!(i64_eq(7, 7), 1);
    }

    #[test]
    fn float_min_max() {
        assert!(f32_min(f32::NAN, 1.0).is_nan());
        assert!(f32_min(1.0, f32::NAN).is_nan());
        assert!(f32_max(f32::NAN, 1.0).is_nan());
        assert!(f32_max(1.0, f32::NAN).is_nan());
        assert!(same32(f32_min(0.0, -0.0), -0.0));
        assert!(same32(f32_min(-0.0, 0.0), -0.0));
        assert!(same32(f32_max(0.0, -0.0), 0.0));
        assert!(same32(f32_max(-0.0, 0.0), 0.0));
        assert!(same32(f32_min(-0.0, -0.0), -0.0));
        assert!(same32(f32_max(0.0, 0.0), 0.0));
        assert_eq!(f32_min(1.0, 2.0), 1.0);
        assert_eq!(f32_max(1.0, 2.0), 2.0);
        assert_eq!(f32_min(f32::NEG_INFINITY, 2.0), f32::NEG_INFINITY);

        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert!(f64_min(1.0, f64::NAN).is_nan());
        assert!(f64_max(f64::NAN, 1.0).is_nan());
        assert!(f64_max(1.0, f64::NAN).is_nan());
        assert!(same64(f64_min(0.0, -0.0), -0.0));
        assert!(same64(f64_min(-0.0, 0.0), -0.0));
        assert!(same64(f64_max(0.0, -0.0), 0.0));
        assert!(same64(f64_max(-0.0, 0.0), 0.0));
        assert_eq!(f64_min(-1.0, 2.0), -1.0);
        assert_eq!(f64_max(-1.0, 2.0), 2.0);
    }

    #[test]
    fn float_rounding() {
        assert!(same32(f32_nearest(0.5), 0.0));
        assert!(same32(f32_nearest(1.5), 2.0));
        assert!(same32(f32_nearest(2.5), 2.0));
        assert!(same32(f32_nearest(-0.5), -0.0));
        assert!(same32(f32_nearest(-1.5), -2.0));
        assert!(same32(f32_nearest(8388609.0), 8388609.0));
        assert!(same64(f64_nearest(0.5), 0.0));
        assert!(same64(f64_nearest(1.5), 2.0));
        assert!(same64(f64_nearest(2.5), 2.0));
        assert!(same64(f64_nearest(-0.5), -0.0));
        assert!(same64(f64_nearest(4503599627370497.0), 4503599627370497.0));
        assert!(same32(f32_ceil(-0.5), -0.0));
        assert!(same32(f32_floor(-0.5), -1.0));
        assert!(same32(f32_trunc(-0.5), -0.0));
        assert!(same64(f64_ceil(-0.5), -0.0));
        assert!(same64(f64_floor(0.5), 0.0));
        assert!(same64(f64_trunc(-1.5), -1.0));
        assert!(f32_sqrt(-1.0).is_nan());
        assert!(same64(f64_sqrt(-0.0), -0.0));
    }

    #[test]
    fn float_sign_ops_keep_nan_payloads() {
        let snan32 = f32::from_bits(0x7FA0_0001);
        assert_eq!(f32_neg(snan32).to_bits(), 0xFFA0_0001);
        assert_eq!(f32_abs(f32::from_bits(0xFFA0_0001)).to_bits(), 0x7FA0_0001);
        assert_eq!(f32_copysign(snan32, -1.0).to_bits(), 0xFFA0_0001);
        assert_eq!(f32_copysign(f32::from_bits(0xFFA0_0001), 0.0).to_bits(), 0x7FA0_0001);
        assert_eq!(f32_copysign(1.0, f32::from_bits(0xFFC0_0000)).to_bits(), (-1.0f32).to_bits());
        assert!(same32(f32_neg(0.0), -0.0));
        assert!(same32(f32_abs(-0.0), 0.0));

        let snan64 = f64::from_bits(0x7FF4_0000_0000_0001);
        assert_eq!(f64_neg(snan64).to_bits(), 0xFFF4_0000_0000_0001);
        assert_eq!(f64_abs(f64::from_bits(0xFFF4_0000_0000_0001)).to_bits(), 0x7FF4_0000_0000_0001);
        assert_eq!(f64_copysign(snan64, -2.0).to_bits(), 0xFFF4_0000_0000_0001);
        assert_eq!(f64_copysign(-3.0, 0.0), 3.0);
        assert!(same64(f64_neg(0.0), -0.0));
    }

    #[test]
    fn float_comparisons() {
        let n32 = f32::NAN;
        assert_eq!(f32_eq(n32, n32), 0);
        assert_eq!(f32_ne(n32, n32), 1);
        assert_eq!(f32_lt(n32, 1.0), 0);
        assert_eq!(f32_ge(n32, 1.0), 0);
        assert_eq!(f32_eq(0.0, -0.0), 1);
        assert_eq!(f32_le(-0.0, 0.0), 1);
        assert_eq!(f32_gt(2.0, 1.0), 1);
        let n64 = f64::NAN;
        assert_eq!(f64_eq(n64, n64), 0);
        assert_eq!(f64_ne(n64, 0.0), 1);
        assert_eq!(f64_gt(n64, 0.0), 0);
        assert_eq!(f64_le(n64, 0.0), 0);
        assert_eq!(f64_eq(0.0, -0.0), 1);
        assert_eq!(f64_lt(-1.0, 1.0), 1);
        assert_eq!(f64_ge(1.0, 1.0), 1);
    }

    #[test]
    fn trunc_i32_f32() {
        // Signed: valid iff -2147483904.0 < x < 2147483648.0.
        assert_eq!(i32_trunc_f32_s(2147483520.0), Ok(2147483520));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(-2147483904.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_s(-1.9), Ok(-1));
        assert_eq!(i32_trunc_f32_s(-0.0), Ok(0));
        assert_eq!(i32_trunc_f32_s(f32::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i32_trunc_f32_s(-f32::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i32_trunc_f32_s(f32::INFINITY), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_s(f32::NEG_INFINITY), Err(IntegerOverflow));
        // Unsigned: valid iff -1.0 < x < 4294967296.0.
        assert_eq!(i32_trunc_f32_u(4294967040.0), Ok(4294967040_u32 as i32));
        assert_eq!(i32_trunc_f32_u(4294967296.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(-0.99999994), Ok(0));
        assert_eq!(i32_trunc_f32_u(-1.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_u(f32::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i32_trunc_f32_u(f32::INFINITY), Err(IntegerOverflow));
    }

    #[test]
    fn trunc_i32_f64() {
        // Signed: valid iff -2147483649.0 < x < 2147483648.0.
        assert_eq!(i32_trunc_f64_s(2147483647.9), Ok(i32::MAX));
        assert_eq!(i32_trunc_f64_s(2147483648.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(f64::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i32_trunc_f64_s(f64::NEG_INFINITY), Err(IntegerOverflow));
        // Unsigned: valid iff -1.0 < x < 4294967296.0.
        assert_eq!(i32_trunc_f64_u(4294967295.9), Ok(-1));
        assert_eq!(i32_trunc_f64_u(4294967296.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(-0.9999999999999999), Ok(0));
        assert_eq!(i32_trunc_f64_u(-1.0), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(f64::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i32_trunc_f64_u(f64::INFINITY), Err(IntegerOverflow));
    }

    #[test]
    fn trunc_i64_f32() {
        // Signed: valid iff -2^63 <= x < 2^63; the f32 neighbors are 2^63 - 2^39 and -2^63 - 2^40.
        assert_eq!(i64_trunc_f32_s(9223371487098961920.0), Ok(9223371487098961920));
        assert_eq!(i64_trunc_f32_s(9223372036854775808.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f32_s(-9223373136366403584.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_s(f32::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i64_trunc_f32_s(f32::INFINITY), Err(IntegerOverflow));
        // Unsigned: valid iff -1.0 < x < 2^64.
        assert_eq!(i64_trunc_f32_u(18446742974197923840.0), Ok(18446742974197923840_u64 as i64));
        assert_eq!(i64_trunc_f32_u(18446744073709551616.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_u(-0.99999994), Ok(0));
        assert_eq!(i64_trunc_f32_u(-1.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_u(f32::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i64_trunc_f32_u(f32::NEG_INFINITY), Err(IntegerOverflow));
    }

    #[test]
    fn trunc_i64_f64() {
        // Signed: valid iff -2^63 <= x < 2^63; the f64 neighbors are 2^63 - 1024 and -2^63 - 2048.
        assert_eq!(i64_trunc_f64_s(9223372036854774784.0), Ok(9223372036854774784));
        assert_eq!(i64_trunc_f64_s(9223372036854775808.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f64_s(-9223372036854777856.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_s(f64::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i64_trunc_f64_s(f64::NEG_INFINITY), Err(IntegerOverflow));
        // Unsigned: valid iff -1.0 < x < 2^64.
        assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(18446744073709549568_u64 as i64));
        assert_eq!(i64_trunc_f64_u(18446744073709551616.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_u(-0.9999999999999999), Ok(0));
        assert_eq!(i64_trunc_f64_u(-1.0), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_u(f64::NAN), Err(InvalidConversionToInteger));
        assert_eq!(i64_trunc_f64_u(f64::INFINITY), Err(IntegerOverflow));
    }

    #[test]
    fn trunc_sat() {
        assert_eq!(i32_trunc_sat_f32_s(f32::NAN), 0);
        assert_eq!(i32_trunc_sat_f32_s(f32::INFINITY), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(-3e9), i32::MIN);
        assert_eq!(i32_trunc_sat_f32_s(-1.9), -1);
        assert_eq!(i32_trunc_sat_f32_u(f32::NAN), 0);
        assert_eq!(i32_trunc_sat_f32_u(-5.0), 0);
        assert_eq!(i32_trunc_sat_f32_u(5e9), -1);
        assert_eq!(i32_trunc_sat_f64_s(f64::NEG_INFINITY), i32::MIN);
        assert_eq!(i32_trunc_sat_f64_s(2147483648.0), i32::MAX);
        assert_eq!(i32_trunc_sat_f64_u(f64::NAN), 0);
        assert_eq!(i32_trunc_sat_f64_u(4294967296.0), -1);
        assert_eq!(i32_trunc_sat_f64_u(4294967295.5), -1);
        assert_eq!(i64_trunc_sat_f32_s(f32::NAN), 0);
        assert_eq!(i64_trunc_sat_f32_s(f32::INFINITY), i64::MAX);
        assert_eq!(i64_trunc_sat_f32_s(f32::NEG_INFINITY), i64::MIN);
        assert_eq!(i64_trunc_sat_f32_u(f32::INFINITY), -1);
        assert_eq!(i64_trunc_sat_f32_u(-0.5), 0);
        assert_eq!(i64_trunc_sat_f64_s(f64::NAN), 0);
        assert_eq!(i64_trunc_sat_f64_s(1e19), i64::MAX);
        assert_eq!(i64_trunc_sat_f64_u(1e20), -1);
        assert_eq!(i64_trunc_sat_f64_u(f64::NEG_INFINITY), 0);
    }

    #[test]
    fn int_to_float() {
        assert_eq!(f32_convert_i64_u(-1), 18446744073709551616.0_f32);
        assert_eq!(f64_convert_i64_u(-1), 18446744073709551616.0_f64);
        assert_eq!(f32_convert_i32_u(-1), 4294967296.0_f32);
        assert_eq!(f64_convert_i32_u(-1), 4294967295.0_f64);
        assert_eq!(f32_convert_i32_s(-1), -1.0);
        assert_eq!(f64_convert_i32_s(i32::MIN), -2147483648.0);
        // Round to nearest, ties to even.
        assert_eq!(f32_convert_i32_s(16777217), 16777216.0);
        assert_eq!(f32_convert_i32_s(16777219), 16777220.0);
        assert_eq!(f32_convert_i64_s(i64::MIN), -9223372036854775808.0);
        assert_eq!(f64_convert_i64_s(9007199254740993), 9007199254740992.0);
        assert_eq!(f64_convert_i64_s(9007199254740995), 9007199254740996.0);
        // 0x0020_0000_2000_0001 is just above a tie: must round up, not double-round down.
        assert_eq!(f32_convert_i64_u(0x0020_0000_2000_0001), 9007200328482816.0);
        assert_eq!(f64_convert_i64_u(0x8000_0000_0000_0401_u64 as i64), 9223372036854777856.0);
    }

    #[test]
    fn width_conversions() {
        assert_eq!(i32_wrap_i64(0x1_2345_6789), 0x2345_6789);
        assert_eq!(i32_wrap_i64(-1), -1);
        assert_eq!(i64_extend_i32_s(-1), -1);
        assert_eq!(i64_extend_i32_u(-1), 0xFFFF_FFFF);
        assert_eq!(f32_demote_f64(1e40), f32::INFINITY);
        assert_eq!(f32_demote_f64(16777217.0), 16777216.0);
        assert!(same32(f32_demote_f64(-0.0), -0.0));
        assert!(f32_demote_f64(f64::NAN).is_nan());
        assert_eq!(f64_promote_f32(0.1), f64::from(0.1_f32));
        assert!(f64_promote_f32(f32::NAN).is_nan());
    }
}
