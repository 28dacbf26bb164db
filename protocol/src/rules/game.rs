//! A game: symmetric k-ary dissection over layered commitments, then one
//! step proven (`specs/protocol.md` §5.5).

use refute_engine::history::{Layer, MultiProof, narrow, split, verify};
use refute_engine::proof::{Proof, VerifyError, verify_step};

use super::index::Index;
use super::money::{Outcome, settle};
use super::state::strides;
use super::{B32, Blob, ClaimStatus, Event, Game, GameStatus, Params, Phase, Role, RuleError, Side, State};

/// A new game of `challenger` against claim `claim`'s solver, started at `now`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start(
    s: &State,
    p: &Params,
    id: u64,
    claim: B32,
    challenger: &B32,
    history_root: B32,
    final_root: B32,
    bond: u64,
    now: u64,
    ev: &mut Vec<Event>,
) -> Game {
    let c = &s.claims[&claim];
    let t = c.body.max_steps;
    let stride = strides(t, p.max_leaves)[0];
    let layer = Layer::new(0, t, stride).expect("the posted layer has at most max_leaves leaves");
    let side = |key: B32, root: B32, at_b: B32| Side {
        key,
        layer_root: Some(root),
        at_b,
        revealed: None,
        clock_left: p.clock_ms,
        owes_since: None,
    };
    let mut g = Game {
        claim,
        bond,
        total: t,
        depth: 0,
        start: 0,
        end: t,
        stride,
        a: 0,
        b: layer.len() as u64 - 1,
        agreed: c.body.initial_root,
        phase: Phase::Reveal,
        sides: [
            side(c.solver, c.body.history_root, c.body.final_root),
            side(*challenger, history_root, final_root),
        ],
        moves: 0,
        status: GameStatus::Open,
    };
    ev.push(Event::GameStarted { game: id, claim, challenger: *challenger });
    descend(&mut g, p, id, now, ev);
    g
}

/// Moves to finer layers while the disputed interval is one interval of a
/// layer of stride above 1, skipping layers with no interior point; then
/// starts both clocks.
fn descend(g: &mut Game, p: &Params, id: u64, now: u64, ev: &mut Vec<Event>) {
    let all = strides(g.total, p.max_leaves);
    while g.b == g.a + 1 && g.stride > 1 {
        let layer = g.layer();
        let (lo, hi) = (layer.step_at(g.a as usize), layer.step_at(g.b as usize));
        let (lo, hi) = (lo.expect("a in layer"), hi.expect("b in layer"));
        g.depth += 1;
        g.stride = all[g.depth as usize];
        g.start = lo;
        g.end = hi;
        g.a = 0;
        g.b = g.layer().len() as u64 - 1;
        for side in &mut g.sides {
            side.layer_root = None;
        }
        ev.push(Event::LayerStarted { game: id, depth: g.depth, start: lo, end: hi, stride: g.stride });
    }
    if g.b == g.a + 1 {
        g.phase = Phase::Step;
        let step = g.layer().step_at(g.a as usize).expect("a in layer");
        ev.push(Event::StepDisputed { game: id, step });
    } else {
        g.phase = Phase::Reveal;
    }
    for side in &mut g.sides {
        side.owes_since = Some(now);
    }
}

/// The open game `id` and the role `who` plays in it, if `who` may move at `now`.
fn player<'a>(s: &'a State, id: u64, who: &B32, now: u64) -> Result<(&'a Game, Role), RuleError> {
    // Games that have ended leave the state with their claim (§4).
    let g = s.games.get(&id).ok_or(if id < s.next_game {
        RuleError::GameOver(id)
    } else {
        RuleError::UnknownGame(id)
    })?;
    let role = g.role_of(who).ok_or(RuleError::NotAPlayer(id))?;
    // A game of a rejected claim waits to be cancelled: it is over.
    if g.status != GameStatus::Open || s.claims[&g.claim].status != ClaimStatus::Open {
        return Err(RuleError::GameOver(id));
    }
    let side = g.side(role);
    let Some(deadline) = side.deadline() else {
        return Err(RuleError::NotYourTurn { game: id, why: "you have already moved this round" });
    };
    if now >= deadline {
        return Err(RuleError::TooLate { what: "your clock", deadline, now });
    }
    Ok((g, role))
}

/// Stops `side`'s clock at `now`.
fn stop_clock(side: &mut Side, now: u64) {
    if let Some(t) = side.owes_since.take() {
        side.clock_left -= now - t;
    }
}

pub(crate) struct RevealMsg<'a> {
    pub game: u64,
    pub layer_root: Option<B32>,
    pub roots: &'a [B32],
    pub proof: &'a Blob,
}

