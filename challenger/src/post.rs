//! Posting a claim (`refute post`): run the task in the engine, build the
//! trace, upload the module and input, and post the result, the
//! commitment and the bond.

use refute_arbiter::rules::play::history_root;
use refute_arbiter::rules::{B32, Blob, ClaimBody, Message, claim_id};
use refute_arbiter::service::task::{initial_root, list_blob, prepare};

use crate::lie::{Lie, Story};
use crate::player::{Inputs, Player, build, task_id};
use crate::store::Posted;

/// What to post.
#[derive(Clone, Debug)]
pub struct Request {
    /// The module's bytes.
    pub module: Vec<u8>,
    /// Arguments, `argv[0]` first.
    pub args: Vec<String>,
    /// `NAME=value` entries.
    pub env: Vec<String>,
    /// Stdin.
    pub stdin: Vec<u8>,
    /// The export to call (`_start`: a WASI command).
    pub entry: String,
    /// Its arguments, as slots.
    pub entry_args: Vec<u64>,
    /// The step limit `T`.
    pub max_steps: u64,
    /// The bond.
    pub bond: u64,
    /// TEST ONLY: the lie the claim tells.
    pub lie: Option<Lie>,
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
pub async fn post(player: &Player, req: Request) -> Result<Posting, String> {
    let p = player;
    let account = p.client.account(&p.pk()).await.map_err(|e| e.to_string())?;
    if account.balance < req.bond {
        return Err(format!(
            "the balance of {} is {}, less than the bond {}; fund it first (`refute account --mint N` on a local arbiter)",
            p.pk(),
            account.balance,
            req.bond
        ));
    }
    if req.bond < p.params.min_claim_bond {
        return Err(format!(
            "the bond {} is below the arbiter's minimum {}",
            req.bond, p.params.min_claim_bond
        ));
    }
    if req.max_steps > p.params.max_steps {
        return Err(format!(
            "--max-steps {} is above the arbiter's limit {}",
            req.max_steps, p.params.max_steps
        ));
    }
    let inputs = Inputs {
        module: req.module.clone(),
        args: list_blob(&req.args),
        env: list_blob(&req.env),
        stdin: req.stdin.clone(),
    };
    // Refuse a task that does not start before building anything.
    let run = prepare(
        &inputs.module,
        &inputs.args,
        &inputs.env,
        &inputs.stdin,
        &req.entry,
        &req.entry_args,
        req.max_steps,
    )?;
    let initial = B32(initial_root(&run));
    drop(run);

    let upload = |b: Vec<u8>| async move { p.client.put_blob(b).await.map_err(|e| e.to_string()) };
    let mut body = ClaimBody {
        module: upload(inputs.module.clone()).await?,
        args: upload(inputs.args.clone()).await?,
        env: upload(inputs.env.clone()).await?,
        stdin: upload(inputs.stdin.clone()).await?,
        entry: req.entry.clone(),
        entry_args: req.entry_args.clone(),
        max_steps: req.max_steps,
        initial_root: initial,
        final_root: B32([0; 32]),
        final_header: Blob(vec![]),
        stdout: Blob(vec![]),
        history_root: B32([0; 32]),
        bond: req.bond,
    };
    tracing::info!("running the task in the engine and building its trace");
    let b = body.clone();
    let real =
        tokio::task::spawn_blocking(move || build(&inputs, &b, None)).await.map_err(|e| e.to_string())??;
    p.traces.insert(task_id(&body), real.clone());
    let (played, posted) =
        (Story::new(real.clone(), req.lie, false), Story::new(real.clone(), req.lie, true));
    if played.stdout().len() as u64 > p.params.max_stdout {
        return Err(format!(
            "the program prints {} bytes, more than a claim may carry ({})",
            played.stdout().len(),
            p.params.max_stdout
        ));
    }
    body.final_root = played.final_root();
    body.final_header = Blob(played.final_header().encode().to_vec());
    body.stdout = Blob(played.stdout().to_vec());
    let (t, leaves) = (req.max_steps, p.params.max_leaves);
    tracing::info!("committing to the states of the run");
    body.history_root = tokio::task::spawn_blocking(move || history_root(&posted, t, leaves))
        .await
        .map_err(|e| e.to_string())?;
    let mut id = B32([0; 32]);
    let lie = req.lie;
    p.signer
        .send_with(&p.client, Message::Claim(Box::new(body.clone())), |nonce| {
            id = claim_id(&p.pk(), nonce);
            p.store.post(&id, &Posted { lie }).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("the claim was not taken: {e}"))?;
    Ok(Posting { id, body, steps: real.halt() })
}
