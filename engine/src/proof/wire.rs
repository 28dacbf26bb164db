//! The byte encoding of a [`Proof`] (`specs/proof.md`, "Encoding").
//!
//! ```text
//! proof   = tag(16) hot(HOT_BYTES) u8:cold [cold(COLD_BYTES)] u8:ntrees tree* u16:nentries entry*
//! tree    = u8:tree-id multi
//! entry   = u8:kind u32:index u32:len u32:limit root(32) multi
//! multi   = u16:nleaves (u32:index leaf(32))* u16:nsiblings zeros hash(32)*
//! zeros   = bitmap of nsiblings bits, ceil(nsiblings / 8) bytes
//! ```
//! `cold` is 1 when the header's cold part follows, 0 when it does not.
//! Integers are little-endian. Sibling `k` of the walk is `Z[h]` (`h` the
//! height at which the walk asks for it) when bit `k % 8` of byte `k / 8` of
//! `zeros` is set; the hashes are the others, in walk order. Canonical: a
//! zero sibling must be a bit, and the padding bits are clear. Decoding
//! refuses anything else, trailing bytes, and anything over [`MAX_PROOF_BYTES`].

use super::{EntryProof, Malformed, Proof, VerifyError};
use crate::merkle::{MultiProof, sibling_heights, zeros};
use crate::state::{COLD_BYTES, Entry, EntryKind, HOT_BYTES, Header, TreeId};

/// The first 16 bytes of an encoded proof.
pub const PROOF_TAG: &[u8; 16] = b"refute proof v5\0";

/// The hard bound on a proof (`specs/proof.md` §8): [`Proof::decode`]
/// refuses a longer one and `prove_step` never needs more.
pub const MAX_PROOF_BYTES: usize = 8 << 10;

