//! A committee member's duty with commit-reveal (`specs/bots.md`, "Committee
//! duty"; `specs/protocol.md` §5.4): a member that agrees with a claim
//! commits, inside the window, to its own state root at its audit leaf under
//! a secret salt, and discloses salt, root and the leaf's opening against
//! the claim's history root once the claim is final. Pure functions: the bot
//! supplies the trace and the salt.

use refute_engine::history::verify;
use refute_protocol::rules::{B32, Blob, Claim, Params, attest_commitment};

use crate::play::{Trace, commit, posted_layer};
use crate::store::Attestation;

/// Why a member that agrees with a claim's final state does not attest it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoAttestation {
    /// This member's commitment to the posted layer is not the claim's: the
    /// claim ends in the right state but states another history, so no
    /// opening of this member's tree verifies under its history root and a
    /// disclosure would fail.
    #[error(
        "this engine's commitment to the claim's posted layer is {mine}, the claim's history root is {claimed}: \
         the claim's history differs from the run, so an attestation could not be disclosed"
    )]
    OtherHistory {
        /// This member's root of the posted layer.
        mine: B32,
        /// The claim's history root.
        claimed: B32,
    },
}

/// The attestation `member` makes of `claim` (whose window ends at
/// `claim.window_ends`) from its own `trace` of the claim's run, with `salt`:
/// its root at its audit leaf and the leaf's opening in its own commitment
/// to the posted layer, which is the solver's when both ran the same task.
pub fn attestation(
    trace: &(impl Trace + ?Sized),
    claim: &Claim,
    member: &B32,
    params: &Params,
    salt: B32,
) -> Result<Attestation, NoAttestation> {
    let t = claim.body.max_steps;
    let layer = posted_layer(t, params.max_leaves);
    let tree = commit(trace, layer);
    let mine = B32(tree.root());
    if mine != claim.body.history_root {
        return Err(NoAttestation::OtherHistory { mine, claimed: claim.body.history_root });
    }
    let leaf = claim.audit_leaf(member, params.max_leaves);
    let step = layer.step_at(leaf as usize).expect("the audit leaf is in the posted layer");
    let root = trace.root(step);
    let proof = tree.prove(&[leaf as usize]).expect("the audit leaf is in the posted layer");
    debug_assert!(verify(&claim.body.history_root.0, &layer, &[(leaf as usize, root.0)], &proof).is_ok());
    Ok(Attestation {
        salt,
        root,
        leaf,
        step,
        proof: Blob(proof.to_bytes()),
        window_ends: claim.window_ends,
        outcome: None,
    })
}

/// The commitment `member` sends in its `attest` of claim `id`.
pub fn commitment(id: &B32, member: &B32, a: &Attestation) -> B32 {
    attest_commitment(id, member, &a.salt, &a.root)
}

/// 32 secret random bytes from the operating system: an attestation's salt,
/// so nobody can tell its root from its commitment and copy it.
pub fn fresh_salt() -> Result<B32, getrandom::Error> {
    let mut salt = [0; 32];
    getrandom::fill(&mut salt)?;
    Ok(B32(salt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play::{Recorded, history_root};
    use refute_engine::history::MultiProof;
    use refute_protocol::rules::{ClaimBody, ClaimStatus, Duty};

    /// A made-up run of 5,000 steps: the root after step `i` hashes `i`.
    fn run(t: u64) -> Recorded {
        let roots = (0..=t).map(|i| B32::sha256(&[&i.to_le_bytes()])).collect();
        Recorded { roots, proofs: vec![vec![]] }
    }

    fn claim(trace: &Recorded, t: u64, p: &Params, member: B32) -> Claim {
        Claim {
            solver: B32([1; 32]),
            body: ClaimBody {
                module: B32([0; 32]),
                args: B32([0; 32]),
                env: B32([0; 32]),
                stdin: B32([0; 32]),
                entry: "_start".into(),
                entry_args: vec![],
                max_steps: t,
                initial_root: trace.root(0),
                final_root: trace.root(t),
                final_header: Blob(vec![]),
                stdout: Blob(vec![]),
                history_root: history_root(trace, t, p.max_leaves),
                bond: 1000,
                job: None,
                dirs: None,
                outputs: None,
            },
            posted_at: 0,
            window_ends: 77,
            status: ClaimStatus::Open,
            bond_held: true,
            games: Default::default(),
            committee: [(member, Duty::Pending)].into(),
            first_loss: None,
            audit_seed: B32([9; 32]),
            commitments: Default::default(),
            audit_ends: None,
            fee: 0,
        }
    }

    #[test]
    fn an_attestation_opens_the_members_leaf_under_the_claims_history_root() {
        let p = Params::local(B32([0; 32]));
        let t = 5_000;
        let trace = run(t);
        let (a, b) = (B32([2; 32]), B32([3; 32]));
        let c = claim(&trace, t, &p, a);
        let att = attestation(&trace, &c, &a, &p, B32([5; 32])).unwrap();
        assert_eq!(att.leaf, c.audit_leaf(&a, p.max_leaves));
        assert!(att.leaf > 0 && att.leaf < c.leaves(p.max_leaves) - 1, "an interior leaf: {}", att.leaf);
        assert_eq!(att.root, trace.root(att.step));
        assert_eq!(att.window_ends, 77);
        // What the rules check of a disclosure (`specs/protocol.md` §5.4).
        let layer = posted_layer(t, p.max_leaves);
        let proof = MultiProof::from_bytes(&att.proof.0).unwrap();
        verify(&c.body.history_root.0, &layer, &[(att.leaf as usize, att.root.0)], &proof).unwrap();
        // Another root at that leaf does not open.
        assert!(verify(&c.body.history_root.0, &layer, &[(att.leaf as usize, [7; 32])], &proof).is_err());
        assert_eq!(
            commitment(&B32([4; 32]), &a, &att),
            attest_commitment(&B32([4; 32]), &a, &att.salt, &att.root)
        );
        // Another member is audited elsewhere (for this seed).
        let other = attestation(&trace, &c, &b, &p, B32([5; 32])).unwrap();
        assert_ne!(other.leaf, att.leaf);
    }

    #[test]
    fn a_claim_with_another_history_is_not_attested() {
        let p = Params::local(B32([0; 32]));
        let t = 5_000;
        let trace = run(t);
        let a = B32([2; 32]);
        let mut c = claim(&trace, t, &p, a);
        c.body.history_root = B32([8; 32]);
        let e = attestation(&trace, &c, &a, &p, B32([5; 32])).unwrap_err();
        assert_eq!(
            e,
            NoAttestation::OtherHistory {
                mine: history_root(&trace, t, p.max_leaves),
                claimed: B32([8; 32])
            }
        );
    }

    #[test]
    fn salts_are_fresh() {
        assert_ne!(fresh_salt().unwrap(), fresh_salt().unwrap());
    }
}
