//! What each log entry records, and replaying it: the state is a pure
//! function of the log (`specs/api.md`, "The log").

use crate::log::Entry;
use crate::rules::{Event, Rules, ServiceNote, Signed};
use serde::{Deserialize, Serialize};

/// A signed message as the rules received it, with the service's note for a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logged {
    /// The message.
    pub msg: Signed,
    /// The service's note (claims only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<ServiceNote>,
}

/// The payload of one log entry: a transition of the rules at time `now`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The time given to the rules (the entry's time).
    pub now: u64,
    /// Events of `tick(now)`, which runs first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticked: Vec<Event>,
    /// The message applied after the tick, if any (none: the passage of time alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Logged>,
    /// Events of the message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

impl Record {
    /// The entry payload: the record as JSON.
    pub fn payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("records serialise")
    }

    /// The record an entry holds.
    pub fn of(entry: &Entry) -> Result<Record, String> {
        serde_json::from_slice(&entry.payload)
            .map_err(|e| format!("entry {}: payload is not a record: {e}", entry.index))
    }

    /// Applies this record to `rules`, as the live service did, and checks
    /// that the rules produce the events it records.
    pub fn replay(&self, rules: &mut Rules) -> Result<(), String> {
        let ticked = rules.tick(self.now);
        if ticked != self.ticked {
            return Err(format!(
                "tick({}) gives {} events, the log records {}",
                self.now,
                ticked.len(),
                self.ticked.len()
            ));
        }
        if let Some(l) = &self.input {
            let events = rules
                .apply_with(&l.msg, l.note.as_ref(), self.now)
                .map_err(|e| format!("the logged message is refused on replay: {} ({})", e, e.code()))?;
            if events != self.events {
                return Err("the logged message gives other events on replay".into());
            }
        } else if !self.events.is_empty() {
            return Err("events recorded without a message".into());
        }
        Ok(())
    }
}
