//! Blob uploads (`specs/api.md` §2): signed by a funded key, charged to its
//! quota and its address's before the body is read, then received as a
//! stream, hashed in batches on the blocking pool, and stored only if the
//! body is exactly the signed length and hash.

use super::{Service, ServiceError, blocking, clock_ms};
use crate::db::MAX_BLOB;
use refute_protocol::rules::{B32, BlobUpload, RuleError, UPLOAD_MAX_AHEAD_MS};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;

/// Blob bytes per second one key may upload, by default.
pub const BLOB_BYTES_PER_KEY: u64 = 4 << 20;
/// Blob bytes one key may upload at once, by default (the bucket's size).
pub const BLOB_BURST_PER_KEY: u64 = 64 << 20;
/// Blobs one key may upload per blob time-to-live, by default: 256 claims'
/// worth of fresh inputs, and a bound on the blobs a key has waiting.
pub const BLOBS_PER_KEY: u32 = 1024;

/// Bytes received between two hashing batches on the blocking pool: large
/// enough that a batch is worth a trip there, small enough that a slow
/// upload holds no blocking thread while it waits for the network.
const HASH_BATCH: usize = 1 << 20;

impl Service {
    /// Admits the upload `up` from address `ip` (if known), before its body
    /// is read: a statement valid now (`expired`) and signed for this arbiter
    /// (`bad_signature`, `bad_key`), the address's rate of requests, a signer
    /// that holds at least the minimum claim bond, free or staked
    /// (`unfunded`), and room in the address's byte budget and in the
    /// signer's byte and blob quotas (`rate_limited`). A refused upload
    /// spends no byte budget or quota; it counts against the address's rate
    /// of requests once its signature verifies, as a message does.
    pub fn admit_upload(&self, up: &BlobUpload, ip: Option<IpAddr>) -> Result<(), ServiceError> {
        let now = clock_ms();
        let expired = |message| ServiceError::Unauthorized { code: "expired", message };
        if up.expires_ms < now {
            return Err(expired(format!(
                "the upload's statement expired at {} ms, {} ms before the arbiter's clock; sign it again",
                up.expires_ms,
                now - up.expires_ms
            )));
        }
        if up.expires_ms - now > UPLOAD_MAX_AHEAD_MS {
            return Err(expired(format!(
                "the upload's statement expires {} ms after the arbiter's clock, more than the {UPLOAD_MAX_AHEAD_MS} ms \
                 it may be signed ahead",
                up.expires_ms - now
            )));
        }
        up.verify(&self.genesis).map_err(|e| match e {
            RuleError::BadSignature => ServiceError::Unauthorized {
                code: "bad_signature",
                message: "the upload's signature does not verify for this signer, hash, length and expiry \
                          at this arbiter"
                    .into(),
            },
            e => ServiceError::Rule(e),
        })?;
        if let Some(ip) = ip {
            self.admit_ip(ip)?;
        }
        self.check_funded(&up.signer)?;
        if let Some(ip) = ip {
            self.admit_blob(ip, up.len as usize)?;
        }
        self.admit_key_upload(&up.signer, up.len).inspect_err(|_| {
            if let Some(ip) = ip {
                self.blob_buckets.lock().unwrap_or_else(|p| p.into_inner()).refund(&ip, up.len as f64);
            }
        })
    }

    /// `unfunded` (403) unless `signer` holds at least the minimum claim
    /// bond, free or staked: a key that could post no claim has nothing to upload.
    fn check_funded(&self, signer: &B32) -> Result<(), ServiceError> {
        let (account, min) = self.read(|c| (c.rules.state.account(signer), c.rules.params.min_claim_bond));
        let stake = account.stake.unwrap_or(0);
        if account.balance >= min || stake >= min {
            return Ok(());
        }
        Err(ServiceError::Forbidden {
            code: "unfunded",
            message: format!(
                "account {signer} holds {} and stakes {stake}; an uploader must hold at least the minimum \
                 claim bond, {min}, free or staked: fund the key first",
                account.balance
            ),
        })
    }

    /// Takes one blob and `len` bytes from `signer`'s quotas, or neither.
    fn admit_key_upload(&self, signer: &B32, len: u64) -> Result<(), ServiceError> {
        let q = &self.key_quota;
        let mut blobs = self.key_blobs.lock().unwrap_or_else(|p| p.into_inner());
        if !blobs.take(*signer, q.blobs_per_s, q.blobs, 1.0) {
            return Err(ServiceError::RateLimited(format!(
                "key {signer} uploads more than {} blobs per {} s (the blob time-to-live)",
                q.blobs,
                self.blob_ttl_ms / 1000
            )));
        }
        let mut bytes = self.key_bytes.lock().unwrap_or_else(|p| p.into_inner());
        if !bytes.take(*signer, q.bytes_per_s, q.burst, len as f64) {
            blobs.refund(signer, 1.0);
            return Err(ServiceError::RateLimited(format!(
                "key {signer} uploads more than {} MiB of blobs per second (at most {} MiB at once)",
                q.bytes_per_s / 1048576.0,
                q.burst / 1048576.0
            )));
        }
        Ok(())
    }

