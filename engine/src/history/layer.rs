//! Which states a commitment covers.

use super::HistoryError;

/// Most leaves a layer may have: 2^20.
///
/// It bounds the memory of a [`Commitment`](super::Commitment), whose tree
/// keeps every node: `2^21 - 1` hashes, 64 MiB at this limit. It also bounds
/// a tree's depth to 20, hence
/// [`MAX_PROOF_HASHES`](super::MAX_PROOF_HASHES). The default policy uses far
/// fewer leaves ([`DEFAULT_MAX_LEAVES`](super::DEFAULT_MAX_LEAVES)).
pub const MAX_LEAVES: usize = 1 << 20;

/// The steps `start, start + stride, start + 2·stride, ...` below `end`, then
/// `end` itself as the last leaf (so the last interval is shorter when
/// `end - start` is not a multiple of `stride`).
///
/// A layer always has at least one leaf (`start == end` gives exactly one) and
/// at most [`MAX_LEAVES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layer {
    start: u64,
    end: u64,
    stride: u64,
    len: usize,
}

impl Layer {
    /// The layer from `start` to `end` at `stride`.
    ///
    /// Fails with `ZeroStride`, `StartAfterEnd` or `TooManyLeaves` (more than
    /// [`MAX_LEAVES`]).
    pub fn new(start: u64, end: u64, stride: u64) -> Result<Layer, HistoryError> {
        if stride == 0 {
            return Err(HistoryError::ZeroStride);
        }
        if start > end {
            return Err(HistoryError::StartAfterEnd { start, end });
        }
        // At most u64::MAX intervals, so the leaf count fits in u128.
        let leaves = u128::from((end - start).div_ceil(stride)) + 1;
        if leaves > MAX_LEAVES as u128 {
            return Err(HistoryError::TooManyLeaves { start, end, stride });
        }
        Ok(Layer { start, end, stride, len: leaves as usize })
    }

    /// First step.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Last step.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Distance between consecutive leaves, except possibly the last two.
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// Number of leaves: `ceil((end - start) / stride) + 1`, at least 1.
    #[expect(clippy::len_without_is_empty, reason = "a layer always has at least one leaf")]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Depth of the layer's tree: `ceil(log2(len()))`, the least `d` with
    /// `2^d >= len()` (0 for one leaf, at most 20). Leaves `len()..2^d` are zero leaves.
    pub fn depth(&self) -> usize {
        self.len.next_power_of_two().trailing_zeros() as usize
    }

    /// The step of leaf `i`, or `None` if `i >= len()`.
    pub fn step_at(&self, i: usize) -> Option<u64> {
        if i < self.len - 1 {
            // i < len - 1 = ceil((end - start) / stride), so start + i·stride < end: no overflow.
            Some(self.start + i as u64 * self.stride)
        } else if i == self.len - 1 {
            Some(self.end)
        } else {
            None
        }
    }

    /// The leaf index of `step`, or `None` if the layer has no leaf at `step`.
    pub fn index_of(&self, step: u64) -> Option<usize> {
        if step == self.end {
            return Some(self.len - 1);
        }
        if step < self.start || step > self.end || !(step - self.start).is_multiple_of(self.stride) {
            return None;
        }
        Some(((step - self.start) / self.stride) as usize)
    }

    /// The leaves' steps, in increasing order.
    pub fn steps(&self) -> impl Iterator<Item = u64> + use<> {
        let Layer { start, end, stride, len } = *self;
        (0..len).map(move |i| if i < len - 1 { start + i as u64 * stride } else { end })
    }
}
