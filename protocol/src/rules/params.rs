//! The parameters of the game (`specs/protocol.md` §2).

use refute_engine::SEMANTICS_VERSION;
use refute_engine::history::{DEFAULT_K, DEFAULT_MAX_LEAVES, Layer, MAX_LEAVES, MAX_REVEALED, split};
use refute_engine::merkle::siblings_needed;
use refute_engine::state::HEADER_BYTES;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{B32, Blob, ClaimBody, MAX_MESSAGE_JSON, Message, Sig, Signed};
use crate::log::genesis_hash;

/// The JSON size of `body` signed with the largest nonce.
fn json_size(body: Message) -> usize {
    let signed = Signed { body, signer: B32([0xff; 32]), nonce: u64::MAX, signature: Sig([0xff; 64]) };
    serde_json::to_vec(&signed).map_or(usize::MAX, |v| v.len())
}

/// Parameters that cannot be played.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// The largest honest message of a kind would not fit the message limit,
    /// so the honest side could not move and would lose on time.
    #[error("the largest honest {what} would be {bytes} bytes as JSON, above the message limit of {max}")]
    TooLarge {
        /// `reveal` or `claim`.
        what: &'static str,
        /// Its size.
        bytes: usize,
        /// The limit (`MAX_MESSAGE_JSON`).
        max: usize,
    },
    /// A parameter outside the range the game works in.
    #[error("{name} = {value} is outside {min}..={max}")]
    OutOfRange {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: u64,
        /// The least it may be.
        min: u64,
        /// The most it may be.
        max: u64,
    },
    /// The parameters were made for another engine's semantics: this engine
    /// would compute other state roots, so its players would lose games.
    #[error(
        "the parameters are for engine semantics version {found}, but this engine implements version {ours} \
         (made by another engine version; 0 means before the version was recorded)"
    )]
    EngineVersion {
        /// The version the parameters name.
        found: u32,
        /// This engine's [`SEMANTICS_VERSION`].
        ours: u32,
    },
    /// The parameters were made for other rules (another lottery or draw):
    /// replaying their log with these rules would not give its state.
    #[error(
        "the parameters are for rules version {found}, but these rules are version {ours} \
         (made by another version of refute; 0 means before the version was recorded)"
    )]
    RulesVersion {
        /// The version the parameters name.
        found: u32,
        /// These rules' [`RULES_VERSION`].
        ours: u32,
    },
}

/// The version of the rules the parameters are played by: what a replay of
/// a log must agree with beyond the engine's semantics (`specs/protocol.md`
/// §2). Version 2: the committee is drawn by stake from an ECVRF seed (§5.3),
/// a leaving candidate keeps its stake until its seats end, one move may be
/// made in every game at the same point (§5.5), and a rejection no longer
/// cancels a claim's other games (§5.7). Parameters stored before it existed
/// read as 0 (an ed25519 lottery seed, a draw by number of keys, a claim's
/// other games cancelled), which [`Params::validate`] refuses. Version 3:
/// attestations are commitments disclosed in an audit after the window,
/// missed duties cost stake, and jobs (§5.9).
pub const RULES_VERSION: u32 = 3;

/// Who may mint funds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Faucet {
    /// Nobody: funds exist only as configured at genesis (no genesis yet, so tests only).
    Closed,
    /// Only this operator key, any amount.
    Operator(B32),
    /// Anyone, at most this much per `Mint` (local networks).
    Open {
        /// Most one `Mint` may create.
        max_per_request: u64,
    },
}

