//! The honest player's strategy, for bots and tests: pure functions from a
//! game and the player's knowledge of the run to its next message.

use refute_engine::history::{Commitment, Layer, split};

use refute_protocol::rules::{
    B32, Blob, Claim, ClaimStatus, Game, GameStatus, Message, Params, Phase, Role, strides,
};

/// What a player knows about a run, padded to its step limit.
pub trait Trace {
    /// The state root after `step` steps; past a halt, the final state's root.
    fn root(&self, step: u64) -> B32;
    /// The one-step proof from the state after `step` steps (`Proof::encode`).
    fn step_proof(&self, step: u64) -> Vec<u8>;
}

/// A trace held in memory: the root at every step up to the halt and the
/// proof of every step from it (a halted state's proof last). Later steps
/// repeat the last root and proof.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// `roots[i]` is the root after `i` steps.
    pub roots: Vec<B32>,
    /// `proofs[i]` proves the step from `roots[i]`.
    pub proofs: Vec<Vec<u8>>,
}

impl Trace for Recorded {
    fn root(&self, step: u64) -> B32 {
        let i = (step as usize).min(self.roots.len() - 1);
        self.roots[i]
    }
    fn step_proof(&self, step: u64) -> Vec<u8> {
        let i = (step as usize).min(self.proofs.len() - 1);
        self.proofs[i].clone()
    }
}

/// The commitment to `layer` from `trace`.
pub fn commit(trace: &(impl Trace + ?Sized), layer: Layer) -> Commitment {
    let roots: Vec<[u8; 32]> = layer.steps().map(|s| trace.root(s).0).collect();
    Commitment::build(layer, &roots).expect("one root per leaf")
}

/// The posted layer of a run of `total` steps: `(0, total, s_0)`.
pub fn posted_layer(total: u64, max_leaves: u64) -> Layer {
    Layer::new(0, total, strides(total, max_leaves)[0]).expect("the posted layer is valid")
}

/// The history root to post in a claim or a challenge.
pub fn history_root(trace: &(impl Trace + ?Sized), total: u64, max_leaves: u64) -> B32 {
    B32(commit(trace, posted_layer(total, max_leaves)).root())
}

/// Why an honest player does not challenge a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoChallenge {
    /// The claim is no longer open.
    Closed,
    /// The player's trace ends in the claim's final state.
    Agrees,
    /// The player's trace starts from another state than the claim's
    /// `initial_root` (which the arbiter computed). The player could not
    /// open its first reveal against the agreed start, so it would lose
    /// its bond; most likely its engine has another semantics version.
    OtherStart {
        /// The player's state root at step 0.
        mine: B32,
        /// The claim's initial root.
        claimed: B32,
    },
}

/// The challenge an honest player with `trace` makes against `claim`: one
/// when the claim is open, the player's trace starts where the claim's does
/// and ends elsewhere.
pub fn challenge(
    params: &Params,
    claim_id: B32,
    claim: &Claim,
    trace: &(impl Trace + ?Sized),
    bond: u64,
) -> Result<Message, NoChallenge> {
    let t = claim.body.max_steps;
    if claim.status != ClaimStatus::Open {
        return Err(NoChallenge::Closed);
    }
    let mine = trace.root(t);
    if mine == claim.body.final_root {
        return Err(NoChallenge::Agrees);
    }
    let (start, claimed) = (trace.root(0), claim.body.initial_root);
    if start != claimed {
        return Err(NoChallenge::OtherStart { mine: start, claimed });
    }
    Ok(Message::Challenge {
        claim: claim_id,
        history_root: history_root(trace, t, params.max_leaves),
        final_root: mine,
        bond,
    })
}

/// The next message of the `role` player of game `id`, or `None` if it owes
/// nothing now (the other side's move, or the game is over).
pub fn next_move(
    params: &Params,
    id: u64,
    game: &Game,
    role: Role,
    trace: &(impl Trace + ?Sized),
) -> Option<Message> {
    let side = game.side(role);
    if game.status != GameStatus::Open || side.owes_since.is_none() {
        return None;
    }
    let layer = game.layer();
    let step_at = |i: u64| layer.step_at(i as usize).expect("position in layer");
    if game.phase == Phase::Step {
        return Some(Message::Step {
            game: id,
            also: Vec::new(),
            proof: Blob(trace.step_proof(step_at(game.a))),
        });
    }
    let c = commit(trace, layer);
    let points = split(game.a, game.b, params.k);
    let mut indices: Vec<usize> = points.iter().map(|&i| i as usize).collect();
    indices.extend([game.a as usize, game.b as usize]);
    let proof = c.prove(&indices).expect("indices are in the layer");
    Some(Message::Reveal {
        game: id,
        also: Vec::new(),
        layer_root: side.layer_root.is_none().then(|| B32(c.root())),
        roots: points.iter().map(|&i| trace.root(step_at(i))).collect(),
        proof: Blob(proof.to_bytes()),
    })
}
