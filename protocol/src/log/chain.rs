//! [`Chain`]: appending to a log and checking one.

use std::borrow::Borrow;

use ed25519_dalek::{Signature, VerifyingKey};
use thiserror::Error;

use super::{ArbiterKey, Entry, FormatError, Hash, Head, MAX_PAYLOAD, hex};

/// The state needed to extend or check a log: its [`Head`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chain {
    head: Head,
}

/// The first entry of a log that does not check, and why.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("log entry {index}: {fault}")]
pub struct LogError {
    /// The position of the entry in the log (the index it should have).
    pub index: u64,
    /// What is wrong with it.
    pub fault: Fault,
}

/// What is wrong with a log entry.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Its bytes are not an encoded entry.
    #[error("malformed: {0}")]
    Malformed(#[from] FormatError),
    /// It carries another index than its position.
    #[error("index gap: the entry says it is entry {found}")]
    IndexGap {
        /// The index the entry carries.
        found: u64,
    },
    /// Its `prev` is not the hash of the entry before it (or the genesis hash).
    #[error("wrong prev: {} where {} was due", hex_of(found), hex_of(expected))]
    WrongPrev {
        /// The hash it should chain onto.
        expected: Hash,
        /// The hash it chains onto.
        found: Hash,
    },
    /// Its time is before the previous entry's.
    #[error("time goes backwards: {found_ms} ms after an entry at {prev_ms} ms")]
    TimeBackwards {
        /// The previous entry's time.
        prev_ms: u64,
        /// This entry's time.
        found_ms: u64,
    },
    /// Its signature is not the arbiter's over its hash (ed25519 `verify_strict`).
    #[error("bad signature")]
    BadSignature,
}

fn hex_of(h: &Hash) -> String {
    hex::encode(h)
}

impl Chain {
    /// A chain continuing from `head` ([`Head::genesis`] for a new log).
    pub fn new(head: Head) -> Chain {
        Chain { head }
    }

    /// Where the next entry goes.
    pub fn head(&self) -> Head {
        self.head
    }

    /// The time the next entry will carry if the clock reads `clock_ms`: the clock, or the
    /// last entry's time if the clock has gone back. Give the rules this time, then append
    /// with it.
    pub fn time(&self, clock_ms: u64) -> u64 {
        clock_ms.max(self.head.time_ms)
    }

    /// Signs and appends the next entry, at [`Chain::time`]`(clock_ms)`.
    ///
    /// Fails only if the payload is over [`MAX_PAYLOAD`]; the chain is then unchanged.
    pub fn append(
        &mut self,
        key: &ArbiterKey,
        clock_ms: u64,
        payload: Vec<u8>,
    ) -> Result<Entry, FormatError> {
        if payload.len() > MAX_PAYLOAD {
            return Err(FormatError::PayloadTooLarge { len: payload.len() as u64, max: MAX_PAYLOAD });
        }
        let mut entry = Entry {
            index: self.head.next,
            prev: self.head.hash,
            time_ms: self.time(clock_ms),
            payload,
            signature: [0; 64],
        };
        let hash = entry.hash();
        entry.signature = key.sign(&hash);
        self.head = Head { next: entry.index + 1, hash, time_ms: entry.time_ms };
        Ok(entry)
    }

    /// Checks that `entry` is the next entry of this chain, signed by `arbiter`, and if so
    /// moves the head past it. On error the chain is unchanged.
    pub fn accept(&mut self, arbiter: &VerifyingKey, entry: &Entry) -> Result<(), LogError> {
        let fail = |fault| LogError { index: self.head.next, fault };
        if entry.index != self.head.next {
            return Err(fail(Fault::IndexGap { found: entry.index }));
        }
        if entry.prev != self.head.hash {
            return Err(fail(Fault::WrongPrev { expected: self.head.hash, found: entry.prev }));
        }
        if entry.time_ms < self.head.time_ms {
            return Err(fail(Fault::TimeBackwards { prev_ms: self.head.time_ms, found_ms: entry.time_ms }));
        }
        if entry.payload.len() > MAX_PAYLOAD {
            let len = entry.payload.len() as u64;
            return Err(fail(Fault::Malformed(FormatError::PayloadTooLarge { len, max: MAX_PAYLOAD })));
        }
        let hash = entry.hash();
        let signature = Signature::from_bytes(&entry.signature);
        if arbiter.verify_strict(&hash, &signature).is_err() {
            return Err(fail(Fault::BadSignature));
        }
        self.head = Head { next: entry.index + 1, hash, time_ms: entry.time_ms };
        Ok(())
    }

    /// [`Chain::accept`] for an encoded entry.
    pub fn accept_encoded(&mut self, arbiter: &VerifyingKey, bytes: &[u8]) -> Result<Entry, LogError> {
        let entry = Entry::decode(bytes).map_err(|e| LogError { index: self.head.next, fault: e.into() })?;
        self.accept(arbiter, &entry)?;
        Ok(entry)
    }
}

/// Checks `entries` as the continuation of the log at `start` ([`Head::genesis`] for a
/// whole log), signed by `arbiter`. Returns the head after the last entry, or the first
/// entry that does not check.
pub fn verify<E: Borrow<Entry>>(
    start: Head,
    arbiter: &VerifyingKey,
    entries: impl IntoIterator<Item = E>,
) -> Result<Head, LogError> {
    let mut chain = Chain::new(start);
    for entry in entries {
        chain.accept(arbiter, entry.borrow())?;
    }
    Ok(chain.head)
}

/// [`verify`] for encoded entries ([`Entry::encode`]), as they are stored.
pub fn verify_encoded<B: AsRef<[u8]>>(
    start: Head,
    arbiter: &VerifyingKey,
    entries: impl IntoIterator<Item = B>,
) -> Result<Head, LogError> {
    let mut chain = Chain::new(start);
    for bytes in entries {
        chain.accept_encoded(arbiter, bytes.as_ref())?;
    }
    Ok(chain.head)
}
