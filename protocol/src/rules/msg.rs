//! Messages, their canonical encoding and signatures (`specs/protocol.md` §3).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::{B32, Blob, RuleError, Sig, VrfProof, from_hex, to_hex};

/// Domain prefix of a signed message (14 bytes, NUL-terminated). Version 2
/// binds the arbiter's genesis hash into what is signed (`specs/protocol.md` §3.1).
pub const MSG_DOMAIN: &[u8] = b"refute msg v2\0";
/// Domain prefix of a claim id.
pub const CLAIM_DOMAIN: &[u8] = b"refute claim v1\0";

/// A claim: a computation, its claimed result and the solver's commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimBody {
    /// SHA-256 of the module's bytes.
    pub module: B32,
    /// SHA-256 of the arguments blob.
    pub args: B32,
    /// SHA-256 of the environment blob.
    pub env: B32,
    /// SHA-256 of stdin.
    pub stdin: B32,
    /// Exported function to run (`_start` for a WASI command).
    pub entry: String,
    /// The entry's arguments, as 64-bit slots.
    pub entry_args: Vec<u64>,
    /// The step limit `T`; the trace is padded to `T` steps.
    pub max_steps: u64,
    /// The state root at step 0, as the service computed it.
    pub initial_root: B32,
    /// The state root at step `T`.
    pub final_root: B32,
    /// The encoded header of the final state; SHA-256 of it is `final_root`.
    pub final_header: Blob,
    /// Everything the run wrote to stdout.
    pub stdout: Blob,
    /// Root of the solver's commitment to layer `(0, T, s_0)`.
    pub history_root: B32,
    /// The bond.
    pub bond: u64,
    /// The job this claim answers, if its solver was drawn for one
    /// (`specs/protocol.md` §5.9). Absent from the JSON when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<B32>,
    /// SHA-256 of the preopened directories blob (`"refute dirs v1"`,
    /// `specs/host.md`): the files the guest sees. Absent (no preopens)
    /// when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirs: Option<B32>,
    /// SHA-256 of the final state's file-system blob (`"refute fs v1"`,
    /// `specs/host.md` "Output files"): the output files, which the
    /// service checks against `final_header` when the claim is posted.
    /// Absent when `None` (a claim without preopens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<B32>,
}

/// A job: a computation a requester asks for, with the reward it escrows
/// (`specs/protocol.md` §5.9). The fields name the computation as a claim's do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobBody {
    /// SHA-256 of the module's bytes.
    pub module: B32,
    /// SHA-256 of the arguments blob.
    pub args: B32,
    /// SHA-256 of the environment blob.
    pub env: B32,
    /// SHA-256 of stdin.
    pub stdin: B32,
    /// Exported function to run.
    pub entry: String,
    /// The entry's arguments, as 64-bit slots.
    pub entry_args: Vec<u64>,
    /// The step limit `T` of the claim that answers it.
    pub max_steps: u64,
    /// The reward escrowed: `fee_pct` percent to the committee members who
    /// pass the audit, the rest to the solver, once the claim is final.
    pub reward: u64,
    /// SHA-256 of the preopened directories blob, as a claim's `dirs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirs: Option<B32>,
}

impl JobBody {
    /// Whether `c` claims this computation (module, inputs, entry, `T`).
    pub fn matches(&self, c: &ClaimBody) -> bool {
        (self.module, self.args, self.env, self.stdin) == (c.module, c.args, c.env, c.stdin)
            && self.entry == c.entry
            && self.entry_args == c.entry_args
            && self.max_steps == c.max_steps
            && self.dirs == c.dirs
    }
}

