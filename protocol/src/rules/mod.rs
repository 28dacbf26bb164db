//! The game rules: a pure state machine (`specs/protocol.md`).
//!
//! [`Rules::apply`] takes a signed message and the time and returns the events
//! it caused, or a [`RuleError`] and no change at all; [`Rules::tick`] ends
//! games whose clocks ran out and finalises claims. Nothing here does I/O or
//! reads a clock: time is an input, in milliseconds.
//!
//! The service must call `tick(now)` before `apply(msg, now)`, with `now`
//! never decreasing, and must add a [`ServiceNote`] to every `Claim`
//! ([`Rules::apply_with`]).

mod bytes;
mod claim;
mod error;
mod event;
mod game;
mod lottery;
mod money;
mod msg;
mod params;
mod state;

pub use bytes::{B32, Blob, Sig, from_hex, to_hex};
pub use error::RuleError;
pub use event::{Event, Role};
pub use lottery::{LOTTERY_DOMAIN, TICKET_DOMAIN, draw, lottery_bytes, lottery_sign, threshold, ticket};
pub use msg::{
    CLAIM_DOMAIN, ClaimBody, MAX_MESSAGE_JSON, MSG_DOMAIN, Message, ServiceNote, Signed, claim_id,
    signing_bytes,
};
pub use params::{Faucet, Params, ParamsError, params_hash};
pub use state::{
    Account, Claim, ClaimStatus, Duty, Game, GameStatus, Phase, Reputation, Side, State, strides,
};

use serde::{Deserialize, Serialize};

/// The parameters and the state: everything a transition reads or writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// The parameters (fixed for the life of the state).
    pub params: Params,
    /// The state.
    pub state: State,
}

impl Rules {
    /// Empty state under `params`; fails naming a bad parameter.
    pub fn new(params: Params) -> Result<Rules, ParamsError> {
        params.validate()?;
        Ok(Rules { params, state: State::default() })
    }

    /// Applies `msg` at time `now` (ms). A `Claim` is refused here with
    /// `missing_note`: the service uses [`Rules::apply_with`] for claims.
    pub fn apply(&mut self, msg: &Signed, now: u64) -> Result<Vec<Event>, RuleError> {
        self.apply_with(msg, None, now)
    }

    /// Applies `msg` at time `now`, with the service's note for a `Claim`.
    /// On `Err`, nothing has changed, not even the signer's nonce.
    pub fn apply_with(
        &mut self,
        msg: &Signed,
        note: Option<&ServiceNote>,
        now: u64,
    ) -> Result<Vec<Event>, RuleError> {
        let (s, p) = (&mut self.state, &self.params);
        if now < s.now {
            return Err(RuleError::ClockBackwards { now, last: s.now });
        }
        msg.verify()?;
        let who = &msg.signer;
        let expected = s.account(who).nonce;
        if msg.nonce != expected {
            return Err(RuleError::BadNonce { expected, got: msg.nonce });
        }
        if note.is_some() && !matches!(msg.body, Message::Claim(_)) {
            return Err(RuleError::UnexpectedNote);
        }
        let events = match &msg.body {
            Message::Mint { to, amount } => claim::mint(s, p, who, to, *amount),
            Message::Register { stake } => claim::register(s, p, who, *stake),
            Message::Unregister => claim::unregister(s, who),
            Message::Claim(c) => claim::claim(s, p, msg.claim_id(), who, c, note, now),
            Message::Challenge { claim, history_root, final_root, bond } => {
                let m = claim::ChallengeMsg {
                    claim: *claim,
                    history_root: *history_root,
                    final_root: *final_root,
                    bond: *bond,
                };
                claim::challenge(s, p, who, m, now)
            }
            Message::Attest { claim } => claim::attest(s, who, claim, now),
            Message::Reveal { game, layer_root, roots, proof } => {
                let m = game::RevealMsg { game: *game, layer_root: *layer_root, roots, proof };
                game::reveal(s, p, who, m, now)
            }
            Message::Step { game, proof } => game::step(s, p, who, *game, proof, now),
        }?;
        s.acct(who).nonce += 1;
        s.now = now;
        Ok(events)
    }

    /// Advances time to `now`: ends games whose clocks ran out, then
    /// finalises claims whose window passed with every game won by the
    /// solver. A `now` before the last transition's changes nothing.
    pub fn tick(&mut self, now: u64) -> Vec<Event> {
        let (s, p) = (&mut self.state, &self.params);
        if now < s.now {
            return Vec::new();
        }
        s.now = now;
        let mut ev = Vec::new();
        game::expire(s, p, now, &mut ev);
        money::finalise_ready(s, now, &mut ev);
        ev
    }
}