/// Every number the rules depend on. All times are milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// How long after a claim challenges are accepted.
    pub challenge_window_ms: u64,
    /// Each player's chess-clock budget per game.
    pub clock_ms: u64,
    /// Least bond a claim may carry.
    pub min_claim_bond: u64,
    /// Least bond a challenge may carry.
    pub min_challenge_bond: u64,
    /// Bond added to both minimums per whole [`GSTEP`] steps of the
    /// claim's step limit `T` ([`Params::claim_bond_min`]): checking a
    /// claim costs the other side work in proportion to `T`, so must
    /// griefing it (`specs/protocol.md` §5.2). Absent (0) in parameters
    /// stored before it existed, which keeps their hash.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bond_per_gstep: u64,
    /// Least stake to register as a committee candidate.
    pub min_register_stake: u64,
    /// Percent of a forfeited bond paid to the winner; the rest is burned.
    pub winner_share_pct: u64,
    /// Branching factor of a dissection round.
    pub k: u64,
    /// Most leaves per layer (`specs/commitments.md` §6).
    pub max_leaves: u64,
    /// Largest step limit a claim may have.
    pub max_steps: u64,
    /// Most stdout bytes a claim carries.
    pub max_stdout: u64,
    /// Largest module the service accepts (the rules see only its hash):
    /// what bounds the work of a claim's note, about 0.07 s of a core and
    /// 19 MiB of memory per MB (`specs/execution.md` §5.1).
    pub max_module_bytes: u64,
    /// Largest input blob (args, env, stdin) the service accepts.
    pub max_input_bytes: u64,
    /// Longest entry name, in bytes.
    pub max_entry_name: u64,
    /// Most entry arguments.
    pub max_entry_args: u64,
    /// Committee size per claim: seats drawn by stake (0: no committee).
    pub committee_size: u64,
    /// The arbiter's public key: it signs the log, and its ECVRF proves the
    /// lottery seed of every claim.
    pub arbiter: B32,
    /// The engine semantics every state root is computed with
    /// ([`refute_engine::SEMANTICS_VERSION`]). Parameters stored before it
    /// existed read as 0, which [`Params::validate`] refuses.
    #[serde(default)]
    pub engine_version: u32,
    /// The rules' version ([`RULES_VERSION`]). Parameters stored before it
    /// existed read as 0, which [`Params::validate`] refuses.
    #[serde(default)]
    pub rules_version: u32,
    /// Who may mint.
    pub faucet: Faucet,
    /// How long after a claim's window its committee's attestations may be
    /// disclosed (`specs/protocol.md` §5.4): the audit phase.
    #[serde(default)]
    pub reveal_ms: u64,
    /// Stake a committee member loses for a duty missed (no attestation and
    /// no challenge, or an attestation not disclosed in the audit), and a
    /// drawn solver for a job it did not answer by its deadline (§5.9).
    #[serde(default)]
    pub duty_slash: u64,
    /// How long a drawn solver has to post a job's claim (§5.9).
    #[serde(default)]
    pub job_deadline_ms: u64,
    /// Percent of a job's reward paid to the committee members whose
    /// attestation passed the audit; the rest pays the solver (§5.9).
    #[serde(default)]
    pub fee_pct: u64,
}

