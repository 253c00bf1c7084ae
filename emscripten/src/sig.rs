//! Emscripten signature strings (`"vij"`, `"ddfj"`, ...) and i64 legalization.
//!
//! A signature is a result letter followed by parameter letters, each one of `v` (no value,
//! result only), `i` (i32), `j` (i64), `f` (f32) and `d` (f64). emcc 3.1.6 builds without
//! `WASM_BIGINT`, so every i64 crossing the JS boundary is *legalized*: in an import's own
//! Wasm type a `j` parameter is two i32 (low, high) and a `j` result is the low i32, with the
//! high half passed to `setTempRet0`. A [`Layout`] records, for one import, how each logical
//! value maps onto the import's actual Wasm type, so behaviour is always derived from the
//! import's name *and* its type, never from a fixed list of signatures.

use engine::{FuncType, Val, ValType};
use smallvec::SmallVec;
use std::fmt;

/// One letter of an Emscripten signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Letter {
    /// `v`: no value (only valid as a result).
    Void,
    /// `i`: i32.
    I32,
    /// `j`: i64.
    I64,
    /// `f`: f32.
    F32,
    /// `d`: f64.
    F64,
}

impl Letter {
    /// Parses one signature letter.
    pub fn from_char(c: char) -> Option<Letter> {
        Some(match c {
            'v' => Letter::Void,
            'i' => Letter::I32,
            'j' => Letter::I64,
            'f' => Letter::F32,
            'd' => Letter::F64,
            _ => return None,
        })
    }

    /// The letter as written in signature strings.
    pub fn as_char(self) -> char {
        match self {
            Letter::Void => 'v',
            Letter::I32 => 'i',
            Letter::I64 => 'j',
            Letter::F32 => 'f',
            Letter::F64 => 'd',
        }
    }

    /// The Wasm type of a logical (non-legalized) value of this letter; `None` for `v`.
    pub fn val_type(self) -> Option<ValType> {
        match self {
            Letter::Void => None,
            Letter::I32 => Some(ValType::I32),
            Letter::I64 => Some(ValType::I64),
            Letter::F32 => Some(ValType::F32),
            Letter::F64 => Some(ValType::F64),
        }
    }

    /// The zero value of this letter's logical type; `None` for `v`.
    pub fn zero(self) -> Option<Val> {
        self.val_type().map(Val::default_for)
    }
}

/// A parsed signature: the result letter and the parameter letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    result: Letter,
    params: SmallVec<[Letter; 8]>,
}

impl Signature {
    /// Parses a signature such as `"viij"`. Returns `None` if it is empty, contains a letter
    /// other than `v i j f d`, or has `v` as a parameter.
    pub fn parse(s: &str) -> Option<Signature> {
        let mut chars = s.chars();
        let result = Letter::from_char(chars.next()?)?;
        let mut params = SmallVec::new();
        for c in chars {
            match Letter::from_char(c)? {
                Letter::Void => return None,
                l => params.push(l),
            }
        }
        Some(Signature { result, params })
    }

    /// The result letter (`Letter::Void` for none).
    pub fn result(&self) -> Letter {
        self.result
    }

    /// The parameter letters.
    pub fn params(&self) -> &[Letter] {
        &self.params
    }

    /// The Wasm function type of a function with real (non-legalized) i64s of this signature:
    /// what a function in `__indirect_function_table` called through `invoke_<sig>` has.
    pub fn logical_type(&self) -> FuncType {
        FuncType::new(self.params.iter().filter_map(|l| l.val_type()), self.result.val_type())
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.result.as_char())?;
        for p in &self.params {
            write!(f, "{}", p.as_char())?;
        }
        Ok(())
    }
}

/// How one logical parameter is read from an import's actual arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamSlot {
    /// One argument of the logical type itself.
    Whole,
    /// An i64 legalized as two i32 arguments (low, high).
    Split,
}

/// How the logical result is returned through an import's actual result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultSlot {
    /// No result.
    None,
    /// One result of the logical type itself.
    Whole,
    /// An i64 returned as its low i32; the high i32 goes to `setTempRet0`.
    Split,
}

/// The mapping between a signature's logical values and one import's actual Wasm type.
#[derive(Debug, Clone)]
pub struct Layout {
    sig: Signature,
    /// Number of leading import parameters that are not part of the signature (1 for the
    /// table index of `invoke_*`).
    skip: usize,
    params: SmallVec<[ParamSlot; 8]>,
    result: ResultSlot,
}

