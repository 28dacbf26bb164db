//! What each log entry records, and replaying it: the state is a pure
//! function of the log (`specs/api.md`, "The log").

use crate::log::Entry;
use crate::rules::{Event, RuleError, Rules, ServiceNote, Signed};
use serde::{Deserialize, Serialize};

/// Why a log entry does not replay to what it records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The payload is not a record.
    #[error("entry {entry}: payload is not a record: {why}")]
    NotARecord {
        /// The entry's index.
        entry: u64,
        /// What the JSON decoder said.
        why: String,
    },
    /// The tick gives another number of events than the log records.
    #[error("tick({now}) gives {got} events, the log records {logged}")]
    TickEvents {
        /// The record's time.
        now: u64,
        /// Events the rules give.
        got: usize,
        /// Events the log records.
        logged: usize,
    },
    /// The rules refuse the logged outage.
    #[error("the logged outage is refused on replay: {0}")]
    BadResume(RuleError),
    /// The rules refuse the logged message.
    #[error("the logged message is refused on replay: {0} ({code})", code = .0.code())]
    Refused(RuleError),
    /// The logged message gives other events.
    #[error("the logged message gives other events on replay")]
    OtherEvents,
    /// An outage record that also carries a message.
    #[error("an outage record carries a message")]
    MessageWithOutage,
    /// Events without a message.
    #[error("events recorded without a message")]
    EventsWithoutMessage,
}

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
/// It is one of three kinds (`specs/api.md`, "The log"):
/// - an outage: `resumed` is set: `resume(resumed, now)`, whose one event is in `ticked`;
/// - the passage of time: no `input`: one bounded `tick(now)`, its events in `ticked`;
/// - a message: `input` is set, applied at `now` (nothing was due), its events in `events`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The time given to the rules (the entry's time).
    pub now: u64,
    /// The arbiter stopped serving at this time and resumed at `now`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed: Option<u64>,
    /// Events of the outage or of `tick(now)`.
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
    pub fn of(entry: &Entry) -> Result<Record, ReplayError> {
        serde_json::from_slice(&entry.payload)
            .map_err(|e| ReplayError::NotARecord { entry: entry.index, why: e.to_string() })
    }

    /// Applies this record to `rules`, as the live service did, and checks
    /// that the rules produce the events it records.
    pub fn replay(&self, rules: &mut Rules) -> Result<(), ReplayError> {
        let ticked = match (self.resumed, &self.input) {
            (Some(_), Some(_)) => return Err(ReplayError::MessageWithOutage),
            (Some(from), None) => rules.resume(from, self.now).map_err(ReplayError::BadResume)?,
            (None, None) => rules.tick(self.now),
            (None, Some(_)) => Vec::new(),
        };
        if ticked != self.ticked {
            return Err(ReplayError::TickEvents {
                now: self.now,
                got: ticked.len(),
                logged: self.ticked.len(),
            });
        }
        if let Some(l) = &self.input {
            let events = rules.apply_with(&l.msg, l.note.as_ref(), self.now).map_err(ReplayError::Refused)?;
            if events != self.events {
                return Err(ReplayError::OtherEvents);
            }
        } else if !self.events.is_empty() {
            return Err(ReplayError::EventsWithoutMessage);
        }
        Ok(())
    }
}
