//! A byte vector as 4 KiB pages shared between copies: how a checkpoint
//! holds a machine's memories and other vectors, so that a snapshot costs
//! the pages that changed since the one before it (`snapshot`).
//!
//! Plain data under the snapshot code. Pages sit in chunks of
//! [`CHUNK_PAGES`], so the table of a large, mostly unchanged vector is
//! shared too: a snapshot of a 1 GiB memory in which one page changed
//! holds that page, one chunk table (4 KiB) and 512 chunk pointers.

use crate::merkle::{PAGE_BYTES, is_zero};
use std::sync::Arc;

/// Pages per chunk: a chunk covers 2 MiB of bytes and its table takes 4 KiB.
pub(crate) const CHUNK_PAGES: usize = 512;

type Page = [u8; PAGE_BYTES];
type Chunk = [Option<Arc<Page>>; CHUNK_PAGES];

/// What a stored chunk table costs.
const CHUNK_BYTES: usize = std::mem::size_of::<Chunk>();

/// A byte vector as shared pages. An all-zero page or chunk is not stored
/// (`None`); bytes past `len` in the last page are not part of the vector.
#[derive(Clone, Default)]
pub(crate) struct Pages {
    len: usize,
    chunks: Vec<Option<Arc<Chunk>>>,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stored = self.chunks.iter().flatten().flat_map(|c| c.iter().flatten()).count();
        f.debug_struct("Pages").field("len", &self.len).field("stored", &stored).finish()
    }
}