/// What a signed message asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// Create funds (faucet).
    Mint {
        /// Account credited.
        to: B32,
        /// Amount.
        amount: u64,
    },
    /// Become a committee candidate, locking a stake.
    Register {
        /// The stake.
        stake: u64,
    },
    /// Stop being a candidate and get the stake back.
    Unregister,
    /// Post a claim.
    Claim(Box<ClaimBody>),
    /// Dispute a claim: starts a game against its solver.
    Challenge {
        /// The claim.
        claim: B32,
        /// Root of the challenger's commitment to the same layer.
        history_root: B32,
        /// The challenger's final state root (must differ from the claim's).
        final_root: B32,
        /// The bond.
        bond: u64,
    },
    /// A committee member's statement that it checked the claim and agrees:
    /// a commitment to its own state root at its audit leaf, disclosed after
    /// the window ([`Message::Disclose`], `specs/protocol.md` §5.4).
    Attest {
        /// The claim.
        claim: B32,
        /// [`attest_commitment`] of the member's salt and root.
        commitment: B32,
    },
    /// The disclosure of an attestation in the audit phase: the salt and
    /// root it committed to, and the opening of the member's audit leaf
    /// against the claim's history root.
    Disclose {
        /// The claim.
        claim: B32,
        /// The salt of the commitment.
        salt: B32,
        /// The member's state root at its audit leaf.
        root: B32,
        /// Multiproof of that leaf against the claim's `history_root` (`MultiProof::to_bytes`).
        proof: Blob,
    },
    /// Ask for a computation, escrowing a reward (`specs/protocol.md` §5.9).
    JobPost(Box<JobBody>),
    /// The drawn solver of a job declines it: another is drawn, and the
    /// decliner loses no stake (`specs/protocol.md` §5.9).
    JobDecline {
        /// The job.
        job: B32,
    },
    /// A dissection move: state roots at the split points of the disputed interval.
    Reveal {
        /// The game.
        game: u64,
        /// Other games of the same claim where the signer plays the same side
        /// and stands at the same point: the reveal is a statement about the
        /// signer's own history, so it is made in each of them too (at most
        /// [`MAX_ALSO`], `specs/protocol.md` §5.5). Absent from the JSON when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        also: Vec<u64>,
        /// The root of a new layer, on the first reveal of a layer below the posted one.
        layer_root: Option<B32>,
        /// State roots at `split(a, b, k)`, in order.
        roots: Vec<B32>,
        /// Multiproof of `a`, the points and `b` against the layer root (`MultiProof::to_bytes`).
        proof: Blob,
    },
    /// The one-step proof that ends a game (`Proof::encode`).
    Step {
        /// The game.
        game: u64,
        /// Other games at the same step (the same agreed root), as for `reveal`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        also: Vec<u64>,
        /// The proof.
        proof: Blob,
    },
}

/// Largest signed message, as JSON, the arbiter takes: its log entry (the
/// message with the events it causes, at most `log::MAX_PAYLOAD` = 1 MiB)
/// must fit. [`Params::validate`](super::Params::validate) refuses
/// parameters under which an honest message would be larger.
pub const MAX_MESSAGE_JSON: usize = 768 << 10;

/// Most games a `reveal` or `step` names besides its first (`also`): so the
/// events of one move stay bounded (about 8 per game, `specs/protocol.md` §5.8).
pub const MAX_ALSO: usize = 127;

/// A message with its signer, nonce and signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// The message.
    pub body: Message,
    /// The signer's ed25519 public key.
    pub signer: B32,
    /// The signer's next nonce.
    pub nonce: u64,
    /// Signature of [`signing_bytes`].
    pub signature: Sig,
}

/// What the service adds to a `Claim` or a `JobPost` (it can instantiate modules and holds
/// the arbiter key; the rules cannot and do not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNote {
    /// The initial state root the service computed from the claim's module and input.
    pub initial_root: B32,
    /// The arbiter's ECVRF proof on the claim id ([`super::lottery_input`]),
    /// whose output seeds the committee draw. The field is named `vrf` since
    /// version 2 of the lottery; a note of version 1 had an ed25519
    /// signature named `lottery`, which does not read as this one.
    pub vrf: VrfProof,
}

struct Enc(Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u64(&mut self, v: u64) {
        self.0.extend(v.to_le_bytes());
    }
    fn u64s(&mut self, v: &[u64]) {
        self.0.extend((v.len() as u32).to_le_bytes());
        v.iter().for_each(|&x| self.u64(x));
    }
    fn b32(&mut self, v: &B32) {
        self.0.extend(v.0);
    }
    fn opt(&mut self, v: &Option<B32>) {
        match v {
            None => self.u8(0),
            Some(h) => {
                self.u8(1);
                self.b32(h);
            }
        }
    }
    fn bytes(&mut self, v: &[u8]) {
        self.0.extend((v.len() as u32).to_le_bytes());
        self.0.extend(v);
    }
}

