//! The arbiter's transcript route and web pages (`specs/api.md` §3):
//! `GET /v1/games/{id}/transcript` (JSON, or the binary form with
//! `?format=bin` or `Accept: application/octet-stream`), `GET /` (claims
//! and games), `GET /games/{id}` (a game's checked timeline),
//! `GET /claims/{id}` (a claim and its output files) and
//! `GET /claims/{id}/files/{path}` (one output file, checked against the
//! claim's final state before it is served).
//!
//! `http::app` merges these routes into the arbiter's router.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use refute_protocol::rules::{B32, Claim, Game, GameStatus};
use refute_traces::Transcript;
use refute_traces::html::{self, ClaimRow, GameRow};
use refute_traces::text::span_text;
use serde::Deserialize;

use crate::archive;
use crate::extract::{ApiPath, ApiQuery, number, path_error};
use crate::service::{Service, ServiceError};
use crate::transcripts::of_game;

/// The service behind the pages.
struct Web {
    service: Arc<Service>,
}

type Shared = State<Arc<Web>>;

/// The transcript route and the pages alone.
pub fn routes(service: Arc<Service>) -> Router {
    let web = Arc::new(Web { service });
    Router::new()
        .route("/", get(front))
        .route("/games/{id}", get(game_page))
        .route("/claims/{id}", get(claim_page))
        .route("/claims/{id}/files/{*path}", get(claim_file))
        .route("/v1/games/{id}/transcript", get(transcript))
        .with_state(web)
}

impl Web {
    /// Game `id`'s transcript, read off the async workers.
    async fn transcript(&self, id: &str) -> Result<Transcript, ServiceError> {
        let game = number(id, "a game id", "bad_id")?;
        let s = self.service.clone();
        crate::service::blocking(move || of_game(&s, game)).await
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
    let t = w.transcript(&id).await?;
    let (body, kind) =
        if bin { (t.to_bin(), "application/octet-stream") } else { (t.to_json(), "application/json") };
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(r)
}

/// Claims, games, and games per claim the front page shows at most (the
/// first claims by id, the latest games).
const FRONT_ROWS: usize = 200;

async fn front(State(w): Shared) -> Result<Html<String>, ServiceError> {
    let s = w.service.clone();
    // A page, not the whole history: the lists under `/v1` page through it.
    // Memory first, then the archive (a claim that ends in between is in both).
    let (mut claims, mut games, entries) = s.read(|c| {
        let st = &c.rules.state;
        let claims: BTreeMap<B32, ClaimRow> =
            st.claims.iter().take(FRONT_ROWS).map(|(id, cl)| (*id, claim_row(id, cl))).collect();
        let games: BTreeMap<u64, GameRow> =
            st.games.iter().rev().take(FRONT_ROWS).map(|(id, g)| (*id, game_row(*id, g))).collect();
        (claims, games, c.head().next)
    });
    let archived = crate::service::blocking({
        let s = s.clone();
        move || {
            let claims = archive::claims(s.db(), None, None, FRONT_ROWS).map_err(ServiceError::storage)?;
            let games = archive::latest_games(s.db(), FRONT_ROWS).map_err(ServiceError::storage)?;
            Ok((claims, games))
        }
    })
    .await?;
    claims.extend(archived.0.iter().map(|(id, cl)| (*id, claim_row(id, cl))));
    games.extend(archived.1.iter().map(|(id, g)| (*id, game_row(*id, g))));
    let claims: Vec<ClaimRow> = claims.into_values().take(FRONT_ROWS).collect();
    let mut games: Vec<GameRow> = games.into_values().rev().take(FRONT_ROWS).collect();
    games.reverse();
    Ok(Html(html::index(&s.arbiter(), entries, &claims, &games)))
}

fn claim_row(id: &B32, cl: &Claim) -> ClaimRow {
    ClaimRow {
        id: *id,
        solver: cl.solver,
        status: cl.status,
        max_steps: cl.body.max_steps,
        bond: cl.body.bond,
        games: cl.games.values().copied().take(FRONT_ROWS).collect(),
    }
}

fn game_row(id: u64, g: &Game) -> GameRow {
    let dispute = if g.status == GameStatus::Open {
        let layer = g.layer();
        let at = |i: u64| layer.step_at(i as usize).unwrap_or(0);
        span_text(&refute_traces::timeline::Span {
            depth: g.depth,
            stride: g.stride,
            from: at(g.a),
            to: at(g.b),
        })
    } else {
        "—".into()
    };
    GameRow { id, claim: g.claim, status: g.status, challenger: g.sides[1].key, dispute }
}

/// A game's page; its errors are pages too, since a browser shows them.
async fn game_page(State(w): Shared, id: Result<Path<String>, PathRejection>) -> Response {
    let id = id.map(|Path(id)| id).map_err(|e| path_error(&e));
    let title = id.as_ref().map_or_else(|_| "game".to_string(), |id| format!("game {id}"));
    let page = match id {
        Ok(id) => match w.transcript(&id).await {
            // Checking replays the game's proofs: off the async workers too.
            Ok(t) => crate::service::blocking(move || Ok(html::game(&refute_traces::check(&t, None)))).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match page {
        Ok(page) => Html(page).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Html(html::error(&title, &e.public_message()))).into_response()
        }
    }
}

/// Claim `id` (hex) and its output files, checked against its final state
/// (`Ok(None)`: it names none; `Err` inside: why they cannot be shown).
async fn claim_and_files(
    w: &Web,
    id: &str,
) -> Result<(B32, Claim, Result<Option<refute_engine::fs::Fs>, String>), ServiceError> {
    let id =
        refute_protocol::rules::from_hex(id).and_then(|b| <[u8; 32]>::try_from(b).ok()).map(B32).ok_or_else(
            || ServiceError::bad_request("bad_id", format!("{id:?} is not a claim id (64 hex digits)")),
        )?;
    let s = w.service.clone();
    crate::service::blocking(move || {
        let claim = s
            .claim(&id)?
            .ok_or_else(|| ServiceError::not_found("unknown_claim", format!("no claim {id}")))?;
        let files = match &claim.body.outputs {
            None => Ok(None),
            Some(h) => match s.db().get_blob(&h.0).map_err(ServiceError::storage)? {
                None => Err(format!("the output files blob {h} is no longer stored (blobs expire)")),
                Some(blob) => {
                    refute_traces::outputs::checked_fs(&refute_protocol::rules::Blob(blob), &claim.body)
                        .map(Some)
                }
            },
        };
        Ok((id, claim, files))
    })
    .await
}

/// A claim's page: what it says and its output files.
async fn claim_page(State(w): Shared, id: Result<Path<String>, PathRejection>) -> Response {
    let page = match id.map_err(|e| path_error(&e)) {
        Ok(Path(id)) => claim_and_files(&w, &id).await.map(|(id, claim, files)| {
            let files = files.map(|fs| fs.map(|fs| output_rows(&fs)).unwrap_or_default());
            html::claim(&id, &claim, files)
        }),
        Err(e) => Err(e),
    };
    match page {
        Ok(page) => Html(page).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Html(html::error("claim", &e.public_message()))).into_response()
        }
    }
}