    /// Starts receiving the body of the admitted upload `up`.
    pub fn receive(self: &Arc<Self>, up: BlobUpload) -> Incoming {
        Incoming {
            service: self.clone(),
            up,
            hasher: Sha256::new(),
            bytes: Vec::with_capacity((up.len as usize).min(HASH_BATCH)),
            hashed: 0,
        }
    }

    /// Stores blob `bytes`, whose SHA-256 the caller computed as `hash`
    /// ([`crate::db::Db::put_hashed_blob_at`]); returns whether it was new.
    /// Under the sweep's lock, so a sweep never deletes the blob between the
    /// look at what is stored and the write.
    pub(super) fn store_blob(&self, hash: &[u8; 32], bytes: &[u8]) -> Result<bool, ServiceError> {
        if bytes.len() > MAX_BLOB {
            return Err(too_large(bytes.len() as u64));
        }
        let _gc = self.blob_gc.lock().unwrap_or_else(|p| p.into_inner());
        self.db.put_hashed_blob_at(hash, bytes, clock_ms()).map_err(ServiceError::storage)
    }
}

/// `body_too_large` (413) for a blob of `len` bytes.
pub(crate) fn too_large(len: u64) -> ServiceError {
    ServiceError::TooLarge {
        code: "body_too_large",
        message: format!("the blob is {len} bytes; the limit is {MAX_BLOB}"),
    }
}

/// `length_mismatch` (400).
fn length_mismatch(message: String) -> ServiceError {
    ServiceError::bad_request("length_mismatch", message)
}

/// The body of an admitted upload as it arrives: the bytes so far, hashed
/// in batches of [`HASH_BATCH`] on the blocking pool, never on the async
/// workers. Dropping it stores nothing.
pub struct Incoming {
    service: Arc<Service>,
    up: BlobUpload,
    hasher: Sha256,
    bytes: Vec<u8>,
    /// How many of `bytes` the hasher has taken.
    hashed: usize,
}

impl Incoming {
    /// Takes the next `chunk` of the body; `length_mismatch` (400) once the
    /// body runs past its stated length.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), ServiceError> {
        let len = self.up.len;
        let have = self.bytes.len() + chunk.len();
        if have as u64 > len {
            return Err(length_mismatch(format!(
                "the body is longer than its stated length (Content-Length) of {len} bytes"
            )));
        }
        // Grow by doubling up to the stated length, never past it: a body
        // costs memory as it arrives, not as it was announced.
        if have > self.bytes.capacity() {
            let target = (2 * self.bytes.capacity()).max(have).min(len as usize);
            self.bytes.reserve_exact(target - self.bytes.len());
        }
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() - self.hashed >= HASH_BATCH {
            let (mut hasher, bytes, from) =
                (std::mem::take(&mut self.hasher), std::mem::take(&mut self.bytes), self.hashed);
            let (hasher, bytes) = blocking(move || {
                hasher.update(&bytes[from..]);
                Ok((hasher, bytes))
            })
            .await?;
            self.hashed = bytes.len();
            (self.hasher, self.bytes) = (hasher, bytes);
        }
        Ok(())
    }

    /// Ends the body: hashes the rest and, if the body is the stated length
    /// (`length_mismatch`, 400) and its SHA-256 the signed one
    /// (`hash_mismatch`, 400), stores it, all on the blocking pool. Returns
    /// its hash; nothing is stored otherwise.
    pub async fn finish(self) -> Result<B32, ServiceError> {
        let Incoming { service, up, mut hasher, bytes, hashed } = self;
        if bytes.len() as u64 != up.len {
            return Err(length_mismatch(format!(
                "the body ended after {} bytes, short of its stated length (Content-Length) of {}",
                bytes.len(),
                up.len
            )));
        }
        blocking(move || {
            hasher.update(&bytes[hashed..]);
            let got = B32(hasher.finalize().into());
            if got != up.hash {
                return Err(ServiceError::bad_request(
                    "hash_mismatch",
                    format!("the body's SHA-256 is {got}, not the signed {}", up.hash),
                ));
            }
            service.store_blob(&got.0, &bytes)?;
            Ok(got)
        })
        .await
    }
}

/// Each key's upload quotas, as the service applies them.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeyQuota {
    /// Bytes per second.
    pub bytes_per_s: f64,
    /// Bytes at once: at least the largest blob, so any blob can pass.
    pub burst: f64,
    /// Blobs at once.
    pub blobs: f64,
    /// Blobs per second: `blobs` per blob time-to-live.
    pub blobs_per_s: f64,
}

impl KeyQuota {
    /// The quotas of `config`.
    pub(super) fn of(config: &super::Config) -> KeyQuota {
        let blobs = f64::from(config.blobs_per_key.max(1));
        KeyQuota {
            bytes_per_s: config.blob_bytes_per_key.max(1) as f64,
            burst: config.blob_burst_per_key.max(MAX_BLOB as u64) as f64,
            blobs,
            blobs_per_s: blobs / (config.blob_ttl_ms.max(1) as f64 / 1000.0),
        }
    }
}
