//! The claim, game and job routes: one claim, game or job, and paged lists of them,
//! from memory (what is still being played) merged with the archive (what
//! has ended, [`crate::archive`]), in id order (`specs/api.md` §2).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use refute_protocol::rules::{B32, Claim, ClaimStatus, Game, GameStatus, Job, JobStatus, Role};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::archive;
use crate::extract::{ApiPath, ApiQuery, b32, number};
use crate::service::{Service, ServiceError, blocking};

type Shared = State<Arc<Service>>;

/// Most claims or games one list request returns: a client asks for the
/// next page with `after` set to the last id it got.
pub const MAX_LIST_PAGE: u64 = 1000;

/// Filters and the page of the claim and game lists.
#[derive(Deserialize)]
pub struct ListQuery {
    /// Only open ones (`open`), or only settled ones (`settled`).
    status: Option<String>,
    /// Only those with this key as a side (games) or as the solver (claims).
    player: Option<String>,
    /// At most this many (default and most: [`MAX_LIST_PAGE`]).
    limit: Option<String>,
    /// Only those after this id (a claim id, or a game number): the last id
    /// of the previous page.
    after: Option<String>,
}

/// Which claims or games a list wants.
#[derive(Clone, Copy)]
struct Filter {
    open: bool,
    settled: bool,
    player: Option<B32>,
    limit: usize,
}

impl ListQuery {
    fn filter(&self) -> Result<Filter, ServiceError> {
        let (open, settled) = match self.status.as_deref() {
            None => (false, false),
            Some("open") => (true, false),
            Some("settled") => (false, true),
            Some(other) => {
                return Err(ServiceError::bad_request(
                    "bad_query",
                    format!("status is `open` or `settled`, not {other:?}"),
                ));
            }
        };
        let player = self.player.as_deref().map(|k| b32(k, "a player key")).transpose()?;
        let limit = self.limit.as_deref().map(|l| number(l, "limit", "bad_query")).transpose()?;
        let limit = limit.unwrap_or(MAX_LIST_PAGE).min(MAX_LIST_PAGE) as usize;
        Ok(Filter { open, settled, player, limit })
    }
}

impl Filter {
    fn wants(&self, is_open: bool) -> bool {
        (!self.open || is_open) && (!self.settled || !is_open)
    }
}

/// Merges a page from memory with one from the archive: in id order, each
/// id once (memory was read first, so a claim that ended in between is in
/// both, never in neither), at most `limit`.
fn merge<K: Ord>(live: Vec<(K, Value)>, archived: Vec<(K, Value)>, limit: usize) -> Value {
    let mut all: BTreeMap<K, Value> = live.into_iter().collect();
    all.extend(archived);
    Value::Array(all.into_values().take(limit).collect())
}

fn claim_row(id: &B32, c: &Claim) -> Value {
    json!({
        "id": id,
        "solver": c.solver,
        "status": c.status,
        "max_steps": c.body.max_steps,
        "bond": c.body.bond,
        "window_ends": c.window_ends,
        "games": c.games,
    })
}

fn game_row(id: u64, g: &Game) -> Value {
    json!({
        "id": id,
        "claim": g.claim,
        "status": g.status,
        "solver": g.sides[0].key,
        "challenger": g.sides[1].key,
        "bond": g.bond,
        // Which sides owe a move, and the point each would move at: a
        // player groups its games by point to make one move in all of them
        // (`also`, `specs/protocol.md` §5.5).
        "owes": g.sides.each_ref().map(|s| g.status == GameStatus::Open && s.owes_since.is_some()),
        "points": [g.point(Role::Solver), g.point(Role::Challenger)],
    })
}

