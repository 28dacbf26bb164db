//! How the random-module tests compare v128 results across engines
//! (`translate_fuzz` here, `tests/differential.rs` at the root, which
//! includes this file by path: it sits in the engine, the crate the root
//! depends on, so the inclusion follows the dependency).

/// Whether two v128 agree: bit for bit, or lane for lane where the lanes
/// that differ are NaN in both, read as f32x4 or as f64x2.
pub fn same_v128(x: u128, y: u128) -> bool {
    let lanes32 = (0..4).all(|i| {
        let (a, b) = ((x >> (32 * i)) as u32, (y >> (32 * i)) as u32);
        a == b || (f32::from_bits(a).is_nan() && f32::from_bits(b).is_nan())
    });
    let lanes64 = (0..2).all(|i| {
        let (a, b) = ((x >> (64 * i)) as u64, (y >> (64 * i)) as u64);
        a == b || (f64::from_bits(a).is_nan() && f64::from_bits(b).is_nan())
    });
    lanes32 || lanes64
}
