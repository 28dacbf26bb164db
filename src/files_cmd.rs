//! `refute claims --files CLAIM`: a claim's output files, fetched from the
//! arbiter and checked against the claim's final header before they are
//! shown or saved (`specs/host.md`, "Output files"), so they are the files
//! of the state the game defends, whoever served them.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use refute::dirs::save_fs;
use refute::outln;
use refute_challenger::client::Client;
use refute_engine::outputs::{check_fs, decode_fs, list_files};
use refute_engine::state::{HEADER_BYTES, Header};
use refute_protocol::rules::{B32, from_hex};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::bad;

/// Prints (or saves under `save_dir`) the output files of claim `id`.
pub async fn show(client: &Client, id: &str, save_dir: Option<&Path>, as_json: bool) -> Result<ExitCode> {
    let id = from_hex(id)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(B32)
        .ok_or_else(|| bad(format!("{id:?} is not a claim id (64 hex digits)")))?;
    let claim = client.claim(&id).await.with_context(|| format!("cannot read claim {id}"))?;
    let Some(outputs) = claim.body.outputs else {
        return Err(bad(format!("claim {id} names no output files (its task preopened no directory)")));
    };
    let blob =
        client.blob(&outputs).await.with_context(|| format!("cannot fetch the output files {outputs}"))?;
    let header = <&[u8; HEADER_BYTES]>::try_from(claim.body.final_header.0.as_slice())
        .ok()
        .and_then(Header::decode)
        .ok_or_else(|| bad("the claim's final header does not decode"))?;
    let fs = decode_fs(&blob)?;
    check_fs(&header, &fs).context("the arbiter served files that are not the claim's")?;
    if let Some(dir) = save_dir {
        let out = save_fs(dir, &fs)?;
        outln!("saved {} files of claim {id} under {}", out.written.len(), dir.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<_> = list_files(&fs)
        .iter()
        .map(|(path, b)| {
            (path.clone(), b.len(), Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect::<String>())
        })
        .collect();
    if as_json {
        let v: Vec<_> = rows.iter().map(|(p, n, h)| json!({"path": p, "size": n, "sha256": h})).collect();
        outln!("{}", serde_json::to_string_pretty(&json!({"claim": id.to_string(), "files": v}))?)?;
    } else {
        outln!("output files of claim {id} (checked against its final state):")?;
        for (p, n, h) in &rows {
            outln!("{n:>10}  {h}  {p}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
