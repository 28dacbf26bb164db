//! `refute trace show` and `refute trace verify` (`specs/transcript.md`).

use anyhow::{Context, Result, anyhow};
use refute_traces::{Transcript, text};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Reads a transcript file in either form; `Err` is bad input.
pub fn read(path: &Path) -> Result<Transcript, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Transcript::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Fetches game `game`'s transcript (binary form) from the arbiter at `base`
/// (`http://HOST:PORT`), with a plain HTTP/1.0 GET.
pub fn fetch(base: &str, game: u64) -> Result<Vec<u8>> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("--arbiter must be an http:// address, got {base:?}"))?;
    let (host, prefix) = match rest.split_once('/') {
        Some((h, p)) => (h, p.trim_end_matches('/').to_string()),
        None => (rest, String::new()),
    };
    let path = if prefix.is_empty() { String::new() } else { format!("/{prefix}") };
    let mut s =
        TcpStream::connect(host).with_context(|| format!("cannot connect to the arbiter at {host}"))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        s,
        "GET {path}/v1/games/{game}/transcript?format=bin HTTP/1.0\r\nHost: {host}\r\n\
         Accept: application/octet-stream\r\nConnection: close\r\n\r\n"
    )?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).context("reading the arbiter's answer")?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("the arbiter's answer has no body"))?;
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    let body = resp[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(anyhow!("the arbiter answers {status}: {}", String::from_utf8_lossy(&body)));
    }
    Ok(body)
}

/// `refute trace show`: the timeline, as text or JSON. Shows a transcript
/// that does not check up to the point that fails, and says so.
pub fn show(t: &Transcript, json: bool) -> Result<ExitCode> {
    let tl = refute_traces::check(t, None);
    if json {
        println!("{}", serde_json::to_string_pretty(&tl)?);
    } else {
        print!("{}", text::render(&tl));
    }
    Ok(ExitCode::SUCCESS)
}

/// `refute trace verify`: exit 0 only if everything checks and the verdict follows.
pub fn verify(t: &Transcript, module: Option<&[u8]>, json: bool) -> Result<ExitCode> {
    let tl = refute_traces::check(t, module);
    if json {
        let out = serde_json::json!({
            "verified": tl.verified(),
            "game": tl.game,
            "claim": tl.claim,
            "arbiter": tl.arbiter,
            "verdict": tl.verdict,
            "losers": tl.losers,
            "checked": tl.checked,
            "failure": tl.failure,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for c in &tl.checked {
            println!("checked: {c}");
        }
    }
    match &tl.failure {
        None => {
            if !json {
                println!("transcript verified: game {} on claim {}", tl.game, tl.claim);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(f) => {
            eprintln!("refute: the transcript does not check: {f}");
            Ok(ExitCode::FAILURE)
        }
    }
}
