//! A game on chain as a timeline (`refute trace show --chain … --game N`,
//! `specs/chain.md` §6): read from the referee's events and transactions,
//! checked as it is read (every round's narrowing recomputed from the
//! revealed roots, the one-step proof run again by the engine), and shown
//! as an arbiter's transcript is (`refute_traces::text::render`).

use std::collections::HashMap;

use alloy_primitives::Address;
use alloy_sol_types::SolCall;
use refute_engine::history::{Layer, narrow, split};
use refute_protocol::rules::{B32, GameStatus, Role};
use refute_traces::timeline::{Bond, ClaimInfo, Move, Point, Round, Span};
use refute_traces::{Failure, Timeline};
use serde_json::json;

use crate::client::{Chain, ChainError};
use crate::referee::{self, IReferee, IReferee::IRefereeEvents as Ev};
use crate::rpc::unhex0x;

/// An address as a timeline's 32-byte key: its 20 bytes first, so the
/// short form shown is the address's own first digits.
fn key(a: &Address) -> B32 {
    let mut k = [0u8; 32];
    k[..20].copy_from_slice(a.as_slice());
    B32(k)
}

/// The timeline of game `id` on the referee.
pub fn of_game(chain: &Chain, id: u64) -> Result<Timeline, ChainError> {
    let games = chain.view(IReferee::nextGameCall {})?;
    if id >= games {
        return Err(ChainError::Unexpected(format!("no game {id} on this referee ({games} games)")));
    }
    let g = chain.view(IReferee::getGameCall { id })?;
    let k = chain.view(IReferee::kCall {})?;
    let max_leaves = chain.view(IReferee::maxLeavesCall {})?;
    let (head, _) = chain.head()?;
    let events = chain.events(0, head)?;
    let solver = g.sides[0].key;
    let challenger = g.sides[1].key;
    let role_of = |a: &Address| {
        if *a == solver {
            Some(Role::Solver)
        } else if *a == challenger {
            Some(Role::Challenger)
        } else {
            None
        }
    };
    let mut tl = Timeline {
        source: Some(format!("on chain {}, referee {} at {}", chain.chain_id, chain.referee, chain.url())),
        game: id,
        claim: B32(g.claim.0),
        k,
        max_leaves,
        solver: Some(key(&solver)),
        challenger: Some(key(&challenger)),
        ..Timeline::default()
    };
    let mut times: HashMap<u64, u64> = HashMap::new();
    let mut time_of = |block: u64| -> u64 {
        *times.entry(block).or_insert_with(|| block_time(chain, block).unwrap_or(0) * 1000)
    };
    // The game's transactions: every event of them belongs to its story (bonds included).
    let mut txs = std::collections::BTreeSet::new();
    for e in &events {
        let ours = match &e.event {
            Ev::ClaimPosted(c) => c.claim == g.claim,
            Ev::GameStarted(x) => x.game == id,
            Ev::LayerStarted(x) => x.game == id,
            Ev::Revealed(x) => x.game == id,
            Ev::Narrowed(x) => x.game == id,
            Ev::StepDisputed(x) => x.game == id,
            Ev::StepProven(x) => x.game == id,
            Ev::TimedOut(x) => x.game == id,
            Ev::GameWon(x) => x.game == id,
            Ev::GameLostByBoth(x) => x.game == id,
            _ => false,
        };
        if ours {
            txs.insert(e.tx.clone());
        }
    }
    // Replay the dissection to name the steps of every move and round.
    let total = g.total;
    let mut layer = Layer::new(0, total, refute_engine::history::layer_strides(total, max_leaves)[0])
        .map_err(|e| ChainError::Unexpected(format!("the posted layer: {e}")))?;
    let (mut a, mut b) = (0u64, layer.len() as u64 - 1);
    let mut depth = 0u32;
    let mut revealed: [Option<Vec<B32>>; 2] = [None, None];
    let span = |l: &Layer, depth: u32, a: u64, b: u64| Span {
        depth,
        stride: l.stride(),
        from: l.step_at(a as usize).unwrap_or(0),
        to: l.step_at(b as usize).unwrap_or(0),
    };
    let mut step_tx = None;
    for e in events.iter().filter(|e| txs.contains(&e.tx)) {
        let time_ms = time_of(e.block);
        let mut mv = |by: Option<Role>, kind: &str, what: String, dispute: Option<Span>| {
            tl.moves.push(Move {
                entry: e.block,
                time_ms,
                by,
                kind: kind.into(),
                what,
                dispute,
                clocks: None,
                events: vec![],
            })
        };
        match &e.event {
            Ev::ClaimPosted(c) => {
                tl.claim_info = Some(ClaimInfo {
                    module: B32(c.body.module.0),
                    entry: c.body.entry.clone(),
                    max_steps: c.body.maxSteps,
                    stdout: String::new(),
                    initial_root: B32(c.body.initialRoot.0),
                    solver_final: referee::final_root_of(&c.body.finalHeader),
                    solver_bond: u64::try_from(c.bond).unwrap_or(u64::MAX),
                    posted_ms: time_ms,
                    window_ends_ms: c.windowEnds * 1000,
                    challenger_final: None,
                    challenger_bond: None,
                });
                let what = format!(
                    "solver {} posts claim {}: module {} runs at most {} steps and ends in state {}; bond {} wei",
                    c.solver,
                    short(&B32(c.claim.0)),
                    short(&B32(c.body.module.0)),
                    c.body.maxSteps,
                    short(&referee::final_root_of(&c.body.finalHeader)),
                    c.bond
                );
                mv(Some(Role::Solver), "claim", what, None);
            }
            Ev::GameStarted(x) => {
                if let Some(ci) = tl.claim_info.as_mut() {
                    ci.challenger_final = Some(B32(x.finalRoot.0));
                    ci.challenger_bond = u64::try_from(g.bond).ok();
                }
                let what = format!(
                    "challenger {} disputes it: its run ends in state {}; game {id} starts",
                    x.challenger,
                    short(&B32(x.finalRoot.0))
                );
                mv(Some(Role::Challenger), "challenge", what, Some(span(&layer, depth, a, b)));
            }
            Ev::LayerStarted(x) => {
                layer = Layer::new(x.start, x.end, x.stride)
                    .map_err(|e| ChainError::Unexpected(format!("layer {}: {e}", x.depth)))?;
                depth = x.depth;
                (a, b) = (0, layer.len() as u64 - 1);
                // The round that led here ends in this layer.
                if let Some(r) = tl.rounds.last_mut() {
                    r.after = span(&layer, depth, a, b);
                }
                let what = format!("layer {depth} starts: steps {}..{} every {}", x.start, x.end, x.stride);
                mv(None, "layer", what, Some(span(&layer, depth, a, b)));
            }
            Ev::Revealed(x) => {
                let role = if x.role == 0 { Role::Solver } else { Role::Challenger };
                let roots: Vec<B32> = x.roots.iter().map(|r| B32(r.0)).collect();
                let pts = split(a, b, k);
                let steps: Vec<u64> = pts.iter().filter_map(|&i| layer.step_at(i as usize)).collect();
                let what = format!(
                    "{} reveals {} state roots at steps {}..{} between steps {} and {}",
                    role_text(role),
                    roots.len(),
                    steps.first().copied().unwrap_or(0),
                    steps.last().copied().unwrap_or(0),
                    layer.step_at(a as usize).unwrap_or(0),
                    layer.step_at(b as usize).unwrap_or(0)
                );
                mv(Some(role), "reveal", what, Some(span(&layer, depth, a, b)));
                revealed[role.index()] = Some(roots);
            }
            Ev::Narrowed(x) => {
                let before = span(&layer, depth, a, b);
                let pts = split(a, b, k);
                let (s, c) = (revealed[0].take().unwrap_or_default(), revealed[1].take().unwrap_or_default());
                let d = s.iter().zip(&c).position(|(x, y)| x != y).unwrap_or(pts.len());
                let expected = narrow(a, b, &pts, d).ok();
                if expected != Some((x.a, x.b)) && tl.failure.is_none() {
                    tl.failure = Some(Failure {
                        entry: Some(e.block),
                        what: format!(
                            "the referee narrowed to positions {}..{}, the revealed roots to {expected:?}",
                            x.a, x.b
                        ),
                    });
                }
                (a, b) = (x.a, x.b);
                let points = pts
                    .iter()
                    .zip(s.iter().zip(&c))
                    .map(|(&i, (s, c))| Point {
                        step: layer.step_at(i as usize).unwrap_or(0),
                        solver: *s,
                        challenger: *c,
                    })
                    .collect();
                let first_difference = (d < pts.len()).then(|| layer.step_at(pts[d] as usize).unwrap_or(0));
                let after = span(&layer, depth, a, b);
                tl.rounds.push(Round {
                    number: tl.rounds.len() + 1,
                    before,
                    points,
                    first_difference,
                    after,
                });
            }
            Ev::StepDisputed(x) => {
                mv(
                    None,
                    "step",
                    format!("step {} → {} in dispute", x.step, x.step + 1),
                    Some(span(&layer, depth, a, b)),
                );
            }
            Ev::StepProven(x) => {
                step_tx = Some((e.tx.clone(), x.step));
                let what = format!(
                    "the one-step proof from step {}: the true state after is {}",
                    x.step,
                    short(&B32(x.post.0))
                );
                mv(None, "proof", what, None);
            }
            Ev::TimedOut(x) => {
                let role = if x.role == 0 { Role::Solver } else { Role::Challenger };
                mv(Some(role), "timeout", format!("the {}'s clock ran out", role_text(role)), None);
            }
            Ev::BondReturned(x) => tl.bonds.push(bond(e.block, "returned", role_of(&x.who), &x.amount)),
            Ev::BondForfeited(x) => tl.bonds.push(bond(e.block, "forfeited", role_of(&x.who), &x.amount)),
            Ev::SharePaid(x) => {
                tl.bonds.push(bond(e.block, "paid as the winner's share", role_of(&x.to), &x.amount))
            }
            Ev::Burned(x) => tl.bonds.push(bond(e.block, "burned", None, &x.amount)),
            _ => {}
        }
    }
    let status = referee::rules_game(&g).status;
    tl.verdict = Some(status);
    tl.losers = match status {
        GameStatus::Won(r) => vec![r.other()],
        GameStatus::LostByBoth => vec![Role::Solver, Role::Challenger],
        _ => vec![],
    };
    if let Some((tx, step)) = step_tx {
        let input = chain_tx_input(chain, &tx)?;
        if let Ok(call) = IReferee::stepCall::abi_decode(&input) {
            let from = chain_tx_from(chain, &tx)?;
            let by = role_of(&from).unwrap_or(Role::Solver);
            let game = referee::rules_game(&g);
            match refute_traces::step_view(&game, by, step, &call.proof) {
                Some(v) => {
                    tl.checked.push(format!("the one-step proof of step {step} verifies in the engine: the true state after is {}", v.post));
                    tl.step = Some(v);
                }
                None => {
                    tl.failure.get_or_insert(Failure {
                        entry: None,
                        what: format!(
                            "the referee accepted a step proof the engine refuses (transaction {tx})"
                        ),
                    });
                }
            }
        }
    }
    tl.checked.push(format!("{} rounds: each narrowing follows from the revealed roots", tl.rounds.len()));
    Ok(tl)
}

