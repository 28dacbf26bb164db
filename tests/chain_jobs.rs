//! Jobs on chain (`contracts/src/Jobs.sol`, `specs/chain.md` §9), in revm
//! beside the `Referee` and the rules of `refute-protocol`:
//! - the draw: after random registrations and departures both give every
//!   candidate the same slot, and for random seeds, requesters and earlier
//!   solvers the contract draws the solver `refute_protocol::rules::draw_solver`
//!   draws;
//! - a job's life with real claims on the referee: declined, missed
//!   (slashed), answered by a claim that is rejected, answered by one that
//!   becomes final (the solver paid), failed after four draws (refunded),
//!   cancelled when its secret is not revealed; a key registered after the
//!   job is never drawn for it; every refusal with its code; and the
//!   contract always holds exactly its balances, stakes, escrows and burned wei.

#[path = "../challenger/tests/common/rules.rs"]
mod support;

#[path = "common/both.rs"]
mod both;

use both::{Both, MS, addr};
use refute_chain::alloy_primitives::{Address, B256, U256};
use refute_chain::alloy_sol_types::{SolCall, SolValue};
use refute_chain::evm::Receipt;
use refute_chain::jobs::{self, IJobs, status};
use refute_chain::referee::{self, CLAIM_FINAL, CLAIM_REJECTED, IReferee};
use refute_challenger::play::{Trace, commit, history_root, posted_layer};
use refute_protocol::rules::{B32, Message, Params, draw_solver};
use support::{Rng, fixture, pubkey};

const STAKE: u64 = 1_000;
const SLASH: u64 = 300;
const ANSWER_S: u64 = 50;
const REWARD: u64 = 5_000;
const T: u64 = 60;
const FEE_PCT: u64 = 20;
const AUDIT_S: u64 = 100;

fn params() -> Params {
    let mut p = support::params();
    p.clock_ms = 100 * MS;
    p.challenge_window_ms = 1000 * MS;
    p.min_register_stake = STAKE;
    p
}

/// The referee and the jobs contract in one EVM (and the rules beside them for claims).
struct J {
    b: Both,
    jobs: Address,
    block: u64,
}

impl J {
    /// No committee: the jobs alone.
    fn new() -> J {
        J::with_committee(0)
    }

    fn with_committee(size: u64) -> J {
        let mut b = Both::new(params());
        let p = jobs::Params {
            referee: b.referee,
            minStake: U256::from(STAKE),
            dutySlash: U256::from(SLASH),
            answerTime: ANSWER_S,
            cancelPenaltyPct: 10,
            committeeSize: size,
            feePct: FEE_PCT,
            auditWindow: AUDIT_S,
        };
        let jobs = b.evm.deploy_contract("Jobs", &p.constructor_args()).expect("Jobs deploys");
        let mut j = J { b, jobs, block: 1 };
        j.b.evm.set_block(1);
        j.check_money();
        j
    }

    fn tx<C: SolCall>(&mut self, who: u8, call: C, value: u64) -> Receipt {
        self.b.evm.fund(addr(who), U256::from(value));
        self.b.evm.set_time(self.b.now);
        let r = self.b.evm.send(addr(who), self.jobs, U256::from(value), call.abi_encode()).expect("runs");
        self.check_money();
        r
    }

    /// Sends `call`; `Ok(receipt)` or `Err(code)`.
    fn send<C: SolCall>(&mut self, who: u8, call: C, value: u64) -> Result<Receipt, String> {
        let r = self.tx(who, call, value);
        if r.ok {
            Ok(r)
        } else {
            Err(jobs::error_code(&r.output).map_or_else(|| format!("revert {:?}", r.output), str::to_string))
        }
    }

    fn ok<C: SolCall>(&mut self, who: u8, call: C, value: u64) -> Receipt {
        let what = format!("{:?}", C::SIGNATURE);
        self.send(who, call, value).unwrap_or_else(|e| panic!("{what} by {who}: {e}"))
    }

