//! The bots' loop on an EVM chain (`specs/chain.md` §6): the solver that
//! defends its claims, and the challenger that checks every claim posted on
//! the referee and challenges wrong ones, each playing its games to the end
//! with the same strategy as on the arbiter ([`crate::play::next_move`]);
//! with a jobs contract, also the jobs and committee seats of its key
//! ([`crate::onchain_jobs`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use refute_chain::alloy_primitives::{Address, B256, U256};
use refute_chain::client::ChainError;
use refute_chain::referee::{self, IReferee, IReferee::IRefereeEvents as Ev};
use refute_protocol::rules::{ClaimBody, GameStatus, Message, Role};

use crate::lie::{Lie, Story};
use crate::onchain::{ChainPlayer, Posting, b32, challenge};
use crate::onchain_jobs::JobsBot;
use crate::play::{Trace, next_move};
use crate::player::short;
use crate::store::Decision;

/// The most other games one move names (the contract's `MAX_ALSO`).
const MAX_ALSO: usize = 127;

/// How a bot on chain plays.
#[derive(Clone, Debug)]
pub struct BotConfig {
    /// Check claims of others and challenge wrong ones.
    pub challenge: bool,
    /// The bond of each challenge (default: the referee's minimum).
    pub bond: Option<U256>,
    /// Test-only: the lie a challenger tells.
    pub lie: Option<Lie>,
    /// Stop once these claims (of this player) have ended.
    pub until_ended: Vec<B256>,
    /// Seconds between polls.
    pub poll: Duration,
    /// Answer the jobs drawn to this key on this jobs contract.
    pub jobs: Option<Address>,
}

/// The bot's loop: plays every game of its account, checks and challenges
/// claims (as a challenger), times out silent opponents and makes its
/// claims final. Runs until `stop` is set, or until the claims of
/// `until_ended` have ended (then returns their statuses).
pub fn run(p: &mut ChainPlayer, cfg: &BotConfig, stop: &AtomicBool) -> Result<Vec<(B256, u8)>> {
    tracing::info!(account = %p.wallet.address, referee = %p.chain.referee, rpc = p.chain.url(), "playing on chain");
    let mut seen =
        Seen { jobs: cfg.jobs.map(|a| JobsBot::new(a, !cfg.challenge, cfg.lie)), ..Seen::default() };
    let mut failures = 0u32;
    while !stop.load(Ordering::Relaxed) {
        match one_turn(p, cfg, &mut seen) {
            Ok(Some(ended)) => return Ok(ended),
            Ok(None) => failures = 0,
            Err(e) => {
                // An outage of the node (or of the network) stops nothing:
                // the games are on chain, and the next turn resumes them.
                failures += 1;
                let wait = Duration::from_secs((1u64 << failures.min(5)).min(30));
                tracing::warn!("the node did not answer ({e:#}); retrying in {} s", wait.as_secs());
                std::thread::sleep(wait);
                continue;
            }
        }
        std::thread::sleep(cfg.poll);
    }
    Ok(Vec::new())
}

/// What a bot has read from the referee so far.
#[derive(Default)]
struct Seen {
    /// The first block not read yet.
    next_block: u64,
    claims: BTreeMap<B256, Posting>,
    /// This player's games and its role in each.
    games: BTreeMap<u64, (B256, Role)>,
    /// Its games that are over.
    done_games: BTreeSet<u64>,
    /// Its claims that have ended.
    ended_claims: BTreeSet<B256>,
    /// Claims to check, oldest first: one per turn, after the moves, so a
    /// flood of claims never keeps this bot from its games.
    to_check: std::collections::VecDeque<B256>,
    /// The jobs it answers, if it is a registered solver.
    jobs: Option<JobsBot>,
}

