//! Claim-time work (`specs/api.md` §4, "Load"): the note of a claim or a
//! job (its blobs loaded, its module instantiated, its initial root
//! hashed, the lottery's VRF proof), computed in a bounded pool of
//! blocking workers, and the budget that makes a sender pay for the work
//! its refused claims cost (`FAILED_NOTE_BYTES_PER_SECOND`).

use super::{Buckets, Service, ServiceError, clock_ms};
use refute_protocol::inputs::{ClaimInputs, initial_root};
use refute_protocol::rules::{B32, Message, ServiceNote, Verified, lottery_prove};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Claim notes (instantiating and hashing a module) computed at once.
pub const NOTE_WORKERS: usize = 2;
/// Claims waiting for a note worker at most; beyond it a claim is answered
/// `busy` (503 with `Retry-After`).
pub const NOTE_QUEUE: usize = 64;
/// Blob bytes per second the refused claims and jobs of one account may
/// make the arbiter read and load: a note that fails (a module that does
/// not load, output files that do not check) or a claim the rules refuse
/// after its note is charged the bytes of every blob its note read. Past
/// the budget the account's claims and jobs are answered `rate_limited`
/// before any blob is read, until it refills (security review finding 5e,
/// applied to claim-time work: a refused claim costs its sender nothing else).
pub const FAILED_NOTE_BYTES_PER_SECOND: f64 = 4.0 * 1024.0 * 1024.0;

impl Service {
    /// `rate_limited` if `who`'s refused claims have cost more than their
    /// budget ([`FAILED_NOTE_BYTES_PER_SECOND`], in bursts of twice the
    /// largest module); looks only, charges nothing.
    pub(super) fn failed_notes_left(&self, who: &B32) -> Result<(), ServiceError> {
        let burst = self.failed_note_burst();
        let mut b = self.notes.failed.lock().unwrap_or_else(|p| p.into_inner());
        let level = b.level(*who, FAILED_NOTE_BYTES_PER_SECOND, burst);
        if level >= 1.0 {
            return Ok(());
        }
        let wait = (1.0 - level) / FAILED_NOTE_BYTES_PER_SECOND;
        Err(ServiceError::RateLimited(format!(
            "account {who}'s refused claims made the arbiter load more than {} MiB of blobs per second; \
             wait {wait:.0} s before claiming again",
            FAILED_NOTE_BYTES_PER_SECOND / 1048576.0
        )))
    }

    /// Charges `bytes` of claim-time work to `who`'s budget of refused claims.
    pub(super) fn charge_failed_note(&self, who: &B32, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let burst = self.failed_note_burst();
        let mut b = self.notes.failed.lock().unwrap_or_else(|p| p.into_inner());
        b.charge(*who, FAILED_NOTE_BYTES_PER_SECOND, burst, bytes as f64);
    }

    /// Twice the largest module and inputs a claim may name: an honest
    /// account whose claim is refused once (a bond it no longer holds, a
    /// claim that raced another) may claim again at once.
    fn failed_note_burst(&self) -> f64 {
        let p = self.read(|c| (c.rules.params.max_module_bytes, c.rules.params.max_input_bytes));
        (2.0 * (p.0 as f64 + 4.0 * p.1 as f64)).max(2.0 * FAILED_NOTE_BYTES_PER_SECOND)
    }