/// `GET /v1/claims`.
pub async fn claims(State(s): Shared, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Value>, ServiceError> {
    let f = q.filter()?;
    let after = q.after.as_deref().map(|a| b32(a, "a claim id (after)")).transpose()?;
    let from = after.map_or(Bound::Unbounded, Bound::Excluded);
    let live: Vec<(B32, Value)> = s.read(|c| {
        c.rules
            .state
            .claims
            .range((from, Bound::Unbounded))
            .filter(|(_, c)| f.wants(c.status == ClaimStatus::Open) && f.player.is_none_or(|p| c.solver == p))
            .take(f.limit)
            .map(|(id, c)| (*id, claim_row(id, c)))
            .collect()
    });
    let archived = if f.open {
        Vec::new()
    } else {
        blocking(move || {
            let page = archive::claims(s.db(), after, f.player, f.limit).map_err(ServiceError::storage)?;
            Ok(page.iter().map(|(id, c)| (*id, claim_row(id, c))).collect())
        })
        .await?
    };
    Ok(Json(merge(live, archived, f.limit)))
}

/// `GET /v1/claims/{id}`.
pub async fn claim(State(s): Shared, ApiPath(id): ApiPath<String>) -> Result<Json<Value>, ServiceError> {
    let id = b32(&id, "a claim id")?;
    let c = blocking(move || s.claim(&id)).await?;
    c.map(|c| Json(serde_json::to_value(c).expect("claims serialise")))
        .ok_or_else(|| ServiceError::not_found("unknown_claim", format!("no claim {id}")))
}

/// `GET /v1/games`.
pub async fn games(State(s): Shared, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Value>, ServiceError> {
    let f = q.filter()?;
    let after = q.after.as_deref().map(|a| number(a, "after (a game number)", "bad_query")).transpose()?;
    let from = after.map_or(Bound::Unbounded, Bound::Excluded);
    let live: Vec<(u64, Value)> = s.read(|c| {
        c.rules
            .state
            .games
            .range((from, Bound::Unbounded))
            .filter(|(_, g)| {
                f.wants(g.status == GameStatus::Open)
                    && f.player.is_none_or(|p| g.sides[0].key == p || g.sides[1].key == p)
            })
            .take(f.limit)
            .map(|(id, g)| (*id, game_row(*id, g)))
            .collect()
    });
    let archived = if f.open {
        Vec::new()
    } else {
        blocking(move || {
            let page = archive::games(s.db(), after, f.player, f.limit).map_err(ServiceError::storage)?;
            Ok(page.iter().map(|(id, g)| (*id, game_row(*id, g))).collect())
        })
        .await?
    };
    Ok(Json(merge(live, archived, f.limit)))
}

/// `GET /v1/games/{id}`.
pub async fn game(State(s): Shared, ApiPath(id): ApiPath<String>) -> Result<Json<Value>, ServiceError> {
    let n = number(&id, "a game id", "bad_id")?;
    let g = blocking(move || s.game(n)).await?;
    g.map(|g| Json(serde_json::to_value(g).expect("games serialise")))
        .ok_or_else(|| ServiceError::not_found("unknown_game", format!("no game {n}")))
}

/// Filters and the page of the job list.
#[derive(Deserialize)]
pub struct JobQuery {
    /// Only open ones (`open`: waiting for a claim or for its claim to be
    /// final), or only settled ones (`settled`: done or failed).
    status: Option<String>,
    /// Only those this key asked for.
    requester: Option<String>,
    /// Only those this key was drawn for (now or before).
    solver: Option<String>,
    /// At most this many (default and most: [`MAX_LIST_PAGE`]).
    limit: Option<String>,
    /// Only those after this job id.
    after: Option<String>,
}

fn job_open(j: &Job) -> bool {
    matches!(j.status, JobStatus::Assigned | JobStatus::Claimed)
}

fn job_row(id: &B32, j: &Job) -> Value {
    json!({
        "id": id,
        "requester": j.requester,
        "status": j.status,
        "reward": j.body.reward,
        "max_steps": j.body.max_steps,
        "solver": j.solver,
        "attempts": j.attempts,
        "deadline": j.deadline,
        "claim": j.claim,
    })
}

/// `GET /v1/jobs`.
pub async fn jobs(State(s): Shared, ApiQuery(q): ApiQuery<JobQuery>) -> Result<Json<Value>, ServiceError> {
    let status = ListQuery { status: q.status.clone(), player: None, limit: q.limit.clone(), after: None };
    let f = status.filter()?;
    let requester = q.requester.as_deref().map(|k| b32(k, "a requester key")).transpose()?;
    let solver = q.solver.as_deref().map(|k| b32(k, "a solver key")).transpose()?;
    let after = q.after.as_deref().map(|a| b32(a, "a job id (after)")).transpose()?;
    let wants = move |j: &Job| {
        f.wants(job_open(j))
            && requester.is_none_or(|r| j.requester == r)
            && solver.is_none_or(|k| j.solver == Some(k) || j.tried.contains(&k))
    };
    let from = after.map_or(Bound::Unbounded, Bound::Excluded);
    let live: Vec<(B32, Value)> = s.read(|c| {
        c.rules
            .state
            .jobs
            .range((from, Bound::Unbounded))
            .filter(|(_, j)| wants(j))
            .take(f.limit)
            .map(|(id, j)| (*id, job_row(id, j)))
            .collect()
    });
    let archived = if f.open {
        Vec::new()
    } else {
        blocking(move || {
            // The archive's index is by key (requester or solver), so the
            // role is filtered here, reading on until the page is full.
            let mut rows = Vec::new();
            let mut from = after;
            loop {
                let page = archive::jobs(s.db(), from, requester.or(solver), f.limit)
                    .map_err(ServiceError::storage)?;
                let done = page.len() < f.limit;
                from = page.last().map(|(id, _)| *id);
                rows.extend(page.iter().filter(|(_, j)| wants(j)).map(|(id, j)| (*id, job_row(id, j))));
                if done || rows.len() >= f.limit {
                    break Ok(rows);
                }
            }
        })
        .await?
    };
    Ok(Json(merge(live, archived, f.limit)))
}

/// `GET /v1/jobs/{id}`.
pub async fn job(State(s): Shared, ApiPath(id): ApiPath<String>) -> Result<Json<Value>, ServiceError> {
    let id = b32(&id, "a job id")?;
    let j = blocking(move || s.job(&id)).await?;
    j.map(|j| Json(serde_json::to_value(j).expect("jobs serialise")))
        .ok_or_else(|| ServiceError::not_found("unknown_job", format!("no job {id}")))
}
