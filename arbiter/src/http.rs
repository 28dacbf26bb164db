//! The HTTP API (`specs/api.md`): JSON in and out, errors as
//! `{"code", "message"}` with a stable code, a server-sent event stream of
//! committed log entries, and `/openapi.json`.

use crate::extract::{ApiPath, ApiQuery, Upload, b32, json_error, number};
use crate::lists;
use crate::service::{Service, ServiceError, blocking};
use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use refute_protocol::record::Record;
use refute_protocol::rules::Signed;
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

/// Largest JSON body (a message): a claim carries up to 64 KiB of stdout, a
/// reveal up to 2,047 roots and a multiproof, a step proof, all hex. A
/// message must also fit a log entry (`service::MAX_LOGGED_MESSAGE`).
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// Largest blob upload (`Content-Length`).
pub const MAX_BLOB_BYTES: usize = crate::db::MAX_BLOB;
/// Most log entries one `/v1/log` request returns.
pub const MAX_LOG_PAGE: u64 = 1000;

/// The one conversion of an error into a response: its status and the JSON
/// body `{"code", "message"}`. The cause of a storage failure or a bug is
/// logged, never sent.
impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        if self.is_internal() {
            tracing::error!("answering 500: {self}");
        }
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = Json(json!({ "code": self.code(), "message": self.public_message() }));
        match self.retry_after() {
            Some(s) => (status, [(axum::http::header::RETRY_AFTER, s.to_string())], body).into_response(),
            None => (status, body).into_response(),
        }
    }
}

type Shared = State<Arc<Service>>;

/// The arbiter's whole router: the API (every route under `/v1` except
/// `/openapi.json`) and the transcript routes and pages ([`crate::web`]).
/// An unknown path is `not_found` (404) and a known path with another method
/// `method_not_allowed` (405, with `Allow`), both as JSON errors.
pub fn app(service: Arc<Service>) -> Router {
    api(service.clone())
        .merge(crate::web::routes(service))
        .fallback(|| async { ServiceError::not_found("not_found", "no such route; see /openapi.json") })
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            ServiceError::MethodNotAllowed(format!("{method} is not allowed here; see /openapi.json"))
        })
}

/// The API's routes alone.
fn api(service: Arc<Service>) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/v1/status", get(status))
        .route("/v1/params", get(params))
        .route("/v1/blobs", post(put_blob))
        .route("/v1/blobs/{hash}", get(get_blob))
        .route("/v1/messages", post(post_message).layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES)))
        .route("/v1/accounts/{key}", get(account))
        .route("/v1/claims", get(lists::claims))
        .route("/v1/claims/{id}", get(lists::claim))
        .route("/v1/games", get(lists::games))
        .route("/v1/games/{id}", get(lists::game))
        .route("/v1/jobs", get(lists::jobs))
        .route("/v1/jobs/{id}", get(lists::job))
        .route("/v1/log", get(log))
        .route("/v1/events", get(events))
        .with_state(service)
}

