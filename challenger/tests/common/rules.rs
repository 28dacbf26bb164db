//! Shared fixtures for the rules tests: a real run of a tiny program, its
//! roots and proofs, keys, and a world that tracks nonces.
#![allow(dead_code, missing_docs)]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use refute_challenger::play::{Recorded, Trace, commit, history_root, posted_layer};
use refute_engine::proof::prove_step;
use refute_engine::state::{HEADER_BYTES, Hasher, Header};
use refute_engine::{Entry, Module, Run, Task, Value};
use refute_protocol::rules::{
    B32, Blob, ClaimBody, Event, Faucet, JobBody, Message, Params, RuleError, Rules, ServiceNote,
    attest_commitment, claim_id, lottery_prove,
};

/// A loop with arithmetic, a store and a branch; no host calls: the program
/// of the `small-*` example transcripts.
pub const PROGRAM: &str = include_str!("../../../traces/examples/small.wat");

/// The recorded honest run: roots, proofs and encoded headers at every step up to the halt.
pub struct Fixture {
    pub trace: Recorded,
    pub headers: Vec<Vec<u8>>,
    pub halt: u64,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let module = Module::new(&wat::parse_str(PROGRAM).unwrap()).unwrap();
        let task = Task { max_steps: 100_000, ..Task::default() };
        let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(20)])).unwrap();
        let m = &mut run.machine;
        let mut h = Hasher::new(m);
        let (mut roots, mut proofs, mut headers) = (Vec::new(), Vec::new(), Vec::new());
        loop {
            let header = h.header(m);
            roots.push(B32(header.root()));
            headers.push(header.encode().to_vec());
            proofs.push(prove_step(m, &mut h).unwrap().encode());
            if m.status() != refute_engine::Status::Running {
                break;
            }
            let next = m.steps() + 1;
            h.run(m, next);
        }
        let halt = roots.len() as u64 - 1;
        Fixture { trace: Recorded { roots, proofs }, headers, halt }
    })
}

/// A trace that agrees with `base` before step `from` and lies from there on;
/// at and after `end` it shows `end_root` if given.
#[derive(Clone)]
pub struct Liar {
    pub base: Recorded,
    pub from: u64,
    pub salt: u8,
    pub end: u64,
    pub end_root: Option<B32>,
}

impl Trace for Liar {
    fn root(&self, step: u64) -> B32 {
        match self.end_root {
            Some(r) if step >= self.end => r,
            _ if step >= self.from => B32::sha256(&[&[self.salt], &self.base.root(step).0]),
            _ => self.base.root(step),
        }
    }
    fn step_proof(&self, step: u64) -> Vec<u8> {
        self.base.step_proof(step)
    }
}

/// A liar over the fixture, lying from `from` on with `salt`.
pub fn liar(from: u64, salt: u8) -> Liar {
    Liar { base: fixture().trace.clone(), from, salt, end: u64::MAX, end_root: None }
}

pub fn key(i: u8) -> SigningKey {
    SigningKey::from_bytes(&[i; 32])
}

pub fn pubkey(i: u8) -> B32 {
    B32(key(i).verifying_key().to_bytes())
}

/// Key 0 is the arbiter.
pub const ARBITER: u8 = 0;

/// Small dissection parameters so a few-hundred-step run has several layers and rounds.
pub fn params() -> Params {
    let mut p = Params::local(pubkey(ARBITER));
    p.k = 4;
    p.max_leaves = 5;
    p.min_claim_bond = 100;
    p.min_challenge_bond = 100;
    p.min_register_stake = 10;
    p.faucet = Faucet::Open { max_per_request: 1_000_000 };
    p
}

/// Rules plus the nonce each key will use next.
#[derive(Clone)]
pub struct World {
    pub rules: Rules,
    pub nonces: [u64; 16],
}

impl World {
    pub fn new(p: Params) -> World {
        World { rules: Rules::new(p).unwrap(), nonces: [0; 16] }
    }

    /// Signs `msg` as key `who` with its next nonce and applies it (with a note for claims).
    pub fn send(&mut self, who: u8, msg: Message, now: u64) -> Result<Vec<Event>, RuleError> {
        let signed = msg.sign(&self.rules.genesis(), &key(who), self.nonces[who as usize]);
        let vrf = || lottery_prove(&key(ARBITER), &signed.claim_id());
        let note = match &signed.body {
            Message::Claim(c) => Some(ServiceNote { initial_root: c.initial_root, vrf: vrf() }),
            Message::JobPost(_) => Some(ServiceNote { initial_root: fixture().trace.root(0), vrf: vrf() }),
            _ => None,
        };
        let r = self.rules.apply_with(&signed, note.as_ref(), now);
        if r.is_ok() {
            self.nonces[who as usize] += 1;
        }
        r
    }

    /// The id the next claim of `who` will have.
    pub fn next_claim_id(&self, who: u8) -> B32 {
        claim_id(&pubkey(who), self.nonces[who as usize])
    }

    pub fn mint(&mut self, who: u8, amount: u64, now: u64) {
        self.send(who, Message::Mint { to: pubkey(who), amount }, now).unwrap();
    }

