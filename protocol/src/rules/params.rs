//! The parameters of the game (`specs/protocol.md` §2).

use refute_engine::history::{DEFAULT_K, DEFAULT_MAX_LEAVES, MAX_LEAVES, MAX_REVEALED};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::B32;

/// Parameters that cannot be played.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
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
}

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
    /// Largest module the service accepts (the rules see only its hash).
    pub max_module_bytes: u64,
    /// Largest input blob (args, env, stdin) the service accepts.
    pub max_input_bytes: u64,
    /// Longest entry name, in bytes.
    pub max_entry_name: u64,
    /// Most entry arguments.
    pub max_entry_args: u64,
    /// Expected committee size per claim (0: no committee).
    pub committee_size: u64,
    /// The arbiter's public key, which signs the lottery of every claim.
    pub arbiter: B32,
    /// Who may mint.
    pub faucet: Faucet,
}

impl Params {
    /// Defaults for a local network with this arbiter key: a day's window and
    /// clock, the engine's `k` and `max_leaves`, an open faucet.
    pub fn local(arbiter: B32) -> Params {
        const DAY: u64 = 24 * 3600 * 1000;
        Params {
            challenge_window_ms: DAY,
            clock_ms: DAY,
            min_claim_bond: 1_000,
            min_challenge_bond: 1_000,
            min_register_stake: 1_000,
            winner_share_pct: 50,
            k: DEFAULT_K,
            max_leaves: DEFAULT_MAX_LEAVES,
            max_steps: 1 << 40,
            max_stdout: 64 * 1024,
            max_module_bytes: 16 << 20,
            max_input_bytes: 16 << 20,
            max_entry_name: 256,
            max_entry_args: 64,
            committee_size: 4,
            arbiter,
            faucet: Faucet::Open { max_per_request: 1_000_000 },
        }
    }

    /// Checks the parameters are usable; the error names the bad one.
    pub fn validate(&self) -> Result<(), ParamsError> {
        let out_of = |name, value, min, max| ParamsError::OutOfRange { name, value, min, max };
        if self.k < 2 || self.k + 1 > MAX_REVEALED as u64 {
            return Err(out_of("k", self.k, 2, MAX_REVEALED as u64 - 1));
        }
        if self.max_leaves < 3 || self.max_leaves > MAX_LEAVES as u64 {
            return Err(out_of("max_leaves", self.max_leaves, 3, MAX_LEAVES as u64));
        }
        if self.winner_share_pct > 100 {
            return Err(out_of("winner_share_pct", self.winner_share_pct, 0, 100));
        }
        for (name, value) in [
            ("clock_ms", self.clock_ms),
            ("challenge_window_ms", self.challenge_window_ms),
            ("max_steps", self.max_steps),
        ] {
            if value == 0 {
                return Err(out_of(name, 0, 1, u64::MAX));
            }
        }
        Ok(())
    }

    /// The winner's share of a forfeited `bond`.
    pub fn share(&self, bond: u64) -> u64 {
        (u128::from(bond) * u128::from(self.winner_share_pct) / 100) as u64
    }
}

/// The hash of the parameters that the log's genesis binds.
pub fn params_hash(p: &Params) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"refute params v1\0")
        .chain_update(serde_json::to_vec(p).expect("params serialise"))
        .finalize()
        .into()
}