impl Message {
    /// The canonical encoding: a tag byte, then each field in order
    /// (`specs/protocol.md` §3.2).
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc(Vec::new());
        match self {
            Message::Mint { to, amount } => {
                e.u8(1);
                e.b32(to);
                e.u64(*amount);
            }
            Message::Register { stake } => {
                e.u8(2);
                e.u64(*stake);
            }
            Message::Unregister => e.u8(3),
            Message::Claim(c) => {
                // Tag 4: no job and no directories (version 2's bytes);
                // tag 13 adds both as options.
                let v3 = c.job.is_some() || c.dirs.is_some() || c.outputs.is_some();
                e.u8(if v3 { 13 } else { 4 });
                for h in [&c.module, &c.args, &c.env, &c.stdin] {
                    e.b32(h);
                }
                e.bytes(c.entry.as_bytes());
                e.0.extend((c.entry_args.len() as u32).to_le_bytes());
                c.entry_args.iter().for_each(|&a| e.u64(a));
                e.u64(c.max_steps);
                e.b32(&c.initial_root);
                e.b32(&c.final_root);
                e.bytes(&c.final_header.0);
                e.bytes(&c.stdout.0);
                e.b32(&c.history_root);
                e.u64(c.bond);
                if v3 {
                    e.opt(&c.job);
                    e.opt(&c.dirs);
                    e.opt(&c.outputs);
                }
            }
            Message::Challenge { claim, history_root, final_root, bond } => {
                e.u8(5);
                e.b32(claim);
                e.b32(history_root);
                e.b32(final_root);
                e.u64(*bond);
            }
            Message::Attest { claim, commitment } => {
                e.u8(6);
                e.b32(claim);
                e.b32(commitment);
            }
            Message::Disclose { claim, salt, root, proof } => {
                e.u8(11);
                e.b32(claim);
                e.b32(salt);
                e.b32(root);
                e.bytes(&proof.0);
            }
            Message::JobDecline { job } => {
                e.u8(14);
                e.b32(job);
            }
            Message::JobPost(j) => {
                e.u8(12);
                for h in [&j.module, &j.args, &j.env, &j.stdin] {
                    e.b32(h);
                }
                e.bytes(j.entry.as_bytes());
                e.u64s(&j.entry_args);
                e.u64(j.max_steps);
                e.u64(j.reward);
                e.opt(&j.dirs);
            }
            Message::Reveal { game, also, layer_root, roots, proof } => {
                // Tag 7 is a move in one game; tag 9 names others too.
                e.u8(if also.is_empty() { 7 } else { 9 });
                e.u64(*game);
                if !also.is_empty() {
                    e.u64s(also);
                }
                match layer_root {
                    None => e.u8(0),
                    Some(r) => {
                        e.u8(1);
                        e.b32(r);
                    }
                }
                e.0.extend((roots.len() as u32).to_le_bytes());
                roots.iter().for_each(|r| e.b32(r));
                e.bytes(&proof.0);
            }
            Message::Step { game, also, proof } => {
                e.u8(if also.is_empty() { 8 } else { 10 });
                e.u64(*game);
                if !also.is_empty() {
                    e.u64s(also);
                }
                e.bytes(&proof.0);
            }
        }
        e.0
    }

    /// Signs this message as the `nonce`-th of `key`'s account at the
    /// arbiter whose log starts at `genesis` ([`Params::genesis`](super::Params::genesis)):
    /// no other arbiter, and no other deployment of this one, accepts it.
    pub fn sign(self, genesis: &B32, key: &SigningKey, nonce: u64) -> Signed {
        let signer = B32(key.verifying_key().to_bytes());
        let signature = Sig(key.sign(&signing_bytes(genesis, &signer, nonce, &self)).to_bytes());
        Signed { body: self, signer, nonce, signature }
    }
}

/// The bytes a signature covers:
/// `MSG_DOMAIN ‖ genesis ‖ u64le(nonce) ‖ signer ‖ body`, where `genesis` is
/// the genesis hash of the arbiter's log, which binds its key and parameters.
pub fn signing_bytes(genesis: &B32, signer: &B32, nonce: u64, body: &Message) -> Vec<u8> {
    let mut out = MSG_DOMAIN.to_vec();
    out.extend(genesis.0);
    out.extend(nonce.to_le_bytes());
    out.extend(signer.0);
    out.extend(body.encode());
    out
}

/// A signed message whose signature has been checked once: only
/// [`Signed::verified`] makes one, so code holding it need not check again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified(Signed);

impl Verified {
    /// The message.
    pub fn signed(&self) -> &Signed {
        &self.0
    }

    /// The message, giving up the proof that it was checked.
    pub fn into_signed(self) -> Signed {
        self.0
    }
}

impl std::ops::Deref for Verified {
    type Target = Signed;
    fn deref(&self) -> &Signed {
        &self.0
    }
}

