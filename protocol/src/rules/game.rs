//! A game: symmetric k-ary dissection over layered commitments, then one
//! step proven (`specs/protocol.md` §5.5).

use refute_engine::history::{Layer, MultiProof, narrow, split, verify};
use refute_engine::proof::{Proof, VerifyError, verify_step};

use super::index::Index;
use super::money::{Outcome, settle};
use super::state::strides;
use super::{B32, Blob, Event, Game, GameStatus, MAX_ALSO, Params, Phase, Role, RuleError, Side, State};

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
    if g.status != GameStatus::Open {
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

/// The games a move names: `game`, then `also`. Refuses more than
/// [`MAX_ALSO`] others, or a game named twice.
fn listed(game: u64, also: &[u64]) -> Result<Vec<u64>, RuleError> {
    if also.len() > MAX_ALSO {
        let why = format!("{} other games named; at most {MAX_ALSO}", also.len());
        return Err(RuleError::WrongMove { game, why });
    }
    let all: Vec<u64> = std::iter::once(game).chain(also.iter().copied()).collect();
    let mut seen = std::collections::BTreeSet::new();
    if let Some(g) = all.iter().find(|g| !seen.insert(**g)) {
        return Err(RuleError::WrongMove { game, why: format!("game {g} is named twice") });
    }
    Ok(all)
}

/// Stops `side`'s clock at `now`.
fn stop_clock(side: &mut Side, now: u64) {
    if let Some(t) = side.owes_since.take() {
        side.clock_left -= now - t;
    }
}

pub(crate) struct RevealMsg<'a> {
    pub game: u64,
    pub also: &'a [u64],
    pub layer_root: Option<B32>,
    pub roots: &'a [B32],
    pub proof: &'a Blob,
}

/// Everything a reveal's validity depends on besides the message: two games
/// at equal points accept exactly the same reveals (`specs/protocol.md` §5.5).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Point {
    role: Role,
    root: B32,
    layer: (u64, u64, u64),
    a: u64,
    b: u64,
    agreed: B32,
    at_b: B32,
}

/// The point of game `id` at which `who`'s reveal `m` would be made, if it
/// may move there now; the multiproof is not checked here.
fn reveal_point(
    s: &State,
    p: &Params,
    who: &B32,
    id: u64,
    m: &RevealMsg<'_>,
    now: u64,
) -> Result<Point, RuleError> {
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
    let points = split(g.a, g.b, p.k).len();
    if m.roots.len() != points {
        let why = format!("{} roots for {points} points of split({}, {}, {})", m.roots.len(), g.a, g.b, p.k);
        return Err(RuleError::BadReveal(why));
    }
    let layer = (g.start, g.end, g.stride);
    Ok(Point { role, root, layer, a: g.a, b: g.b, agreed: g.agreed, at_b: side.at_b })
}

/// Checks `m`'s multiproof at `pt`.
fn verify_reveal(p: &Params, pt: &Point, m: &RevealMsg<'_>) -> Result<(), RuleError> {
    let layer = Layer::new(pt.layer.0, pt.layer.1, pt.layer.2).expect("a game's layer is valid");
    let proof = MultiProof::from_bytes(&m.proof.0).map_err(RuleError::BadMultiproof)?;
    let mut revealed = vec![(pt.a as usize, pt.agreed.0), (pt.b as usize, pt.at_b.0)];
    let points = split(pt.a, pt.b, p.k);
    revealed.extend(points.iter().zip(m.roots).map(|(&i, r)| (i as usize, r.0)));
    verify(&pt.root.0, &layer, &revealed, &proof).map_err(RuleError::BadMultiproof)
}