/// One turn of the loop: read new events, move in every game that awaits
/// this player, check one claim, finalise its own claims. `Some` once the
/// claims of `cfg.until_ended` have all ended.
fn one_turn(p: &mut ChainPlayer, cfg: &BotConfig, s: &mut Seen) -> Result<Option<Vec<(B256, u8)>>> {
    let me = p.wallet.address;
    let (head, now) = p.chain.head()?;
    if head >= s.next_block {
        for e in p.chain.events(s.next_block, head)? {
            match e.event {
                Ev::ClaimPosted(c) => {
                    let bond = u64::try_from(c.bond).unwrap_or(u64::MAX);
                    let posting = Posting {
                        solver: c.solver,
                        body: referee::rules_body(&c.body, bond),
                        window_ends: c.windowEnds,
                    };
                    s.claims.insert(c.claim, posting);
                    if cfg.challenge && c.solver != me {
                        s.to_check.push_back(c.claim);
                    }
                }
                Ev::GameStarted(g) => {
                    let solver = s.claims.get(&g.claim).map(|c| c.solver);
                    if solver == Some(me) {
                        s.games.insert(g.game, (g.claim, Role::Solver));
                    } else if g.challenger == me {
                        s.games.insert(g.game, (g.claim, Role::Challenger));
                    }
                }
                _ => {}
            }
        }
        s.next_block = head + 1;
    }
    let mut moves = Vec::new();
    for (&id, &(claim, role)) in &s.games {
        if s.done_games.contains(&id) {
            continue;
        }
        match turn(p, id, &claim, &s.claims[&claim].body, role, now) {
            Ok(Turn::Over) => {
                s.done_games.insert(id);
            }
            Ok(Turn::Move(m)) => moves.push((id, role, m)),
            Ok(Turn::Wait) => {}
            Err(e) => tracing::warn!(game = id, "{e:#}"),
        }
    }
    send_moves(p, moves);
    if let Some(j) = &mut s.jobs
        && let Err(e) = j.turn(p, head, now, &s.claims)
    {
        tracing::warn!("jobs: {e:#}");
    }
    if let Some(id) = s.to_check.pop_front() {
        check(p, cfg, &id, &s.claims[&id], now);
        if !s.to_check.is_empty() {
            tracing::info!(waiting = s.to_check.len(), "claims waiting to be checked");
        }
    }
    // Its own claims: final once the window has passed with no open game.
    for (id, c) in &s.claims {
        if c.solver != me || now < c.window_ends || s.ended_claims.contains(id) {
            continue;
        }
        let claim = p.chain.view(IReferee::getClaimCall { id: *id })?;
        match claim.status {
            referee::CLAIM_OPEN => {
                match p.chain.send(&p.wallet, &IReferee::finalizeCall { id: *id }, U256::ZERO) {
                    Ok(_) => tracing::info!(claim = %short(&b32(id)), "claim final"),
                    Err(e) if e.code() == Some("nothing_due") => {}
                    Err(e) => tracing::warn!(claim = %short(&b32(id)), "finalize: {e}"),
                }
            }
            referee::CLAIM_FINAL => {
                s.ended_claims.insert(*id);
            }
            _ if claim.openGames == 0 => {
                s.ended_claims.insert(*id);
            }
            _ => {}
        }
    }
    if cfg.until_ended.is_empty() {
        return Ok(None);
    }
    let mut ended = Vec::new();
    for id in &cfg.until_ended {
        let c = p.chain.view(IReferee::getClaimCall { id: *id })?;
        if c.status == referee::CLAIM_FINAL || (c.status == referee::CLAIM_REJECTED && c.openGames == 0) {
            ended.push((*id, c.status));
        }
    }
    Ok((ended.len() == cfg.until_ended.len()).then_some(ended))
}

/// Checks claim `id` once (the decision is kept): builds the trace of its
/// computation from the published blobs and challenges it if its final
/// root is not the engine's.
fn check(p: &mut ChainPlayer, cfg: &BotConfig, id: &B256, c: &Posting, now: u64) {
    let key = b32(id);
    if p.store.decision(&key).is_some() {
        return;
    }
    let decision = match decide(p, cfg, id, c, now) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(claim = %short(&key), "check failed: {e:#}");
            Decision::Failed { why: format!("{e:#}") }
        }
    };
    if let Err(e) = p.store.decide(&key, &decision) {
        tracing::error!(claim = %short(&key), "cannot record the decision: {e}");
    }
}

fn decide(p: &mut ChainPlayer, cfg: &BotConfig, id: &B256, c: &Posting, now: u64) -> Result<Decision> {
    let key = b32(id);
    if now >= c.window_ends {
        return Ok(Decision::Skipped { why: "its window has closed".into() });
    }
    let inputs = p.inputs(&c.body)?;
    let module = refute_engine::Module::new(&inputs.module)?;
    if let Err(e) = refute_chain::check_task(&module, &inputs.task(c.body.max_steps)) {
        tracing::warn!(claim = %short(&key), "not settleable on chain, not checked: {e}");
        return Ok(Decision::Skipped { why: format!("not settleable on chain: {e}") });
    }
    let trace = p.trace(&c.body)?;
    if trace.root(0) != c.body.initial_root {
        tracing::warn!(
            claim = %short(&key),
            "its initial root is not this computation's: it is a claim about another computation and proves nothing about this one"
        );
        return Ok(Decision::Skipped { why: "another initial state than the computation's".into() });
    }
    let story = Story::new(trace.clone(), cfg.lie, false);
    if cfg.lie.is_none() && story.final_root() == c.body.final_root {
        tracing::info!(claim = %short(&key), steps = trace.halt(), "checked: right");
        return Ok(Decision::Agreed { attested: false });
    }
    challenge(p, id, &c.body, cfg.bond, cfg.lie)
}

