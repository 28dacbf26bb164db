//! Posting a claim (`refute post`, and a solver's answer to a job): run the
//! task in the engine, build the trace, upload the module and input (a job's
//! are uploaded already), and post the result, the commitment and the bond.

use crate::play::history_root;
use anyhow::Context;
use refute_protocol::inputs::{ClaimInputs, initial_root};
use refute_protocol::rules::{B32, Blob, ClaimBody, Message};

use crate::lie::{Lie, Story};
use crate::player::{Player, build, task_id};
use crate::posting::{Blobs, send_new, short_of};
use crate::store::Posted;

/// What to post.
#[derive(Clone, Debug)]
pub struct Request {
    /// What the claim runs.
    pub inputs: ClaimInputs,
    /// The step limit `T`.
    pub max_steps: u64,
    /// The bond.
    pub bond: u64,
    /// TEST ONLY: the lie the claim tells.
    pub lie: Option<Lie>,
    /// The job the claim answers (its blobs are on the arbiter already, so
    /// they are not uploaded again).
    pub job: Option<B32>,
}

/// A posted claim.
#[derive(Clone, Debug)]
pub struct Posting {
    /// Its id.
    pub id: B32,
    /// What it says.
    pub body: ClaimBody,
    /// The steps the run took (the true count).
    pub steps: u64,
}

/// Posts `req` as `player`. The trace stays in the player's cache for the
/// games that may follow.
pub async fn post(player: &Player, req: Request) -> anyhow::Result<Posting> {
    let p = player;
    let balance = p.client.account(&p.pk()).await?.balance;
    if let Some(why) = short_of(&p.pk(), balance, req.bond, "bond") {
        anyhow::bail!(why);
    }
    let inputs = req.inputs;
    // The blobs the claim names, each made once: hashed here, uploaded below.
    let blobs = Blobs::new(&inputs);
    let mut body = blobs.claim_template(&inputs, req.max_steps, req.bond);
    body.job = req.job;
    // The rules' own checks of the terms (bond, step limit, entry), before any work.
    body.check_terms(&p.params)?;
    // Refuse a task that does not start before building anything.
    let run = inputs.to_run(req.max_steps)?;
    body.initial_root = B32(initial_root(&run));
    drop(run);
    // A job's blobs were uploaded by its requester, and are kept for it.
    if req.job.is_none() {
        blobs
            .upload(&p.client, p.signer.key(), |e| match e.code() {
                Some("unfunded") => anyhow::anyhow!(
                    "{e}\nthe key {} may not upload: fund it first (`refute account --mint N` on a local \
                     arbiter), or use a funded key",
                    p.pk()
                ),
                _ => anyhow::Error::from(e).context("the claim's inputs were not uploaded"),
            })
            .await?;
    }
    tracing::info!("running the task in the engine and building its trace");
    let (b, leaves) = (body.clone(), p.params.max_leaves);
    let real = tokio::task::spawn_blocking(move || build(&inputs, &b, None, leaves)).await??;
    p.traces.insert(task_id(&body), real.clone());
    let (played, posted) =
        (Story::new(real.clone(), req.lie, false), Story::new(real.clone(), req.lie, true));
    body.final_root = played.final_root();
    body.final_header = Blob(played.final_header().encode().to_vec());
    body.stdout = Blob(played.stdout().to_vec());
    // The output files, if the task has directories: named by hash when they
    // are the files of the header posted (a lie about the final state names
    // none, as its files would not check), and uploaded before the claim.
    let outputs = real.outputs().filter(|blob| {
        refute_engine::outputs::decode_fs(blob)
            .is_ok_and(|fs| refute_engine::outputs::check_fs(played.final_header(), &fs).is_ok())
    });
    if let Some(blob) = outputs {
        let hash =
            p.client.put_blob(p.signer.key(), blob).await.context("the output files were not uploaded")?;
        body.outputs = Some(hash);
    }
    // The rules' checks of the result (its final header and stdout), before committing.
    body.check(&p.params)?;
    let (t, leaves) = (req.max_steps, p.params.max_leaves);
    tracing::info!("committing to the states of the run");
    body.history_root = tokio::task::spawn_blocking(move || history_root(&posted, t, leaves)).await?;
    let lie = req.lie;
    let (id, _) = send_new(&p.signer, &p.client, Message::Claim(Box::new(body.clone())), |id| {
        Ok(p.store.post(&id, &Posted { lie })?)
    })
    .await
    .context("the claim was not taken")?;
    Ok(Posting { id, body, steps: real.halt() })
}
