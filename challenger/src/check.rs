//! Checking a claim (`specs/bots.md`, "Checking a claim"): the engine's run
//! (the bot's trace, [`crate::player::build`]), and for `--check output` the
//! fast path first (wasmi runs the program and the output is compared).

use refute_engine::Status;
use refute_engine::state::decode_status;
use refute_protocol::inputs::ClaimInputs;
use refute_protocol::rules::Claim;

use crate::oracle;

/// How thoroughly a challenger checks claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckMode {
    /// For claims off the bot's committee, wasmi's output and exit status
    /// only: a cheap sample. wasmi's agreement only makes a claim
    /// plausible: the bot then neither attests nor challenges it. The
    /// engine (the trace) runs when wasmi differs or cannot decide, and on
    /// the committee.
    Output,
    /// The engine runs every claim checked, once: its trace (checkpoints,
    /// the posted layer's roots) is built while checking, and the claim's
    /// final root compared: catches every lie, and a wrong claim is
    /// challenged from the same run.
    Full,
}

/// What checking found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The engine computes the claim's final state.
    Right {
        /// How it was decided.
        how: &'static str,
    },
    /// wasmi gives the claimed output (`--check output`, not on the
    /// committee): not verified, so neither attested nor challenged.
    Plausible {
        /// How it was decided.
        how: &'static str,
    },
    /// The fast path disagrees with the claim's output, or the engine's
    /// final root differs from the claim's: build the trace and compare roots.
    Suspect {
        /// What differs.
        why: String,
    },
}

/// The fast path: the claimed output and exit status against wasmi's,
/// given the claim's module and input blobs. `Undecided` (with the reason)
/// when it cannot decide: not a WASI command, a claim cut at its step limit,
/// a run longer than the fuel, or input wasmi refuses.
pub fn fast_path(inputs: &ClaimInputs, claim: &Claim) -> FastPath {
    let undecided = |why: &str| FastPath::Undecided(why.to_string());
    let b = &claim.body;
    let Some(header) =
        b.final_header.0.as_slice().try_into().ok().and_then(refute_engine::state::Header::decode)
    else {
        return undecided("the claimed final header does not decode");
    };
    let Some(claimed) = decode_status(header.status) else {
        return undecided("the claimed status is unknown");
    };
    if b.entry != "_start" || !b.entry_args.is_empty() {
        return undecided("not a WASI command");
    }
    if claimed == Status::Running {
        return undecided("the claim is cut at its step limit");
    }
    let task = inputs.task(b.max_steps);
    // wasmi's fuel is about one unit per instruction; the engine counts one
    // step per instruction plus host micro-steps.
    let out = match oracle::run(&inputs.module, &task, None, Some(b.max_steps.saturating_mul(2))) {
        Ok(out) => out,
        Err(e) => return FastPath::Undecided(format!("wasmi cannot run it: {e:#}")),
    };
    if out.status == Status::OutOfSteps {
        return undecided("wasmi ran out of fuel");
    }
    if out.status != claimed {
        return FastPath::Differs(format!("wasmi: it ends {:?}, the claim says {:?}", out.status, claimed));
    }
    if out.stdout != b.stdout.0 {
        return FastPath::Differs(format!(
            "wasmi: it prints {} bytes ({:?}), the claim says {} bytes ({:?})",
            out.stdout.len(),
            preview(&out.stdout),
            b.stdout.0.len(),
            preview(&b.stdout.0)
        ));
    }
    FastPath::Same
}

/// What the fast path found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FastPath {
    /// wasmi gives the claimed status and output.
    Same,
    /// wasmi gives another status or output: why.
    Differs(String),
    /// The fast path cannot decide: why.
    Undecided(String),
}

/// The first line of some output, shortened, for messages.
pub fn preview(out: &[u8]) -> String {
    let s = String::from_utf8_lossy(out);
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > 40 {
        format!("{}…", line.chars().take(40).collect::<String>())
    } else {
        line.to_string()
    }
}
