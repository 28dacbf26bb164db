//! What posting a claim ([`crate::post`], `refute post`) and posting a job
//! (`refute job post`) share: the blobs that name the computation, each made
//! and hashed once and uploaded before the message naming them is signed;
//! the refusal of a sum the balance does not cover; and the message's id,
//! which the nonce decides only as it is signed.

use ed25519_dalek::SigningKey;
use refute_protocol::inputs::ClaimInputs;
use refute_protocol::rules::{B32, Blob, ClaimBody, Message, claim_id};
use serde_json::Value;

use crate::client::{Client, ClientError};
use crate::player::{SendError, Signer};

/// The blobs of a computation (module, args, env, stdin, directories) and
/// their hashes, which a claim's or a job's body names.
#[derive(Debug)]
pub struct Blobs {
    /// The module's hash.
    pub module: B32,
    /// The arguments' hash.
    pub args: B32,
    /// The environment's hash.
    pub env: B32,
    /// Stdin's hash.
    pub stdin: B32,
    /// The preopened directories' hash, if the task has any.
    pub dirs: Option<B32>,
    /// Each blob with its hash, in upload order.
    bytes: Vec<(Vec<u8>, B32)>,
}

impl Blobs {
    /// The blobs `inputs` name, by SHA-256.
    pub fn new(inputs: &ClaimInputs) -> Blobs {
        Blobs::with_ids(inputs, |b| B32::sha256(&[b]))
    }

    /// The blobs `inputs` name, by the ids `id` gives them (a chain names a
    /// large blob by its chunks: `refute_chain::client::blob_id`).
    pub fn with_ids(inputs: &ClaimInputs, id: impl Fn(&[u8]) -> B32) -> Blobs {
        let blobs = [inputs.module.clone(), inputs.args_blob(), inputs.env_blob(), inputs.stdin.clone()];
        let [module, args, env, stdin] = blobs.each_ref().map(|b| id(b));
        let dirs_blob = inputs.dirs_blob();
        let dirs = dirs_blob.as_ref().map(|d| id(d));
        let bytes = blobs.into_iter().zip([module, args, env, stdin]).chain(dirs_blob.zip(dirs)).collect();
        Blobs { module, args, env, stdin, dirs, bytes }
    }

    /// A claim of `inputs` for `max_steps` steps naming these blobs, with a
    /// bond of `bond`, its results (roots, header, stdout) still empty: the
    /// run fills them in. What `refute post` sends to an arbiter and to a chain.
    pub fn claim_template(&self, inputs: &ClaimInputs, max_steps: u64, bond: u64) -> ClaimBody {
        ClaimBody {
            module: self.module,
            args: self.args,
            env: self.env,
            stdin: self.stdin,
            entry: inputs.entry.clone(),
            entry_args: inputs.entry_args.clone(),
            max_steps,
            initial_root: B32([0; 32]),
            final_root: B32([0; 32]),
            final_header: Blob(vec![]),
            stdout: Blob(vec![]),
            history_root: B32([0; 32]),
            bond,
            job: None,
            dirs: self.dirs,
            outputs: None,
        }
    }

    /// Each blob with its hash, in upload order.
    pub fn each(&self) -> impl Iterator<Item = (&[u8], B32)> {
        self.bytes.iter().map(|(b, h)| (b.as_slice(), *h))
    }

    /// Uploads every blob, signed by `key`. `refused` words a failed upload
    /// for the caller: a claim and a job explain it differently.
    pub async fn upload(
        self,
        client: &Client,
        key: &SigningKey,
        refused: impl Fn(ClientError) -> anyhow::Error,
    ) -> anyhow::Result<()> {
        for (blob, hash) in self.bytes {
            let stored = client.put_blob(key, blob).await.map_err(&refused)?;
            anyhow::ensure!(stored == hash, "the arbiter named an uploaded blob by another hash");
        }
        Ok(())
    }
}

/// Why `pk`, holding `balance`, cannot escrow `amount` as its `what` (a
/// bond, a reward), if it cannot. Checked before any upload or work: the
/// arbiter would refuse the message only after them.
pub fn short_of(pk: &B32, balance: u64, amount: u64, what: &str) -> Option<String> {
    (balance < amount).then(|| {
        format!(
            "the balance of {pk} is {balance}, less than the {what} {amount}; fund it first (`refute account --mint N` on a local arbiter)"
        )
    })
}

/// Signs and sends `m`, which opens a claim or a job, and returns its id
/// (`claim_id`) with the arbiter's answer. `before(id)` runs before it is
/// sent, to record what depends on the id.
pub async fn send_new(
    signer: &Signer,
    client: &Client,
    m: Message,
    before: impl FnOnce(B32) -> anyhow::Result<()>,
) -> Result<(B32, Value), SendError> {
    let mut id = B32([0; 32]);
    let answer = signer
        .send_with(client, m, |nonce| {
            id = claim_id(&signer.pk(), nonce);
            before(id)
        })
        .await?;
    Ok((id, answer))
}