/// The rows of the output files table.
fn output_rows(fs: &refute_engine::fs::Fs) -> Vec<refute_traces::timeline::OutputFile> {
    use sha2::{Digest, Sha256};
    refute_engine::outputs::list_files(fs)
        .into_iter()
        .map(|(path, b)| refute_traces::timeline::OutputFile {
            size: b.len() as u64,
            sha256: Sha256::digest(&b).iter().map(|x| format!("{x:02x}")).collect(),
            path,
        })
        .collect()
}

/// One output file of a claim, as bytes (`application/octet-stream`).
async fn claim_file(State(w): Shared, p: Result<Path<(String, String)>, PathRejection>) -> Response {
    let file = async {
        let Path((id, path)) = p.map_err(|e| path_error(&e))?;
        let (id, _, files) = claim_and_files(&w, &id).await?;
        let fs = files.map_err(|why| ServiceError::not_found("no_files", why))?.ok_or_else(|| {
            ServiceError::not_found("no_files", format!("claim {id} names no output files"))
        })?;
        let want = format!("/{}", path.trim_start_matches('/'));
        refute_engine::outputs::list_files(&fs)
            .into_iter()
            .find(|(p, _)| format!("/{}", p.trim_start_matches('/')) == want)
            .map(|(_, bytes)| bytes)
            .ok_or_else(|| {
                ServiceError::not_found("no_file", format!("claim {id} has no output file {want}"))
            })
    };
    // An error is the API's JSON error: the file is data, not a page.
    match file.await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        Err(e) => e.into_response(),
    }
}
