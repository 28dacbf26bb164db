//! A claim's output files in a transcript (`specs/transcript.md` §2): the
//! blob the claim names by hash, checked against the claim's final header
//! (`refute_engine::outputs`), so the files shown or saved are the files of
//! the state the game defends, whoever made the transcript.

use refute_engine::fs::Fs;
use refute_engine::outputs::{check_fs, decode_fs, list_files};
use refute_engine::state::{HEADER_BYTES, Header};
use refute_protocol::rules::{B32, Blob, ClaimBody};
use sha2::{Digest, Sha256};

use crate::timeline::OutputFile;

/// Decodes `blob` and checks it against `body`'s output hash and final header.
pub fn checked_fs(blob: &Blob, body: &ClaimBody) -> Result<Fs, String> {
    let Some(want) = &body.outputs else {
        return Err("the transcript carries output files, but the claim names none".into());
    };
    let got = B32(Sha256::digest(&blob.0).into());
    if got != *want {
        return Err(format!("the transcript's output files blob is {got}; the claim names {want}"));
    }
    let header = <&[u8; HEADER_BYTES]>::try_from(body.final_header.0.as_slice())
        .ok()
        .and_then(Header::decode)
        .ok_or("the claim's final header does not decode")?;
    let fs = decode_fs(&blob.0).map_err(|e| format!("the output files: {e}"))?;
    check_fs(&header, &fs).map_err(|e| format!("the output files: {e}"))?;
    Ok(fs)
}

/// The output files of a transcript, checked: `None` when it carries none,
/// else the files and what was checked, in words.
pub fn check(blob: Option<&Blob>, body: &ClaimBody) -> Result<Option<(Vec<OutputFile>, String)>, String> {
    let Some(blob) = blob else { return Ok(None) };
    let fs = checked_fs(blob, body)?;
    let files: Vec<OutputFile> = list_files(&fs)
        .into_iter()
        .map(|(path, bytes)| OutputFile {
            path,
            size: bytes.len() as u64,
            sha256: Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect(),
        })
        .collect();
    let said = format!("the {} output files it carries are the claim's final files", files.len());
    Ok(Some((files, said)))
}
