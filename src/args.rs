//! Parsing command-line arguments into WebAssembly values by signature,
//! as `wasmtime run --invoke` does.

use anyhow::{Result, anyhow, bail};
use refute_engine::{FuncType, ValType, Value};

/// Parses `args` for a function of type `ty`.
pub fn parse_args(ty: &FuncType, args: &[String]) -> Result<Vec<Value>> {
    if ty.params.len() != args.len() {
        bail!("the function takes {} argument(s) {ty}, but {} were given", ty.params.len(), args.len());
    }
    ty.params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (t, a))| parse_value(*t, a).map_err(|e| anyhow!("argument {}: {e}", i + 1)))
        .collect()
}

/// Parses one value of type `t`. Integers may be negative or, for the
/// unsigned reading, up to the type's maximum; floats accept `nan` and `inf`.
pub fn parse_value(t: ValType, s: &str) -> Result<Value> {
    let bad = || anyhow!("{s:?} is not a valid {t}");
    Ok(match t {
        ValType::I32 => Value::I32(match s.parse::<i32>() {
            Ok(v) => v,
            Err(_) => parse_int(s).and_then(|v| u32::try_from(v).ok()).ok_or_else(bad)? as i32,
        }),
        ValType::I64 => Value::I64(match s.parse::<i64>() {
            Ok(v) => v,
            Err(_) => parse_int(s).ok_or_else(bad)? as i64,
        }),
        ValType::F32 => Value::F32(s.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ValType::F64 => Value::F64(s.parse::<f64>().map_err(|_| bad())?.to_bits()),
        ValType::FuncRef if s == "null" => Value::FuncRef(None),
        ValType::ExternRef if s == "null" => Value::ExternRef(None),
        ValType::FuncRef | ValType::ExternRef => bail!("only null can be passed as {t}"),
        // A claim carries one 64-bit slot per argument (`ClaimInputs::entry_args`).
        ValType::V128 => bail!("a {t} argument cannot be given on the command line"),
    })
}

/// Unsigned decimal or `0x` hexadecimal.
fn parse_int(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse::<u64>().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(t: ValType, s: &str, want: Option<Value>) {
        assert_eq!(parse_value(t, s).ok(), want, "{t} {s}");
    }

    #[test]
    fn values() {
        check(ValType::I32, "-5", Some(Value::I32(-5)));
        check(ValType::I32, "4294967295", Some(Value::I32(-1)));
        check(ValType::I32, "4294967296", None);
        check(ValType::I32, "0x10", Some(Value::I32(16)));
        check(ValType::I64, "18446744073709551615", Some(Value::I64(-1)));
        check(ValType::F64, "1.5", Some(Value::F64(1.5f64.to_bits())));
        check(ValType::F32, "abc", None);
        check(ValType::FuncRef, "null", Some(Value::FuncRef(None)));
        check(ValType::ExternRef, "7", None);
        check(ValType::V128, "0", None);
    }

    #[test]
    fn arity() {
        let ty = FuncType { params: vec![ValType::I32], results: vec![] };
        let err = parse_args(&ty, &[]).unwrap_err().to_string();
        assert!(err.contains("takes 1 argument"), "{err}");
    }
}