fn bond(block: u64, what: &str, who: Option<Role>, amount: &alloy_primitives::U256) -> Bond {
    Bond {
        entry: block,
        what: format!("wei {what}"),
        who,
        amount: u64::try_from(*amount).unwrap_or(u64::MAX),
    }
}

fn role_text(r: Role) -> &'static str {
    match r {
        Role::Solver => "solver",
        Role::Challenger => "challenger",
    }
}

fn short(b: &B32) -> String {
    refute_traces::short(b)
}

fn block_time(chain: &Chain, block: u64) -> Result<u64, ChainError> {
    let b = chain.rpc().request("eth_getBlockByNumber", json!([format!("{block:#x}"), false]))?;
    Ok(b["timestamp"]
        .as_str()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or(0))
}

fn chain_tx(chain: &Chain, tx: &str) -> Result<serde_json::Value, ChainError> {
    Ok(chain.rpc().request("eth_getTransactionByHash", json!([tx]))?)
}

fn chain_tx_input(chain: &Chain, tx: &str) -> Result<Vec<u8>, ChainError> {
    Ok(chain_tx(chain, tx)?["input"].as_str().and_then(unhex0x).unwrap_or_default())
}

fn chain_tx_from(chain: &Chain, tx: &str) -> Result<Address, ChainError> {
    let t = chain_tx(chain, tx)?;
    t["from"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ChainError::Unexpected(format!("transaction {tx} has no sender")))
}
