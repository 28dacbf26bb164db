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
/// that does not check up to the point that fails, and says so.
pub fn show(t: &Transcript, json: bool) -> Result<ExitCode> {
    let tl = refute_traces::check(t, None);
    if json {
        outln!("{}", serde_json::to_string_pretty(&tl)?)?;
    } else {
        out!("{}", text::render(&tl))?;
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