    fn view<C: SolCall>(&mut self, call: C) -> C::Return {
        let out = self.b.evm.view(self.jobs, call.abi_encode()).expect("view");
        C::abi_decode_returns(&out).expect("decodes")
    }

    fn job(&mut self, id: B256) -> IJobs::Job {
        self.view(IJobs::getJobCall { id })
    }

    fn balance(&mut self, who: u8) -> U256 {
        self.view(IJobs::balanceOfCall { who: addr(who) })
    }

    fn stake(&mut self, who: u8) -> U256 {
        self.view(IJobs::getAccountCall { who: addr(who) }).stake
    }

    fn blocks(&mut self, n: u64) {
        self.block += n;
        self.b.evm.set_block(self.block);
    }

    /// The contract's wei are its balances, stakes, escrows and burned wei.
    fn check_money(&mut self) {
        let mut balances = U256::ZERO;
        let mut stakes = U256::ZERO;
        for who in 0..16u8 {
            balances += self.balance(who);
            stakes += self.stake(who);
        }
        let held = self.view(IJobs::heldCall {});
        let burned = self.view(IJobs::burnedCall {});
        assert!(held >= stakes, "held {held} does not cover the stakes {stakes}");
        assert_eq!(self.b.evm.balance(self.jobs), balances + held + burned, "the contract's wei");
    }

    /// Posts the fixture's computation over `T` steps as a job of `who`, and reveals its secret.
    fn post(&mut self, who: u8) -> (B256, IJobs::Job) {
        let id = self.post_only(who);
        self.blocks(2);
        let (secret, _) = secret(who, self.view(IJobs::jobNonceCall { who: addr(who) }) - 1);
        self.ok(who, IJobs::revealCall { id, secret }, 0);
        let j = self.job(id);
        (id, j)
    }

    fn post_only(&mut self, who: u8) -> B256 {
        let nonce = self.view(IJobs::jobNonceCall { who: addr(who) });
        let (_, commit) = secret(who, nonce);
        let r = self.ok(who, IJobs::postCall { b: body(), reward: U256::from(REWARD), commit }, REWARD);
        B256::abi_decode(&r.output).expect("a job id")
    }

    fn player(&self, a: Address) -> u8 {
        (0..16u8).find(|w| addr(*w) == a).unwrap_or_else(|| panic!("{a} is no player"))
    }

    /// `who` posts the fixture's honest claim (or a lying one from step 5) on the referee.
    fn claim(&mut self, who: u8, honest: bool) -> B256 {
        self.b.fund(who, 1_000);
        let body = if honest {
            both::with_blobs(support::honest_claim(T, 100))
        } else {
            both::with_blobs(support::lying_claim(T, 5, 100).0)
        };
        self.b.send(who, Message::Claim(Box::new(body))).expect("the claim is taken");
        self.b.claims.last().expect("a claim").1
    }
}

fn secret(who: u8, nonce: u64) -> (B256, B256) {
    jobs::secret(&[who; 32], &Address::ZERO, nonce)
}

/// The fixture's computation over `T` steps, naming blobs published on the referee.
fn body() -> IJobs::JobBody {
    let c = both::with_blobs(support::honest_claim(T, 0));
    let b = |x: B32| B256::from(x.0);
    IJobs::JobBody {
        module: b(c.module),
        args: b(c.args),
        env: b(c.env),
        stdin: b(c.stdin),
        dirs: B256::ZERO,
        entry: c.entry,
        entryArgs: c.entry_args,
        initialRoot: b(c.initial_root),
        maxSteps: T,
    }
}

