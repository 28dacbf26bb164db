//! The byte encoding of a [`Proof`] (`specs/proof.md`, "Encoding").
//!
//! ```text
//! proof   = tag(16) header(HEADER_BYTES) u8:ntrees tree* u16:nentries entry*
//! tree    = u8:tree-id multi
//! entry   = u8:kind u32:index u32:len u32:limit root(32) multi
//! multi   = u16:nleaves (u64:index leaf(32))* u16:nsiblings hash(32)*
//! ```
//! Integers are little-endian. Decoding refuses trailing bytes and anything
//! over [`MAX_PROOF_BYTES`].

use super::{EntryProof, Malformed, Proof, VerifyError};
use crate::merkle::MultiProof;
use crate::state::{Entry, EntryKind, HEADER_BYTES, Header, TreeId};

/// The first 16 bytes of an encoded proof.
pub const PROOF_TAG: &[u8; 16] = b"refute proof v2\0";

/// The largest proof [`Proof::decode`] accepts.
pub const MAX_PROOF_BYTES: usize = 1 << 20;

fn put_multi(out: &mut Vec<u8>, m: &MultiProof) {
    out.extend((m.leaves.len() as u16).to_le_bytes());
    for (i, l) in &m.leaves {
        out.extend(i.to_le_bytes());
        out.extend(l);
    }
    out.extend((m.siblings.len() as u16).to_le_bytes());
    for s in &m.siblings {
        out.extend(s);
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
    fn u64(&mut self, what: &'static str) -> Result<u64, VerifyError> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().expect("8 bytes")))
    }
    fn hash(&mut self, what: &'static str) -> Result<[u8; 32], VerifyError> {
        Ok(self.take(32, what)?.try_into().expect("32 bytes"))
    }
    fn multi(&mut self, what: &'static str) -> Result<MultiProof, VerifyError> {
        let n = self.u16(what)?;
        let mut leaves = Vec::with_capacity(n as usize);
        for _ in 0..n {
            leaves.push((self.u64(what)?, self.hash(what)?));
        }
        let n = self.u16(what)?;
        let mut siblings = Vec::with_capacity(n as usize);
        for _ in 0..n {
            siblings.push(self.hash(what)?);
        }
        Ok(MultiProof { leaves, siblings })
    }
}

impl Proof {
    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(PROOF_TAG);
        out.extend(self.header.encode());
        out.push(self.trees.len() as u8);
        for (id, m) in &self.trees {
            out.push(*id as u8);
            put_multi(&mut out, m);
        }
        out.extend((self.entries.len() as u16).to_le_bytes());
        for e in &self.entries {
            out.push(e.kind as u8);
            out.extend(e.index.to_le_bytes());
            out.extend(e.entry.len.to_le_bytes());
            out.extend(e.entry.limit.to_le_bytes());
            out.extend(e.entry.root);
            put_multi(&mut out, &e.content);
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
        let hb: &[u8; HEADER_BYTES] = r.take(HEADER_BYTES, "the header")?.try_into().expect("header bytes");
        let header = Header::decode(hb).ok_or(VerifyError::Malformed(Malformed::WrongHeaderTag))?;
        let mut trees = Vec::new();
        for _ in 0..r.u8("the tree count")? {
            let b = r.u8("a tree id")?;
            let id = TreeId::from_u8(b).ok_or(VerifyError::Malformed(Malformed::UnknownTree(b)))?;
            trees.push((id, r.multi("a tree opening")?));
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
            entries.push(EntryProof { kind, index, entry, content: r.multi("an entry opening")? });
        }
        if r.at != b.len() {
            return Err(VerifyError::Malformed(Malformed::Trailing(b.len() - r.at)));
        }
        Ok(Proof { header, trees, entries })
    }
}
