//! The transcript of one game (`specs/transcript.md` §2): the arbiter's
//! signed log entries that concern it, with what is needed to check them.

use refute_protocol::log::Entry;
use refute_protocol::rules::{B32, Blob, GameStatus, Params};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The value of the JSON form's `format` field.
pub const FORMAT: &str = "refute transcript";
/// The version this code writes and reads.
/// Version 2 added the directories blob to `inputs`, and `outputs`.
pub const VERSION: u32 = 2;

/// A game's transcript.
///
/// `entries` are the arbiter's log entries, as signed: entry 0 (whose `prev`
/// binds the arbiter's key and `params`), the entry that posted the claim,
/// and every entry with an event of the game, in log order. Everything else
/// is a statement that `refute trace verify` checks against them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transcript {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The arbiter's public key, which signed every entry.
    pub arbiter: B32,
    /// The game parameters; the log's genesis binds their hash.
    pub params: Params,
    /// The game.
    pub game: u64,
    /// The claim it disputes.
    pub claim: B32,
    /// How the game ended, as of its last entry (`open` if it has not).
    pub verdict: GameStatus,
    /// The claim's input blobs, when they are small enough to carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
    /// The claim's output files blob (`refute_engine::outputs`), when the
    /// claim names one and it is at most [`MAX_OUTPUT_FILES_BYTES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Blob>,
    /// The signed entries, in log order.
    pub entries: Vec<Entry>,
}

/// A claim's input blobs (`specs/api.md` §2): with the module, enough to
/// recompute the initial state root the arbiter vouched for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// The arguments blob.
    pub args: Blob,
    /// The environment blob.
    pub env: Blob,
    /// Stdin.
    pub stdin: Blob,
    /// The preopened directories blob, if the claim has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirs: Option<Blob>,
}

/// Largest input blob a transcript carries: larger inputs are left out.
pub const MAX_INPUT_BYTES: usize = 64 << 10;

/// Largest output files blob a transcript carries: a larger one is left
/// out (the arbiter still serves it: `refute claims --files`).
pub const MAX_OUTPUT_FILES_BYTES: usize = 1 << 20;

/// Why bytes are not a transcript.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The JSON form does not parse.
    #[error("not a transcript: {0}")]
    Json(String),
    /// The binary form does not decode.
    #[error("not a transcript: byte {at}: {what}")]
    Binary {
        /// Offset of the first byte that does not decode.
        at: usize,
        /// What is wrong there.
        what: String,
    },
    /// Another version of the format.
    #[error("transcript version {0}; this refute reads version {VERSION}")]
    Version(u64),
}

impl Transcript {
    /// The JSON form, pretty-printed.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("transcripts serialise");
        v.push(b'\n');
        v
    }

    /// Reads the JSON form.
    pub fn from_json(bytes: &[u8]) -> Result<Transcript, FormatError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| FormatError::Json(e.to_string()))?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(FormatError::Json(format!("its \"format\" is not {FORMAT:?}")));
        }
        match v.get("version").and_then(|f| f.as_u64()) {
            Some(n) if n == u64::from(VERSION) => {}
            Some(n) => return Err(FormatError::Version(n)),
            None => return Err(FormatError::Json("no \"version\"".into())),
        }
        serde_json::from_value(v).map_err(|e| FormatError::Json(e.to_string()))
    }
}