fn put_multi(out: &mut Vec<u8>, depth: usize, m: &MultiProof) {
    out.extend((m.leaves.len() as u16).to_le_bytes());
    for (i, l) in &m.leaves {
        out.extend(u32::try_from(*i).expect("leaf indices are below 2^32").to_le_bytes());
        out.extend(l);
    }
    let indices: Vec<u64> = m.leaves.iter().map(|l| l.0).collect();
    let heights = sibling_heights(depth, &indices);
    let z = zeros();
    let is_zero = |k: usize| heights.get(k).is_some_and(|&h| m.siblings[k] == z[h]);
    out.extend((m.siblings.len() as u16).to_le_bytes());
    let mut bits = vec![0u8; m.siblings.len().div_ceil(8)];
    for k in (0..m.siblings.len()).filter(|&k| is_zero(k)) {
        bits[k / 8] |= 1 << (k % 8);
    }
    out.extend(&bits);
    for k in (0..m.siblings.len()).filter(|&k| !is_zero(k)) {
        out.extend(m.siblings[k]);
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&[u8], VerifyError> {
        let s = self
            .b
            .get(self.at..self.at + n)
            .ok_or(VerifyError::Malformed(Malformed::Truncated { at: self.at, what }))?;
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, VerifyError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, VerifyError> {
        Ok(u16::from_le_bytes(self.take(2, what)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, VerifyError> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().expect("4 bytes")))
    }
    fn hash(&mut self, what: &'static str) -> Result<[u8; 32], VerifyError> {
        Ok(self.take(32, what)?.try_into().expect("32 bytes"))
    }
    fn multi(&mut self, depth: usize, what: &'static str) -> Result<MultiProof, VerifyError> {
        let n = self.u16(what)?;
        let mut leaves = Vec::with_capacity(n as usize);
        for _ in 0..n {
            leaves.push((u64::from(self.u32(what)?), self.hash(what)?));
        }
        let indices: Vec<u64> = leaves.iter().map(|l| l.0).collect();
        let heights = sibling_heights(depth, &indices);
        let n = self.u16(what)? as usize;
        if n != heights.len() {
            return Err(VerifyError::Malformed(Malformed::SiblingCount { got: n, walk: heights.len() }));
        }
        let bits = self.take(n.div_ceil(8), what)?.to_vec();
        if !n.is_multiple_of(8) && bits[n / 8] >> (n % 8) != 0 {
            return Err(VerifyError::Malformed(Malformed::NonCanonical(what)));
        }
        let z = zeros();
        let mut siblings = Vec::with_capacity(n);
        for (k, &h) in heights.iter().enumerate() {
            if bits[k / 8] >> (k % 8) & 1 == 1 {
                siblings.push(z[h]);
            } else {
                let s = self.hash(what)?;
                if s == z[h] {
                    return Err(VerifyError::Malformed(Malformed::NonCanonical(what)));
                }
                siblings.push(s);
            }
        }
        Ok(MultiProof { leaves, siblings })
    }
}

impl Proof {
    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(PROOF_TAG);
        match self.cold {
            Some(cold) => {
                out.extend(self.header.encode_hot_with(&cold));
                out.push(0);
            }
            None => {
                out.extend(self.header.encode_hot());
                out.push(1);
                out.extend(self.header.encode_cold());
            }
        }
        out.push(self.trees.len() as u8);
        for (id, m) in &self.trees {
            out.push(*id as u8);
            put_multi(&mut out, id.depth(), m);
        }
        out.extend((self.entries.len() as u16).to_le_bytes());
        for e in &self.entries {
            out.push(e.kind as u8);
            out.extend(e.index.to_le_bytes());
            out.extend(e.entry.len.to_le_bytes());
            out.extend(e.entry.limit.to_le_bytes());
            out.extend(e.entry.root);
            put_multi(&mut out, e.kind.depth(), &e.content);
        }
        out
    }

    /// Decodes [`Proof::encode`]'s output; a precise error for anything else.
    pub fn decode(b: &[u8]) -> Result<Proof, VerifyError> {
        if b.len() > MAX_PROOF_BYTES {
            return Err(VerifyError::Malformed(Malformed::TooLong(b.len())));
        }
        let mut r = Reader { b, at: 0 };
        if r.take(16, "the tag")? != PROOF_TAG {
            return Err(VerifyError::Malformed(Malformed::WrongTag));
        }
        let hb: &[u8; HOT_BYTES] = r.take(HOT_BYTES, "the header")?.try_into().expect("hot bytes");
        let (mut header, cold_hash) =
            Header::decode_hot(hb).ok_or(VerifyError::Malformed(Malformed::WrongHeaderTag))?;
        let cold = match r.u8("the cold-part flag")? {
            0 => Some(cold_hash),
            1 => {
                let cb: &[u8; COLD_BYTES] =
                    r.take(COLD_BYTES, "the header's cold part")?.try_into().expect("cold bytes");
                header.decode_cold(cb).ok_or(VerifyError::Malformed(Malformed::WrongHeaderTag))?;
                if header.cold_hash() != cold_hash {
                    return Err(VerifyError::Malformed(Malformed::ColdHash));
                }
                None
            }
            f => return Err(VerifyError::Malformed(Malformed::ColdFlag(f))),
        };
        let mut trees = Vec::new();
        for _ in 0..r.u8("the tree count")? {
            let b = r.u8("a tree id")?;
            let id = TreeId::from_u8(b).ok_or(VerifyError::Malformed(Malformed::UnknownTree(b)))?;
            trees.push((id, r.multi(id.depth(), "a tree opening")?));
        }
        let mut entries = Vec::new();
        for _ in 0..r.u16("the entry count")? {
            let b = r.u8("an entry kind")?;
            let kind = EntryKind::from_u8(b).ok_or(VerifyError::Malformed(Malformed::UnknownEntryKind(b)))?;
            let index = r.u32("an entry index")?;
            let entry = Entry {
                len: r.u32("an entry length")?,
                limit: r.u32("an entry limit")?,
                root: r.hash("an entry root")?,
            };
            entries.push(EntryProof {
                kind,
                index,
                entry,
                content: r.multi(kind.depth(), "an entry opening")?,
            });
        }
        if r.at != b.len() {
            return Err(VerifyError::Malformed(Malformed::Trailing(b.len() - r.at)));
        }
        Ok(Proof { header, cold, trees, entries })
    }
}