impl Signed {
    /// Checks the signature for the arbiter whose log starts at `genesis`
    /// once and keeps the proof of it.
    pub fn verified(self, genesis: &B32) -> Result<Verified, RuleError> {
        self.verify(genesis)?;
        Ok(Verified(self))
    }

    /// Checks the signature (strict ed25519: canonical encodings, no
    /// small-order keys) as made for the arbiter whose log starts at
    /// `genesis`; a message signed for another arbiter is a `BadSignature`.
    pub fn verify(&self, genesis: &B32) -> Result<(), RuleError> {
        let key = VerifyingKey::from_bytes(&self.signer.0).map_err(|_| RuleError::BadKey(self.signer))?;
        let sig = Signature::from_bytes(&self.signature.0);
        key.verify_strict(&signing_bytes(genesis, &self.signer, self.nonce, &self.body), &sig)
            .map_err(|_| RuleError::BadSignature)
    }

    /// The id this message would have as a claim: `SHA256(CLAIM_DOMAIN ‖ signer ‖ u64le(nonce))`.
    /// It is known before signing, and unique because nonces are.
    pub fn claim_id(&self) -> B32 {
        claim_id(&self.signer, self.nonce)
    }
}

/// Domain prefix of an attestation's commitment.
pub const ATTEST_DOMAIN: &[u8] = b"refute attest v1\0";

/// The commitment of committee member `member`'s attestation of `claim`:
/// `SHA256(ATTEST_DOMAIN ‖ claim ‖ member ‖ salt ‖ root)`, where `root` is
/// its state root at its audit leaf and `salt` a secret 32 bytes it
/// discloses with it (`specs/protocol.md` §5.4).
pub fn attest_commitment(claim: &B32, member: &B32, salt: &B32, root: &B32) -> B32 {
    B32::sha256(&[ATTEST_DOMAIN, &claim.0, &member.0, &salt.0, &root.0])
}

/// The id of the claim (or job) posted by `solver` with `nonce`.
pub fn claim_id(solver: &B32, nonce: u64) -> B32 {
    B32::sha256(&[CLAIM_DOMAIN, &solver.0, &nonce.to_le_bytes()])
}

/// Domain prefix of a signed blob upload (15 bytes, NUL-terminated), so an
/// upload's signature never passes for a message's ([`MSG_DOMAIN`]).
pub const BLOB_DOMAIN: &[u8] = b"refute blob v1\0";

/// The furthest ahead of the arbiter's clock an upload's statement may
/// expire: a captured upload can be replayed against its signer's quota for
/// at most this long (`specs/api.md` §2).
pub const UPLOAD_MAX_AHEAD_MS: u64 = 10 * 60 * 1000;

/// The signed statement of a blob upload (`specs/api.md` §2): `signer`
/// uploads the `len` bytes whose SHA-256 is `hash` to the arbiter whose log
/// starts at `genesis`, until `expires_ms`. It travels in headers
/// ([`BlobUpload::headers`]) ahead of the body, so the arbiter knows who
/// pays for an upload, and how much, before it reads a byte of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobUpload {
    /// The uploader's ed25519 public key: the account that must be funded
    /// and whose quota the upload spends.
    pub signer: B32,
    /// SHA-256 of the body.
    pub hash: B32,
    /// The body's length in bytes (the request's `Content-Length`).
    pub len: u64,
    /// Milliseconds since the Unix epoch after which the statement is refused.
    pub expires_ms: u64,
    /// Signature of [`blob_signing_bytes`].
    pub signature: Sig,
}

/// A header of an upload's statement that is missing or malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadHeaderError {
    /// A header is missing: uploads are signed.
    #[error("the upload has no {0} header: an upload is signed by a funded key (specs/api.md §2)")]
    Missing(&'static str),
    /// A header's value does not decode.
    #[error("the {header} header is {expected}, not {value:?}")]
    Malformed {
        /// The header.
        header: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it was (at most its first 80 characters).
        value: String,
    },
}

impl BlobUpload {
    /// The header of the uploader's public key (64 hex digits).
    pub const SIGNER: &str = "refute-signer";
    /// The header of the signature (128 hex digits).
    pub const SIGNATURE: &str = "refute-signature";
    /// The header of the body's SHA-256 (64 hex digits).
    pub const HASH: &str = "refute-hash";
    /// The header of the expiry (decimal milliseconds since the Unix epoch).
    pub const EXPIRES: &str = "refute-expires";