    /// The note of claim or job `msg`, computed by one of [`NOTE_WORKERS`] blocking
    /// workers, and the blob bytes it read; refused at once if the same
    /// message is already being noted or [`NOTE_QUEUE`] claims are waiting.
    /// A note that fails is charged to its signer ([`Service::charge_failed_note`]).
    pub(super) async fn noted(self: &Arc<Self>, msg: &Verified) -> Result<(ServiceNote, u64), ServiceError> {
        let _flight = self.notes.enter((msg.signer, msg.nonce))?;
        let _permit = self.notes.permit().await?;
        let this = self.clone();
        let m = msg.clone();
        let (note, read) = tokio::task::spawn_blocking(move || {
            let mut read = 0;
            (this.note(&m, &mut read), read)
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        match note {
            Ok(note) => Ok((note, read)),
            Err(e) => {
                self.charge_failed_note(&msg.signer, read);
                Err(e)
            }
        }
    }

    /// The service's note for a claim or a job: the initial root of its
    /// task, and the arbiter's VRF proof on its id that seeds its lottery
    /// (a claim's committee, a job's solvers). Adds to `read` the bytes of
    /// each blob it reads, as it reads it.
    fn note(&self, msg: &Verified, read: &mut u64) -> Result<ServiceNote, ServiceError> {
        let c = Task::of(&msg.body).expect("claims and jobs only");
        let p = self.read(|core| core.rules.params.clone());
        let mut blob = |h: &B32, what: &str, max: u64| -> Result<Vec<u8>, ServiceError> {
            let unknown =
                || ServiceError::not_found("unknown_blob", format!("no {what} blob {h} has been uploaded"));
            // The size from its record first: an oversized blob costs no read.
            let len = self.db.blob_len(&h.0).map_err(ServiceError::storage)?.ok_or_else(unknown)?;
            if len > max {
                return Err(ServiceError::TooLarge {
                    code: "blob_too_large",
                    message: format!("the {what} blob is {len} bytes; the limit is {max}"),
                });
            }
            let bytes = self.db.get_blob(&h.0).map_err(ServiceError::storage)?.ok_or_else(unknown)?;
            *read += bytes.len() as u64;
            Ok(bytes)
        };
        let (module, args, env, stdin, dirs) = {
            // A blob this claim names gets a new time-to-live, so it cannot
            // expire between this note and the claim's acceptance.
            let _gc = self.blob_gc.lock().unwrap_or_else(|p| p.into_inner());
            for h in c.blobs() {
                self.db.refresh_blob(&h.0, clock_ms()).map_err(ServiceError::storage)?;
            }
            (
                blob(c.module, "module", p.max_module_bytes)?,
                blob(c.args, "arguments", p.max_input_bytes)?,
                blob(c.env, "environment", p.max_input_bytes)?,
                blob(c.stdin, "stdin", p.max_input_bytes)?,
                c.dirs.map(|d| blob(d, "directories", p.max_input_bytes)).transpose()?,
            )
        };
        if let Message::Claim(claim) = &msg.body
            && let Some(h) = &claim.outputs
        {
            // Before the claim's task: a claim whose output files do not
            // check costs only this.
            let fs = blob(h, "output files", p.max_input_bytes)?;
            check_outputs(&claim.final_header.0, &fs).map_err(ServiceError::WrongOutputs)?;
        }
        let run = ClaimInputs::from_blobs(module, &args, &env, stdin, c.entry, c.entry_args)
            .and_then(|inputs| match &dirs {
                Some(d) => inputs.with_dirs(d),
                None => Ok(inputs),
            })
            .and_then(|inputs| inputs.to_run(c.max_steps.max(1)))?;
        Ok(ServiceNote {
            initial_root: B32(initial_root(&run)),
            vrf: lottery_prove(self.key.signing_key(), &msg.claim_id()),
        })
    }
}

/// Checks a claim's output files blob (`refute_engine::outputs`) against
/// its final header: the file system of the final state, exactly.
fn check_outputs(final_header: &[u8], fs: &[u8]) -> Result<(), String> {
    let header = <&[u8; refute_engine::state::HEADER_BYTES]>::try_from(final_header)
        .ok()
        .and_then(refute_engine::state::Header::decode)
        .ok_or("the final header does not decode")?;
    let fs = refute_engine::outputs::decode_fs(fs).map_err(|e| e.to_string())?;
    refute_engine::outputs::check_fs(&header, &fs).map_err(|e| e.to_string())
}

/// The task a claim or a job names: what its note is computed from.
pub(crate) struct Task<'a> {
    pub module: &'a B32,
    pub args: &'a B32,
    pub env: &'a B32,
    pub stdin: &'a B32,
    pub entry: &'a str,
    pub entry_args: &'a [u64],
    pub max_steps: u64,
    pub dirs: Option<&'a B32>,
}

impl<'a> Task<'a> {
    /// The task of a `Claim` or a `JobPost`; `None` for any other message.
    pub fn of(m: &'a Message) -> Option<Task<'a>> {
        Some(match m {
            Message::Claim(c) => Task {
                module: &c.module,
                args: &c.args,
                env: &c.env,
                stdin: &c.stdin,
                entry: &c.entry,
                entry_args: &c.entry_args,
                max_steps: c.max_steps,
                dirs: c.dirs.as_ref(),
            },
            Message::JobPost(j) => Task {
                module: &j.module,
                args: &j.args,
                env: &j.env,
                stdin: &j.stdin,
                entry: &j.entry,
                entry_args: &j.entry_args,
                max_steps: j.max_steps,
                dirs: j.dirs.as_ref(),
            },
            _ => return None,
        })
    }

    /// Its blobs: module, arguments, environment, stdin, and the
    /// directories if it has them.
    pub fn blobs(&self) -> Vec<&'a B32> {
        [self.module, self.args, self.env, self.stdin].into_iter().chain(self.dirs).collect()
    }
}

/// The bounded pool of claim-time work (`specs/api.md`, "Load").
pub(super) struct NotePool {
    /// Each account's budget of claim-time work on refused claims.
    failed: Mutex<Buckets<B32>>,
    permits: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    in_flight: Mutex<HashSet<(B32, u64)>>,
}

impl Default for NotePool {
    fn default() -> NotePool {
        NotePool {
            failed: Mutex::new(Buckets::default()),
            permits: tokio::sync::Semaphore::new(NOTE_WORKERS),
            waiting: AtomicUsize::new(0),
            in_flight: Mutex::new(HashSet::new()),
        }
    }
}

/// A message being noted; leaves the in-flight set when dropped.
struct InFlight<'a>(&'a NotePool, (B32, u64));

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.1);
    }
}

impl NotePool {
    /// Marks `(signer, nonce)` as being noted, or refuses a duplicate.
    fn enter(&self, id: (B32, u64)) -> Result<InFlight<'_>, ServiceError> {
        if !self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).insert(id) {
            return Err(ServiceError::InFlight(format!(
                "a claim of {} with nonce {} is already being processed",
                id.0, id.1
            )));
        }
        Ok(InFlight(self, id))
    }

    /// Waits for a worker, unless too many claims wait already.
    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ServiceError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= NOTE_QUEUE {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ServiceError::Busy(format!(
                "{NOTE_QUEUE} claims wait for their initial root; retry shortly"
            )));
        }
        let permit = self.permits.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit.map_err(|_| ServiceError::Stopped)
    }
}