/// The unit of work bonds scale by: 2^30 steps (about a second or two of
/// the engine's execution on this kind of machine).
pub const GSTEP: u64 = 1 << 30;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Params {
    /// The least bond of a claim whose step limit is `max_steps`:
    /// `min_claim_bond + bond_per_gstep · ⌊max_steps / GSTEP⌋` (the base covers
    /// the first [`GSTEP`] steps)
    /// (saturating; [`Params::validate`] refuses parameters where it would).
    pub fn claim_bond_min(&self, max_steps: u64) -> u64 {
        self.min_claim_bond.saturating_add(self.per_work(max_steps))
    }

    /// The least bond of a challenge of a claim whose step limit is
    /// `max_steps`: `min_challenge_bond + bond_per_gstep · ⌊max_steps / GSTEP⌋`.
    pub fn challenge_bond_min(&self, max_steps: u64) -> u64 {
        self.min_challenge_bond.saturating_add(self.per_work(max_steps))
    }

    /// The committee fee of a job's `reward`: `⌊reward · fee_pct / 100⌋`,
    /// without overflow (`specs/protocol.md` §5.9). The solver is paid the rest.
    pub fn job_fee(&self, reward: u64) -> u64 {
        reward / 100 * self.fee_pct + reward % 100 * self.fee_pct / 100
    }

    fn per_work(&self, max_steps: u64) -> u64 {
        self.bond_per_gstep.saturating_mul(max_steps / GSTEP)
    }

    /// Defaults for a local network with this arbiter key: a day's window and
    /// clock, the engine's `k` and `max_leaves`, an open faucet.
    pub fn local(arbiter: B32) -> Params {
        const DAY: u64 = 24 * 3600 * 1000;
        Params {
            challenge_window_ms: DAY,
            clock_ms: DAY,
            min_claim_bond: 1_000,
            min_challenge_bond: 1_000,
            bond_per_gstep: 100,
            min_register_stake: 1_000,
            winner_share_pct: 50,
            k: DEFAULT_K,
            max_leaves: DEFAULT_MAX_LEAVES,
            max_steps: 1 << 40,
            max_stdout: 64 * 1024,
            max_module_bytes: 96 << 20,
            max_input_bytes: 16 << 20,
            max_entry_name: 256,
            max_entry_args: 64,
            committee_size: 4,
            arbiter,
            engine_version: SEMANTICS_VERSION,
            rules_version: RULES_VERSION,
            faucet: Faucet::Open { max_per_request: 1_000_000 },
            reveal_ms: DAY,
            duty_slash: 100,
            job_deadline_ms: DAY,
            fee_pct: 20,
        }
    }

    /// Checks the parameters are usable; the error names the bad one.
    pub fn validate(&self) -> Result<(), ParamsError> {
        if self.engine_version != SEMANTICS_VERSION {
            return Err(ParamsError::EngineVersion { found: self.engine_version, ours: SEMANTICS_VERSION });
        }
        if self.rules_version != RULES_VERSION {
            return Err(ParamsError::RulesVersion { found: self.rules_version, ours: RULES_VERSION });
        }
        let out_of = |name, value, min, max| ParamsError::OutOfRange { name, value, min, max };
        if self.k < 2 || self.k + 1 > MAX_REVEALED as u64 {
            return Err(out_of("k", self.k, 2, MAX_REVEALED as u64 - 1));
        }
        if self.max_leaves < 3 || self.max_leaves > MAX_LEAVES as u64 {
            return Err(out_of("max_leaves", self.max_leaves, 3, MAX_LEAVES as u64));
        }
        if self.committee_size > MAX_COMMITTEE_SIZE {
            return Err(out_of("committee_size", self.committee_size, 0, MAX_COMMITTEE_SIZE));
        }
        // A winner who took the whole forfeited bond could profit from
        // challenging its own claim through a second key.
        if self.winner_share_pct >= 100 {
            return Err(out_of("winner_share_pct", self.winner_share_pct, 0, 99));
        }
        if self.fee_pct > 100 {
            return Err(out_of("fee_pct", self.fee_pct, 0, 100));
        }
        // A free claim or challenge costs a liar nothing.
        for (name, value) in
            [("min_claim_bond", self.min_claim_bond), ("min_challenge_bond", self.min_challenge_bond)]
        {
            if value == 0 {
                return Err(out_of(name, 0, 1, u64::MAX));
            }
        }
        // The largest claim's minimum bonds must be numbers, not a saturated cap.
        let units = self.max_steps / GSTEP;
        let most = self.min_claim_bond.max(self.min_challenge_bond);
        if self.bond_per_gstep.checked_mul(units).and_then(|b| b.checked_add(most)).is_none() {
            let max = (u64::MAX - most) / units.max(1);
            return Err(out_of("bond_per_gstep", self.bond_per_gstep, 0, max));
        }
        for (name, value) in [
            ("clock_ms", self.clock_ms),
            ("challenge_window_ms", self.challenge_window_ms),
            ("max_steps", self.max_steps),
            ("reveal_ms", self.reveal_ms),
            ("job_deadline_ms", self.job_deadline_ms),
        ] {
            if value == 0 {
                return Err(out_of(name, 0, 1, u64::MAX));
            }
        }
        // A blob larger than the service stores could never be named.
        let blob_cap = refute_engine::limits::MAX_MODULE_BYTES as u64;
        for (name, value) in
            [("max_module_bytes", self.max_module_bytes), ("max_input_bytes", self.max_input_bytes)]
        {
            if value == 0 || value > blob_cap {
                return Err(out_of(name, value, 1, blob_cap));
            }
        }
        for (what, bytes) in [("reveal", self.largest_reveal()), ("claim", self.largest_claim())] {
            if bytes > MAX_MESSAGE_JSON {
                return Err(ParamsError::TooLarge { what, bytes, max: MAX_MESSAGE_JSON });
            }
        }
        Ok(())
    }

    /// The JSON size of the largest honest reveal: `k - 1` roots and the
    /// multiproof of `k + 1` leaves of a layer of `max_leaves` leaves (the
    /// first layer, the widest and deepest).
    pub fn largest_reveal(&self) -> usize {
        let n = self.max_leaves;
        let points = split(0, n - 1, self.k);
        let mut leaves = points.clone();
        leaves.push(0);
        leaves.push(n - 1);
        leaves.sort_unstable();
        let depth = Layer::new(0, n - 1, 1).map_or(0, |l| l.depth());
        let hashes = siblings_needed(depth, &leaves);
        let roots = points.len();
        json_size(Message::Reveal {
            game: u64::MAX,
            also: vec![u64::MAX; super::MAX_ALSO],
            layer_root: Some(B32([0xff; 32])),
            roots: vec![B32([0xff; 32]); roots],
            proof: Blob(vec![0xff; 4 + 32 * hashes]),
        })
    }

    /// The JSON size of the largest claim: `max_stdout` bytes of output, the
    /// longest entry name and argument list.
    pub fn largest_claim(&self) -> usize {
        let h = B32([0xff; 32]);
        json_size(Message::Claim(Box::new(ClaimBody {
            module: h,
            args: h,
            env: h,
            stdin: h,
            entry: "x".repeat(self.max_entry_name.min(1 << 20) as usize),
            entry_args: vec![u64::MAX; self.max_entry_args.min(1 << 20) as usize],
            max_steps: u64::MAX,
            initial_root: h,
            final_root: h,
            final_header: Blob(vec![0xff; HEADER_BYTES]),
            stdout: Blob(vec![0xff; self.max_stdout.min(16 << 20) as usize]),
            history_root: h,
            job: Some(h),
            dirs: Some(h),
            outputs: Some(h),
            bond: u64::MAX,
        })))
    }

    /// A bound on a claim's committee, with room: the draw seats at most
    /// `committee_size` members (`specs/protocol.md` §5.3), and the event
    /// limits count two events for each (its duty, a leaving member's stake).
    pub fn max_committee(&self) -> usize {
        2 * self.committee_size as usize
    }

    /// The genesis hash of the log of the arbiter these parameters name
    /// (`Head::genesis(arbiter, params_hash)`, `specs/log.md` §2): what every
    /// message to that arbiter is signed for (`specs/protocol.md` §3.1).
    pub fn genesis(&self) -> B32 {
        B32(genesis_hash(&self.arbiter.0, &params_hash(self)))
    }

    /// The winner's share of a forfeited `bond`.
    pub fn share(&self, bond: u64) -> u64 {
        (u128::from(bond) * u128::from(self.winner_share_pct) / 100) as u64
    }
}