    /// `key`'s statement that it uploads `bytes` to the arbiter whose log
    /// starts at `genesis`, valid until `expires_ms`.
    pub fn sign(genesis: &B32, key: &SigningKey, bytes: &[u8], expires_ms: u64) -> BlobUpload {
        BlobUpload::sign_hashed(genesis, key, B32::sha256(&[bytes]), bytes.len() as u64, expires_ms)
    }

    /// As [`BlobUpload::sign`], for `len` bytes whose SHA-256 is `hash`.
    pub fn sign_hashed(genesis: &B32, key: &SigningKey, hash: B32, len: u64, expires_ms: u64) -> BlobUpload {
        let signer = B32(key.verifying_key().to_bytes());
        let signature =
            Sig(key.sign(&blob_signing_bytes(genesis, &signer, &hash, len, expires_ms)).to_bytes());
        BlobUpload { signer, hash, len, expires_ms, signature }
    }

    /// Checks the signature (strict ed25519, as for messages) as made for
    /// the arbiter whose log starts at `genesis`: `BadKey` for a signer that
    /// is no public key, `BadSignature` for any other failure, including a
    /// statement signed for another arbiter. Whether it has expired is the
    /// caller's to check, against its clock.
    pub fn verify(&self, genesis: &B32) -> Result<(), RuleError> {
        let key = VerifyingKey::from_bytes(&self.signer.0).map_err(|_| RuleError::BadKey(self.signer))?;
        let bytes = blob_signing_bytes(genesis, &self.signer, &self.hash, self.len, self.expires_ms);
        key.verify_strict(&bytes, &Signature::from_bytes(&self.signature.0))
            .map_err(|_| RuleError::BadSignature)
    }

    /// The statement as `(header, value)` pairs; the length is the body's own
    /// (`Content-Length`).
    pub fn headers(&self) -> [(&'static str, String); 4] {
        [
            (Self::SIGNER, self.signer.to_string()),
            (Self::SIGNATURE, to_hex(&self.signature.0)),
            (Self::HASH, self.hash.to_string()),
            (Self::EXPIRES, self.expires_ms.to_string()),
        ]
    }

    /// The statement of an upload of `len` bytes from its headers, which
    /// `header(name)` looks up (`None`: absent). Hex is either case and
    /// nothing else; the expiry is decimal digits only, below 2^64.
    pub fn from_headers<'a>(
        len: u64,
        header: impl Fn(&'static str) -> Option<&'a str>,
    ) -> Result<BlobUpload, UploadHeaderError> {
        let get = |name| header(name).ok_or(UploadHeaderError::Missing(name));
        let malformed = |header, expected, value: &str| UploadHeaderError::Malformed {
            header,
            expected,
            value: value.chars().take(80).collect(),
        };
        let hex = |name, bytes: usize, expected| -> Result<Vec<u8>, UploadHeaderError> {
            let v = get(name)?;
            from_hex(v).filter(|b| b.len() == bytes).ok_or_else(|| malformed(name, expected, v))
        };
        let signer = hex(Self::SIGNER, 32, "64 hex digits")?;
        let signature = hex(Self::SIGNATURE, 64, "128 hex digits")?;
        let hash = hex(Self::HASH, 32, "64 hex digits")?;
        let expires = get(Self::EXPIRES)?;
        let expires_ms = expires
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| expires.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| malformed(Self::EXPIRES, "a whole number of milliseconds below 2^64", expires))?;
        Ok(BlobUpload {
            signer: B32(signer.try_into().expect("32 bytes")),
            hash: B32(hash.try_into().expect("32 bytes")),
            len,
            expires_ms,
            signature: Sig(signature.try_into().expect("64 bytes")),
        })
    }
}

/// The bytes an upload's signature covers:
/// `BLOB_DOMAIN ‖ genesis ‖ signer ‖ hash ‖ u64le(len) ‖ u64le(expires_ms)`,
/// where `genesis` is the genesis hash of the arbiter's log and `hash` the
/// SHA-256 of the `len` bytes uploaded.
pub fn blob_signing_bytes(genesis: &B32, signer: &B32, hash: &B32, len: u64, expires_ms: u64) -> Vec<u8> {
    let mut out = BLOB_DOMAIN.to_vec();
    out.extend(genesis.0);
    out.extend(signer.0);
    out.extend(hash.0);
    out.extend(len.to_le_bytes());
    out.extend(expires_ms.to_le_bytes());
    out
}
