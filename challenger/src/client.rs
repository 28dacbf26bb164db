//! An arbiter client over HTTP (`specs/api.md`): typed reads, blob
//! uploads, signed messages, and the event stream as a wake-up signal.

use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use refute_protocol::rules::{
    Account, B32, BlobUpload, Claim, Game, Job, JobStatus, Params, Signed, UPLOAD_MAX_AHEAD_MS,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Notify;

/// Why a request to the arbiter failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer: the arbiter is down, unreachable or too slow. A message
    /// sent may or may not have been accepted.
    #[error("cannot reach the arbiter at {url}: {reason}")]
    Unreachable {
        /// What was asked.
        url: String,
        /// Why.
        reason: String,
    },
    /// The arbiter answered with an error (`specs/api.md` §4).
    #[error("the arbiter refused {what}: {code} ({status}): {message}")]
    Refused {
        /// What was asked.
        what: String,
        /// HTTP status.
        status: u16,
        /// The stable error code.
        code: String,
        /// What was wrong.
        message: String,
    },
    /// The answer is not what the API documents.
    #[error("unexpected answer from {url}: {reason}")]
    Unexpected {
        /// What was asked.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
}

impl ClientError {
    /// The arbiter's error code, if it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// One line of `GET /v1/claims`.
#[derive(Clone, Debug, Deserialize)]
pub struct ClaimSummary {
    /// The claim's id.
    pub id: B32,
    /// Who posted it.
    pub solver: B32,
    /// `open`, `final` or `rejected`.
    pub status: refute_protocol::rules::ClaimStatus,
    /// Its step limit.
    pub max_steps: u64,
    /// Its bond.
    pub bond: u64,
    /// When its challenge window closes (arbiter milliseconds).
    pub window_ends: u64,
    /// Its games, by challenger.
    pub games: std::collections::BTreeMap<B32, u64>,
}

/// One line of `GET /v1/games`.
#[derive(Clone, Debug, Deserialize)]
pub struct GameSummary {
    /// The game's id.
    pub id: u64,
    /// The claim it disputes.
    pub claim: B32,
    /// Its status.
    pub status: refute_protocol::rules::GameStatus,
    /// The solver's key.
    pub solver: B32,
    /// The challenger's key.
    pub challenger: B32,
    /// Each side's bond.
    pub bond: u64,
    /// Whether each side (solver, challenger) owes a move.
    #[serde(default)]
    pub owes: [bool; 2],
    /// The point each side would move at ([`refute_protocol::rules::Game::point`]).
    #[serde(default)]
    pub points: Option<[B32; 2]>,
}

/// One line of `GET /v1/jobs`.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct JobSummary {
    /// The job's id.
    pub id: B32,
    /// Who asked for it.
    pub requester: B32,
    /// `assigned`, `claimed`, `done` or `failed`.
    pub status: JobStatus,
    /// The reward it escrows.
    pub reward: u64,
    /// Its step limit.
    pub max_steps: u64,
    /// The solver drawn last.
    pub solver: Option<B32>,
    /// Draws so far.
    pub attempts: u32,
    /// When the drawn solver's claim is due (arbiter milliseconds).
    pub deadline: u64,
    /// The claim answering it, once posted.
    pub claim: Option<B32>,
}

/// A client of one arbiter.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: reqwest::Client,
}

