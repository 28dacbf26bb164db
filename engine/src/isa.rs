//! The internal code form: one flat list of fixed-size instructions.
//!
//! Every executed [`Op`] is exactly one step (see `specs/execution.md`).
//! Structured control flow is resolved at translation time into jumps, so
//! `block`, `loop`, `nop` and a block's `end` produce no instruction.
//! Each opcode has an explicit, stable number ([`Op::opcode`]) that the proof
//! format uses ([`Op::encode`]); it never depends on the declaration order.
//!
//! Index fields hold *store addresses* after instantiation (function, global,
//! table, memory, element and data addresses) and absolute code positions
//! for jump targets. Local indices, operand counts and global addresses count
//! 64-bit slots: a v128 takes two (`specs/execution.md` §3.1).

pub use crate::simd_ops::{
    SimdBinary, SimdExtract, SimdLoad, SimdLoadLane, SimdReplace, SimdShift, SimdSplat, SimdStoreLane,
    SimdTest, SimdUnary,
};

/// Declares [`Op`] and its canonical 16-byte encoding from one list, so the
/// enum and its encoder and decoder can never disagree.
macro_rules! define_ops {
    ($( $(#[$meta:meta])* $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? = $code:literal ),* $(,)?) => {
        /// One internal instruction. Sixteen bytes, `Copy`, no heap data.
        #[allow(missing_docs)] // The variants are the WebAssembly instructions of the same name.
        #[derive(Copy, Clone, Debug, PartialEq)]
        #[repr(u16)]
        pub enum Op {
            $( $(#[$meta])* $name $({ $($field: $ty),* })? = $code ),*
        }

        impl Op {
            /// The canonical encoding (see `specs/state.md`): the opcode, then
            /// each field little-endian in declaration order, then zeros.
            pub fn encode(&self) -> [u8; OP_BYTES] {
                let mut out = [0u8; OP_BYTES];
                out[..2].copy_from_slice(&self.opcode().to_le_bytes());
                #[allow(unused_mut, unused_variables)]
                let mut at = 2;
                match *self {
                    $( Op::$name $({ $($field),* })? => { $( $( Field::put($field, &mut out, &mut at); )* )? } )*
                }
                out
            }

            /// Decodes a canonical encoding; `None` for an unknown opcode, a
            /// SIMD sub-opcode not of its shape, or non-zero padding.
            pub fn decode(b: &[u8; OP_BYTES]) -> Option<Op> {
                #[allow(unused_mut)]
                let mut at = 2;
                let op = match u16::from_le_bytes([b[0], b[1]]) {
                    $( $code => Op::$name $({ $($field: <$ty as Field>::get(b, &mut at)?),* })?, )*
                    _ => return None,
                };
                if b[at..].iter().any(|x| *x != 0) {
                    return None;
                }
                Some(op)
            }
        }

        /// Every instruction's number, name and fields (name, Rust type), in
        /// `define_ops!` order: what another implementation of the step
        /// format (the Solidity verifier's generated tables,
        /// `refute-chain`) reads instead of copying numbers by hand.
        pub const OP_TABLE: &[OpInfo] = &[
            $( OpInfo { code: $code, name: stringify!($name), fields: &[ $( $( (stringify!($field), stringify!($ty)) ),* )? ] } ),*
        ];
    };
}

/// One row of [`OP_TABLE`].
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// The opcode (`Op::opcode`).
    pub code: u16,
    /// The variant's name.
    pub name: &'static str,
    /// The fields in encoding order: name and Rust type (`u8`, `u16`, `u32`,
    /// `i32`, `u64`, `i64`, or a one-byte SIMD sub-opcode type `Simd*`).
    pub fields: &'static [(&'static str, &'static str)],
}

/// Bytes of an encoded [`Op`].
pub const OP_BYTES: usize = 16;

/// A field of an encoded [`Op`]: little-endian, at a running offset.
/// `get` is `None` for bytes that are no value of the field's type.
trait Field: Sized {
    fn put(self, out: &mut [u8; OP_BYTES], at: &mut usize);
    fn get(b: &[u8; OP_BYTES], at: &mut usize) -> Option<Self>;
}

macro_rules! field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            fn put(self, out: &mut [u8; OP_BYTES], at: &mut usize) {
                let n = std::mem::size_of::<$t>();
                out[*at..*at + n].copy_from_slice(&self.to_le_bytes());
                *at += n;
            }
            fn get(b: &[u8; OP_BYTES], at: &mut usize) -> Option<Self> {
                let n = std::mem::size_of::<$t>();
                let v = <$t>::from_le_bytes(b[*at..*at + n].try_into().expect("field width"));
                *at += n;
                Some(v)
            }
        }
    )*};
}
field!(u8, u16, u32, i32, u64, i64);

/// A SIMD sub-opcode is one byte, and only its shape's numbers decode.
macro_rules! simd_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            fn put(self, out: &mut [u8; OP_BYTES], at: &mut usize) {
                out[*at] = self.code();
                *at += 1;
            }
            fn get(b: &[u8; OP_BYTES], at: &mut usize) -> Option<Self> {
                let v = <$t>::from_code(b[*at]);
                *at += 1;
                v
            }
        }
    )*};
}
simd_field!(
    SimdLoad,
    SimdLoadLane,
    SimdStoreLane,
    SimdSplat,
    SimdExtract,
    SimdReplace,
    SimdTest,
    SimdShift,
    SimdUnary,
    SimdBinary
);