async fn openapi() -> Response {
    let mut r = OPENAPI.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The counts are of what memory holds: claims and games still being
/// played (ended ones are in the archive, `specs/api.md` §5).
async fn status(State(s): Shared) -> Json<Value> {
    let (head, claims, games, accounts) = s.read(|c| {
        let st = &c.rules.state;
        (c.head(), st.claims.len(), st.games.len(), st.accounts.len())
    });
    Json(json!({
        "arbiter": s.arbiter(),
        "genesis": s.genesis(),
        "log": head,
        "claims": claims,
        "games": games,
        "accounts": accounts,
    }))
}

async fn params(State(s): Shared) -> Json<Value> {
    Json(s.read(|c| serde_json::to_value(&c.rules.params).expect("params serialise")))
}

/// `POST /v1/blobs`: the statement is checked and charged before the body
/// is read; the body is then read as it arrives, hashed and stored off the
/// async workers ([`crate::service::Incoming`]).
async fn put_blob(
    State(s): Shared,
    peer: Peer,
    Upload(up): Upload,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ServiceError> {
    let ip = peer.map(|axum::Extension(axum::extract::ConnectInfo(addr))| addr.ip());
    s.admit_upload(&up, ip)?;
    let mut incoming = s.receive(up);
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk
            .map_err(|e| ServiceError::bad_request("bad_body", format!("the body could not be read: {e}")))?;
        incoming.push(&chunk).await?;
    }
    let hash = incoming.finish().await?;
    Ok((StatusCode::CREATED, Json(json!({ "hash": hash, "bytes": up.len }))))
}

async fn get_blob(State(s): Shared, ApiPath(h): ApiPath<String>) -> Result<Vec<u8>, ServiceError> {
    let h = b32(&h, "a blob hash")?;
    blocking(move || {
        s.db()
            .get_blob(&h.0)
            .map_err(ServiceError::storage)?
            .ok_or_else(|| ServiceError::not_found("unknown_blob", format!("no blob {h}")))
    })
    .await
}

async fn post_message(
    State(s): Shared,
    peer: Peer,
    body: Result<Json<Signed>, JsonRejection>,
) -> Result<Json<Value>, ServiceError> {
    let Json(msg) = body.map_err(|e| json_error(&e))?;
    let ip = peer.map(|axum::Extension(axum::extract::ConnectInfo(addr))| addr.ip());
    let a = s.submit_from(msg, ip).await?;
    Ok(Json(serde_json::to_value(a).expect("outcomes serialise")))
}

async fn account(State(s): Shared, ApiPath(k): ApiPath<String>) -> Result<Json<Value>, ServiceError> {
    let k = b32(&k, "an account key")?;
    Ok(Json(s.read(|c| serde_json::to_value(c.rules.state.account(&k)).expect("accounts serialise"))))
}

/// Most payload bytes one `/v1/log` page carries (at least one entry).
pub const MAX_LOG_PAGE_BYTES: usize = 8 << 20;

/// The page of `/v1/log`, as written (decimal digits, checked by [`number`]).
#[derive(Deserialize)]
struct LogQuery {
    /// The first entry's index (default 0).
    from: Option<String>,
    /// Most entries (default 100, at most [`MAX_LOG_PAGE`]).
    limit: Option<String>,
}

fn entry_json(e: &refute_protocol::log::Entry) -> Value {
    let record = Record::of(e).ok();
    json!({
        "entry": e,
        "record": record,
    })
}

async fn log(State(s): Shared, ApiQuery(q): ApiQuery<LogQuery>) -> Result<Json<Value>, ServiceError> {
    let from = q.from.as_deref().map(|f| number(f, "from", "bad_query")).transpose()?.unwrap_or(0);
    let limit = q.limit.as_deref().map(|l| number(l, "limit", "bad_query")).transpose()?.unwrap_or(100);
    let out = blocking(move || {
        let (mut out, mut bytes) = (Vec::new(), 0);
        for e in s.db().log_entries(from).take(limit.min(MAX_LOG_PAGE) as usize) {
            let e = e.map_err(ServiceError::storage)?;
            bytes += e.payload.len();
            if bytes > MAX_LOG_PAGE_BYTES && !out.is_empty() {
                break;
            }
            out.push(entry_json(&e));
        }
        Ok(out)
    })
    .await?;
    Ok(Json(Value::Array(out)))
}

async fn events(
    State(s): Shared,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<SseEvent, Infallible>>>, ServiceError> {
    let (rx, guard) = s.subscribe()?;
    let stream = BroadcastStream::new(rx).map(move |c| {
        let _alive = &guard;
        Ok(match c {
            Ok(c) => {
                let data = c.json(|e| serde_json::to_string(&entry_json(e)).expect("entries serialise"));
                SseEvent::default().event("entry").id(c.entry.index.to_string()).data(data)
            }
            // A slow subscriber is told what it missed rather than left to
            // guess: it resumes from the log (`GET /v1/log?from=`).
            Err(BroadcastStreamRecvError::Lagged(n)) => {
                SseEvent::default().event("lagged").data(json!({ "missed": n }).to_string())
            }
        })
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The sender's address, when the server knows it (not in in-process tests).
type Peer = Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>;

/// How often the ticker deletes expired blobs.
const BLOB_SWEEP: std::time::Duration = std::time::Duration::from_secs(30);

/// The OpenAPI document (kept true by `arbiter/tests/api.rs`, which checks
/// that every route of [`app`] is in it and every path in it is routed).
pub const OPENAPI: &str = include_str!("openapi.json");

/// Serves `service` on `listener` until `shutdown` resolves, advancing time
/// every `tick_every` meanwhile; then finishes the queued requests.
pub async fn serve(
    service: Arc<Service>,
    listener: tokio::net::TcpListener,
    tick_every: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app(service.clone());
    let ticker = {
        let s = service.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(tick_every);
            let mut sweep = std::time::Instant::now();
            loop {
                every.tick().await;
                match s.tick().await {
                    Ok(a) if a.index.is_some() => {
                        tracing::info!(entry = a.index, events = a.ticked.len(), "time passed")
                    }
                    Ok(_) => {}
                    Err(ServiceError::Stopped) => {
                        tracing::error!("ticker stops: the arbiter has stopped");
                        return;
                    }
                    // A rolled-back batch or a full queue: the next tick tries again.
                    Err(e) => tracing::warn!("a tick was not taken: {e}"),
                }
                if sweep.elapsed() >= BLOB_SWEEP {
                    sweep = std::time::Instant::now();
                    let s = s.clone();
                    match tokio::task::spawn_blocking(move || s.collect_blobs(1000)).await {
                        Ok(Ok(0)) => {}
                        Ok(Ok(n)) => tracing::info!("deleted {n} blobs that no claim refers to"),
                        Ok(Err(e)) => tracing::warn!("blob collection: {e}"),
                        Err(e) => tracing::warn!("blob collection: {e}"),
                    }
                }
            }
        })
    };
    let r = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    ticker.abort();
    tokio::task::spawn_blocking(move || service.shutdown()).await.ok();
    r
}
