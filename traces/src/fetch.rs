//! Fetching a transcript from a running arbiter over plain HTTP/1.0 (std
//! only): for `refute trace show --game ID` and for bots that keep a copy
//! of their games.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use thiserror::Error;

/// Why a transcript could not be fetched.
#[derive(Debug, Error)]
pub enum FetchError {
    /// The address is not `http://…`.
    #[error("the arbiter's address must be http://…, got {0:?}")]
    Address(String),
    /// The connection failed.
    #[error("the arbiter at {host}: {source}")]
    Io {
        /// The host.
        host: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Not an HTTP response.
    #[error("the arbiter at {0} sent no HTTP response")]
    NotHttp(String),
    /// The arbiter refused (status and body).
    #[error("the arbiter answers {status}: {body}")]
    Refused {
        /// The HTTP status.
        status: String,
        /// Its error body.
        body: String,
    },
}

/// The binary form of game `game`'s transcript from the arbiter at `base`
/// (`http://HOST:PORT`, optionally with a path prefix). `Err` says why not.
pub fn fetch(base: &str, game: u64) -> Result<Vec<u8>, FetchError> {
    let rest = base.strip_prefix("http://").ok_or_else(|| FetchError::Address(base.to_string()))?;
    let (host, prefix) = match rest.split_once('/') {
        Some((h, p)) => (h, p.trim_end_matches('/')),
        None => (rest, ""),
    };
    let path = if prefix.is_empty() { String::new() } else { format!("/{prefix}") };
    let io = |source: std::io::Error| FetchError::Io { host: host.to_string(), source };
    let mut s = TcpStream::connect(host).map_err(io)?;
    s.set_read_timeout(Some(Duration::from_secs(60))).map_err(io)?;
    s.set_write_timeout(Some(Duration::from_secs(60))).map_err(io)?;
    let request = format!(
        "GET {path}/v1/games/{game}/transcript?format=bin HTTP/1.0\r\nHost: {host}\r\n\
         Accept: application/octet-stream\r\nConnection: close\r\n\r\n"
    );
    s.write_all(request.as_bytes()).map_err(io)?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).map_err(io)?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| FetchError::NotHttp(host.to_string()))?;
    let head = String::from_utf8_lossy(&resp[..split]);
    let body = resp[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(FetchError::Refused {
            status: status.to_string(),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    Ok(body)
}