define_ops! {
    // Control.
    Unreachable = 0x00,
    /// Jump to `target` without touching the stack.
    Br {
        target: u32,
    } = 0x01,
    /// Pop an i32; jump to `target` if it is zero.
    BrIfEqz {
        target: u32,
    } = 0x02,
    /// Pop an i32; jump to `target` if it is not zero.
    BrIfNez {
        target: u32,
    } = 0x03,
    /// Keep the top `keep` values, drop the `drop` values below them, jump.
    BrAdjust {
        target: u32,
        drop: u32,
        keep: u32,
    } = 0x04,
    /// Pop an i32; if it is not zero, behave as [`Op::BrAdjust`].
    BrIfNezAdjust {
        target: u32,
        drop: u32,
        keep: u32,
    } = 0x05,
    /// Pop an i32 `i`; the `len + 1` instructions that follow are the branch
    /// table (each a `BrAdjust` or a `Return`); perform entry `min(i, len)`.
    BrTable {
        len: u32,
    } = 0x06,
    /// Return the top `results` values to the caller.
    Return {
        results: u32,
    } = 0x07,
    Call {
        func: u32,
    } = 0x08,
    CallIndirect {
        ty: u32,
        table: u32,
    } = 0x09,
    /// Zero locals `first .. first + n` (n at most `LOCALS_CHUNK`): a
    /// function's prologue, for the locals its call did not zero.
    ZeroLocals {
        first: u32,
        n: u32,
    } = 0x0A,
    /// Copy the `n` slots from `sp - from` to `sp - to` (at most
    /// `MAX_COPY`; `to > from`): part of a long `BrAdjust` or `Return`.
    StackMove {
        from: u32,
        to: u32,
        n: u32,
    } = 0x0B,

    /// Fused `local.get a; local.get b`.
    LocalGet2 {
        a: u32,
        b: u32,
    } = 0x0C,
    /// Fused `local.set set; local.get get`.
    LocalSetGet {
        set: u32,
        get: u32,
    } = 0x0D,
    /// Fused `local.tee tee; local.get get`.
    LocalTeeGet {
        tee: u32,
        get: u32,
    } = 0x0E,

    // Parametric and variables.
    Drop = 0x10,
    Select = 0x11,
    LocalGet {
        index: u32,
    } = 0x12,
    LocalSet {
        index: u32,
    } = 0x13,
    LocalTee {
        index: u32,
    } = 0x14,
    GlobalGet {
        global: u32,
    } = 0x15,
    GlobalSet {
        global: u32,
    } = 0x16,
    /// `drop` of a v128 (two slots).
    V128Drop = 0x17,

    // Tables and references.
    TableGet {
        table: u32,
    } = 0x18,
    TableSet {
        table: u32,
    } = 0x19,
    TableSize {
        table: u32,
    } = 0x1A,
    TableGrow {
        table: u32,
    } = 0x1B,
    TableFill {
        table: u32,
    } = 0x1C,
    TableCopy {
        dst: u32,
        src: u32,
    } = 0x1D,
    TableInit {
        table: u32,
        elem: u32,
    } = 0x1E,
    ElemDrop {
        elem: u32,
    } = 0x1F,
    RefNull = 0x20,
    RefIsNull = 0x21,
    RefFunc {
        func: u32,
    } = 0x22,

    // v128 operands, locals and globals: two slots each.
    /// `select` of two v128 operands.
    V128Select = 0x23,
    /// `local.set` of the v128 local whose first slot is `index`.
    V128LocalSet {
        index: u32,
    } = 0x24,
    /// `local.tee` of the v128 local whose first slot is `index`.
    V128LocalTee {
        index: u32,
    } = 0x25,
    /// `global.get` of the v128 global at addresses `global`, `global + 1`.
    V128GlobalGet {
        global: u32,
    } = 0x26,
    /// `global.set` of the v128 global at addresses `global`, `global + 1`.
    V128GlobalSet {
        global: u32,
    } = 0x27,

    // Memory.
    I32Load {
        mem: u32,
        offset: u32,
    } = 0x28,
    I64Load {
        mem: u32,
        offset: u32,
    } = 0x29,
    F32Load {
        mem: u32,
        offset: u32,
    } = 0x2A,
    F64Load {
        mem: u32,
        offset: u32,
    } = 0x2B,
    I32Load8S {
        mem: u32,
        offset: u32,
    } = 0x2C,
    I32Load8U {
        mem: u32,
        offset: u32,
    } = 0x2D,
    I32Load16S {
        mem: u32,
        offset: u32,
    } = 0x2E,
    I32Load16U {
        mem: u32,
        offset: u32,
    } = 0x2F,
    I64Load8S {
        mem: u32,
        offset: u32,
    } = 0x30,
    I64Load8U {
        mem: u32,
        offset: u32,
    } = 0x31,
    I64Load16S {
        mem: u32,
        offset: u32,
    } = 0x32,
    I64Load16U {
        mem: u32,
        offset: u32,
    } = 0x33,
    I64Load32S {
        mem: u32,
        offset: u32,
    } = 0x34,
    I64Load32U {
        mem: u32,
        offset: u32,
    } = 0x35,
    I32Store {
        mem: u32,
        offset: u32,
    } = 0x36,
    I64Store {
        mem: u32,
        offset: u32,
    } = 0x37,
    F32Store {
        mem: u32,
        offset: u32,
    } = 0x38,
    F64Store {
        mem: u32,
        offset: u32,
    } = 0x39,
    I32Store8 {
        mem: u32,
        offset: u32,
    } = 0x3A,
    I32Store16 {
        mem: u32,
        offset: u32,
    } = 0x3B,
    I64Store8 {
        mem: u32,
        offset: u32,
    } = 0x3C,
    I64Store16 {
        mem: u32,
        offset: u32,
    } = 0x3D,
    I64Store32 {
        mem: u32,
        offset: u32,
    } = 0x3E,
    MemorySize {
        mem: u32,
    } = 0x3F,
    MemoryGrow {
        mem: u32,
    } = 0x40,
    /// Micro-stepped: each step fills at most `MEMORY_CHUNK` bytes.
    MemoryFill {
        mem: u32,
    } = 0x41,
    /// Micro-stepped: each step copies at most `MEMORY_CHUNK` bytes.
    MemoryCopy {
        mem: u32,
    } = 0x42,
    /// Micro-stepped: each step copies at most `MEMORY_CHUNK` bytes.
    MemoryInit {
        mem: u32,
        data: u32,
    } = 0x43,
    DataDrop {
        data: u32,
    } = 0x44,

    // Constants.
    I32Const {
        value: i32,
    } = 0x45,
    I64Const {
        value: i64,
    } = 0x46,
    F32Const {
        bits: u32,
    } = 0x47,
    F64Const {
        bits: u64,
    } = 0x48,

    // SIMD constants, shuffles and memory.
    /// `v128.const`: bytes 0–7 here, bytes 8–15 in the [`Op::Hi64`] that follows.
    V128Const {
        lo: u64,
    } = 0x49,
    /// Data, never executed: bytes 8–15 of the 16-byte immediate of the
    /// `V128Const` or `I8x16Shuffle` before it, read in that instruction's step.
    Hi64 {
        bits: u64,
    } = 0x4A,
    /// `i8x16.shuffle`: lane indices 0–7 as bytes here, 8–15 in the [`Op::Hi64`] that follows.
    I8x16Shuffle {
        lo: u64,
    } = 0x4B,
    /// A load producing a v128 (`v128.load`, `*_splat`, `*_zero`, `load8x8_s`, ...).
    V128Load {
        op: SimdLoad,
        mem: u32,
        offset: u32,
    } = 0x4C,
    V128Store {
        mem: u32,
        offset: u32,
    } = 0x4D,
    /// `v128.load*_lane`: one lane of the v128 operand from memory.
    V128LoadLane {
        op: SimdLoadLane,
        lane: u8,
        mem: u32,
        offset: u32,
    } = 0x4E,
    /// `v128.store*_lane`: one lane of the v128 operand to memory.
    V128StoreLane {
        op: SimdStoreLane,
        lane: u8,
        mem: u32,
        offset: u32,
    } = 0x4F,

    // i32 comparisons.
    I32Eqz = 0x50,
    I32Eq = 0x51,
    I32Ne = 0x52,
    I32LtS = 0x53,
    I32LtU = 0x54,
    I32GtS = 0x55,
    I32GtU = 0x56,
    I32LeS = 0x57,
    I32LeU = 0x58,
    I32GeS = 0x59,
    I32GeU = 0x5A,
    // i64 comparisons.
    I64Eqz = 0x5B,
    I64Eq = 0x5C,
    I64Ne = 0x5D,
    I64LtS = 0x5E,
    I64LtU = 0x5F,
    I64GtS = 0x60,
    I64GtU = 0x61,
    I64LeS = 0x62,
    I64LeU = 0x63,
    I64GeS = 0x64,
    I64GeU = 0x65,
    // Float comparisons.
    F32Eq = 0x66,
    F32Ne = 0x67,
    F32Lt = 0x68,
    F32Gt = 0x69,
    F32Le = 0x6A,
    F32Ge = 0x6B,
    F64Eq = 0x6C,
    F64Ne = 0x6D,
    F64Lt = 0x6E,
    F64Gt = 0x6F,
    F64Le = 0x70,
    F64Ge = 0x71,

    // i32 arithmetic.
    I32Clz = 0x72,
    I32Ctz = 0x73,
    I32Popcnt = 0x74,
    I32Add = 0x75,
    I32Sub = 0x76,
    I32Mul = 0x77,
    I32DivS = 0x78,
    I32DivU = 0x79,
    I32RemS = 0x7A,
    I32RemU = 0x7B,
    I32And = 0x7C,
    I32Or = 0x7D,
    I32Xor = 0x7E,
    I32Shl = 0x7F,
    I32ShrS = 0x80,
    I32ShrU = 0x81,
    I32Rotl = 0x82,
    I32Rotr = 0x83,
    // i64 arithmetic.
    I64Clz = 0x84,
    I64Ctz = 0x85,
    I64Popcnt = 0x86,
    I64Add = 0x87,
    I64Sub = 0x88,
    I64Mul = 0x89,
    I64DivS = 0x8A,
    I64DivU = 0x8B,
    I64RemS = 0x8C,
    I64RemU = 0x8D,
    I64And = 0x8E,
    I64Or = 0x8F,
    I64Xor = 0x90,
    I64Shl = 0x91,
    I64ShrS = 0x92,
    I64ShrU = 0x93,
    I64Rotl = 0x94,
    I64Rotr = 0x95,
    // f32 arithmetic.
    F32Abs = 0x96,
    F32Neg = 0x97,
    F32Ceil = 0x98,
    F32Floor = 0x99,
    F32Trunc = 0x9A,
    F32Nearest = 0x9B,
    F32Sqrt = 0x9C,
    F32Add = 0x9D,
    F32Sub = 0x9E,
    F32Mul = 0x9F,
    F32Div = 0xA0,
    F32Min = 0xA1,
    F32Max = 0xA2,
    F32Copysign = 0xA3,
    // f64 arithmetic.
    F64Abs = 0xA4,
    F64Neg = 0xA5,
    F64Ceil = 0xA6,
    F64Floor = 0xA7,
    F64Trunc = 0xA8,
    F64Nearest = 0xA9,
    F64Sqrt = 0xAA,
    F64Add = 0xAB,
    F64Sub = 0xAC,
    F64Mul = 0xAD,
    F64Div = 0xAE,
    F64Min = 0xAF,
    F64Max = 0xB0,
    F64Copysign = 0xB1,

    // Conversions.
    I32WrapI64 = 0xB2,
    I32TruncF32S = 0xB3,
    I32TruncF32U = 0xB4,
    I32TruncF64S = 0xB5,
    I32TruncF64U = 0xB6,
    I64ExtendI32S = 0xB7,
    I64ExtendI32U = 0xB8,
    I64TruncF32S = 0xB9,
    I64TruncF32U = 0xBA,
    I64TruncF64S = 0xBB,
    I64TruncF64U = 0xBC,
    F32ConvertI32S = 0xBD,
    F32ConvertI32U = 0xBE,
    F32ConvertI64S = 0xBF,
    F32ConvertI64U = 0xC0,
    F32DemoteF64 = 0xC1,
    F64ConvertI32S = 0xC2,
    F64ConvertI32U = 0xC3,
    F64ConvertI64S = 0xC4,
    F64ConvertI64U = 0xC5,
    F64PromoteF32 = 0xC6,
    I32ReinterpretF32 = 0xC7,
    I64ReinterpretF64 = 0xC8,
    F32ReinterpretI32 = 0xC9,
    F64ReinterpretI64 = 0xCA,
    I32Extend8S = 0xCB,
    I32Extend16S = 0xCC,
    I64Extend8S = 0xCD,
    I64Extend16S = 0xCE,
    I64Extend32S = 0xCF,
    I32TruncSatF32S = 0xD0,
    I32TruncSatF32U = 0xD1,
    I32TruncSatF64S = 0xD2,
    I32TruncSatF64U = 0xD3,
    I64TruncSatF32S = 0xD4,
    I64TruncSatF32U = 0xD5,
    I64TruncSatF64S = 0xD6,
    I64TruncSatF64U = 0xD7,

    // Fused `i64.const value` followed by a binary operator (`sub` becomes `add` of `-value`).
    I64AddImm {
        value: i64,
    } = 0xD8,
    I64MulImm {
        value: i64,
    } = 0xD9,
    I64AndImm {
        value: i64,
    } = 0xDA,
    I64OrImm {
        value: i64,
    } = 0xDB,
    I64XorImm {
        value: i64,
    } = 0xDC,
    I64ShlImm {
        value: i64,
    } = 0xDD,
    I64ShrSImm {
        value: i64,
    } = 0xDE,
    I64ShrUImm {
        value: i64,
    } = 0xDF,
    // Fused `i32.const value` followed by a binary operator.
    I32AddImm {
        value: i32,
    } = 0xE0,
    I32MulImm {
        value: i32,
    } = 0xE1,
    I32AndImm {
        value: i32,
    } = 0xE2,
    I32OrImm {
        value: i32,
    } = 0xE3,
    I32XorImm {
        value: i32,
    } = 0xE4,
    I32ShlImm {
        value: i32,
    } = 0xE5,
    I32ShrSImm {
        value: i32,
    } = 0xE6,
    I32ShrUImm {
        value: i32,
    } = 0xE7,
    I32RotlImm {
        value: i32,
    } = 0xE8,
    I32RotrImm {
        value: i32,
    } = 0xE9,
    I32EqImm {
        value: i32,
    } = 0xEA,
    I32NeImm {
        value: i32,
    } = 0xEB,
    I32LtSImm {
        value: i32,
    } = 0xEC,
    I32LtUImm {
        value: i32,
    } = 0xED,
    I32GtSImm {
        value: i32,
    } = 0xEE,
    I32GtUImm {
        value: i32,
    } = 0xEF,
    I32LeSImm {
        value: i32,
    } = 0xF0,
    I32LeUImm {
        value: i32,
    } = 0xF1,
    I32GeSImm {
        value: i32,
    } = 0xF2,
    I32GeUImm {
        value: i32,
    } = 0xF3,

    // SIMD lane operations, by shape (the instruction is the `op` byte).
    /// A scalar into every lane.
    V128Splat {
        op: SimdSplat,
    } = 0xF4,
    /// Lane `lane` as a scalar.
    V128ExtractLane {
        op: SimdExtract,
        lane: u8,
    } = 0xF5,
    /// Lane `lane` replaced by a scalar.
    V128ReplaceLane {
        op: SimdReplace,
        lane: u8,
    } = 0xF6,
    /// A v128 to a v128.
    V128Unary {
        op: SimdUnary,
    } = 0xF7,
    /// Two v128 to a v128.
    V128Binary {
        op: SimdBinary,
    } = 0xF8,
    /// `v128.bitselect`: three v128 to a v128.
    V128Bitselect = 0xF9,
    /// A v128 to an i32 (`any_true`, `all_true`, `bitmask`).
    V128Test {
        op: SimdTest,
    } = 0xFA,
    /// A v128 shifted by an i32 count.
    V128Shift {
        op: SimdShift,
    } = 0xFB,

    // Register forms (`specs/execution.md` §2.1): operands and the result in
    // frame slots (`fp + field`), then `sp = fp + h`.
    I32EqReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x100,
    I32NeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x101,
    I32LtSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x102,
    I32LtUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x103,
    I32GtSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x104,
    I32GtUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x105,
    I32LeSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x106,
    I32LeUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x107,
    I32GeSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x108,
    I32GeUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x109,
    I64EqReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x10A,
    I64NeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x10B,
    I64LtSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x10C,
    I64LtUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x10D,
    I64GtSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x10E,
    I64GtUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x10F,
    I64LeSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x110,
    I64LeUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x111,
    I64GeSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x112,
    I64GeUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x113,
    F32EqReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x114,
    F32NeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x115,
    F32LtReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x116,
    F32GtReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x117,
    F32LeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x118,
    F32GeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x119,
    F64EqReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x11A,
    F64NeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x11B,
    F64LtReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x11C,
    F64GtReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x11D,
    F64LeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x11E,
    F64GeReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x11F,
    I32AddReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x120,
    I32SubReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x121,
    I32MulReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x122,
    I32AndReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x123,
    I32OrReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x124,
    I32XorReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x125,
    I32ShlReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x126,
    I32ShrSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x127,
    I32ShrUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x128,
    I32RotlReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x129,
    I32RotrReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x12A,
    I64AddReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x12B,
    I64SubReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x12C,
    I64MulReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x12D,
    I64AndReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x12E,
    I64OrReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x12F,
    I64XorReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x130,
    I64ShlReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x131,
    I64ShrSReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x132,
    I64ShrUReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x133,
    I64RotlReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x134,
    I64RotrReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x135,
    F32AddReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x136,
    F32SubReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x137,
    F32MulReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x138,
    F32DivReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x139,
    F64AddReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x13A,
    F64SubReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x13B,
    F64MulReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x13C,
    F64DivReg {
        dst: u16,
        lhs: u16,
        rhs: u16,
        h: u16,
    } = 0x13D,
    I32AddImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x13E,
    I32MulImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x13F,
    I32AndImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x140,
    I32OrImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x141,
    I32XorImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x142,
    I32ShlImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x143,
    I32ShrSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x144,
    I32ShrUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x145,
    I32RotlImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x146,
    I32RotrImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x147,
    I32EqImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x148,
    I32NeImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x149,
    I32LtSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x14A,
    I32LtUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x14B,
    I32GtSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x14C,
    I32GtUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x14D,
    I32LeSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x14E,
    I32LeUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x14F,
    I32GeSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x150,
    I32GeUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x151,
    I64AddImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x152,
    I64MulImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x153,
    I64AndImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x154,
    I64OrImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x155,
    I64XorImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x156,
    I64ShlImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x157,
    I64ShrSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x158,
    I64ShrUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i64,
    } = 0x159,
    I32EqzReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x15A,
    I64EqzReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x15B,
    I32WrapI64Reg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x15C,
    I64ExtendI32SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x15D,
    I64ExtendI32UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x15E,
    I32LoadReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x15F,
    I64LoadReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x160,
    F32LoadReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x161,
    F64LoadReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x162,
    I32Load8SReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x163,
    I32Load8UReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x164,
    I32Load16SReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x165,
    I32Load16UReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x166,
    I64Load8SReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x167,
    I64Load8UReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x168,
    I64Load16SReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x169,
    I64Load16UReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x16A,
    I64Load32SReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x16B,
    I64Load32UReg {
        dst: u16,
        addr: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x16C,
    I32StoreReg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x16D,
    F32StoreReg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x16E,
    I64StoreReg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x16F,
    F64StoreReg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x170,
    I32Store8Reg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x171,
    I64Store8Reg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x172,
    I32Store16Reg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x173,
    I64Store16Reg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x174,
    I64Store32Reg {
        addr: u16,
        val: u16,
        h: u16,
        mem: u32,
        offset: u32,
    } = 0x175,
    /// Fused `local.get src; local.set dst`.
    LocalCopy {
        dst: u32,
        src: u32,
    } = 0x176,
    /// Fused `i32.const value` (or `f32.const`, its bits) and `local.set dst`.
    I32SetConst {
        dst: u32,
        value: i32,
    } = 0x177,
    /// Fused `i64.const value` (or `f64.const`, its bits) and `local.set dst`.
    I64SetConst {
        dst: u32,
        value: i64,
    } = 0x178,
    /// Fused `local.get cond` and `BrIfNez`: jump if local `cond` is not zero.
    BrIfNezReg {
        cond: u32,
        target: u32,
    } = 0x179,
    /// Fused `local.get cond` and `BrIfEqz`: jump if local `cond` is zero.
    BrIfEqzReg {
        cond: u32,
        target: u32,
    } = 0x17A,
    I32ClzReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x17B,
    I32CtzReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x17C,
    I32PopcntReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x17D,
    I64ClzReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x17E,
    I64CtzReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x17F,
    I64PopcntReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x180,
    F32AbsReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x181,
    F32NegReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x182,
    F32CeilReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x183,
    F32FloorReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x184,
    F32TruncReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x185,
    F32NearestReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x186,
    F32SqrtReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x187,
    F64AbsReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x188,
    F64NegReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x189,
    F64CeilReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x18A,
    F64FloorReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x18B,
    F64TruncReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x18C,
    F64NearestReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x18D,
    F64SqrtReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x18E,
    F32ConvertI32SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x18F,
    F32ConvertI32UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x190,
    F32ConvertI64SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x191,
    F32ConvertI64UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x192,
    F32DemoteF64Reg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x193,
    F64ConvertI32SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x194,
    F64ConvertI32UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x195,
    F64ConvertI64SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x196,
    F64ConvertI64UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x197,
    F64PromoteF32Reg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x198,
    I32Extend8SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x199,
    I32Extend16SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x19A,
    I64Extend8SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x19B,
    I64Extend16SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x19C,
    I64Extend32SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x19D,
    I32TruncSatF32SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x19E,
    I32TruncSatF32UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x19F,
    I32TruncSatF64SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x1A0,
    I32TruncSatF64UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x1A1,
    I64TruncSatF32SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x1A2,
    I64TruncSatF32UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x1A3,
    I64TruncSatF64SReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x1A4,
    I64TruncSatF64UReg {
        dst: u16,
        src: u16,
        h: u16,
    } = 0x1A5,
    // Fused comparison and conditional branch: jump if the comparison holds;
    // `sp = fp + h` either way.
    BrIfI32Eq {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1A6,
    BrIfI32Ne {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1A7,
    BrIfI32LtS {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1A8,
    BrIfI32LtU {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1A9,
    BrIfI32GtS {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1AA,
    BrIfI32GtU {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1AB,
    BrIfI32LeS {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1AC,
    BrIfI32LeU {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1AD,
    BrIfI32GeS {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1AE,
    BrIfI32GeU {
        lhs: u16,
        rhs: u16,
        h: u16,
        target: u32,
    } = 0x1AF,
    BrIfI32EqImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B0,
    BrIfI32NeImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B1,
    BrIfI32LtSImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B2,
    BrIfI32LtUImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B3,
    BrIfI32GtSImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B4,
    BrIfI32GtUImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B5,
    BrIfI32LeSImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B6,
    BrIfI32LeUImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B7,
    BrIfI32GeSImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B8,
    BrIfI32GeUImm {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1B9,
    BrIfI32AndImmNez {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1BA,
    BrIfI32AndImmEqz {
        lhs: u16,
        h: u16,
        value: i32,
        target: u32,
    } = 0x1BB,
    /// Fused `I32ShlImmReg` and an `I32AddImmReg` of its result (an array
    /// element's address): `dst = (lhs << shift) + value`, wrapping, then
    /// `sp = fp + h` (`specs/execution.md` §2).
    I32ShlAddImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
        shift: u8,
    } = 0x1BC,
    /// Fused `local.get index` and `BrTable { len }`: the table's index is
    /// local `index` (`specs/execution.md` §2).
    BrTableReg {
        len: u32,
        index: u32,
    } = 0x1BD,
    /// Fused `I32AddImmReg { dst, lhs: addr, value }` (result on top) and
    /// `I32Load { mem, offset }` of it: `dst = memory[(addr + value) mod 2^32
    /// + offset]`, then `sp = fp + dst + 1`.
    I32LoadAddReg {
        dst: u16,
        addr: u16,
        mem: u16,
        value: i32,
        offset: u32,
    } = 0x1BE,
    /// The same for `F64Load`.
    F64LoadAddReg {
        dst: u16,
        addr: u16,
        mem: u16,
        value: i32,
        offset: u32,
    } = 0x1BF,
    /// Fused `I32Const { value: addr }` and `I32Load { mem, offset }` (a constant
    /// address, as C's globals have): `dst = memory[addr + offset]`, then
    /// `sp = fp + h` (`specs/execution.md` §2).
    I32LoadAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C0,
    /// As `I32LoadAt`, for `I64Load`.
    I64LoadAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C1,
    /// As `I32LoadAt`, for `F32Load`.
    F32LoadAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C2,
    /// As `I32LoadAt`, for `F64Load`.
    F64LoadAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C3,
    /// As `I32LoadAt`, for `I32Load8S`.
    I32Load8SAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C4,
    /// As `I32LoadAt`, for `I32Load8U`.
    I32Load8UAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C5,
    /// As `I32LoadAt`, for `I32Load16S`.
    I32Load16SAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C6,
    /// As `I32LoadAt`, for `I32Load16U`.
    I32Load16UAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C7,
    /// As `I32LoadAt`, for `I64Load8S`.
    I64Load8SAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C8,
    /// As `I32LoadAt`, for `I64Load8U`.
    I64Load8UAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1C9,
    /// As `I32LoadAt`, for `I64Load16S`.
    I64Load16SAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1CA,
    /// As `I32LoadAt`, for `I64Load16U`.
    I64Load16UAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1CB,
    /// As `I32LoadAt`, for `I64Load32S`.
    I64Load32SAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1CC,
    /// As `I32LoadAt`, for `I64Load32U`.
    I64Load32UAt {
        dst: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1CD,
    /// Fused `I32Const { value: addr }` under slot `val` and `I32Store { mem,
    /// offset }`: `memory[addr + offset] = val`, then `sp = fp + h`.
    I32StoreAt {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1CE,
    /// As `I32StoreAt`, for `I64Store`.
    I64StoreAt {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1CF,
    /// As `I32StoreAt`, for `F32Store`.
    F32StoreAt {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1D0,
    /// As `I32StoreAt`, for `F64Store`.
    F64StoreAt {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1D1,
    /// As `I32StoreAt`, for `I32Store8`.
    I32Store8At {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1D2,
    /// As `I32StoreAt`, for `I32Store16`.
    I32Store16At {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1D3,
    /// As `I32StoreAt`, for `I64Store8`.
    I64Store8At {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1D4,
    /// As `I32StoreAt`, for `I64Store16`.
    I64Store16At {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1D5,
    /// As `I32StoreAt`, for `I64Store32`.
    I64Store32At {
        val: u16,
        h: u16,
        mem: u16,
        addr: u32,
        offset: u32,
    } = 0x1D6,
    /// An indexed load (version 11): fused `I32ShlAddImmReg { dst: d, lhs:
    /// index, value, shift }` or `I32AddImmReg` (`shift` 0), result on top,
    /// and an `I32Load` or `F32Load { mem, offset: 0 }` of it: `dst =
    /// memory[((index << shift) + value) mod 2^32]`, then `sp = fp + h`
    /// (`specs/execution.md` §2). A `local.set` after it writes the local.
    I32LoadIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1D7,
    /// As `I32LoadIdx`, for `I64Load` and `F64Load`.
    I64LoadIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1D8,
    /// As `I32LoadIdx`, for `I32Load8S`.
    I32Load8SIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1D9,
    /// As `I32LoadIdx`, for `I32Load8U`.
    I32Load8UIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1DA,
    /// As `I32LoadIdx`, for `I32Load16S`.
    I32Load16SIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1DB,
    /// As `I32LoadIdx`, for `I32Load16U`.
    I32Load16UIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1DC,
    /// As `I32LoadIdx`, for `I64Load32S`.
    I64Load32SIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1DD,
    /// As `I32LoadIdx`, for `I64Load32U`.
    I64Load32UIdx {
        dst: u16,
        index: u16,
        h: u16,
        value: i32,
        mem: u16,
        shift: u8,
    } = 0x1DE,
    /// A division or remainder by a constant (version 11): `dst = lhs op
    /// value`, then `sp = fp + h`; here `i32.div_s`. Translation makes it
    /// only for a divisor other than 0 and -1, so it never traps in
    /// translated code; other code traps as `i32.div_s` does, writing nothing.
    I32DivSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x1DF,
    /// As `I32DivSImmReg`, for `i32.div_u`, for a divisor other than 0.
    I32DivUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x1E0,
    /// As `I32DivSImmReg`, for `i32.rem_s`, for a divisor other than 0.
    I32RemSImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x1E1,
    /// As `I32DivSImmReg`, for `i32.rem_u`, for a divisor other than 0.
    I32RemUImmReg {
        dst: u16,
        lhs: u16,
        h: u16,
        value: i32,
    } = 0x1E2,
}

impl Op {
    /// The stable opcode number of this instruction.
    pub fn opcode(&self) -> u16 {
        // SAFETY: `Op` is `repr(u16)`, so its first two bytes are the discriminant
        // (the primitive representation of a field-carrying enum is a
        // `repr(C)` union of `repr(C)` structs each starting with the tag).
        unsafe { *(self as *const Op as *const u16) }
    }

    /// Whether the instruction is one of [`pure_reg_ops`]: its step sets
    /// `sp = fp + h`, goes to the next instruction, and neither traps nor
    /// reads `sp`.
    #[inline]
    pub(crate) fn pure_reg(&self) -> bool {
        macro_rules! any_of {
            ($($n:ident),*) => {
                matches!(self, $(Op::$n { .. })|*)
            };
        }
        pure_reg_ops!(any_of)
    }

    /// Whether the instruction ends a straight-line run: whether its step
    /// may go anywhere but the next instruction (a branch, taken or not; a
    /// call or return; an instruction that runs in micro-steps). The
    /// machine counts its steps by runs (`exec/threaded.rs`); an
    /// instruction missing here that moves elsewhere is still counted
    /// right, only its run is longer.
    #[inline(always)]
    pub(crate) fn ends_run(&self) -> bool {
        use Op::*;
        matches!(
            self,
            Br { .. }
                | BrAdjust { .. }
                | BrIfEqz { .. }
                | BrIfEqzReg { .. }
                | BrIfI32AndImmEqz { .. }
                | BrIfI32AndImmNez { .. }
                | BrIfI32Eq { .. }
                | BrIfI32EqImm { .. }
                | BrIfI32GeS { .. }
                | BrIfI32GeSImm { .. }
                | BrIfI32GeU { .. }
                | BrIfI32GeUImm { .. }
                | BrIfI32GtS { .. }
                | BrIfI32GtSImm { .. }
                | BrIfI32GtU { .. }
                | BrIfI32GtUImm { .. }
                | BrIfI32LeS { .. }
                | BrIfI32LeSImm { .. }
                | BrIfI32LeU { .. }
                | BrIfI32LeUImm { .. }
                | BrIfI32LtS { .. }
                | BrIfI32LtSImm { .. }
                | BrIfI32LtU { .. }
                | BrIfI32LtUImm { .. }
                | BrIfI32Ne { .. }
                | BrIfI32NeImm { .. }
                | BrIfNez { .. }
                | BrIfNezAdjust { .. }
                | BrIfNezReg { .. }
                | BrTable { .. }
                | BrTableReg { .. }
                | Call { .. }
                | CallIndirect { .. }
                | Return { .. }
                | MemoryCopy { .. }
                | MemoryFill { .. }
                | MemoryInit { .. }
                | TableCopy { .. }
                | TableFill { .. }
                | TableGrow { .. }
                | TableInit { .. }
        )
    }
}

/// The register forms that set `sp = fp + h` and only that of the
/// registers besides `pc`, which goes to the next instruction: they never
/// trap, branch or read `sp` (the arms of `exec::step` that are one
/// `reg_bin!`, `reg_imm!` or `reg_un!`, which a test reads from the source).
/// Calls `$m` with their names.
macro_rules! pure_reg_ops {
    ($m:ident) => {
        $m!(
            I32EqReg,
            I32NeReg,
            I32LtSReg,
            I32LtUReg,
            I32GtSReg,
            I32GtUReg,
            I32LeSReg,
            I32LeUReg,
            I32GeSReg,
            I32GeUReg,
            I64EqReg,
            I64NeReg,
            I64LtSReg,
            I64LtUReg,
            I64GtSReg,
            I64GtUReg,
            I64LeSReg,
            I64LeUReg,
            I64GeSReg,
            I64GeUReg,
            F32EqReg,
            F32NeReg,
            F32LtReg,
            F32GtReg,
            F32LeReg,
            F32GeReg,
            F64EqReg,
            F64NeReg,
            F64LtReg,
            F64GtReg,
            F64LeReg,
            F64GeReg,
            I32AddReg,
            I32SubReg,
            I32MulReg,
            I32AndReg,
            I32OrReg,
            I32XorReg,
            I32ShlReg,
            I32ShrSReg,
            I32ShrUReg,
            I32RotlReg,
            I32RotrReg,
            I64AddReg,
            I64SubReg,
            I64MulReg,
            I64AndReg,
            I64OrReg,
            I64XorReg,
            I64ShlReg,
            I64ShrSReg,
            I64ShrUReg,
            I64RotlReg,
            I64RotrReg,
            F32AddReg,
            F32SubReg,
            F32MulReg,
            F32DivReg,
            F64AddReg,
            F64SubReg,
            F64MulReg,
            F64DivReg,
            I32AddImmReg,
            I32MulImmReg,
            I32AndImmReg,
            I32OrImmReg,
            I32XorImmReg,
            I32ShlImmReg,
            I32ShlAddImmReg,
            I32ShrSImmReg,
            I32ShrUImmReg,
            I32RotlImmReg,
            I32RotrImmReg,
            I32EqImmReg,
            I32NeImmReg,
            I32LtSImmReg,
            I32LtUImmReg,
            I32GtSImmReg,
            I32GtUImmReg,
            I32LeSImmReg,
            I32LeUImmReg,
            I32GeSImmReg,
            I32GeUImmReg,
            I64AddImmReg,
            I64MulImmReg,
            I64AndImmReg,
            I64OrImmReg,
            I64XorImmReg,
            I64ShlImmReg,
            I64ShrSImmReg,
            I64ShrUImmReg,
            I32EqzReg,
            I64EqzReg,
            I32WrapI64Reg,
            I64ExtendI32SReg,
            I64ExtendI32UReg,
            I32ClzReg,
            I32CtzReg,
            I32PopcntReg,
            I64ClzReg,
            I64CtzReg,
            I64PopcntReg,
            F32AbsReg,
            F32NegReg,
            F32CeilReg,
            F32FloorReg,
            F32TruncReg,
            F32NearestReg,
            F32SqrtReg,
            F64AbsReg,
            F64NegReg,
            F64CeilReg,
            F64FloorReg,
            F64TruncReg,
            F64NearestReg,
            F64SqrtReg,
            F32ConvertI32SReg,
            F32ConvertI32UReg,
            F32ConvertI64SReg,
            F32ConvertI64UReg,
            F32DemoteF64Reg,
            F64ConvertI32SReg,
            F64ConvertI32UReg,
            F64ConvertI64SReg,
            F64ConvertI64UReg,
            F64PromoteF32Reg,
            I32Extend8SReg,
            I32Extend16SReg,
            I64Extend8SReg,
            I64Extend16SReg,
            I64Extend32SReg,
            I32TruncSatF32SReg,
            I32TruncSatF32UReg,
            I32TruncSatF64SReg,
            I32TruncSatF64UReg,
            I64TruncSatF32SReg,
            I64TruncSatF32UReg,
            I64TruncSatF64SReg,
            I64TruncSatF64UReg
        )
    };
}
pub(crate) use pure_reg_ops;

/// The opcode of the variant named `name` (a compile-time lookup in
/// [`OP_TABLE`]; a name that is no variant fails the build).
pub(crate) const fn code_of(name: &str) -> u16 {
    const fn same(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut k = 0;
        while k < a.len() {
            if a[k] != b[k] {
                return false;
            }
            k += 1;
        }
        true
    }
    let mut i = 0;
    while i < OP_TABLE.len() {
        if same(name.as_bytes(), OP_TABLE[i].name.as_bytes()) {
            return OP_TABLE[i].code;
        }
        i += 1;
    }
    panic!("no such instruction")
}

/// The most steps from any instruction of `code` up to and including the
/// next that ends a run ([`Op::ends_run`]), or to the code's end.
pub(crate) fn longest_run(code: &[Op]) -> u32 {
    let (mut longest, mut run) = (0u32, 0u32);
    for op in code.iter().rev() {
        run = if op.ends_run() { 1 } else { run.saturating_add(1) };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_op_table_lists_every_opcode_once_with_its_encoded_width() {
        let mut seen = std::collections::BTreeSet::new();
        for info in OP_TABLE {
            assert!(seen.insert(info.code), "{} repeats {:#x}", info.name, info.code);
            let width: usize = info
                .fields
                .iter()
                .map(|(_, ty)| match *ty {
                    "u8" => 1,
                    "u16" => 2,
                    "u32" | "i32" => 4,
                    "u64" | "i64" => 8,
                    t if t.starts_with("Simd") => 1,
                    t => panic!("{}: unknown field type {t}", info.name),
                })
                .sum();
            assert!(2 + width <= OP_BYTES, "{}", info.name);
        }
        assert_eq!(OP_TABLE.len(), seen.len());
        assert_eq!(
            OP_TABLE.iter().find(|i| i.name == "I32AddReg").map(|i| i.code),
            Some(Op::I32AddReg { dst: 0, lhs: 0, rhs: 0, h: 0 }.opcode())
        );
    }

    #[test]
    fn op_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Op>(), 16);
    }

    #[test]
    fn opcodes_are_the_declared_numbers() {
        assert_eq!(Op::Unreachable.opcode(), 0x00);
        assert_eq!(Op::BrAdjust { target: 1, drop: 2, keep: 3 }.opcode(), 0x04);
        assert_eq!(Op::I64Const { value: -1 }.opcode(), 0x46);
        assert_eq!(Op::I64TruncSatF64U.opcode(), 0xD7);
        assert_eq!(Op::V128Drop.opcode(), 0x17);
        assert_eq!(Op::V128GlobalSet { global: 0 }.opcode(), 0x27);
        assert_eq!(
            Op::V128StoreLane { op: SimdStoreLane::V128Store8Lane, lane: 0, mem: 0, offset: 0 }.opcode(),
            0x4F
        );
        assert_eq!(Op::V128Shift { op: SimdShift::I8x16Shl }.opcode(), 0xFB);
        assert_eq!(Op::I32EqReg { dst: 0, lhs: 0, rhs: 0, h: 0 }.opcode(), 0x100);
        assert_eq!(Op::BrIfEqzReg { cond: 0, target: 0 }.opcode(), 0x17A);
    }

    #[test]
    fn encoding_round_trips_and_is_canonical() {
        let ops = [
            Op::Unreachable,
            Op::BrAdjust { target: 7, drop: 2, keep: 0x0102_0304 },
            Op::I64Const { value: -2 },
            Op::F64Const { bits: 0x7ff8_0000_0000_0001 },
            Op::I32Load { mem: 0, offset: 0xffff_ffff },
            Op::I64AddImmReg { dst: 1, lhs: 2, h: 3, value: i64::MIN },
            Op::I64Store16Reg { addr: 9, val: 0xffff, h: 10, mem: 1, offset: 0xffff_ffff },
            Op::I64SetConst { dst: 50_000, value: -1 },
        ];
        for op in ops {
            let b = op.encode();
            assert_eq!(u16::from_le_bytes([b[0], b[1]]), op.opcode());
            assert_eq!(Op::decode(&b), Some(op));
        }
        let mut b = Op::BrAdjust { target: 7, drop: 2, keep: 3 }.encode();
        assert_eq!(&b[..14], &[4, 0, 7, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);
        b[14] = 1;
        assert_eq!(Op::decode(&b), None, "non-zero padding is refused");
        assert_eq!(Op::decode(&[0xff; 16]), None, "unknown opcode is refused");
    }

    #[test]
    fn simd_instructions_encode_their_webassembly_opcode() {
        let ops = [
            Op::V128Const { lo: u64::MAX },
            Op::Hi64 { bits: 7 },
            Op::V128Load { op: SimdLoad::V128Load64Zero, mem: 1, offset: 0xffff_fff0 },
            Op::V128LoadLane { op: SimdLoadLane::V128Load16Lane, lane: 7, mem: 0, offset: 3 },
            Op::V128StoreLane { op: SimdStoreLane::V128Store64Lane, lane: 1, mem: 0, offset: 3 },
            Op::V128ExtractLane { op: SimdExtract::I8x16ExtractLaneU, lane: 15 },
            Op::V128Binary { op: SimdBinary::F64x2PMax },
            Op::V128Unary { op: SimdUnary::F64x2ConvertLowI32x4U },
            Op::V128LocalTee { index: 9 },
        ];
        for op in ops {
            assert_eq!(Op::decode(&op.encode()), Some(op));
        }
        let b = Op::V128Binary { op: SimdBinary::I32x4Add }.encode();
        assert_eq!(b[..3], [0xF8, 0, 0xAE]);
        let l = Op::V128LoadLane { op: SimdLoadLane::V128Load32Lane, lane: 2, mem: 5, offset: 6 }.encode();
        assert_eq!(l[..12], [0x4E, 0, 0x56, 2, 5, 0, 0, 0, 6, 0, 0, 0]);
        // A sub-opcode of another shape, or of no instruction, is refused.
        let mut wrong = b;
        wrong[2] = SimdLoad::V128Load.code();
        assert_eq!(Op::decode(&wrong), None);
        wrong[2] = 0x9A;
        assert_eq!(Op::decode(&wrong), None);
    }

    #[test]
    fn every_byte_string_decodes_canonically_or_not_at_all() {
        for code in 0..=0x1FFu16 {
            let mut b = [0u8; OP_BYTES];
            b[..2].copy_from_slice(&code.to_le_bytes());
            b[2..].iter_mut().enumerate().for_each(|(i, x)| *x = (i as u8).wrapping_mul(37));
            for len in 1..=OP_BYTES {
                let mut c = [0u8; OP_BYTES];
                c[..len].copy_from_slice(&b[..len]);
                if let Some(op) = Op::decode(&c) {
                    assert_eq!(op.encode(), c);
                }
            }
        }
    }
}