/// How long one request may take before the arbiter counts as unreachable.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Client {
    /// A client of the arbiter at `base` (`http://127.0.0.1:7878`).
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("an HTTP client without TLS builds");
        Client { base: base.trim_end_matches('/').to_string(), http }
    }

    /// The arbiter's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The body of a successful answer; an error status is `Refused` with
    /// the arbiter's `{code, message}`.
    async fn body(
        &self,
        what: &str,
        url: &str,
        r: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<Vec<u8>, ClientError> {
        let unreachable =
            |e: reqwest::Error| ClientError::Unreachable { url: url.to_string(), reason: e.to_string() };
        let r = r.map_err(unreachable)?;
        let status = r.status().as_u16();
        let body = r.bytes().await.map_err(unreachable)?.to_vec();
        if status >= 400 {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            return Err(ClientError::Refused {
                what: what.to_string(),
                status,
                code: v["code"].as_str().unwrap_or("unknown").to_string(),
                message: v["message"]
                    .as_str()
                    .map_or_else(|| String::from_utf8_lossy(&body).into_owned(), String::from),
            });
        }
        Ok(body)
    }

    async fn answer<T: DeserializeOwned>(
        &self,
        what: &str,
        url: &str,
        r: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, ClientError> {
        let body = self.body(what, url, r).await?;
        serde_json::from_slice(&body)
            .map_err(|e| ClientError::Unexpected { url: url.to_string(), reason: e.to_string() })
    }

    /// `GET path` as raw bytes.
    async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}{path}", self.base);
        let r = self.http.get(&url).timeout(REQUEST_TIMEOUT).send().await;
        self.body(&format!("GET {path}"), &url, r).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        let r = self.http.get(&url).timeout(REQUEST_TIMEOUT).send().await;
        self.answer(&format!("GET {path}"), &url, r).await
    }

    /// `GET /v1/status`.
    pub async fn status(&self) -> Result<Value, ClientError> {
        self.get("/v1/status").await
    }

    /// The `genesis` of `GET /v1/status`: the genesis hash of the arbiter's
    /// log, which every message to it must be signed for (`specs/protocol.md` §3.1).
    pub async fn genesis(&self) -> Result<B32, ClientError> {
        #[derive(Deserialize)]
        struct Status {
            genesis: B32,
        }
        let s: Status = self.get("/v1/status").await?;
        Ok(s.genesis)
    }

    /// `GET /v1/params`.
    pub async fn params(&self) -> Result<Params, ClientError> {
        self.get("/v1/params").await
    }

    /// `GET /v1/accounts/{key}`.
    pub async fn account(&self, key: &B32) -> Result<Account, ClientError> {
        self.get(&format!("/v1/accounts/{key}")).await
    }

    /// `GET /v1/claims`, every page.
    pub async fn claims(&self) -> Result<Vec<ClaimSummary>, ClientError> {
        self.pages("/v1/claims?", |c: &ClaimSummary| c.id.to_string()).await
    }

    /// Every page of the list at `path` (which ends in `?` or `&`): the next
    /// page starts after the last id of the previous one (`specs/api.md` §3).
    async fn pages<T: DeserializeOwned>(
        &self,
        path: &str,
        id: impl Fn(&T) -> String,
    ) -> Result<Vec<T>, ClientError> {
        let mut all: Vec<T> = self.get(path).await?;
        let mut last = all.len();
        while last > 0 {
            let after = id(all.last().expect("not empty"));
            let page: Vec<T> = self.get(&format!("{path}after={after}")).await?;
            last = page.len();
            all.extend(page);
        }
        Ok(all)
    }

    /// `GET /v1/claims/{id}`.
    pub async fn claim(&self, id: &B32) -> Result<Claim, ClientError> {
        self.get(&format!("/v1/claims/{id}")).await
    }

    /// `GET /v1/games`.
    pub async fn games(&self) -> Result<Vec<GameSummary>, ClientError> {
        self.pages("/v1/games?", |g: &GameSummary| g.id.to_string()).await
    }

    /// `GET /v1/games?player=KEY`: the games with `key` as a side, all of
    /// them (a bot's history grows without bound: a bot asks this once per start).
    pub async fn games_of(&self, key: &B32) -> Result<Vec<GameSummary>, ClientError> {
        self.pages(&format!("/v1/games?player={key}&"), |g: &GameSummary| g.id.to_string()).await
    }

    /// `GET /v1/games?player=KEY&status=open`: the open games with `key` as a side.
    pub async fn open_games_of(&self, key: &B32) -> Result<Vec<GameSummary>, ClientError> {
        self.pages(&format!("/v1/games?player={key}&status=open&"), |g: &GameSummary| g.id.to_string()).await
    }

    /// `GET /v1/claims?status=open`.
    pub async fn open_claims(&self) -> Result<Vec<ClaimSummary>, ClientError> {
        self.pages("/v1/claims?status=open&", |c: &ClaimSummary| c.id.to_string()).await
    }

    /// `GET /v1/games/{id}`.
    pub async fn game(&self, id: u64) -> Result<Game, ClientError> {
        self.get(&format!("/v1/games/{id}")).await
    }

    /// `GET /v1/jobs/{id}`.
    pub async fn job(&self, id: &B32) -> Result<Job, ClientError> {
        self.get(&format!("/v1/jobs/{id}")).await
    }

    /// `GET /v1/jobs`, every page, with the query `filter` (`status=open&`, …, ending in `&`, or empty).
    pub async fn jobs(&self, filter: &str) -> Result<Vec<JobSummary>, ClientError> {
        self.pages(&format!("/v1/jobs?{filter}"), |j: &JobSummary| j.id.to_string()).await
    }

    /// The jobs drawn to `key` that wait for its claim.
    pub async fn jobs_drawn(&self, key: &B32) -> Result<Vec<B32>, ClientError> {
        let open = self.jobs(&format!("status=open&solver={key}&")).await?;
        Ok(open
            .into_iter()
            .filter(|j| j.status == JobStatus::Assigned && j.solver == Some(*key))
            .map(|j| j.id)
            .collect())
    }

    /// `GET /v1/blobs/{hash}`, checked against its hash.
    pub async fn blob(&self, hash: &B32) -> Result<Vec<u8>, ClientError> {
        let body = self.get_bytes(&format!("/v1/blobs/{hash}")).await?;
        if B32::sha256(&[&body]) != *hash {
            let url = format!("{}/v1/blobs/{hash}", self.base);
            return Err(ClientError::Unexpected { url, reason: "the blob does not hash to its name".into() });
        }
        Ok(body)
    }

    /// `GET /v1/games/{id}/transcript?format=bin`: the game's transcript
    /// (`specs/transcript.md`), in its binary form.
    pub async fn transcript(&self, id: u64) -> Result<Vec<u8>, ClientError> {
        self.get_bytes(&format!("/v1/games/{id}/transcript?format=bin")).await
    }

    /// `POST /v1/blobs`: uploads `bytes` as `key`, which must be funded
    /// (`specs/api.md` §2), returning their hash. The upload is signed for
    /// the arbiter's genesis (asked each time, so an arbiter started afresh
    /// at the same address is not sent a statement for the old one) and
    /// expires half the longest allowed time from now, which leaves room
    /// for the two clocks to differ either way.
    pub async fn put_blob(&self, key: &SigningKey, bytes: Vec<u8>) -> Result<B32, ClientError> {
        #[derive(Deserialize)]
        struct Put {
            hash: B32,
        }
        let genesis = self.genesis().await?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let statement = BlobUpload::sign(&genesis, key, &bytes, now + UPLOAD_MAX_AHEAD_MS / 2);
        let url = format!("{}/v1/blobs", self.base);
        let mut req = self.http.post(&url).timeout(REQUEST_TIMEOUT);
        for (name, value) in statement.headers() {
            req = req.header(name, value);
        }
        let r = req.header("content-type", "application/octet-stream").body(bytes).send().await;
        let p: Put = self.answer("POST /v1/blobs", &url, r).await?;
        Ok(p.hash)
    }

    /// `POST /v1/messages`: answers once the message is durable.
    pub async fn submit(&self, msg: &Signed) -> Result<Value, ClientError> {
        let url = format!("{}/v1/messages", self.base);
        let body = serde_json::to_vec(msg).expect("messages serialise");
        let r = self
            .http
            .post(&url)
            .timeout(REQUEST_TIMEOUT)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        self.answer(&format!("a {} message", kind(&msg.body)), &url, r).await
    }

    /// Follows `GET /v1/events` for ever, waking `wake` at every entry the
    /// arbiter logs; reconnects (after a second) when the stream breaks.
    /// Events are only hints: the bots read the state itself after waking.
    pub async fn follow(&self, wake: Arc<Notify>) {
        let url = format!("{}/v1/events", self.base);
        loop {
            match self.http.get(&url).send().await {
                Ok(mut r) if r.status().is_success() => {
                    tracing::debug!("following the arbiter's events");
                    wake.notify_one();
                    while let Ok(Some(chunk)) = r.chunk().await {
                        if chunk.windows(6).any(|w| w == b"event:") || chunk.starts_with(b"data:") {
                            wake.notify_one();
                        }
                    }
                }
                Ok(r) => tracing::debug!(status = r.status().as_u16(), "the event stream was refused"),
                Err(e) => tracing::debug!("the event stream is down: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// The message's kind, for logs and errors.
pub fn kind(m: &refute_protocol::rules::Message) -> &'static str {
    use refute_protocol::rules::Message as M;
    match m {
        M::Mint { .. } => "mint",
        M::Register { .. } => "register",
        M::Unregister => "unregister",
        M::Claim(_) => "claim",
        M::Challenge { .. } => "challenge",
        M::Attest { .. } => "attest",
        M::Disclose { .. } => "disclose",
        M::JobPost(_) => "job_post",
        M::JobDecline { .. } => "job_decline",
        M::Reveal { .. } => "reveal",
        M::Step { .. } => "step",
    }
}