/// Whether two optional pointers are the same pointer (or both absent).
fn same<T>(a: Option<&Arc<T>>, b: Option<&Arc<T>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

impl Pages {
    /// `data` as pages. A page that `changed` does not name, and that both
    /// `prev` and `data` hold whole, is taken from `prev` without reading
    /// `data`: so `changed` must name every page written since `prev` was
    /// taken from the same vector. Any other page is read, and shared with
    /// `prev` if its bytes are the same.
    pub(crate) fn new(data: &[u8], prev: Option<&Pages>, changed: &dyn Fn(usize) -> bool) -> Pages {
        let pages = data.len().div_ceil(PAGE_BYTES);
        let whole = data.len().min(prev.map_or(0, |q| q.len)) / PAGE_BYTES;
        let known = |p: usize| p < whole && !changed(p);
        let page = |p: usize| -> Option<Arc<Page>> {
            let old = prev.and_then(|q| q.page(p));
            if known(p) {
                return old.cloned();
            }
            let bytes = &data[p * PAGE_BYTES..((p + 1) * PAGE_BYTES).min(data.len())];
            if is_zero(bytes) {
                return None;
            }
            // Bytes of `old` past its vector's end are never read back, so
            // an equal prefix is the same page.
            if let Some(old) = old.filter(|o| o[..bytes.len()] == *bytes) {
                return Some(old.clone());
            }
            let mut new = [0u8; PAGE_BYTES];
            new[..bytes.len()].copy_from_slice(bytes);
            Some(Arc::new(new))
        };
        let chunks = (0..pages.div_ceil(CHUNK_PAGES))
            .map(|c| {
                let first = c * CHUNK_PAGES;
                let last = (first + CHUNK_PAGES).min(pages);
                let old = prev.and_then(|q| q.chunks.get(c)).and_then(Option::as_ref);
                if last - first == CHUNK_PAGES && (first..last).all(known) {
                    return old.cloned();
                }
                let table: Chunk =
                    std::array::from_fn(|i| if first + i < last { page(first + i) } else { None });
                if table.iter().all(Option::is_none) {
                    return None;
                }
                match old {
                    Some(o) if o.iter().zip(&table).all(|(a, b)| same(a.as_ref(), b.as_ref())) => {
                        Some(o.clone())
                    }
                    _ => Some(Arc::new(table)),
                }
            })
            .collect();
        Pages { len: data.len(), chunks }
    }

    /// The vector's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Page `p`, if stored.
    fn page(&self, p: usize) -> Option<&Arc<Page>> {
        self.chunks.get(p / CHUNK_PAGES)?.as_ref()?[p % CHUNK_PAGES].as_ref()
    }

    /// Every stored page with the offset of its first byte.
    fn stored(&self) -> impl Iterator<Item = (usize, &Page)> {
        self.chunks.iter().enumerate().filter_map(|(c, ch)| Some((c, ch.as_ref()?))).flat_map(|(c, ch)| {
            ch.iter()
                .enumerate()
                .filter_map(move |(i, pg)| Some(((c * CHUNK_PAGES + i) * PAGE_BYTES, &**pg.as_ref()?)))
        })
    }

    /// The bytes back as one vector (unstored pages are zero, and cost no
    /// writes: a large, mostly zero vector stays mostly unbacked).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.len];
        for (at, page) in self.stored() {
            let n = PAGE_BYTES.min(self.len - at);
            v[at..at + n].copy_from_slice(&page[..n]);
        }
        v
    }

    /// The bytes back as little-endian 64-bit slots (the length is a multiple of 8).
    pub(crate) fn to_slots(&self) -> Vec<u64> {
        let mut v = vec![0u64; self.len / 8];
        for (at, page) in self.stored() {
            let n = PAGE_BYTES.min(self.len - at);
            for (i, s) in page[..n].chunks_exact(8).enumerate() {
                v[at / 8 + i] = u64::from_le_bytes(s.try_into().expect("8 bytes"));
            }
        }
        v
    }

    /// Bytes held here and not shared with `prev` (the snapshot before, of
    /// the same vector): the chunk pointers, and each chunk table and page
    /// that `prev` does not hold at the same place. A page is only ever
    /// shared at its own place and between consecutive snapshots, so
    /// summing this along a list of snapshots counts every page once.
    pub(crate) fn own_bytes(&self, prev: Option<&Pages>) -> usize {
        let mut n = self.chunks.len() * std::mem::size_of::<Option<Arc<Chunk>>>();
        for (c, ch) in self.chunks.iter().enumerate() {
            let Some(ch) = ch else { continue };
            let old = prev.and_then(|q| q.chunks.get(c)).and_then(Option::as_ref);
            if same(old, Some(ch)) {
                continue;
            }
            n += CHUNK_BYTES;
            for (i, pg) in ch.iter().enumerate() {
                if pg.is_some() && !same(old.and_then(|o| o[i].as_ref()), pg.as_ref()) {
                    n += PAGE_BYTES;
                }
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: usize = PAGE_BYTES;

    #[test]
    fn pages_give_back_the_bytes_and_store_no_zero_page() {
        let mut data = vec![0u8; 3 * CHUNK_PAGES * P + 100];
        data[5] = 1;
        data[CHUNK_PAGES * P * 2 + 7 * P] = 2;
        *data.last_mut().unwrap() = 3;
        let pages = Pages::new(&data, None, &|_| true);
        assert_eq!(pages.to_bytes(), data);
        assert_eq!(pages.stored().count(), 3);
        // Four chunk pointers, three chunk tables (the second chunk is all zero), three pages.
        assert_eq!(pages.own_bytes(None), 4 * 8 + 3 * CHUNK_BYTES + 3 * P);
        let slots: Vec<u64> = (0..1000).map(|i| i * 0x0101_0101).collect();
        let bytes: Vec<u8> = slots.iter().flat_map(|s| s.to_le_bytes()).collect();
        assert_eq!(Pages::new(&bytes, None, &|_| true).to_slots(), slots);
    }

    #[test]
    fn a_copy_shares_every_page_but_the_changed_ones() {
        let mut data: Vec<u8> = (0..2 * CHUNK_PAGES * P).map(|i| (i / P) as u8 | 1).collect();
        let first = Pages::new(&data, None, &|_| true);
        data[3 * P + 1] ^= 0xff;
        // Page 3 changed; page 9 is named but unchanged, so it is shared after a read.
        let second = Pages::new(&data, Some(&first), &|p| p == 3 || p == 9);
        assert_eq!(second.to_bytes(), data);
        assert_eq!(second.own_bytes(Some(&first)), 2 * 8 + CHUNK_BYTES + P);
        // Nothing named: everything shared, down to the chunk tables.
        let third = Pages::new(&data, Some(&second), &|_| false);
        assert_eq!(third.own_bytes(Some(&second)), 2 * 8);
        // A page not named is taken from `prev` without reading: the caller's promise.
        data[CHUNK_PAGES * P] ^= 0xff;
        assert_ne!(Pages::new(&data, Some(&third), &|_| false).to_bytes(), data);
    }

    #[test]
    fn a_longer_or_shorter_vector_rereads_its_partial_pages() {
        let data = vec![7u8; P + 10];
        let first = Pages::new(&data, None, &|_| true);
        let longer = vec![7u8; 2 * P + 10];
        let second = Pages::new(&longer, Some(&first), &|_| false);
        assert_eq!(second.to_bytes(), longer);
        assert_eq!(second.own_bytes(Some(&first)), 8 + CHUNK_BYTES + 2 * P);
        let shorter = vec![7u8; 5];
        let third = Pages::new(&shorter, Some(&second), &|_| false);
        assert_eq!(third.to_bytes(), shorter);
        assert_eq!(third.len(), 5);
    }
}
