//! Accounts, claims, challenges and attestations (`specs/protocol.md` §5.1–5.4).
//! Each handler checks everything before it changes anything.

use std::collections::BTreeMap;

use refute_engine::Status;
use refute_engine::merkle::MemoryTree;
use refute_engine::state::{HEADER_BYTES, Header, TreeId, decode_status, encode_status};

use super::index::Index;
use super::money::{check_funds, lock};
use super::{
    B32, Blob, Claim, ClaimBody, ClaimStatus, Duty, Event, Faucet, Params, RuleError, ServiceNote, State,
    attest_commitment, game, job, lottery,
};
use refute_engine::history::{Layer, MultiProof, verify};

pub(crate) fn mint(
    s: &mut State,
    p: &Params,
    signer: &B32,
    to: &B32,
    amount: u64,
) -> Result<Vec<Event>, RuleError> {
    match &p.faucet {
        Faucet::Operator(k) if k == signer => {}
        Faucet::Open { max_per_request } if amount > *max_per_request => {
            return Err(RuleError::MintTooLarge { amount, max: *max_per_request });
        }
        Faucet::Open { .. } => {}
        Faucet::Operator(_) | Faucet::Closed => return Err(RuleError::NotFaucet(*signer)),
    }
    let minted = s.minted.checked_add(amount).ok_or(RuleError::Overflow("total minted"))?;
    s.minted = minted;
    // Every balance is at most `minted`, so this cannot overflow.
    s.acct(to).balance += amount;
    Ok(vec![Event::Minted { to: *to, amount }])
}

pub(crate) fn register(
    s: &mut State,
    p: &Params,
    ix: &Index,
    who: &B32,
    stake: u64,
) -> Result<Vec<Event>, RuleError> {
    let a = s.account(who);
    if a.is_leaving() {
        return Err(RuleError::Leaving);
    }
    if a.stake.is_some() {
        return Err(RuleError::AlreadyRegistered);
    }
    if stake < p.min_register_stake {
        return Err(RuleError::BondTooSmall { what: "stake", got: stake, min: p.min_register_stake });
    }
    check_funds(s, who, stake)?;
    let mut ev = Vec::new();
    lock(s, who, stake, &mut ev);
    let since = s.registrations;
    s.registrations += 1;
    let a = s.acct(who);
    a.stake = Some(stake);
    a.slot = Some(ix.candidates.next_slot());
    a.since = since;
    ev.push(Event::Registered { who: *who, stake });
    Ok(ev)
}

/// Leaves the candidates at once (no later claim draws `who`); the stake
/// returns now if `who` sits on no open claim's committee, else when the
/// last of those claims ends ([`release_leavers`]).
pub(crate) fn unregister(s: &mut State, ix: &Index, who: &B32) -> Result<Vec<Event>, RuleError> {
    let a = s.account(who);
    let Some(stake) = a.stake else {
        return Err(RuleError::NotRegistered);
    };
    if a.is_leaving() {
        return Err(RuleError::Leaving);
    }
    s.acct(who).slot = None;
    let mut ev = vec![Event::Leaving { who: *who, stake }];
    if ix.duty_of(who).is_none() {
        return_stake(s, who, &mut ev);
    }
    Ok(ev)
}

/// Returns the stake of each leaving account among `members` that no
/// longer sits on an open claim's committee. The rules call it when a claim
/// ends (final or rejected), after the index has forgotten its committee.
pub(crate) fn release_leavers(s: &mut State, ix: &Index, members: &[B32], ev: &mut Vec<Event>) {
    for who in members {
        if s.accounts.get(who).is_some_and(|a| a.is_leaving()) && ix.duty_of(who).is_none() {
            return_stake(s, who, ev);
        }
    }
}

/// Unlocks a leaving account's stake. A balance never overflows: it is at most `minted`.
fn return_stake(s: &mut State, who: &B32, ev: &mut Vec<Event>) {
    let a = s.acct(who);
    let stake = a.stake.take().expect("a leaving account has a stake");
    a.balance += stake;
    ev.push(Event::Unregistered { who: *who, stake });
}

impl ClaimBody {
    /// The checks of a claim's terms that need no run: its step limit, its
    /// entry and its bond. `refute post` calls it before running anything.
    pub fn check_terms(&self, p: &Params) -> Result<(), RuleError> {
        self.check_limits(p)?;
        self.check_bond(p)
    }

    /// Every check of a claim against the parameters alone: the terms and
    /// the result (final header, stdout). The rules call it; so does
    /// `refute post` before it commits. (The rules also check the service's
    /// note, the solver's funds and duplicates.)
    pub fn check(&self, p: &Params) -> Result<(), RuleError> {
        self.check_limits(p)?;
        check_final(self, p)?;
        self.check_bond(p)
    }

