//! The SIMD instructions, one list per shape (`specs/state.md` §4.1).
//!
//! Each SIMD [`crate::isa::Op`] variant is a shape (how it moves operands:
//! `V128Unary`, `V128Binary`, `V128Load`, ...) carrying one of these as its
//! `op` byte. The number of each instruction is its WebAssembly SIMD opcode,
//! the number after the `0xFD` prefix, so the encoding needs no table of its
//! own; the names are wasmparser's, from which translation maps each
//! operator. What each one computes is in [`crate::op::simd`].

use wasmparser::Operator;

/// Declares one enum per SIMD shape, with its opcodes, `from_code` and the
/// translation from wasmparser's operator; the `kind` says which immediates
/// the operators carry (none, a lane, a memory argument, or both).
macro_rules! define_simd {
    ($( $(#[$meta:meta])* $kind:ident $shape:ident { $( $name:ident = $code:literal ),* $(,)? } )*) => {$(
        $(#[$meta])*
        #[allow(missing_docs)] // The variants are the WebAssembly instructions of the same name.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $shape {
            $( $name = $code ),*
        }

        impl $shape {
            /// Every instruction of this shape, in declaration order.
            pub const ALL: &[$shape] = &[$($shape::$name),*];

            /// The WebAssembly SIMD opcode (after the `0xFD` prefix).
            pub fn code(self) -> u8 {
                self as u8
            }

            /// The instruction with this opcode, if it has this shape.
            pub fn from_code(code: u8) -> Option<$shape> {
                match code {
                    $( $code => Some($shape::$name), )*
                    _ => None,
                }
            }

            define_simd!(@from $kind $shape $($name)*);
        }
    )*};
    (@from plain $shape:ident $($name:ident)*) => {
        /// This shape's instruction for a wasmparser operator.
        pub(crate) fn from_operator(op: &Operator<'_>) -> Option<$shape> {
            match op {
                $( Operator::$name => Some($shape::$name), )*
                _ => None,
            }
        }
    };
    (@from lane $shape:ident $($name:ident)*) => {
        /// This shape's instruction and lane index for a wasmparser operator.
        pub(crate) fn from_operator(op: &Operator<'_>) -> Option<($shape, u8)> {
            match *op {
                $( Operator::$name { lane } => Some(($shape::$name, lane)), )*
                _ => None,
            }
        }
    };
    (@from mem $shape:ident $($name:ident)*) => {
        /// This shape's instruction and static offset for a wasmparser
        /// operator (offsets fit in 32 bits without memory64).
        pub(crate) fn from_operator(op: &Operator<'_>) -> Option<($shape, u32)> {
            match *op {
                $( Operator::$name { memarg } => Some(($shape::$name, memarg.offset as u32)), )*
                _ => None,
            }
        }
    };
    (@from mem_lane $shape:ident $($name:ident)*) => {
        /// This shape's instruction, lane index and static offset for a
        /// wasmparser operator.
        pub(crate) fn from_operator(op: &Operator<'_>) -> Option<($shape, u8, u32)> {
            match *op {
                $( Operator::$name { memarg, lane } => Some(($shape::$name, lane, memarg.offset as u32)), )*
                _ => None,
            }
        }
    };
}

define_simd! {
    /// Loads that produce a v128 from an address (`V128Load`).
    mem SimdLoad {
        V128Load = 0x00,
        V128Load8x8S = 0x01,
        V128Load8x8U = 0x02,
        V128Load16x4S = 0x03,
        V128Load16x4U = 0x04,
        V128Load32x2S = 0x05,
        V128Load32x2U = 0x06,
        V128Load8Splat = 0x07,
        V128Load16Splat = 0x08,
        V128Load32Splat = 0x09,
        V128Load64Splat = 0x0A,
        V128Load32Zero = 0x5C,
        V128Load64Zero = 0x5D,
    }

    /// Loads into one lane of a v128 operand (`V128LoadLane`).
    mem_lane SimdLoadLane {
        V128Load8Lane = 0x54,
        V128Load16Lane = 0x55,
        V128Load32Lane = 0x56,
        V128Load64Lane = 0x57,
    }

    /// Stores of one lane (`V128StoreLane`).
    mem_lane SimdStoreLane {
        V128Store8Lane = 0x58,
        V128Store16Lane = 0x59,
        V128Store32Lane = 0x5A,
        V128Store64Lane = 0x5B,
    }

    /// A scalar repeated into every lane (`V128Splat`).
    plain SimdSplat {
        I8x16Splat = 0x0F,
        I16x8Splat = 0x10,
        I32x4Splat = 0x11,
        I64x2Splat = 0x12,
        F32x4Splat = 0x13,
        F64x2Splat = 0x14,
    }

    /// One lane as a scalar (`V128ExtractLane`).
    lane SimdExtract {
        I8x16ExtractLaneS = 0x15,
        I8x16ExtractLaneU = 0x16,
        I16x8ExtractLaneS = 0x18,
        I16x8ExtractLaneU = 0x19,
        I32x4ExtractLane = 0x1B,
        I64x2ExtractLane = 0x1D,
        F32x4ExtractLane = 0x1F,
        F64x2ExtractLane = 0x21,
    }

    /// One lane replaced by a scalar (`V128ReplaceLane`).
    lane SimdReplace {
        I8x16ReplaceLane = 0x17,
        I16x8ReplaceLane = 0x1A,
        I32x4ReplaceLane = 0x1C,
        I64x2ReplaceLane = 0x1E,
        F32x4ReplaceLane = 0x20,
        F64x2ReplaceLane = 0x22,
    }

    /// A v128 to an i32 (`V128Test`).
    plain SimdTest {
        V128AnyTrue = 0x53,
        I8x16AllTrue = 0x63,
        I8x16Bitmask = 0x64,
        I16x8AllTrue = 0x83,
        I16x8Bitmask = 0x84,
        I32x4AllTrue = 0xA3,
        I32x4Bitmask = 0xA4,
        I64x2AllTrue = 0xC3,
        I64x2Bitmask = 0xC4,
    }

    /// A v128 shifted by an i32 count (`V128Shift`).
    plain SimdShift {
        I8x16Shl = 0x6B,
        I8x16ShrS = 0x6C,
        I8x16ShrU = 0x6D,
        I16x8Shl = 0x8B,
        I16x8ShrS = 0x8C,
        I16x8ShrU = 0x8D,
        I32x4Shl = 0xAB,
        I32x4ShrS = 0xAC,
        I32x4ShrU = 0xAD,
        I64x2Shl = 0xCB,
        I64x2ShrS = 0xCC,
        I64x2ShrU = 0xCD,
    }

    /// A v128 to a v128 (`V128Unary`).
    plain SimdUnary {
        V128Not = 0x4D,
        F32x4DemoteF64x2Zero = 0x5E,
        F64x2PromoteLowF32x4 = 0x5F,
        I8x16Abs = 0x60,
        I8x16Neg = 0x61,
        I8x16Popcnt = 0x62,
        F32x4Ceil = 0x67,
        F32x4Floor = 0x68,
        F32x4Trunc = 0x69,
        F32x4Nearest = 0x6A,
        F64x2Ceil = 0x74,
        F64x2Floor = 0x75,
        F64x2Trunc = 0x7A,
        I16x8ExtAddPairwiseI8x16S = 0x7C,
        I16x8ExtAddPairwiseI8x16U = 0x7D,
        I32x4ExtAddPairwiseI16x8S = 0x7E,
        I32x4ExtAddPairwiseI16x8U = 0x7F,
        I16x8Abs = 0x80,
        I16x8Neg = 0x81,
        I16x8ExtendLowI8x16S = 0x87,
        I16x8ExtendHighI8x16S = 0x88,
        I16x8ExtendLowI8x16U = 0x89,
        I16x8ExtendHighI8x16U = 0x8A,
        F64x2Nearest = 0x94,
        I32x4Abs = 0xA0,
        I32x4Neg = 0xA1,
        I32x4ExtendLowI16x8S = 0xA7,
        I32x4ExtendHighI16x8S = 0xA8,
        I32x4ExtendLowI16x8U = 0xA9,
        I32x4ExtendHighI16x8U = 0xAA,
        I64x2Abs = 0xC0,
        I64x2Neg = 0xC1,
        I64x2ExtendLowI32x4S = 0xC7,
        I64x2ExtendHighI32x4S = 0xC8,
        I64x2ExtendLowI32x4U = 0xC9,
        I64x2ExtendHighI32x4U = 0xCA,
        F32x4Abs = 0xE0,
        F32x4Neg = 0xE1,
        F32x4Sqrt = 0xE3,
        F64x2Abs = 0xEC,
        F64x2Neg = 0xED,
        F64x2Sqrt = 0xEF,
        I32x4TruncSatF32x4S = 0xF8,
        I32x4TruncSatF32x4U = 0xF9,
        F32x4ConvertI32x4S = 0xFA,
        F32x4ConvertI32x4U = 0xFB,
        I32x4TruncSatF64x2SZero = 0xFC,
        I32x4TruncSatF64x2UZero = 0xFD,
        F64x2ConvertLowI32x4S = 0xFE,
        F64x2ConvertLowI32x4U = 0xFF,
    }

    /// Two v128 to a v128 (`V128Binary`).
    plain SimdBinary {
        I8x16Swizzle = 0x0E,
        I8x16Eq = 0x23,
        I8x16Ne = 0x24,
        I8x16LtS = 0x25,
        I8x16LtU = 0x26,
        I8x16GtS = 0x27,
        I8x16GtU = 0x28,
        I8x16LeS = 0x29,
        I8x16LeU = 0x2A,
        I8x16GeS = 0x2B,
        I8x16GeU = 0x2C,
        I16x8Eq = 0x2D,
        I16x8Ne = 0x2E,
        I16x8LtS = 0x2F,
        I16x8LtU = 0x30,
        I16x8GtS = 0x31,
        I16x8GtU = 0x32,
        I16x8LeS = 0x33,
        I16x8LeU = 0x34,
        I16x8GeS = 0x35,
        I16x8GeU = 0x36,
        I32x4Eq = 0x37,
        I32x4Ne = 0x38,
        I32x4LtS = 0x39,
        I32x4LtU = 0x3A,
        I32x4GtS = 0x3B,
        I32x4GtU = 0x3C,
        I32x4LeS = 0x3D,
        I32x4LeU = 0x3E,
        I32x4GeS = 0x3F,
        I32x4GeU = 0x40,
        F32x4Eq = 0x41,
        F32x4Ne = 0x42,
        F32x4Lt = 0x43,
        F32x4Gt = 0x44,
        F32x4Le = 0x45,
        F32x4Ge = 0x46,
        F64x2Eq = 0x47,
        F64x2Ne = 0x48,
        F64x2Lt = 0x49,
        F64x2Gt = 0x4A,
        F64x2Le = 0x4B,
        F64x2Ge = 0x4C,
        V128And = 0x4E,
        V128AndNot = 0x4F,
        V128Or = 0x50,
        V128Xor = 0x51,
        I8x16NarrowI16x8S = 0x65,
        I8x16NarrowI16x8U = 0x66,
        I8x16Add = 0x6E,
        I8x16AddSatS = 0x6F,
        I8x16AddSatU = 0x70,
        I8x16Sub = 0x71,
        I8x16SubSatS = 0x72,
        I8x16SubSatU = 0x73,
        I8x16MinS = 0x76,
        I8x16MinU = 0x77,
        I8x16MaxS = 0x78,
        I8x16MaxU = 0x79,
        I8x16AvgrU = 0x7B,
        I16x8Q15MulrSatS = 0x82,
        I16x8NarrowI32x4S = 0x85,
        I16x8NarrowI32x4U = 0x86,
        I16x8Add = 0x8E,
        I16x8AddSatS = 0x8F,
        I16x8AddSatU = 0x90,
        I16x8Sub = 0x91,
        I16x8SubSatS = 0x92,
        I16x8SubSatU = 0x93,
        I16x8Mul = 0x95,
        I16x8MinS = 0x96,
        I16x8MinU = 0x97,
        I16x8MaxS = 0x98,
        I16x8MaxU = 0x99,
        I16x8AvgrU = 0x9B,
        I16x8ExtMulLowI8x16S = 0x9C,
        I16x8ExtMulHighI8x16S = 0x9D,
        I16x8ExtMulLowI8x16U = 0x9E,
        I16x8ExtMulHighI8x16U = 0x9F,
        I32x4Add = 0xAE,
        I32x4Sub = 0xB1,
        I32x4Mul = 0xB5,
        I32x4MinS = 0xB6,
        I32x4MinU = 0xB7,
        I32x4MaxS = 0xB8,
        I32x4MaxU = 0xB9,
        I32x4DotI16x8S = 0xBA,
        I32x4ExtMulLowI16x8S = 0xBC,
        I32x4ExtMulHighI16x8S = 0xBD,
        I32x4ExtMulLowI16x8U = 0xBE,
        I32x4ExtMulHighI16x8U = 0xBF,
        I64x2Add = 0xCE,
        I64x2Sub = 0xD1,
        I64x2Mul = 0xD5,
        I64x2Eq = 0xD6,
        I64x2Ne = 0xD7,
        I64x2LtS = 0xD8,
        I64x2GtS = 0xD9,
        I64x2LeS = 0xDA,
        I64x2GeS = 0xDB,
        I64x2ExtMulLowI32x4S = 0xDC,
        I64x2ExtMulHighI32x4S = 0xDD,
        I64x2ExtMulLowI32x4U = 0xDE,
        I64x2ExtMulHighI32x4U = 0xDF,
        F32x4Add = 0xE4,
        F32x4Sub = 0xE5,
        F32x4Mul = 0xE6,
        F32x4Div = 0xE7,
        F32x4Min = 0xE8,
        F32x4Max = 0xE9,
        F32x4PMin = 0xEA,
        F32x4PMax = 0xEB,
        F64x2Add = 0xF0,
        F64x2Sub = 0xF1,
        F64x2Mul = 0xF2,
        F64x2Div = 0xF3,
        F64x2Min = 0xF4,
        F64x2Max = 0xF5,
        F64x2PMin = 0xF6,
        F64x2PMax = 0xF7,
    }
}

impl SimdExtract {
    /// The number of lanes of the instruction's shape.
    pub fn lanes(self) -> u8 {
        use SimdExtract::*;
        match self {
            I8x16ExtractLaneS | I8x16ExtractLaneU => 16,
            I16x8ExtractLaneS | I16x8ExtractLaneU => 8,
            I32x4ExtractLane | F32x4ExtractLane => 4,
            I64x2ExtractLane | F64x2ExtractLane => 2,
        }
    }
}

impl SimdReplace {
    /// The number of lanes of the instruction's shape.
    pub fn lanes(self) -> u8 {
        use SimdReplace::*;
        match self {
            I8x16ReplaceLane => 16,
            I16x8ReplaceLane => 8,
            I32x4ReplaceLane | F32x4ReplaceLane => 4,
            I64x2ReplaceLane | F64x2ReplaceLane => 2,
        }
    }
}

impl SimdLoadLane {
    /// Bytes of the lane loaded: 1, 2, 4 or 8; the v128 has `16 / bytes` lanes.
    pub fn bytes(self) -> u8 {
        1 << (self.code() - SimdLoadLane::V128Load8Lane.code())
    }
}

impl SimdStoreLane {
    /// Bytes of the lane stored: 1, 2, 4 or 8; the v128 has `16 / bytes` lanes.
    pub fn bytes(self) -> u8 {
        1 << (self.code() - SimdStoreLane::V128Store8Lane.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every WebAssembly 2.0 SIMD instruction has exactly one shape, and the
    /// numbers are wasmparser's reading of the binary.
    #[test]
    fn the_lists_cover_the_simd_opcodes_once() {
        let mut codes: Vec<u8> = Vec::new();
        codes.extend(SimdLoad::ALL.iter().map(|o| o.code()));
        codes.extend(SimdLoadLane::ALL.iter().map(|o| o.code()));
        codes.extend(SimdStoreLane::ALL.iter().map(|o| o.code()));
        codes.extend(SimdSplat::ALL.iter().map(|o| o.code()));
        codes.extend(SimdExtract::ALL.iter().map(|o| o.code()));
        codes.extend(SimdReplace::ALL.iter().map(|o| o.code()));
        codes.extend(SimdTest::ALL.iter().map(|o| o.code()));
        codes.extend(SimdShift::ALL.iter().map(|o| o.code()));
        codes.extend(SimdUnary::ALL.iter().map(|o| o.code()));
        codes.extend(SimdBinary::ALL.iter().map(|o| o.code()));
        // v128.store, v128.const, i8x16.shuffle and v128.bitselect have shapes of their own.
        codes.extend([0x0B, 0x0C, 0x0D, 0x52]);
        codes.sort();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "an opcode in two lists");
        assert_eq!(n, 236, "the 2.0 SIMD instruction set has 236 instructions");
        // The gaps are the opcodes 2.0 leaves unassigned.
        let gaps: Vec<u8> = (0..=255u8).filter(|c| codes.binary_search(c).is_err()).collect();
        assert_eq!(
            gaps,
            [
                0x9A, 0xA2, 0xA5, 0xA6, 0xAF, 0xB0, 0xB2, 0xB3, 0xB4, 0xBB, 0xC2, 0xC5, 0xC6, 0xCF, 0xD0,
                0xD2, 0xD3, 0xD4, 0xE2, 0xEE
            ]
        );
        // Each number decodes to the instruction wasmparser reads for it.
        for &c in &codes {
            let bytes = [0xFD, c, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            let mut r = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(&bytes[..], 0));
            let op = r.read().unwrap();
            let found = SimdLoad::from_operator(&op)
                .map(|x| x.0.code())
                .or(SimdLoadLane::from_operator(&op).map(|x| x.0.code()))
                .or(SimdStoreLane::from_operator(&op).map(|x| x.0.code()))
                .or(SimdSplat::from_operator(&op).map(|x| x.code()))
                .or(SimdExtract::from_operator(&op).map(|x| x.0.code()))
                .or(SimdReplace::from_operator(&op).map(|x| x.0.code()))
                .or(SimdTest::from_operator(&op).map(|x| x.code()))
                .or(SimdShift::from_operator(&op).map(|x| x.code()))
                .or(SimdUnary::from_operator(&op).map(|x| x.code()))
                .or(SimdBinary::from_operator(&op).map(|x| x.code()));
            match c {
                0x0B => assert!(matches!(op, Operator::V128Store { .. })),
                0x0C => assert!(matches!(op, Operator::V128Const { .. })),
                0x0D => assert!(matches!(op, Operator::I8x16Shuffle { .. })),
                0x52 => assert!(matches!(op, Operator::V128Bitselect)),
                _ => assert_eq!(found, Some(c), "{op:?}"),
            }
        }
    }
}
