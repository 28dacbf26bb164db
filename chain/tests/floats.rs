//! `contracts/src/Floats.sol`, the on-chain softfloat, against the engine's
//! float semantics (engine/src/exec/sem.rs: Rust's IEEE arithmetic, NaNs
//! made canonical by `op::float::canon32`/`canon64`, the trapping
//! truncations of `op::convert`, `as` casts for the saturating ones) on
//! special values and on random bit patterns. Bit for bit, traps included.

use refute_chain::evm::Evm;
use refute_chain::tables::{FLOAT_BINARY, FLOAT_UNARY, binary_number, unary_number};
use refute_engine::TrapKind;
use refute_engine::op::convert as cv;
use refute_engine::op::float::{self, canon32, canon64};

fn f32_(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
fn f64_(x: u64) -> f64 {
    f64::from_bits(x)
}
fn c32(v: f32) -> u64 {
    canon32(v) as u64
}
fn c64(v: f64) -> u64 {
    canon64(v)
}

/// The engine's binary float operators (exec/sem.rs), by stem.
fn binary(stem: &str, a: u64, b: u64) -> u64 {
    let b1 = |x: bool| x as u64;
    match stem {
        "F32Add" => c32(f32_(a) + f32_(b)),
        "F32Sub" => c32(f32_(a) - f32_(b)),
        "F32Mul" => c32(f32_(a) * f32_(b)),
        "F32Div" => c32(f32_(a) / f32_(b)),
        "F32Min" => c32(float::f32_min(f32_(a), f32_(b))),
        "F32Max" => c32(float::f32_max(f32_(a), f32_(b))),
        "F32Copysign" => (a & 0x7fff_ffff) | (b & 0x8000_0000),
        "F32Eq" => b1(f32_(a) == f32_(b)),
        "F32Ne" => b1(f32_(a) != f32_(b)),
        "F32Lt" => b1(f32_(a) < f32_(b)),
        "F32Gt" => b1(f32_(a) > f32_(b)),
        "F32Le" => b1(f32_(a) <= f32_(b)),
        "F32Ge" => b1(f32_(a) >= f32_(b)),
        "F64Add" => c64(f64_(a) + f64_(b)),
        "F64Sub" => c64(f64_(a) - f64_(b)),
        "F64Mul" => c64(f64_(a) * f64_(b)),
        "F64Div" => c64(f64_(a) / f64_(b)),
        "F64Min" => c64(float::f64_min(f64_(a), f64_(b))),
        "F64Max" => c64(float::f64_max(f64_(a), f64_(b))),
        "F64Copysign" => (a & !(1 << 63)) | (b & (1 << 63)),
        "F64Eq" => b1(f64_(a) == f64_(b)),
        "F64Ne" => b1(f64_(a) != f64_(b)),
        "F64Lt" => b1(f64_(a) < f64_(b)),
        "F64Gt" => b1(f64_(a) > f64_(b)),
        "F64Le" => b1(f64_(a) <= f64_(b)),
        "F64Ge" => b1(f64_(a) >= f64_(b)),
        s => panic!("{s}"),
    }
}

fn trapping<T>(r: Result<T, TrapKind>, f: impl Fn(T) -> u64) -> (u64, u8) {
    match r {
        Ok(v) => (f(v), 0),
        Err(k) => (0, k as u8),
    }
}

/// The engine's unary float operators and conversions: value and trap.
fn unary(stem: &str, a: u64) -> (u64, u8) {
    let ok = |v: u64| (v, 0);
    let (x, y) = (f32_(a), f64_(a));
    let (i32v, u32v, i64v) = (a as u32 as i32, a as u32, a as i64);
    match stem {
        "F32Abs" => ok(a & 0x7fff_ffff),
        "F32Neg" => ok(a ^ 0x8000_0000),
        "F32Ceil" => ok(c32(x.ceil())),
        "F32Floor" => ok(c32(x.floor())),
        "F32Trunc" => ok(c32(x.trunc())),
        "F32Nearest" => ok(c32(x.round_ties_even())),
        "F32Sqrt" => ok(c32(x.sqrt())),
        "F64Abs" => ok(a & 0x7fff_ffff_ffff_ffff),
        "F64Neg" => ok(a ^ 0x8000_0000_0000_0000),
        "F64Ceil" => ok(c64(y.ceil())),
        "F64Floor" => ok(c64(y.floor())),
        "F64Trunc" => ok(c64(y.trunc())),
        "F64Nearest" => ok(c64(y.round_ties_even())),
        "F64Sqrt" => ok(c64(y.sqrt())),
        "I32TruncF32S" => trapping(cv::i32_trunc_f32_s(x), |v| v as u32 as u64),
        "I32TruncF32U" => trapping(cv::i32_trunc_f32_u(x), |v| v as u64),
        "I32TruncF64S" => trapping(cv::i32_trunc_f64_s(y), |v| v as u32 as u64),
        "I32TruncF64U" => trapping(cv::i32_trunc_f64_u(y), |v| v as u64),
        "I64TruncF32S" => trapping(cv::i64_trunc_f32_s(x), |v| v as u64),
        "I64TruncF32U" => trapping(cv::i64_trunc_f32_u(x), |v| v),
        "I64TruncF64S" => trapping(cv::i64_trunc_f64_s(y), |v| v as u64),
        "I64TruncF64U" => trapping(cv::i64_trunc_f64_u(y), |v| v),
        "F32ConvertI32S" => ok((i32v as f32).to_bits() as u64),
        "F32ConvertI32U" => ok((u32v as f32).to_bits() as u64),
        "F32ConvertI64S" => ok((i64v as f32).to_bits() as u64),
        "F32ConvertI64U" => ok((a as f32).to_bits() as u64),
        "F32DemoteF64" => ok(c32(y as f32)),
        "F64ConvertI32S" => ok((i32v as f64).to_bits()),
        "F64ConvertI32U" => ok((u32v as f64).to_bits()),
        "F64ConvertI64S" => ok((i64v as f64).to_bits()),
        "F64ConvertI64U" => ok((a as f64).to_bits()),
        "F64PromoteF32" => ok(c64(x as f64)),
        "I32TruncSatF32S" => ok(x as i32 as u32 as u64),
        "I32TruncSatF32U" => ok(x as u32 as u64),
        "I32TruncSatF64S" => ok(y as i32 as u32 as u64),
        "I32TruncSatF64U" => ok(y as u32 as u64),
        "I64TruncSatF32S" => ok(x as i64 as u64),
        "I64TruncSatF32U" => ok(x as u64),
        "I64TruncSatF64S" => ok(y as i64 as u64),
        "I64TruncSatF64U" => ok(y as u64),
        s => panic!("{s}"),
    }
}

/// Values where floats are delicate, as f32 bits and as f64 bits.
fn specials() -> Vec<u64> {
    let f32s: [f32; 24] = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        0.49999997,
        f32::MIN_POSITIVE,
        f32::MAX,
        f32::MIN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::EPSILON,
        2147483648.0,
        -2147483904.0,
        4294967296.0,
        9.223372e18,
        1.8446744e19,
        16777216.0,
        16777217.0,
        3.4028235e38,
    ];
    let f64s: [f64; 26] = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        0.49999999999999994,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::EPSILON,
        2147483647.999,
        -2147483648.9,
        4294967295.5,
        4294967296.0,
        9223372036854775807.0,
        -9223372036854775808.0,
        18446744073709551615.0,
        9007199254740993.0,
        1e308,
        1e-310,
    ];
    let mut v: Vec<u64> =
        f32s.iter().map(|f| f.to_bits() as u64).chain(f64s.iter().map(|f| f.to_bits())).collect();
    // NaNs with payloads and signs, subnormals, and integers.
    v.extend([0x7fc0_0000, 0xffc0_0001, 0x7f80_0001, 0x0000_0001, 0x807f_ffff, 0x8000_0001]);
    v.extend([0x7ff8_0000_0000_0000, 0xfff0_0000_0000_0001, 0x0000_0000_0000_0001, 0x800f_ffff_ffff_ffff]);
    v.extend([
        u32::MAX as u64,
        i32::MIN as u32 as u64,
        u64::MAX,
        i64::MIN as u64,
        1 << 53,
        (1 << 53) + 1,
        1 << 24,
        (1 << 24) + 1,
    ]);
    v
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    /// Random bits, often shaped: a small exponent range, or an f32 in the low half.
    fn value(&mut self) -> u64 {
        let r = self.next();
        match r % 4 {
            0 => r >> 2,
            1 => (r >> 2) & 0xffff_ffff,
            2 => ((r >> 8) & 0x800f_ffff_ffff_ffff) | (((1023 - 40 + (r & 63)) & 0x7ff) << 52),
            _ => ((r >> 8) & 0x807f_ffff) | (((127 - 20 + (r & 31)) & 0xff) << 23),
        }
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn floats_on_chain_are_the_engines_bit_for_bit() {
    let mut evm = Evm::new().unwrap();
    let cases = env_u64("REFUTE_FLOAT_CASES", 150);
    let mut rng = Rng(env_u64("REFUTE_FLOAT_SEED", 3));
    let specials = specials();
    let mut checked = 0;
    for width in ["F32", "F64"] {
        for op in FLOAT_BINARY {
            let stem = format!("{width}{op}");
            let code = binary_number(&stem).unwrap();
            let pairs = specials
                .iter()
                .flat_map(|&a| specials.iter().step_by(3).map(move |&b| (a, b)))
                .chain((0..cases).map(|_| (rng.value(), rng.value())))
                .collect::<Vec<_>>();
            for (a, b) in pairs {
                let got = evm.float_binary(code, a, b).unwrap();
                assert_eq!(got, binary(&stem, a, b), "{stem}({a:#x}, {b:#x})");
                checked += 1;
            }
        }
    }
    for stem in FLOAT_UNARY {
        let code = unary_number(stem).unwrap();
        let values: Vec<u64> = specials.iter().copied().chain((0..cases * 4).map(|_| rng.value())).collect();
        for a in values {
            let got = evm.float_unary(code, a).unwrap();
            assert_eq!(got, unary(stem, a), "{stem}({a:#x})");
            checked += 1;
        }
    }
    eprintln!("{checked} float operations agree bit for bit");
}