    /// Checks funds are conserved.
    pub fn check_conservation(&self) {
        let s = &self.rules.state;
        assert_eq!(s.accounted(), u128::from(s.minted), "funds not conserved");
    }
}

/// An honest claim of the fixture run padded to `t` steps (cut at its step
/// limit, still running, when `t` is below the halt).
pub fn honest_claim(t: u64, bond: u64) -> ClaimBody {
    let f = fixture();
    let header = f.headers[t.min(f.halt) as usize].clone();
    ClaimBody {
        module: B32::sha256(&[PROGRAM.as_bytes()]),
        args: B32::default(),
        env: B32::default(),
        stdin: B32::default(),
        entry: "main".into(),
        entry_args: vec![20],
        max_steps: t,
        initial_root: f.trace.root(0),
        final_root: f.trace.root(t),
        final_header: Blob(header),
        stdout: Blob(Vec::new()),
        history_root: history_root(&f.trace, t, params().max_leaves),
        bond,
        job: None,
        dirs: None,
        outputs: None,
    }
}

/// A job for the fixture's computation padded to `t` steps.
pub fn job(t: u64, reward: u64) -> JobBody {
    let c = honest_claim(t, 0);
    JobBody {
        module: c.module,
        args: c.args,
        env: c.env,
        stdin: c.stdin,
        entry: c.entry,
        entry_args: c.entry_args,
        max_steps: t,
        reward,
        dirs: None,
    }
}

/// The salt member `who` uses in these tests.
pub fn salt(who: u8) -> B32 {
    B32([who ^ 0x5a; 32])
}

/// Member `who`'s attestation of claim `claim` (of `t` steps) made from
/// `trace`: its commitment to its root at its audit leaf.
pub fn attest(w: &World, who: u8, claim: &B32, trace: &dyn Trace) -> Message {
    let (root, _) = opening(w, who, claim, trace);
    Message::Attest { claim: *claim, commitment: attest_commitment(claim, &pubkey(who), &salt(who), &root) }
}

/// Member `who`'s disclosure of its attestation of `claim`, from `trace`.
pub fn disclose(w: &World, who: u8, claim: &B32, trace: &dyn Trace) -> Message {
    let (root, proof) = opening(w, who, claim, trace);
    Message::Disclose { claim: *claim, salt: salt(who), root, proof: Blob(proof) }
}

/// `trace`'s root at member `who`'s audit leaf of `claim` and its opening.
pub fn opening(w: &World, who: u8, claim: &B32, trace: &dyn Trace) -> (B32, Vec<u8>) {
    let p = &w.rules.params;
    let c = w.rules.claim(claim).expect("claim");
    let t = c.body.max_steps;
    let layer = posted_layer(t, p.max_leaves);
    let leaf = c.audit_leaf(&pubkey(who), p.max_leaves);
    let root = trace.root(layer.step_at(leaf as usize).expect("leaf in layer"));
    let proof = commit(trace, layer).prove(&[leaf as usize]).expect("leaf in layer").to_bytes();
    (root, proof)
}

/// The header `bytes` with its status replaced.
pub fn with_status(bytes: &[u8], status: u64) -> Vec<u8> {
    let mut h = Header::decode(<&[u8; HEADER_BYTES]>::try_from(bytes).unwrap()).unwrap();
    h.status = status;
    h.encode().to_vec()
}

/// A false claim: the halted state with its status rewritten to `exited(7)`,
/// and a commitment that lies from step `from` on.
pub fn lying_claim(t: u64, from: u64, bond: u64) -> (ClaimBody, Liar) {
    let mut body = honest_claim(t, bond);
    let header = with_status(&body.final_header.0, 3 | 7 << 8);
    let fake = B32::sha256(&[&header[..refute_engine::state::HOT_BYTES]]);
    let liar = Liar { end: t, end_root: Some(fake), ..liar(from, 1) };
    body.final_header = Blob(header);
    body.final_root = fake;
    body.history_root = history_root(&liar, t, params().max_leaves);
    (body, liar)
}

/// A small deterministic generator (splitmix64) for the games' random choices.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A corrupted version of `m`, which the rules must refuse.
pub fn corrupt(m: &Message, rng: &mut Rng) -> Message {
    let mut m = m.clone();
    let flip = |b: &mut Vec<u8>, rng: &mut Rng| {
        if b.is_empty() {
            b.push(1);
        } else {
            let i = (rng.next() as usize) % b.len();
            b[i] ^= 1 + (rng.next() % 255) as u8;
        }
    };
    match &mut m {
        Message::Reveal { layer_root, roots, proof, .. } => match rng.next() % 4 {
            0 if !roots.is_empty() => roots[0].0[0] ^= 1,
            1 if layer_root.is_some() => *layer_root = Some(B32([7; 32])),
            2 => roots.push(B32([9; 32])),
            _ => flip(&mut proof.0, rng),
        },
        Message::Step { proof, .. } => match rng.next() % 3 {
            0 => flip(&mut proof.0, rng),
            1 => *proof = Blob(fixture().trace.proofs[0].clone()),
            _ => proof.0.truncate(proof.0.len() / 2),
        },
        _ => unreachable!("only game moves are corrupted"),
    }
    m
}
