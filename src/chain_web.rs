//! `refute chain web`: the claims and games of a referee on a chain as web
//! pages on 127.0.0.1, as the arbiter serves its own (`specs/chain.md` §6):
//! `GET /` lists the claims and games read from the referee, `GET /games/N`
//! is game N's timeline built from the chain's events and transactions and
//! checked as it is built (`refute_chain::timeline`), rendered by
//! `refute_traces::html`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use refute::{errln, outln};
use refute_chain::client::Chain;
use refute_chain::referee::{self, IReferee};
use refute_protocol::rules::{B32, ClaimStatus};
use refute_traces::html::{self, ClaimRow, GameRow};

/// Serves the pages of the referee `t` on `127.0.0.1:port` until Ctrl-C or SIGTERM.
pub fn serve(t: &(String, String), port: u16) -> Result<ExitCode> {
    // Checked once here; each page connects again (a `Chain` is one
    // thread's JSON-RPC client).
    Chain::connect(&t.0, &t.1).with_context(|| format!("cannot reach the referee {} at {}", t.1, t.0))?;
    let target = Arc::new(t.clone());
    let app = Router::new().route("/", get(front)).route("/games/{id}", get(game)).with_state(target);
    crate::bots_cmd::runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
        let addr = listener.local_addr()?;
        outln!("web http://{addr}")?;
        errln!("refute: the referee's claims and games at http://{addr}/ (Ctrl-C stops)");
        let stop = async {
            let _ = tokio::task::spawn_blocking(crate::chain_cmd::wait_for_stop).await;
        };
        axum::serve(listener, app).with_graceful_shutdown(stop).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// A page that could not be made: the chain's answer, as text.
fn failed(status: StatusCode, why: String) -> Response {
    (status, why).into_response()
}

type Target = State<Arc<(String, String)>>;

fn connect(t: &(String, String)) -> Result<Chain> {
    Ok(Chain::connect(&t.0, &t.1)?)
}

async fn front(State(t): Target) -> Response {
    match tokio::task::spawn_blocking(move || index(&connect(&t)?)).await {
        Ok(Ok(page)) => Html(page).into_response(),
        Ok(Err(e)) => failed(StatusCode::BAD_GATEWAY, format!("the node did not answer: {e:#}\n")),
        Err(e) => failed(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    }
}

async fn game(State(t): Target, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return failed(StatusCode::BAD_REQUEST, format!("{id:?} is not a game number\n"));
    };
    let made = tokio::task::spawn_blocking(move || -> Result<_> {
        let chain = connect(&t)?;
        let games = chain.view(IReferee::nextGameCall {})?;
        if id >= games {
            return Ok(None);
        }
        Ok(Some(refute_chain::timeline::of_game(&chain, id)?))
    })
    .await;
    match made {
        Ok(Ok(Some(tl))) => Html(html::game(&tl)).into_response(),
        Ok(Ok(None)) => failed(StatusCode::NOT_FOUND, format!("no game {id} on this referee\n")),
        Ok(Err(e)) => failed(StatusCode::BAD_GATEWAY, format!("game {id}: {e:#}\n")),
        Err(e) => failed(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    }
}

/// The front page, read from the referee: every claim (from its
/// `ClaimPosted` event) and every game.
fn index(chain: &Chain) -> Result<String> {
    let (head, _) = chain.head()?;
    let games = chain.view(IReferee::nextGameCall {})?;
    let mut game_rows = Vec::new();
    let mut of_claim: std::collections::BTreeMap<B32, Vec<u64>> = Default::default();
    for id in 0..games {
        let g = chain.view(IReferee::getGameCall { id })?;
        let rg = referee::rules_game(&g);
        let layer = rg.layer();
        let (a, b) = (layer.step_at(rg.a as usize).unwrap_or(0), layer.step_at(rg.b as usize).unwrap_or(0));
        let claim = B32(g.claim.0);
        of_claim.entry(claim).or_default().push(id);
        game_rows.push(GameRow {
            id,
            claim,
            status: rg.status,
            challenger: referee::address_key(&g.sides[1].key),
            dispute: format!("steps {a}..{b}"),
        });
    }
    let mut claim_rows = Vec::new();
    for e in chain.events(0, head)? {
        if let IReferee::IRefereeEvents::ClaimPosted(p) = e.event {
            let c = chain.view(IReferee::getClaimCall { id: p.claim })?;
            let id = B32(p.claim.0);
            claim_rows.push(ClaimRow {
                id,
                solver: referee::address_key(&c.solver),
                status: match c.status {
                    referee::CLAIM_FINAL => ClaimStatus::Final,
                    referee::CLAIM_REJECTED => ClaimStatus::Rejected,
                    _ => ClaimStatus::Open,
                },
                max_steps: c.maxSteps,
                bond: u64::try_from(c.bond).unwrap_or(u64::MAX),
                games: of_claim.remove(&id).unwrap_or_default(),
            });
        }
    }
    Ok(html::chain_index(&chain.referee.to_string(), chain.url(), &claim_rows, &game_rows))
}