pub(crate) fn reveal(
    s: &mut State,
    p: &Params,
    who: &B32,
    m: RevealMsg<'_>,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let id = m.game;
    let (g, role) = player(s, id, who, now)?;
    if g.phase != Phase::Reveal {
        return Err(RuleError::WrongMove { game: id, why: "the game awaits the one-step proof".into() });
    }
    let side = g.side(role);
    let root = match (side.layer_root, m.layer_root) {
        (Some(r), None) => r,
        (None, Some(r)) => r,
        (Some(_), Some(_)) => {
            return Err(RuleError::WrongMove { game: id, why: "this layer's root is already known".into() });
        }
        (None, None) => {
            let why = "the first reveal of a layer must carry the layer's root".into();
            return Err(RuleError::WrongMove { game: id, why });
        }
    };
    let points = split(g.a, g.b, p.k);
    if m.roots.len() != points.len() {
        let why = format!(
            "{} roots for {} points of split({}, {}, {})",
            m.roots.len(),
            points.len(),
            g.a,
            g.b,
            p.k
        );
        return Err(RuleError::BadReveal(why));
    }
    let proof = MultiProof::from_bytes(&m.proof.0).map_err(RuleError::BadMultiproof)?;
    let mut revealed = vec![(g.a as usize, g.agreed.0), (g.b as usize, side.at_b.0)];
    revealed.extend(points.iter().zip(m.roots).map(|(&i, r)| (i as usize, r.0)));
    verify(&root.0, &g.layer(), &revealed, &proof).map_err(RuleError::BadMultiproof)?;

    let mut ev = vec![Event::Revealed { game: id, role, points: points.len() as u64 }];
    let g = s.games.get_mut(&id).expect("checked");
    g.moves += 1;
    let side = &mut g.sides[role.index()];
    side.layer_root = Some(root);
    side.revealed = Some(m.roots.to_vec());
    stop_clock(side, now);
    if let (Some(x), Some(y)) = (&g.sides[0].revealed, &g.sides[1].revealed) {
        let d = x.iter().zip(y).position(|(x, y)| x != y).unwrap_or(points.len());
        let (a, b) = narrow(g.a, g.b, &points, d).expect("d is at most the number of points");
        if d > 0 {
            g.agreed = x[d - 1];
        }
        if d < points.len() {
            g.sides[0].at_b = x[d];
            g.sides[1].at_b = y[d];
        }
        (g.a, g.b) = (a, b);
        for side in &mut g.sides {
            side.revealed = None;
        }
        ev.push(Event::Narrowed { game: id, depth: g.depth, a, b });
        descend(g, p, id, now, &mut ev);
    }
    Ok(ev)
}

pub(crate) fn step(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    who: &B32,
    id: u64,
    proof: &Blob,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let (g, _) = player(s, id, who, now)?;
    if g.phase != Phase::Step {
        return Err(RuleError::WrongMove { game: id, why: "the game is still in dissection".into() });
    }
    let proof = Proof::decode(&proof.0).map_err(RuleError::BadProof)?;
    let v = verify_step(&g.agreed.0, &proof).map_err(|e| match e {
        VerifyError::WrongPreState { expected, got } => {
            RuleError::WrongStep { expected: B32(expected), got: B32(got) }
        }
        e => RuleError::BadProof(e),
    })?;
    let post = B32(v.post);
    let step = g.layer().step_at(g.a as usize).expect("a in layer");
    let solver_right = g.sides[0].at_b == post;
    let challenger_right = g.sides[1].at_b == post;
    let mut ev = vec![Event::StepProven { game: id, step, post }];
    let g = s.games.get_mut(&id).expect("checked");
    g.moves += 1;
    for side in &mut g.sides {
        stop_clock(side, now);
    }
    let outcome = match (solver_right, challenger_right) {
        (true, _) => Outcome::Won(Role::Solver),
        (_, true) => Outcome::Won(Role::Challenger),
        (false, false) => Outcome::LostByBoth,
    };
    settle(s, p, ix, id, outcome, now, &mut ev);
    Ok(ev)
}

/// Ends open game `id`, in which at least one running clock has run out at
/// `now`: a side whose clock ran out loses; if both ran out, both lose.
pub(crate) fn expire(s: &mut State, p: &Params, ix: &mut Index, id: u64, now: u64, ev: &mut Vec<Event>) {
    let g = s.games.get_mut(&id).expect("indexed");
    let out = |r: Role| g.side(r).deadline().is_some_and(|d| now >= d);
    let (roles, outcome) = match (out(Role::Solver), out(Role::Challenger)) {
        (true, false) => (vec![Role::Solver], Outcome::Won(Role::Challenger)),
        (false, true) => (vec![Role::Challenger], Outcome::Won(Role::Solver)),
        (true, true) => (vec![Role::Solver, Role::Challenger], Outcome::LostByBoth),
        (false, false) => unreachable!("the index lists game {id} as out of time at {now}"),
    };
    for r in roles {
        let side = &mut g.sides[r.index()];
        side.clock_left = 0;
        side.owes_since = None;
        ev.push(Event::TimedOut { game: id, role: r });
    }
    settle(s, p, ix, id, outcome, now, ev);
}