impl Layout {
    /// Matches `sig` against an import's type `ty`, whose first `prefix.len()` parameters must
    /// be exactly `prefix` (e.g. the `i32` table index of `invoke_*`). Each `j` may appear as
    /// one i64 or as two i32; everything else must match exactly.
    ///
    /// # Errors
    /// A description of the mismatch.
    pub fn new(sig: &Signature, ty: &FuncType, prefix: &[ValType]) -> Result<Layout, String> {
        let mismatch = || format!("type {ty} does not match signature '{sig}'");
        let p = ty.params();
        if p.len() < prefix.len() || &p[..prefix.len()] != prefix {
            return Err(mismatch());
        }
        let mut k = prefix.len();
        let mut params = SmallVec::new();
        for &l in sig.params() {
            let want = l.val_type().ok_or_else(mismatch)?;
            match p.get(k) {
                Some(&t) if t == want => {
                    params.push(ParamSlot::Whole);
                    k += 1;
                }
                Some(ValType::I32) if l == Letter::I64 && p.get(k + 1) == Some(&ValType::I32) => {
                    params.push(ParamSlot::Split);
                    k += 2;
                }
                _ => return Err(mismatch()),
            }
        }
        if k != p.len() {
            return Err(mismatch());
        }
        let result = match (sig.result(), ty.results()) {
            (Letter::Void, []) => ResultSlot::None,
            (Letter::I64, [ValType::I32]) => ResultSlot::Split,
            (l, [t]) if l.val_type() == Some(*t) => ResultSlot::Whole,
            _ => return Err(mismatch()),
        };
        Ok(Layout { sig: sig.clone(), skip: prefix.len(), params, result })
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.sig
    }

    /// How the result is returned.
    pub fn result_slot(&self) -> ResultSlot {
        self.result
    }

    /// Decodes the import's actual arguments `raw` (including the skipped prefix) into the
    /// logical values, appended to `out` (i64s re-assembled from their halves).
    #[inline]
    pub fn decode(&self, raw: &[Val], out: &mut SmallVec<[Val; 8]>) {
        let mut k = self.skip;
        for slot in &self.params {
            match slot {
                ParamSlot::Whole => {
                    out.push(raw[k]);
                    k += 1;
                }
                ParamSlot::Split => {
                    let lo = raw[k].i32().unwrap_or(0) as u32 as u64;
                    let hi = raw[k + 1].i32().unwrap_or(0) as u32 as u64;
                    out.push(Val::I64(((hi << 32) | lo) as i64));
                    k += 2;
                }
            }
        }
    }

    /// Encodes a logical result into the import's result slot. Returns the high half to pass
    /// to `setTempRet0` when the result is a legalized i64.
    #[inline]
    pub fn encode_result(&self, value: Option<Val>, results: &mut [Val]) -> Option<i32> {
        match (self.result, value) {
            (ResultSlot::None, _) | (_, None) => None,
            (ResultSlot::Whole, Some(v)) => {
                results[0] = v;
                None
            }
            (ResultSlot::Split, Some(v)) => {
                let v = v.i64().unwrap_or(0);
                results[0] = Val::I32(v as i32);
                Some((v >> 32) as i32)
            }
        }
    }

    /// The zero value of the import's result (what `invoke_*` returns after a longjmp).
    pub fn zero_result(&self, results: &mut [Val]) {
        if let Some(r) = results.first_mut() {
            *r = Val::default_for(r.ty());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_layout() {
        let s = Signature::parse("ddfj").unwrap();
        assert_eq!(s.to_string(), "ddfj");
        let ty = FuncType::new([ValType::I32, ValType::F64, ValType::F32, ValType::I32, ValType::I32], [ValType::F64]);
        let l = Layout::new(&s, &ty, &[ValType::I32]).unwrap();
        let mut out: SmallVec<[Val; 8]> = SmallVec::new();
        l.decode(&[Val::I32(7), Val::F64(0), Val::F32(0), Val::I32(-1), Val::I32(1)], &mut out);
        assert_eq!(out[2], Val::I64(0x1_ffff_ffff));
        assert!(Signature::parse("vv").is_none());
        assert!(Signature::parse("").is_none());
        assert!(Signature::parse("x").is_none());
        let bad = FuncType::new([ValType::I32, ValType::I32], []);
        assert!(Layout::new(&Signature::parse("vj").unwrap(), &bad, &[ValType::I32]).is_err());
        let whole = FuncType::new([ValType::I32, ValType::I64], [ValType::I64]);
        let l = Layout::new(&Signature::parse("jj").unwrap(), &whole, &[ValType::I32]).unwrap();
        assert_eq!(l.result_slot(), ResultSlot::Whole);
    }
}
