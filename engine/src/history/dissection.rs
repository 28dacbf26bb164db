//! k-ary dissection and the layer policy (`specs/commitments.md` §5, §6).
//!
//! Dissection works on positions: the leaf indices of the current layer (steps
//! themselves when the stride is 1). The parties agree on the state at
//! position `a` and disagree at `b`.

use super::HistoryError;

/// Default branching factor: a round splits the disputed interval into up to
/// 1024 pieces, revealing up to 1023 states (32 KiB of state roots).
pub const DEFAULT_K: u64 = 1 << 10;

/// Default most leaves per layer: 1024, so a layer has at most 1023 intervals
/// and one round of [`DEFAULT_K`] settles it. A 10^12-step dispute then takes
/// 4 rounds (`specs/commitments.md` §7).
pub const DEFAULT_MAX_LEAVES: u64 = 1 << 10;

/// The interior points that split the disputed interval `[a, b]` into `k`
/// nearly equal pieces: `a + floor(i·(b - a) / k)` for `i = 1..k`, when
/// `b - a >= k`; every point strictly between `a` and `b` when `b - a < k`.
///
/// The result is strictly increasing, strictly between `a` and `b`, and each
/// of the pieces it leaves is at most `ceil((b - a) / k)` long. Empty when
/// `b <= a + 1`.
///
/// # Panics
///
/// If `k < 2`: a round must make progress.
pub fn split(a: u64, b: u64, k: u64) -> Vec<u64> {
    assert!(k >= 2, "branching factor {k} is below 2");
    let m = b.saturating_sub(a);
    if m < k {
        return (a.saturating_add(1)..b).collect();
    }
    // i·m < k·m ≤ 2^128: exact in u128, and the quotient is below m, so it fits in u64.
    (1..k).map(|i| a + (u128::from(i) * u128::from(m) / u128::from(k)) as u64).collect()
}

/// The new disputed interval after a round over `[a, b]` that revealed the
/// interior `points` (from [`split`]).
///
/// `first_disagreement` is the index in `points` of the first point whose
/// revealed state the challenger disputes, or `points.len()` if it accepts
/// all of them (the disagreement is then at `b`). The result is the piece
/// ending at that point: `(points[i - 1] or a, points[i] or b)`.
///
/// Fails with `DisagreementOutOfRange` if `first_disagreement > points.len()`.
pub fn narrow(a: u64, b: u64, points: &[u64], first_disagreement: usize) -> Result<(u64, u64), HistoryError> {
    let i = first_disagreement;
    if i > points.len() {
        return Err(HistoryError::DisagreementOutOfRange { index: i, points: points.len() });
    }
    let lo = if i == 0 { a } else { points[i - 1] };
    let hi = if i == points.len() { b } else { points[i] };
    Ok((lo, hi))
}

/// The strides of the layers of a dispute over a run of `total_steps` steps:
/// first the posted commitment's, `max(1, ceil(total_steps / (max_leaves - 1)))`,
/// so the layer `[0, total_steps]` has at most `max_leaves` leaves; then each
/// `ceil(previous / (max_leaves - 1))`, so a layer over one interval of the
/// previous layer has at most `max_leaves` leaves too; ending with 1.
///
/// Strictly decreasing, except that it is `[1]` when the whole run fits one
/// layer at stride 1.
///
/// # Panics
///
/// If `max_leaves < 3` (two leaves per layer can never narrow a dispute) or
/// `max_leaves > MAX_LEAVES`.
pub fn layer_strides(total_steps: u64, max_leaves: u64) -> Vec<u64> {
    assert!(max_leaves >= 3, "max_leaves {max_leaves} is below 3");
    assert!(max_leaves <= super::MAX_LEAVES as u64, "max_leaves {max_leaves} is above MAX_LEAVES");
    let pieces = max_leaves - 1;
    let mut stride = total_steps.div_ceil(pieces).max(1);
    let mut strides = vec![stride];
    while stride > 1 {
        stride = stride.div_ceil(pieces);
        strides.push(stride);
    }
    strides
}

/// The number of rounds that narrow `intervals` adjacent intervals down to
/// one, `k` pieces per round, whatever the challenger picks: the least `r`
/// with `k^r >= intervals` (0 for one interval or none).
///
/// # Panics
///
/// If `k < 2`.
pub fn rounds(intervals: u64, k: u64) -> u32 {
    assert!(k >= 2, "branching factor {k} is below 2");
    let (mut m, mut r) = (intervals, 0);
    while m > 1 {
        m = m.div_ceil(k);
        r += 1;
    }
    r
}

/// The most dissection rounds a dispute over a run of `total_steps` steps
/// takes, over all layers of [`layer_strides`], counting a round as one
/// reveal (which also carries the root of a new layer when one starts).
///
/// # Panics
///
/// As [`rounds`] and [`layer_strides`].
pub fn dispute_rounds(total_steps: u64, k: u64, max_leaves: u64) -> u32 {
    let strides = layer_strides(total_steps, max_leaves);
    let mut span = total_steps;
    let mut total = 0;
    for stride in strides {
        total += rounds(span.div_ceil(stride), k);
        // The next layer covers one interval of this one, at most `stride` steps.
        span = span.min(stride);
    }
    total
}
