//! The arbiter's transcript route and web pages (`specs/api.md` §3):
//! `GET /v1/games/{id}/transcript` (JSON, or the binary form with
//! `?format=bin` or `Accept: application/octet-stream`), `GET /` (claims
//! and games) and `GET /games/{id}` (a game's checked timeline).
//!
//! `http::app` merges these routes into the arbiter's router.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use refute_protocol::rules::GameStatus;
use refute_traces::Transcript;
use refute_traces::build::Index;
use refute_traces::html::{self, ClaimRow, GameRow};
use refute_traces::text::span_text;
use serde::Deserialize;

use crate::extract::{ApiPath, ApiQuery, number, path_error};
use crate::service::{Service, ServiceError};
use crate::transcripts::of_game;

/// The service and the index of its games' entries, brought up to date on use.
struct Web {
    service: Arc<Service>,
    index: Mutex<Index>,
}

type Shared = State<Arc<Web>>;

/// The transcript route and the pages alone.
pub fn routes(service: Arc<Service>) -> Router {
    let web = Arc::new(Web { service, index: Mutex::new(Index::default()) });
    Router::new()
        .route("/", get(front))
        .route("/games/{id}", get(game_page))
        .route("/v1/games/{id}/transcript", get(transcript))
        .with_state(web)
}

impl Web {
    fn transcript(&self, id: &str) -> Result<Transcript, ServiceError> {
        let game = number(id, "a game id", "bad_id")?;
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        of_game(&self.service, &mut index, game)
    }
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

async fn transcript(
    State(w): Shared,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ServiceError> {
    let accept_bin = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/octet-stream"));
    let bin = match q.format.as_deref() {
        Some("bin") => true,
        Some("json") => false,
        Some(f) => {
            return Err(ServiceError::bad_request("bad_format", format!("format is json or bin, got {f:?}")));
        }
        None => accept_bin,
    };
    let t = w.transcript(&id)?;
    let (body, kind) =
        if bin { (t.to_bin(), "application/octet-stream") } else { (t.to_json(), "application/json") };
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(r)
}

/// Claims, games, and games per claim the front page shows at most (the
/// first claims by id, the latest games).
const FRONT_ROWS: usize = 200;

async fn front(State(w): Shared) -> Html<String> {
    let s = &w.service;
    let (claims, games, entries) = s.read(|c| {
        let st = &c.rules.state;
        // A page, not the whole history: the lists under `/v1` page through it.
        let claims: Vec<ClaimRow> = st
            .claims
            .iter()
            .take(FRONT_ROWS)
            .map(|(id, cl)| ClaimRow {
                id: *id,
                solver: cl.solver,
                status: cl.status,
                max_steps: cl.body.max_steps,
                bond: cl.body.bond,
                games: cl.games.values().copied().take(FRONT_ROWS).collect(),
            })
            .collect();
        let mut games: Vec<GameRow> = st
            .games
            .iter()
            .rev()
            .take(FRONT_ROWS)
            .map(|(id, g)| {
                let layer = g.layer();
                let at = |i: u64| layer.step_at(i as usize).unwrap_or(0);
                let dispute = if g.status == GameStatus::Open {
                    span_text(&refute_traces::timeline::Span {
                        depth: g.depth,
                        stride: g.stride,
                        from: at(g.a),
                        to: at(g.b),
                    })
                } else {
                    "—".into()
                };
                GameRow { id: *id, claim: g.claim, status: g.status, challenger: g.sides[1].key, dispute }
            })
            .collect();
        games.reverse();
        (claims, games, c.head().next)
    });
    Html(html::index(&s.arbiter(), entries, &claims, &games))
}

/// A game's page; its errors are pages too, since a browser shows them.
async fn game_page(State(w): Shared, id: Result<Path<String>, PathRejection>) -> Response {
    let id = id.map(|Path(id)| id).map_err(|e| path_error(&e));
    let title = id.as_ref().map_or_else(|_| "game".to_string(), |id| format!("game {id}"));
    match id.and_then(|id| w.transcript(&id)) {
        Ok(t) => Html(html::game(&refute_traces::check(&t, None))).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Html(html::error(&title, &e.public_message()))).into_response()
        }
    }
}