    fn check_limits(&self, p: &Params) -> Result<(), RuleError> {
        if self.max_steps == 0 || self.max_steps > p.max_steps {
            return Err(RuleError::BadClaim(format!(
                "max_steps {} is outside 1..={}",
                self.max_steps, p.max_steps
            )));
        }
        if self.entry.len() as u64 > p.max_entry_name || self.entry_args.len() as u64 > p.max_entry_args {
            return Err(RuleError::BadClaim("entry name or argument list too long".into()));
        }
        Ok(())
    }

    fn check_bond(&self, p: &Params) -> Result<(), RuleError> {
        if self.bond < p.claim_bond_min(self.max_steps) {
            return Err(RuleError::BondTooSmall {
                what: "claim bond",
                got: self.bond,
                min: p.claim_bond_min(self.max_steps),
            });
        }
        Ok(())
    }
}

/// Checks the final header binds the final root, the stdout and a status the step limit allows.
fn check_final(c: &ClaimBody, p: &Params) -> Result<(), RuleError> {
    let bad = |m: String| Err(RuleError::BadFinalHeader(m));
    let Ok(bytes) = <&[u8; HEADER_BYTES]>::try_from(c.final_header.0.as_slice()) else {
        return bad(format!("{} bytes, a header is {HEADER_BYTES}", c.final_header.0.len()));
    };
    let Some(h) = Header::decode(bytes) else { return bad("wrong state tag".into()) };
    if B32(h.root()) != c.final_root {
        return bad(format!("it hashes to {}, not to the final root {}", B32(h.root()), c.final_root));
    }
    let Some(status) = decode_status(h.status) else { return bad(format!("status {:#x}", h.status)) };
    if h.steps > c.max_steps {
        return bad(format!("{} steps, above the claim's limit of {}", h.steps, c.max_steps));
    }
    if status == Status::Running && h.steps != c.max_steps {
        return bad(format!("still running after {} steps, before the limit of {}", h.steps, c.max_steps));
    }
    if c.stdout.0.len() as u64 > p.max_stdout {
        return Err(RuleError::BadClaim(format!(
            "stdout of {} bytes, above {}",
            c.stdout.0.len(),
            p.max_stdout
        )));
    }
    if h.stdout_len != c.stdout.0.len() as u64 {
        return bad(format!("stdout length {} but {} stdout bytes given", h.stdout_len, c.stdout.0.len()));
    }
    if MemoryTree::with_depth(TreeId::Stdout.depth()).root(&c.stdout.0) != *h.tree(TreeId::Stdout) {
        return bad("the stdout given does not hash to the header's stdout root".into());
    }
    debug_assert_eq!(encode_status(status), h.status);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn claim(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    id: B32,
    solver: &B32,
    c: &ClaimBody,
    note: Option<&ServiceNote>,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let note = note.ok_or(RuleError::MissingNote)?;
    if note.initial_root != c.initial_root {
        return Err(RuleError::WrongInitialRoot { claimed: c.initial_root, computed: note.initial_root });
    }
    let seed = lottery::lottery_output(&p.arbiter, &id, &note.vrf)?;
    if s.claims.contains_key(&id) {
        return Err(RuleError::DuplicateClaim(id));
    }
    c.check(p)?;
    if let Some(j) = &c.job {
        job::check_answer(s, j, solver, c, now)?;
    }
    check_funds(s, solver, c.bond)?;
    let window_ends = now.checked_add(p.challenge_window_ms).ok_or(RuleError::Overflow("window end"))?;
    let mut ev = Vec::new();
    lock(s, solver, c.bond, &mut ev);
    let members = lottery::pick(&ix.candidates, p, solver, &seed);
    s.acct(solver).reputation.claims_posted += 1;
    ev.push(Event::ClaimPosted { claim: id, solver: *solver, max_steps: c.max_steps, window_ends });
    ev.push(Event::CommitteeDrawn { claim: id, members: members.clone() });
    let claim = Claim {
        solver: *solver,
        body: c.clone(),
        posted_at: now,
        window_ends,
        status: ClaimStatus::Open,
        bond_held: true,
        games: BTreeMap::new(),
        committee: members.into_iter().map(|k| (k, Duty::Pending)).collect(),
        first_loss: None,
        audit_seed: B32::sha256(&[AUDIT_DOMAIN, &seed]),
        commitments: BTreeMap::new(),
        audit_ends: None,
        fee: 0,
    };
    s.claims.insert(id, claim);
    if let Some(j) = &c.job {
        job::answered(s, ix, j, &id, &mut ev);
    }
    Ok(ev)
}

/// The open claim `id`, still inside its window at `now`.
fn open_claim<'a>(s: &'a State, id: &B32, now: u64) -> Result<&'a Claim, RuleError> {
    let c = s.claims.get(id).ok_or(RuleError::UnknownClaim(*id))?;
    if c.status != ClaimStatus::Open {
        return Err(RuleError::ClaimClosed(*id));
    }
    if now >= c.window_ends {
        return Err(RuleError::TooLate { what: "the challenge window", deadline: c.window_ends, now });
    }
    Ok(c)
}