/// What a game asks of this player now.
enum Turn {
    /// It is over.
    Over,
    /// Nothing (the other side owes the move, or a timeout was sent).
    Wait,
    /// This move.
    Move(Message),
}

/// One turn in game `id`: its move if it owes one, or a timeout if the
/// opponent's clock ran out.
fn turn(p: &mut ChainPlayer, id: u64, claim: &B256, body: &ClaimBody, role: Role, now: u64) -> Result<Turn> {
    let g = p.chain.view(IReferee::getGameCall { id })?;
    let game = referee::rules_game(&g);
    if game.status != GameStatus::Open {
        let verdict = match game.status {
            GameStatus::Won(r) if r == role => "won",
            GameStatus::Won(_) => "LOST",
            _ => "lost by both",
        };
        tracing::info!(game = id, role = ?role, "game over: {verdict}");
        return Ok(Turn::Over);
    }
    let other = game.side(role.other());
    if other.deadline().is_some_and(|d| now >= d) {
        match p.chain.send(&p.wallet, &IReferee::timeoutCall { id }, U256::ZERO) {
            Ok(_) => tracing::info!(game = id, "the opponent's clock ran out: timed out"),
            Err(e) => tracing::debug!(game = id, "timeout: {e}"),
        }
        return Ok(Turn::Wait);
    }
    let story = p.story(claim, body, role)?;
    Ok(match next_move(&p.params, id, &game, role, &story) {
        Some(m) => Turn::Move(m),
        None => Turn::Wait,
    })
}

/// Sends `moves`, one transaction per distinct move: games where this
/// player stands at the same point get the same move, which names them all
/// (`also`, at most `MAX_ALSO` others), so a crowd of challengers at one
/// point costs one transaction per round (specs/protocol.md §5.5).
fn send_moves(p: &ChainPlayer, moves: Vec<(u64, Role, Message)>) {
    let mut groups: Vec<(Message, Vec<u64>)> = Vec::new();
    for (id, _, m) in moves {
        let same = |x: &Message| match (x, &m) {
            (
                Message::Reveal { layer_root: a, roots: r, proof: q, .. },
                Message::Reveal { layer_root: b, roots: s, proof: t, .. },
            ) => a == b && r == s && q == t,
            (Message::Step { proof: a, .. }, Message::Step { proof: b, .. }) => a == b,
            _ => false,
        };
        match groups.iter_mut().find(|(x, ids)| same(x) && ids.len() <= MAX_ALSO) {
            Some((_, ids)) => ids.push(id),
            None => groups.push((m, vec![id])),
        }
    }
    for (m, ids) in groups {
        let (id, also) = (ids[0], ids[1..].to_vec());
        let (what, result) = match m {
            Message::Reveal { layer_root, roots, proof, .. } => {
                let Some(proof) = referee::proof_hashes(&proof.0) else {
                    tracing::error!(game = id, "a malformed multiproof");
                    continue;
                };
                let call = IReferee::revealCall {
                    game: id,
                    also,
                    layerRoot: layer_root.map(|r| B256::from(r.0)).unwrap_or_default(),
                    roots: roots.iter().map(|r| B256::from(r.0)).collect(),
                    proof,
                };
                ("reveal", p.chain.send(&p.wallet, &call, U256::ZERO))
            }
            Message::Step { proof, .. } => {
                let call = IReferee::stepCall { game: id, also, proof: proof.0.into() };
                ("step", p.chain.send(&p.wallet, &call, U256::ZERO))
            }
            other => {
                tracing::error!(game = id, "unexpected move {other:?}");
                continue;
            }
        };
        match result {
            Ok(m) => tracing::info!(game = id, games = ids.len(), gas = m.gas, "{what} sent"),
            // Moved already, or the game moved on before the move was mined:
            // the next poll sees it.
            Err(ChainError::Refused { code: Some("not_your_turn" | "game_over"), .. }) => {}
            Err(ChainError::Refused { code: None, why }) => {
                tracing::info!(game = id, "{what} not made: {why}")
            }
            Err(e) => tracing::warn!(game = id, "{what} refused: {e}"),
        }
    }
}
