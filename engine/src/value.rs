//! Typed values at the API boundary and their 64-bit slot encoding.

use std::fmt;

/// A WebAssembly value type (WebAssembly 2.0).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE float.
    F32,
    /// 64-bit IEEE float.
    F64,
    /// Nullable function reference.
    FuncRef,
    /// Nullable external reference.
    ExternRef,
    /// 128-bit vector (fixed-width SIMD).
    V128,
}

impl ValType {
    /// Stack slots a value of this type occupies: two for a v128, one for
    /// every other type (`specs/execution.md` §3.1).
    pub fn slots(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
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
            ValType::V128 => "v128",
        })
    }
}

/// A function signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[ValType]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ");
        write!(f, "[{}] -> [{}]", list(&self.params), list(&self.results))
    }
}

/// A typed WebAssembly value.
///
/// References are encoded as slots: null is 0, a function reference is its
/// store address plus one, an external reference is its host value plus one.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Value {
    /// 32-bit integer.
    I32(i32),
    /// 64-bit integer.
    I64(i64),
    /// 32-bit float, as raw bits so NaN payloads survive.
    F32(u32),
    /// 64-bit float, as raw bits.
    F64(u64),
    /// Function reference: `None` is null, `Some(addr)` a store function address.
    FuncRef(Option<u32>),
    /// External reference: `None` is null.
    ExternRef(Option<u32>),
    /// 128-bit vector; lane 0 is in the low bits (`specs/execution.md` §3.1).
    V128(u128),
}

impl Value {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::FuncRef(_) => ValType::FuncRef,
            Value::ExternRef(_) => ValType::ExternRef,
            Value::V128(_) => ValType::V128,
        }
    }

    /// Encodes the value into a stack slot (i32 and f32 are zero-extended).
    /// A v128 takes two slots ([`Value::to_slots`]); this is its low half.
    pub fn to_slot(self) -> u64 {
        self.to_slots().next().unwrap_or(0)
    }

    /// The value's stack slots, lowest first: one, or two for a v128 (low
    /// 64 bits first).
    pub fn to_slots(self) -> impl Iterator<Item = u64> {
        let (lo, hi, n) = match self {
            Value::I32(v) => (v as u32 as u64, 0, 1),
            Value::I64(v) => (v as u64, 0, 1),
            Value::F32(v) => (v as u64, 0, 1),
            Value::F64(v) => (v, 0, 1),
            Value::FuncRef(r) | Value::ExternRef(r) => (r.map_or(0, |a| a as u64 + 1), 0, 1),
            Value::V128(v) => (v as u64, (v >> 64) as u64, 2),
        };
        [lo, hi].into_iter().take(n)
    }

    /// Decodes a stack slot of the given type. A v128 takes two slots
    /// ([`Value::from_slots`]); from one it gets `slot` as its low half.
    pub fn from_slot(ty: ValType, slot: u64) -> Value {
        Value::from_slots(ty, &[slot])
    }

    /// Decodes the value of type `ty` whose slots start `slots` (missing
    /// slots read as zero).
    pub fn from_slots(ty: ValType, slots: &[u64]) -> Value {
        let slot = slots.first().copied().unwrap_or(0);
        let r = if slot == 0 { None } else { Some((slot - 1) as u32) };
        match ty {
            ValType::I32 => Value::I32(slot as u32 as i32),
            ValType::I64 => Value::I64(slot as i64),
            ValType::F32 => Value::F32(slot as u32),
            ValType::F64 => Value::F64(slot),
            ValType::FuncRef => Value::FuncRef(r),
            ValType::ExternRef => Value::ExternRef(r),
            ValType::V128 => Value::V128(slot as u128 | (slots.get(1).copied().unwrap_or(0) as u128) << 64),
        }
    }

    /// The zero (default) value of a type.
    pub fn default_of(ty: ValType) -> Value {
        Value::from_slot(ty, 0)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::F32(b) => write!(f, "{}", f32::from_bits(*b)),
            Value::F64(b) => write!(f, "{}", f64::from_bits(*b)),
            Value::FuncRef(None) | Value::ExternRef(None) => write!(f, "null"),
            Value::FuncRef(Some(a)) => write!(f, "funcref:{a}"),
            Value::ExternRef(Some(a)) => write!(f, "externref:{a}"),
            Value::V128(v) => write!(f, "0x{v:032x}"),
        }
    }
}