pub(crate) struct ChallengeMsg {
    pub claim: B32,
    pub history_root: B32,
    pub final_root: B32,
    pub bond: u64,
}

pub(crate) fn challenge(
    s: &mut State,
    p: &Params,
    who: &B32,
    m: ChallengeMsg,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let c = open_claim(s, &m.claim, now)?;
    if c.solver == *who {
        return Err(RuleError::OwnClaim);
    }
    if c.games.contains_key(who) {
        return Err(RuleError::AlreadyChallenged(m.claim));
    }
    if m.final_root == c.body.final_root {
        return Err(RuleError::SameFinalRoot);
    }
    let min = p.challenge_bond_min(c.body.max_steps);
    if m.bond < min {
        return Err(RuleError::BondTooSmall { what: "challenge bond", got: m.bond, min });
    }
    check_funds(s, who, m.bond)?;
    let mut ev = Vec::new();
    lock(s, who, m.bond, &mut ev);
    let id = s.next_game;
    s.next_game += 1;
    let g = game::start(s, p, id, m.claim, who, m.history_root, m.final_root, m.bond, now, &mut ev);
    s.games.insert(id, g);
    let c = s.claims.get_mut(&m.claim).expect("checked");
    c.games.insert(*who, id);
    if let Some(d) = c.committee.get_mut(who) {
        *d = Duty::Challenged;
    }
    Ok(ev)
}

/// Domain prefix of a claim's audit seed (`Claim::audit_seed`).
pub const AUDIT_DOMAIN: &[u8] = b"refute audit v1\0";

pub(crate) fn attest(
    s: &mut State,
    who: &B32,
    claim: &B32,
    commitment: &B32,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let c = open_claim(s, claim, now)?;
    match c.committee.get(who) {
        None => return Err(RuleError::NotMember(*claim)),
        Some(Duty::Pending) => {}
        Some(_) => return Err(RuleError::AlreadyAttested(*claim)),
    }
    let c = s.claims.get_mut(claim).expect("checked");
    c.committee.insert(*who, Duty::Attested);
    c.commitments.insert(*who, *commitment);
    Ok(vec![Event::Attested { claim: *claim, who: *who }])
}

/// A disclosure (`specs/protocol.md` §5.4): in the audit of a final claim,
/// a member that attested shows the salt and root it committed to, and the
/// opening of its audit leaf against the claim's history root.
pub(crate) struct DiscloseMsg<'a> {
    pub claim: B32,
    pub salt: B32,
    pub root: B32,
    pub proof: &'a Blob,
}

pub(crate) fn disclose(
    s: &mut State,
    p: &Params,
    who: &B32,
    m: DiscloseMsg<'_>,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let c = s.claims.get(&m.claim).ok_or(RuleError::UnknownClaim(m.claim))?;
    if c.status != ClaimStatus::Final || c.audit_ends.is_none_or(|end| now >= end) {
        return Err(RuleError::NotInAudit(m.claim));
    }
    if !c.committee.contains_key(who) {
        return Err(RuleError::NotMember(m.claim));
    }
    let Some(commitment) = c.commitments.get(who) else {
        return Err(RuleError::NothingToDisclose(m.claim));
    };
    if attest_commitment(&m.claim, who, &m.salt, &m.root) != *commitment {
        return Err(RuleError::BadDisclosure(
            "the salt and root do not match the attestation's commitment".into(),
        ));
    }
    let leaf = c.audit_leaf(who, p.max_leaves);
    let strides = super::strides(c.body.max_steps, p.max_leaves);
    let layer = Layer::new(0, c.body.max_steps, strides[0]).expect("a claim's layer is valid");
    let proof = MultiProof::from_bytes(&m.proof.0)
        .map_err(|e| RuleError::BadDisclosure(format!("the opening does not decode: {e}")))?;
    verify(&c.body.history_root.0, &layer, &[(leaf as usize, m.root.0)], &proof).map_err(|e| {
        RuleError::BadDisclosure(format!(
            "leaf {leaf} does not open to this root under the claim's history root: {e}"
        ))
    })?;
    let c = s.claims.get_mut(&m.claim).expect("checked");
    c.commitments.remove(who);
    c.committee.insert(*who, Duty::Disclosed);
    Ok(vec![Event::Disclosed { claim: m.claim, who: *who, leaf }])
}