/// The largest expected committee [`Params::validate`] accepts: a claim's
/// committee has at most twice as many members, each with one duty event
/// when the claim ends, and those events must fit one log entry with room.
pub const MAX_COMMITTEE_SIZE: u64 = 64;

/// Domain prefix of the parameters' hash (17 bytes, NUL-terminated).
/// Version 2: the parameters carry `engine_version`; version 3: also
/// `rules_version`.
pub const PARAMS_DOMAIN: &[u8] = b"refute params v3\0";

/// The hash of the parameters that the log's genesis binds:
/// `SHA256(PARAMS_DOMAIN ‖ JSON(params))`.
pub fn params_hash(p: &Params) -> [u8; 32] {
    Sha256::new()
        .chain_update(PARAMS_DOMAIN)
        .chain_update(serde_json::to_vec(p).expect("params serialise"))
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use refute_engine::history::Commitment;

    fn with(f: impl FnOnce(&mut Params)) -> Result<(), ParamsError> {
        let mut p = Params::local(B32([1; 32]));
        f(&mut p);
        p.validate()
    }

    /// The least bonds grow by `bond_per_gstep` per whole 2^30 steps of
    /// `T`, and parameters under which the largest claim's would overflow
    /// are refused.
    #[test]
    fn least_bonds_scale_with_the_step_limit() {
        let p = Params::local(B32([1; 32]));
        assert_eq!(p.claim_bond_min(GSTEP - 1), p.min_claim_bond);
        assert_eq!(p.claim_bond_min(GSTEP), p.min_claim_bond + p.bond_per_gstep);
        assert_eq!(p.claim_bond_min(3 * GSTEP - 1), p.min_claim_bond + 2 * p.bond_per_gstep);
        assert_eq!(p.challenge_bond_min(1 << 40), p.min_challenge_bond + 1024 * p.bond_per_gstep);
        let e = with(|p| p.bond_per_gstep = u64::MAX / 1000);
        assert!(matches!(e, Err(ParamsError::OutOfRange { name: "bond_per_gstep", .. })), "{e:?}");
        // Parameters stored before the field existed keep their JSON, so their hash.
        let mut old = Params::local(B32([1; 32]));
        old.bond_per_gstep = 0;
        assert!(!serde_json::to_string(&old).unwrap().contains("bond_per_gstep"));
    }

    #[test]
    fn the_local_parameters_can_be_played() {
        assert_eq!(with(|_| {}), Ok(()));
    }

    /// Security review finding 13: parameters made for another engine's
    /// semantics (or before the version was recorded) are refused, and the
    /// error names both versions.
    #[test]
    fn parameters_of_another_engine_version_are_refused() {
        for found in [0, SEMANTICS_VERSION + 1] {
            let e = with(|p| p.engine_version = found);
            assert_eq!(e, Err(ParamsError::EngineVersion { found, ours: SEMANTICS_VERSION }));
            let text = e.unwrap_err().to_string();
            assert!(
                text.contains(&format!("version {found},"))
                    && text.contains(&format!("version {SEMANTICS_VERSION} ")),
                "{text}"
            );
        }
        // Parameters stored before the field existed read as version 0.
        let mut json = serde_json::to_value(Params::local(B32([1; 32]))).unwrap();
        json.as_object_mut().unwrap().remove("engine_version");
        let old: Params = serde_json::from_value(json).unwrap();
        assert_eq!(old.engine_version, 0);
        assert!(matches!(old.validate(), Err(ParamsError::EngineVersion { found: 0, .. })));
    }

    /// Parameters of other rules (an older lottery and draw, or before the
    /// version was recorded) are refused, naming both versions, so an old
    /// database is never replayed under these rules.
    #[test]
    fn parameters_of_other_rules_are_refused() {
        for found in [0, RULES_VERSION + 1] {
            let e = with(|p| p.rules_version = found);
            assert_eq!(e, Err(ParamsError::RulesVersion { found, ours: RULES_VERSION }));
            let text = e.unwrap_err().to_string();
            assert!(text.contains(&format!("rules version {found},")), "{text}");
        }
        let mut json = serde_json::to_value(Params::local(B32([1; 32]))).unwrap();
        json.as_object_mut().unwrap().remove("rules_version");
        let old: Params = serde_json::from_value(json).unwrap();
        assert_eq!(old.validate(), Err(ParamsError::RulesVersion { found: 0, ours: RULES_VERSION }));
    }

    #[test]
    fn parameters_that_defeat_the_design_are_refused() {
        let out_of = |e: Result<(), ParamsError>| match e {
            Err(ParamsError::OutOfRange { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(out_of(with(|p| p.winner_share_pct = 100)), "winner_share_pct");
        assert_eq!(with(|p| p.winner_share_pct = 99), Ok(()));
        assert_eq!(out_of(with(|p| p.min_claim_bond = 0)), "min_claim_bond");
        assert_eq!(out_of(with(|p| p.min_challenge_bond = 0)), "min_challenge_bond");
    }

    /// The security review's figures (finding 9): k = 2047 over 2^16 leaves
    /// makes a 792 KB honest first reveal; k = 1024 over 2^20 one of 725 KB.
    #[test]
    fn an_honest_reveal_that_cannot_be_sent_is_refused() {
        let e = with(|p| (p.k, p.max_leaves) = (2047, 1 << 16));
        assert!(
            matches!(e, Err(ParamsError::TooLarge { what: "reveal", bytes, .. }) if bytes > MAX_MESSAGE_JSON),
            "{e:?}"
        );
        assert_eq!(with(|p| (p.k, p.max_leaves) = (1024, 1 << 20)), Ok(()));
        let e = with(|p| (p.k, p.max_leaves) = (2047, 1 << 20));
        assert!(matches!(e, Err(ParamsError::TooLarge { what: "reveal", .. })), "{e:?}");
    }

    #[test]
    fn a_claim_that_cannot_be_sent_is_refused() {
        let e = with(|p| p.max_stdout = 1 << 20);
        assert!(matches!(e, Err(ParamsError::TooLarge { what: "claim", .. })), "{e:?}");
        assert_eq!(with(|p| p.max_stdout = 256 << 10), Ok(()));
    }

    /// The bound is the size of a real reveal: a commitment's multiproof of
    /// the first round's leaves, in a signed message.
    #[test]
    fn the_largest_reveal_is_a_real_first_reveal() {
        for (k, n) in [(16u64, 1000u64), (8, 1024), (64, 4097), (2, 3)] {
            let p = Params { k, max_leaves: n, ..Params::local(B32([1; 32])) };
            let layer = Layer::new(0, n - 1, 1).unwrap();
            let c = Commitment::build(layer, &vec![[7; 32]; n as usize]).unwrap();
            let points = split(0, n - 1, k);
            let mut leaves: Vec<usize> = points.iter().map(|&i| i as usize).collect();
            leaves.extend([0, n as usize - 1]);
            let proof = c.prove(&leaves).unwrap().to_bytes();
            let real = json_size(Message::Reveal {
                game: u64::MAX,
                also: vec![u64::MAX; crate::rules::MAX_ALSO],
                layer_root: Some(B32([0xff; 32])),
                roots: vec![B32([0xff; 32]); points.len()],
                proof: Blob(proof),
            });
            assert_eq!(p.largest_reveal(), real, "k {k}, {n} leaves");
        }
    }
}