#[test]
fn the_draws_on_chain_are_the_rules_draws() {
    let mut j = J::with_committee(3);
    let mut rp = j.b.w.rules.params.clone();
    rp.committee_size = 3;
    let mut committees = 0;
    let mut rng = Rng(0x5eed_d7a3);
    let mut now = 1_000;
    for who in 0..16u8 {
        j.b.w.mint(who, 1_000_000, now);
    }
    let mut draws = 0;
    let mut drawn_someone = 0;
    for round in 0..120 {
        now += 1;
        let who = (rng.next() % 16) as u8;
        let registered = j.b.w.rules.state.accounts.get(&pubkey(who)).is_some_and(|a| a.slot.is_some());
        if registered && rng.next().is_multiple_of(3) {
            j.b.w.send(who, Message::Unregister, now).expect("unregisters");
            j.ok(who, IJobs::unregisterCall {}, 0);
        } else if !registered {
            let stake = STAKE + rng.next() % 50_000;
            j.b.w.send(who, Message::Register { stake }, now).expect("registers");
            j.ok(who, IJobs::registerCall { stake: U256::from(stake) }, stake);
        }
        for w in 0..16u8 {
            let rust = j.b.w.rules.state.accounts.get(&pubkey(w)).and_then(|a| a.slot);
            let chain = j.view(IJobs::slotOfCall { who: addr(w) });
            assert_eq!(rust.map_or(0, |s| s + 1), chain, "round {round}: the slot of player {w}");
        }
        let s = j.b.w.rules.state.clone();
        for _ in 0..6 {
            let seed = B32(std::array::from_fn(|_| rng.next() as u8));
            let attempt = 1 + (rng.next() % 4) as u32;
            let requester = (rng.next() % 16) as u8;
            let tried: Vec<u8> =
                (0..rng.next() % 4).map(|_| (rng.next() % 16) as u8).filter(|t| *t != requester).collect();
            let mut tried_unique = tried.clone();
            tried_unique.sort();
            tried_unique.dedup();
            let before = rng.next() % (s.registrations + 2);
            let keys: Vec<B32> = tried_unique.iter().map(|t| pubkey(*t)).collect();
            let rust = draw_solver(&s, &pubkey(requester), &keys, before, &seed, attempt)
                .map(|k| (0..16u8).find(|w| pubkey(*w) == k).expect("a player"));
            let chain = j.view(IJobs::drawSolverCall {
                seed: B256::from(seed.0),
                attempt,
                requester: addr(requester),
                tried: tried_unique.iter().map(|t| addr(*t)).collect(),
                before,
            });
            let chain = (chain != Address::ZERO).then(|| j.player(chain));
            assert_eq!(rust, chain, "round {round}: draw {attempt} with seed {seed:?}");
            draws += 1;
            drawn_someone += usize::from(chain.is_some());
            // The committee of a claim by `requester`, from the same candidates.
            let beta: [u8; 64] = std::array::from_fn(|_| rng.next() as u8);
            let mut rust: Vec<u8> = refute_protocol::rules::draw(&s, &rp, &pubkey(requester), &beta)
                .iter()
                .map(|k| (0..16u8).find(|w| pubkey(*w) == *k).expect("a player"))
                .collect();
            let members =
                j.view(IJobs::drawCommitteeCall { beta: beta.to_vec().into(), solver: addr(requester) });
            let mut chain: Vec<u8> = members.iter().map(|a| j.player(*a)).collect();
            rust.sort();
            chain.sort();
            assert_eq!(rust, chain, "round {round}: the committee with beta {beta:?}");
            committees += usize::from(!chain.is_empty());
        }
    }
    assert!(committees > draws / 2, "most committees have members: {committees} of {draws}");
    assert!(drawn_someone > draws / 2, "most draws find a solver: {drawn_someone} of {draws}");
    println!(
        "{draws} solver draws alike on chain and in the rules ({drawn_someone} found a solver), and {draws} committees ({committees} not empty)"
    );
}

