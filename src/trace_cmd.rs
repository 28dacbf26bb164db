//! `refute trace show` and `refute trace verify` (`specs/transcript.md`).

use anyhow::{Context, Result};
use refute::{errln, out, outln};
use refute_traces::{Transcript, text};
use std::path::Path;
use std::process::ExitCode;

/// Reads a transcript file in either form; `Err` is bad input.
pub fn read(path: &Path) -> Result<Transcript> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Transcript::from_bytes(&bytes).with_context(|| path.display().to_string())
}

/// `refute trace show`: the timeline, as text or JSON. Shows a transcript
/// that does not check up to the point that fails, and says so. With
/// `save_dir`, saves the claim's output files there, if the transcript
/// carries them and they check.
pub fn show(t: &Transcript, save_dir: Option<&Path>, json: bool, html: Option<&Path>) -> Result<ExitCode> {
    let tl = refute_traces::check(t, None);
    if let Some(dir) = save_dir {
        save_outputs(t, &tl, dir)?;
    }
    write_html(&tl, html)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&tl)?)?;
    } else {
        out!("{}", text::render(&tl))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the game's page to `file`, if given.
pub fn write_html(tl: &refute_traces::Timeline, file: Option<&Path>) -> Result<()> {
    if let Some(f) = file {
        std::fs::write(f, refute_traces::html::game(tl))
            .with_context(|| format!("cannot write {}", f.display()))?;
        errln!("wrote the game's page to {}", f.display());
    }
    Ok(())
}

/// Saves the output files `t` carries under `dir` (errors are the user's:
/// a transcript without them, or files that do not check).
fn save_outputs(t: &Transcript, tl: &refute_traces::Timeline, dir: &Path) -> Result<()> {
    let body = refute_traces::build::claim_body(&t.entries, &t.claim)
        .ok_or_else(|| crate::bad("the transcript holds no claim"))?;
    let blob = t.outputs.as_ref().ok_or_else(|| {
        crate::bad(match body.outputs {
            Some(h) => format!(
                "the transcript does not carry the claim's output files ({h}, over {} bytes, or not at hand when it was made); `refute claims --files {} --save-dir DIR` fetches them from the arbiter",
                refute_traces::format::MAX_OUTPUT_FILES_BYTES,
                tl.claim
            ),
            None => "the claim names no output files (its task preopened no directory)".into(),
        })
    })?;
    let fs = refute_traces::outputs::checked_fs(blob, &body).map_err(crate::bad)?;
    let out = refute::dirs::save_fs(dir, &fs)?;
    errln!("saved {} output files of claim {} under {}", out.written.len(), tl.claim, dir.display());
    Ok(())
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
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        for c in &tl.checked {
            outln!("checked: {c}")?;
        }
    }
    match &tl.failure {
        None => {
            if !json {
                outln!("transcript verified: game {} on claim {}", tl.game, tl.claim)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(f) => {
            errln!("refute: the transcript does not check: {f}");
            Ok(ExitCode::FAILURE)
        }
    }
}