/// A reveal, made in every listed game that stands at the point of the
/// first listed game where it is a valid move (`specs/protocol.md` §5.5).
/// Refused, with the first game's error, if it is valid in none.
pub(crate) fn reveal(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    who: &B32,
    m: RevealMsg<'_>,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let mut first_error = None;
    let mut at: Option<Point> = None;
    let mut ev = Vec::new();
    for id in listed(m.game, m.also)? {
        let checked = reveal_point(s, p, who, id, &m, now).and_then(|pt| match &at {
            Some(fixed) if *fixed == pt => Ok(pt),
            Some(_) => {
                let why = "not at the point of the first game this reveal was made in".into();
                Err(RuleError::WrongMove { game: id, why })
            }
            None => verify_reveal(p, &pt, &m).map(|()| pt),
        });
        match checked {
            Ok(pt) => {
                made_reveal(s, p, id, pt.role, pt.root, m.roots, now, &mut ev);
                ix.touch_game(s, id);
                at = Some(pt);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match at {
        Some(_) => Ok(ev),
        None => Err(first_error.expect("a move names at least one game")),
    }
}

/// Records `role`'s valid reveal of `roots` under layer root `root` in game
/// `id`, and narrows when both sides have revealed.
#[allow(clippy::too_many_arguments)]
fn made_reveal(
    s: &mut State,
    p: &Params,
    id: u64,
    role: Role,
    root: B32,
    roots: &[B32],
    now: u64,
    ev: &mut Vec<Event>,
) {
    let g = s.games.get_mut(&id).expect("checked");
    let points = split(g.a, g.b, p.k);
    ev.push(Event::Revealed { game: id, role, points: points.len() as u64 });
    g.moves += 1;
    let side = &mut g.sides[role.index()];
    side.layer_root = Some(root);
    side.revealed = Some(roots.to_vec());
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
        descend(g, p, id, now, ev);
    }
}

/// The agreed root of game `id`, whose one step `who` may prove now.
fn step_point(s: &State, who: &B32, id: u64, now: u64) -> Result<B32, RuleError> {
    let (g, _) = player(s, id, who, now)?;
    if g.phase != Phase::Step {
        return Err(RuleError::WrongMove { game: id, why: "the game is still in dissection".into() });
    }
    Ok(g.agreed)
}

/// Checks a one-step proof from `agreed`; returns the true post-state root.
fn verify_proof(agreed: &B32, proof: &Blob) -> Result<B32, RuleError> {
    let proof = Proof::decode(&proof.0).map_err(RuleError::BadProof)?;
    let v = verify_step(&agreed.0, &proof).map_err(|e| match e {
        VerifyError::WrongPreState { expected, got } => {
            RuleError::WrongStep { expected: B32(expected), got: B32(got) }
        }
        e => RuleError::BadProof(e),
    })?;
    Ok(B32(v.post))
}

/// A one-step proof, made in every listed game whose agreed root is that of
/// the first listed game where it is a valid move (as [`reveal`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn step(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    who: &B32,
    game: u64,
    also: &[u64],
    proof: &Blob,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let mut first_error = None;
    let mut at: Option<(B32, B32)> = None;
    let mut ev = Vec::new();
    for id in listed(game, also)? {
        let checked = step_point(s, who, id, now).and_then(|agreed| match at {
            Some((fixed, post)) if fixed == agreed => Ok((agreed, post)),
            Some(_) => {
                let why = "not at the step of the first game this proof was made in".into();
                Err(RuleError::WrongMove { game: id, why })
            }
            None => verify_proof(&agreed, proof).map(|post| (agreed, post)),
        });
        match checked {
            Ok((agreed, post)) => {
                proven(s, p, ix, id, post, now, &mut ev);
                at = Some((agreed, post));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match at {
        Some(_) => Ok(ev),
        None => Err(first_error.expect("a move names at least one game")),
    }
}

/// Ends game `id`, whose disputed step's true post-state root is `post`: the
/// side that claimed it wins; if neither did, both lose.
fn proven(s: &mut State, p: &Params, ix: &mut Index, id: u64, post: B32, now: u64, ev: &mut Vec<Event>) {
    let g = s.games.get_mut(&id).expect("checked");
    let step = g.layer().step_at(g.a as usize).expect("a in layer");
    let solver_right = g.sides[0].at_b == post;
    let challenger_right = g.sides[1].at_b == post;
    ev.push(Event::StepProven { game: id, step, post });
    g.moves += 1;
    for side in &mut g.sides {
        stop_clock(side, now);
    }
    let outcome = match (solver_right, challenger_right) {
        (true, _) => Outcome::Won(Role::Solver),
        (_, true) => Outcome::Won(Role::Challenger),
        (false, false) => Outcome::LostByBoth,
    };
    settle(s, p, ix, id, outcome, now, ev);
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