/// Players 1–5 registered (1 is the requester), each with its stake.
fn with_solvers() -> J {
    let mut j = J::new();
    for who in 1..=5u8 {
        j.ok(who, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
    }
    j
}

#[test]
fn a_job_is_declined_missed_and_then_paid_when_its_claim_is_final() {
    let mut j = with_solvers();
    let id = j.post_only(1);
    assert_eq!(j.balance(1), U256::ZERO, "the reward is escrowed");
    assert_eq!(j.send(1, IJobs::revealCall { id, secret: secret(1, 0).0 }, 0).unwrap_err(), "too_early");
    j.blocks(2);
    assert_eq!(j.send(1, IJobs::revealCall { id, secret: B256::ZERO }, 0).unwrap_err(), "bad_secret");
    j.ok(9, IJobs::revealCall { id, secret: secret(1, 0).0 }, 0);
    let job = j.job(id);
    assert_eq!((job.status, job.attempts), (status::ASSIGNED, 1));
    let first = j.player(job.solver);
    assert_ne!(first, 1, "the requester is never drawn for its own job");
    assert_eq!(j.send(first, IJobs::revealCall { id, secret: secret(1, 0).0 }, 0).unwrap_err(), "job_closed");

    // The first solver declines, for free.
    let other = if first == 2 { 3 } else { 2 };
    assert_eq!(j.send(other, IJobs::declineCall { id }, 0).unwrap_err(), "not_job_solver");
    j.ok(first, IJobs::declineCall { id }, 0);
    assert_eq!(j.stake(first), U256::from(STAKE), "declining costs nothing");
    let second = {
        let s = j.job(id).solver;
        j.player(s)
    };
    assert!(second != first && second != 1, "a solver drawn before is not drawn again");

    // The second lets its deadline pass: slashed, and a third is drawn.
    assert_eq!(j.send(9, IJobs::settleCall { id }, 0).unwrap_err(), "nothing_due");
    j.b.now += ANSWER_S;
    j.ok(9, IJobs::settleCall { id }, 0);
    assert_eq!(j.stake(second), U256::from(STAKE - SLASH), "a missed deadline is slashed");
    assert_eq!(j.view(IJobs::burnedCall {}), U256::from(SLASH));
    let job = j.job(id);
    let third = j.player(job.solver);
    assert_eq!(job.attempts, 3);
    assert!(![1, first, second].contains(&third));

    // The third answers with an honest claim, which becomes final: it is paid.
    let claim = j.claim(third, true);
    let foreign = j.claim(if third == 4 { 5 } else { 4 }, true);
    assert_eq!(j.send(third, IJobs::answerCall { id, claim: foreign }, 0).unwrap_err(), "wrong_job");
    j.ok(third, IJobs::answerCall { id, claim }, 0);
    assert_eq!(j.job(id).status, status::CLAIMED);
    assert_eq!(j.send(9, IJobs::settleCall { id }, 0).unwrap_err(), "nothing_due", "the claim is still open");
    j.b.advance(1000);
    assert_eq!(j.b.view(IReferee::getClaimCall { id: claim }).status, CLAIM_FINAL);
    j.ok(9, IJobs::settleCall { id }, 0);
    assert_eq!(j.job(id).status, status::DONE);
    let fee = REWARD * FEE_PCT / 100;
    assert_eq!(j.balance(third), U256::from(REWARD - fee), "the solver is paid the reward less the fee");
    assert_eq!(j.balance(1), U256::from(fee), "no committee passed: the fee goes back to the requester");
    assert_eq!(j.send(9, IJobs::settleCall { id }, 0).unwrap_err(), "nothing_due");
}

#[test]
fn a_rejected_answer_draws_again_and_four_misses_refund_the_requester() {
    let mut j = J::with_committee(3);
    for who in 1..=5u8 {
        j.ok(who, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
    }
    let (id, job) = j.post(1);
    let liar_solver = j.player(job.solver);
    let claim = j.claim(liar_solver, false);
    j.ok(liar_solver, IJobs::answerCall { id, claim }, 0);
    // A challenger; neither side plays, both lose on time and the claim is rejected.
    let challenger = 8;
    j.b.fund(challenger, 1_000);
    let f = fixture();
    let max_leaves = j.b.w.rules.params.max_leaves;
    let rust_claim = j.b.claims.last().unwrap().0;
    let m = Message::Challenge {
        claim: rust_claim,
        history_root: history_root(&f.trace, T, max_leaves),
        final_root: f.trace.root(T),
        bond: 100,
    };
    j.b.send(challenger, m).expect("the challenge is taken");
    for _ in 0..5 {
        j.b.advance(60);
    }
    assert_eq!(j.b.view(IReferee::getClaimCall { id: claim }).status, CLAIM_REJECTED);
    j.ok(9, IJobs::settleCall { id }, 0);
    let job = j.job(id);
    assert_eq!((job.status, job.attempts), (status::ASSIGNED, 2), "a rejected answer draws again");
    assert_eq!(j.view(IJobs::burnedCall {}), U256::ZERO, "nobody slashed");
    assert_eq!(j.stake(liar_solver), U256::from(STAKE), "its claim bond paid for the lie");
    // Rejected inside its window: the silent committee loses nothing and is released.
    for m in j.view(IJobs::getCommitteeCall { claim }).members {
        let a = j.view(IJobs::getAccountCall { who: m });
        let drawn = u32::from(m == job.solver);
        assert_eq!((a.stake, a.duties), (U256::from(STAKE), drawn), "member {m}: only a new draw's duty");
    }

    // Three more misses: after four draws the job fails and the reward goes back.
    for attempt in 2..=4u8 {
        let solver = {
            let s = j.job(id).solver;
            j.player(s)
        };
        assert_eq!(j.job(id).attempts, attempt);
        j.b.now += ANSWER_S;
        j.ok(9, IJobs::settleCall { id }, 0);
        assert_eq!(j.stake(solver), U256::from(STAKE - SLASH));
    }
    let job = j.job(id);
    assert_eq!(job.status, status::FAILED);
    assert_eq!(j.balance(1), U256::from(REWARD), "the reward is refunded");
    let tried: Vec<u8> = job.tried.iter().map(|a| j.player(*a)).collect();
    let mut sorted = tried.clone();
    sorted.sort();
    assert_eq!(sorted, vec![2, 3, 4, 5], "four different solvers, never the requester: {tried:?}");
}

#[test]
fn only_keys_registered_before_the_job_are_drawn() {
    let mut j = J::new();
    j.ok(2, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
    let id = j.post_only(1);
    // Another key registers after the job was posted: it is never drawn for it.
    j.ok(3, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
    j.blocks(2);
    j.ok(1, IJobs::revealCall { id, secret: secret(1, 0).0 }, 0);
    assert_eq!(
        {
            let s = j.job(id).solver;
            j.player(s)
        },
        2
    );
    j.ok(2, IJobs::declineCall { id }, 0);
    let job = j.job(id);
    assert_eq!(job.status, status::FAILED, "nobody registered before it is left to draw");
    assert_eq!(j.balance(1), U256::from(REWARD));
}

#[test]
fn an_unrevealed_job_is_cancelled_with_a_penalty() {
    let mut j = with_solvers();
    let id = j.post_only(1);
    j.blocks(256);
    assert_eq!(j.send(9, IJobs::settleCall { id }, 0).unwrap_err(), "nothing_due");
    j.blocks(1);
    assert_eq!(j.send(1, IJobs::revealCall { id, secret: secret(1, 0).0 }, 0).unwrap_err(), "too_late");
    j.ok(9, IJobs::settleCall { id }, 0);
    assert_eq!(j.job(id).status, status::CANCELLED);
    assert_eq!(j.balance(1), U256::from(REWARD - REWARD / 10));
    assert_eq!(j.view(IJobs::burnedCall {}), U256::from(REWARD / 10));
}

#[test]
fn a_drawn_solver_that_leaves_keeps_its_stake_held_until_its_duty_ends() {
    let mut j = with_solvers();
    let (id, job) = j.post(1);
    let solver = j.player(job.solver);
    j.ok(solver, IJobs::unregisterCall {}, 0);
    assert_eq!(j.stake(solver), U256::from(STAKE), "held while it owes the job");
    assert_eq!(j.send(solver, IJobs::registerCall { stake: U256::from(STAKE) }, 0).unwrap_err(), "leaving");
    j.b.now += ANSWER_S;
    j.ok(9, IJobs::settleCall { id }, 0);
    assert_eq!(j.stake(solver), U256::ZERO);
    assert_eq!(j.balance(solver), U256::from(STAKE - SLASH), "what is left returns when the duty ends");
    j.ok(solver, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
}

#[test]
fn refusals_name_the_rule() {
    let mut j = J::new();
    let nonce_commit = secret(1, 0).1;
    let post = |reward: u64, b: IJobs::JobBody| IJobs::postCall {
        b,
        reward: U256::from(reward),
        commit: nonce_commit,
    };
    assert_eq!(j.send(1, post(REWARD, body()), REWARD).unwrap_err(), "no_solvers");
    j.ok(2, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
    assert_eq!(
        j.send(2, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE).unwrap_err(),
        "already_registered"
    );
    assert_eq!(
        j.send(3, IJobs::registerCall { stake: U256::from(STAKE - 1) }, STAKE).unwrap_err(),
        "bond_too_small"
    );
    assert_eq!(j.send(3, IJobs::unregisterCall {}, 0).unwrap_err(), "not_registered");
    assert_eq!(j.send(2, post(REWARD, body()), REWARD).unwrap_err(), "no_solvers", "only itself to draw");
    assert_eq!(j.send(1, post(99, body()), 99).unwrap_err(), "bond_too_small");
    assert_eq!(j.send(1, post(REWARD, body()), REWARD - 1).unwrap_err(), "insufficient_funds");
    let mut b = body();
    b.maxSteps = 0;
    assert_eq!(j.send(1, post(REWARD, b), REWARD).unwrap_err(), "bad_job");
    let mut b = body();
    b.stdin = B256::repeat_byte(7);
    assert_eq!(j.send(1, post(REWARD, b), REWARD).unwrap_err(), "unpublished");
    assert_eq!(j.send(1, IJobs::settleCall { id: B256::ZERO }, 0).unwrap_err(), "unknown_job");
    let (id, job) = j.post(1);
    assert_eq!(j.player(job.solver), 2);
    // A claim of another computation, or after the deadline, does not answer it.
    j.b.fund(2, 1_000);
    let mut other = both::with_blobs(support::honest_claim(T - 1, 100));
    other.max_steps = T - 1;
    j.b.send(2, Message::Claim(Box::new(other))).expect("a claim over other steps");
    let wrong = j.b.claims.last().unwrap().1;
    assert_eq!(j.send(2, IJobs::answerCall { id, claim: wrong }, 0).unwrap_err(), "wrong_job");
    let claim = j.claim(2, true);
    j.b.now += ANSWER_S;
    assert_eq!(j.send(2, IJobs::answerCall { id, claim }, 0).unwrap_err(), "too_late");
    // The same claim cannot answer two jobs.
    let mut j = J::new();
    j.ok(2, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
    let (a, _) = j.post(1);
    let claim = j.claim(2, true);
    j.ok(2, IJobs::answerCall { id: a, claim }, 0);
    let (b, jb) = j.post(1);
    assert_eq!(j.player(jb.solver), 2);
    assert_eq!(j.send(2, IJobs::answerCall { id: b, claim }, 0).unwrap_err(), "wrong_job");
}

#[test]
fn the_gas_of_a_job() {
    let mut j = J::with_committee(3);
    let mut gas = Vec::new();
    for who in 1..=12u8 {
        let r = j.ok(who, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
        gas.push(("register", r.gas));
    }
    let nonce = j.view(IJobs::jobNonceCall { who: addr(1) });
    let (secret, commit) = secret(1, nonce);
    let r = j.ok(1, IJobs::postCall { b: body(), reward: U256::from(REWARD), commit }, REWARD);
    gas.push(("post", r.gas));
    let id = B256::abi_decode(&r.output).unwrap();
    j.blocks(2);
    gas.push(("reveal (draws)", j.ok(1, IJobs::revealCall { id, secret }, 0).gas));
    let first = {
        let s = j.job(id).solver;
        j.player(s)
    };
    gas.push(("decline (draws)", j.ok(first, IJobs::declineCall { id }, 0).gas));
    j.b.now += ANSWER_S;
    gas.push(("settle: missed (slash, draws)", j.ok(9, IJobs::settleCall { id }, 0).gas));
    let solver = {
        let s = j.job(id).solver;
        j.player(s)
    };
    let claim = j.claim(solver, true);
    gas.push(("answer (draws a committee of 3)", j.ok(solver, IJobs::answerCall { id, claim }, 0).gas));
    let members: Vec<u8> =
        j.view(IJobs::getCommitteeCall { claim }).members.iter().map(|a| j.player(*a)).collect();
    let (salt, root, proof) = attestation(&mut j, claim, members[0]);
    let commitment = jobs::attest_commitment(&claim, &addr(members[0]), &salt, &root);
    gas.push(("attest", j.ok(members[0], IJobs::attestCall { claim, commitment }, 0).gas));
    j.b.advance(1000);
    gas.push(("settle: paid, audit starts", j.ok(9, IJobs::settleCall { id }, 0).gas));
    let call = IJobs::discloseCall { claim, salt, root, proof };
    gas.push(("disclose", j.ok(members[0], call, 0).gas));
    j.b.now += AUDIT_S;
    gas.push(("settle: audit ends, fee paid", j.ok(9, IJobs::settleCall { id }, 0).gas));
    gas.push(("unregister", j.ok(first, IJobs::unregisterCall {}, 0).gas));
    for (what, g) in &gas {
        println!("{what:<32} {g:>9} gas");
        assert!(*g < 1_000_000, "{what}: {g} gas");
    }
}

/// Member `m`'s attestation of `claim` from the fixture's run: its salt,
/// root at its audit leaf, and the leaf's opening under the claim's history root.
fn attestation(j: &mut J, claim: B256, m: u8) -> (B256, B256, Vec<B256>) {
    let k = j.view(IJobs::getCommitteeCall { claim });
    let layer = posted_layer(T, j.b.w.rules.params.max_leaves);
    let n = layer.len() as u64;
    let leaf = jobs::audit_leaf(&k.auditSeed, &addr(m), n);
    let on_chain = j.view(IJobs::auditLeafCall { claim, member: addr(m), n: U256::from(n) });
    assert_eq!(leaf, on_chain, "the audit leaf of player {m}");
    assert!(leaf > 0 && leaf + 1 < n, "an interior leaf: {leaf} of {n}");
    let trace = &fixture().trace;
    let root = B256::from(trace.root(layer.step_at(leaf as usize).unwrap()).0);
    let tree = commit(trace, layer);
    let proof = tree.prove(&[leaf as usize]).unwrap().to_bytes();
    (B256::repeat_byte(m), root, referee::proof_hashes(&proof).unwrap())
}

/// The committee of a job's claim: one member attests and discloses (it is
/// paid the whole fee), one attests and does not disclose (slashed when the
/// audit ends), one stays silent (slashed when the claim is final).
#[test]
fn a_job_s_committee_attests_discloses_and_shares_the_fee() {
    let mut j = J::with_committee(3);
    for who in 1..=6u8 {
        j.ok(who, IJobs::registerCall { stake: U256::from(STAKE) }, STAKE);
    }
    let (id, job) = j.post(1);
    let solver = j.player(job.solver);
    let claim = j.claim(solver, true);
    j.ok(solver, IJobs::answerCall { id, claim }, 0);
    let k = j.view(IJobs::getCommitteeCall { claim });
    let members: Vec<u8> = k.members.iter().map(|a| j.player(*a)).collect();
    assert_eq!(members.len(), 3, "{members:?}");
    assert!(!members.contains(&solver), "the solver is not on its own committee");
    let (a, b, c) = (members[0], members[1], members[2]);
    let outsider = (1..=6u8).find(|w| *w != solver && !members.contains(w)).unwrap();
    let mut opened = Vec::new();
    for m in [a, b] {
        let (salt, root, proof) = attestation(&mut j, claim, m);
        let commitment = jobs::attest_commitment(&claim, &addr(m), &salt, &root);
        j.ok(m, IJobs::attestCall { claim, commitment }, 0);
        opened.push((salt, root, proof));
    }
    let commitment = B256::ZERO;
    assert_eq!(j.send(a, IJobs::attestCall { claim, commitment }, 0).unwrap_err(), "already_attested");
    assert_eq!(j.send(outsider, IJobs::attestCall { claim, commitment }, 0).unwrap_err(), "not_member");
    let (salt, root, proof) = opened[0].clone();
    let disclose = |salt, root, proof| IJobs::discloseCall { claim, salt, root, proof };
    assert_eq!(
        j.send(a, disclose(salt, root, proof.clone()), 0).unwrap_err(),
        "not_in_audit",
        "nothing is disclosed inside the window"
    );
    // The claim becomes final: the solver is paid the reward less the fee;
    // the silent member is slashed; the audit starts.
    j.b.advance(1000);
    j.ok(9, IJobs::settleCall { id }, 0);
    let fee = REWARD * FEE_PCT / 100;
    assert_eq!(j.balance(solver), U256::from(REWARD - fee));
    assert_eq!(j.stake(c), U256::from(STAKE - SLASH), "silence is slashed");
    assert_eq!(j.send(c, disclose(salt, root, proof.clone()), 0).unwrap_err(), "nothing_to_disclose");
    let wrong = B256::repeat_byte(0xee);
    assert_eq!(j.send(a, disclose(salt, wrong, proof.clone()), 0).unwrap_err(), "bad_disclosure");
    let (sb, rb, pb) = opened[1].clone();
    assert_eq!(
        j.send(b, disclose(sb, rb, proof.clone()), 0).unwrap_err(),
        "bad_disclosure",
        "another member's opening does not open this member's leaf"
    );
    assert!(pb != proof || rb != root);
    j.ok(a, disclose(salt, root, proof.clone()), 0);
    assert_eq!(j.send(a, disclose(salt, root, proof), 0).unwrap_err(), "nothing_to_disclose");
    assert_eq!(j.send(9, IJobs::settleCall { id }, 0).unwrap_err(), "nothing_due", "the audit runs");
    // The audit ends: the member who disclosed is paid the fee; the one who did not is slashed.
    j.b.now += AUDIT_S;
    j.ok(9, IJobs::settleCall { id }, 0);
    assert_eq!(j.balance(a), U256::from(fee));
    assert_eq!(j.stake(a), U256::from(STAKE));
    assert_eq!(j.stake(b), U256::from(STAKE - SLASH), "an attestation not disclosed is slashed");
    assert_eq!(j.view(IJobs::burnedCall {}), U256::from(2 * SLASH));
    assert_eq!(j.send(9, IJobs::settleCall { id }, 0).unwrap_err(), "nothing_due");
    // A member's stake is held while it sits on a committee: all released now.
    for m in [a, b, c] {
        assert_eq!(j.view(IJobs::getAccountCall { who: addr(m) }).duties, 0);
    }
}
