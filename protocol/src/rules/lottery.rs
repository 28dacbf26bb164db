//! The committee lottery (`specs/protocol.md` §5.3).
//!
//! The seed is the arbiter's ed25519 signature of the claim id. Ed25519
//! signing is deterministic (RFC 8032), so an honest arbiter has one seed per
//! claim, and nobody else can compute it before the claim is posted. Each
//! candidate's ticket is `SHA256(TICKET_DOMAIN ‖ seed ‖ key)`; it is drawn when
//! the ticket's first 8 bytes, big-endian, are below the threshold.

use std::collections::BTreeSet;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::{B32, Params, RuleError, Sig, State};

/// Domain prefix of the bytes the arbiter signs for a claim's lottery.
pub const LOTTERY_DOMAIN: &[u8] = b"refute lottery v1\0";
/// Domain prefix of a ticket.
pub const TICKET_DOMAIN: &[u8] = b"refute ticket v1\0";

/// What the arbiter signs: `LOTTERY_DOMAIN ‖ claim_id`.
pub fn lottery_bytes(claim: &B32) -> Vec<u8> {
    [LOTTERY_DOMAIN, &claim.0].concat()
}

/// The arbiter's lottery signature for `claim` (the service calls this).
pub fn lottery_sign(arbiter: &SigningKey, claim: &B32) -> Sig {
    Sig(arbiter.sign(&lottery_bytes(claim)).to_bytes())
}

/// Checks `seed` is the arbiter's signature for `claim`.
pub(crate) fn check_seed(p: &Params, claim: &B32, seed: &Sig) -> Result<(), RuleError> {
    let key = VerifyingKey::from_bytes(&p.arbiter.0).map_err(|_| RuleError::BadLottery(*claim))?;
    key.verify_strict(&lottery_bytes(claim), &Signature::from_bytes(&seed.0))
        .map_err(|_| RuleError::BadLottery(*claim))
}

/// The ticket of `key` for `seed`.
pub fn ticket(seed: &Sig, key: &B32) -> u64 {
    let h = B32::sha256(&[TICKET_DOMAIN, &seed.0, &key.0]);
    u64::from_be_bytes(h.0[..8].try_into().expect("8 bytes"))
}

/// The threshold for `candidates` candidates and an expected committee of
/// `size`: `floor(2^64 · size / candidates)`, or every ticket when
/// `size ≥ candidates`.
pub fn threshold(size: u64, candidates: u64) -> Option<u64> {
    if size >= candidates {
        return None;
    }
    Some(((u128::from(size) << 64) / u128::from(candidates)) as u64)
}

/// The committee for a claim by `solver` with lottery `seed`: every registered
/// candidate other than the solver whose ticket is under the threshold, at
/// most [`Params::max_committee`] of them (the lowest tickets), so that the
/// events of one claim stay bounded however the draw falls.
pub fn draw(s: &State, p: &Params, solver: &B32, seed: &Sig) -> Vec<B32> {
    let candidates: BTreeSet<B32> =
        s.accounts.iter().filter(|(_, a)| a.stake.is_some()).map(|(k, _)| *k).collect();
    pick(&candidates, p, solver, seed)
}

/// [`draw`] from the set of registered candidates (the rules keep it indexed).
pub(crate) fn pick(candidates: &BTreeSet<B32>, p: &Params, solver: &B32, seed: &Sig) -> Vec<B32> {
    if p.committee_size == 0 {
        return Vec::new();
    }
    let n = candidates.len() as u64 - u64::from(candidates.contains(solver));
    let t = threshold(p.committee_size, n);
    let mut drawn: Vec<(u64, B32)> = candidates
        .iter()
        .filter(|k| *k != solver)
        .map(|k| (ticket(seed, k), *k))
        .filter(|(x, _)| t.is_none_or(|t| *x < t))
        .collect();
    drawn.sort_unstable();
    drawn.truncate(p.max_committee());
    let mut members: Vec<B32> = drawn.into_iter().map(|(_, k)| k).collect();
    members.sort_unstable();
    members
}
