//! Arbiter CPU for a whole dispute over a 10^9-step claim:
//! `cargo build --workspace --examples && target/debug/examples/dispute_cpu`.
//!
//! A lying solver and an honest challenger play a game under the default
//! parameters (k = 1024, 1024 leaves per layer: 3 layers for T = 10^9), and
//! the time of every `Rules::apply_with` call of the game is summed: the
//! multiproof checks of every reveal and the final `verify_step`. The state
//! roots the players reveal are synthetic (hashes of the step) except around
//! the disputed step, where they are a real run's roots and its real
//! one-step proof, and at the end, where the solver's final state is a real
//! final state (the claim's header must hash to it). The arbiter cannot tell
//! the difference: it checks reveals against commitments, never executes.

use ed25519_dalek::SigningKey;
use refute_challenger::play::{Trace, challenge, history_root, next_move};
use refute_engine::proof::prove_step;
use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, Task};
use refute_protocol::rules::{
    B32, Blob, ClaimBody, GameStatus, Message, Params, Role, Rules, ServiceNote, lottery_prove,
};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

const T: u64 = 1_000_000_000;
const X: u64 = 537_123_457;

struct Synthetic {
    tag: u8,
    initial: B32,
    pre: B32,
    post: B32,
    proof: Vec<u8>,
    last: B32,
}

fn h(tag: &[u8], step: u64) -> B32 {
    B32(Sha256::new().chain_update(tag).chain_update(step.to_le_bytes()).finalize().into())
}

impl Trace for Synthetic {
    fn root(&self, step: u64) -> B32 {
        match step {
            0 => self.initial,
            s if s < X => h(b"agreed", s),
            X => self.pre,
            s if s == X + 1 && self.tag == b'h' => self.post,
            s if s >= T => self.last,
            s => h(&[self.tag], s),
        }
    }
    fn step_proof(&self, _: u64) -> Vec<u8> {
        self.proof.clone()
    }
}

fn main() {
    // A real run: its initial state, one real step, and its final state.
    let wasm = wat::parse_str(
        r#"(module (func (export "main") (result i32) (local i32)
             loop local.get 0 i32.const 1 i32.add local.tee 0 i32.const 100 i32.lt_u br_if 0 end
             local.get 0))"#,
    )
    .expect("valid WAT");
    let module = Module::new(&wasm).expect("loads");
    let task = Task { max_steps: T, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![])).expect("starts");
    let mut hasher = Hasher::new(&run.machine);
    let initial = B32(hasher.root(&run.machine));
    hasher.run(&mut run.machine, 50);
    run.run_until(50);
    let pre = B32(hasher.root(&run.machine));
    let proof = prove_step(&run.machine, &mut hasher).expect("provable").encode();
    hasher.run(&mut run.machine, 51);
    run.run_until(51);
    let post = B32(hasher.root(&run.machine));
    hasher.run(&mut run.machine, T);
    run.run_to_end();
    let header = hasher.header(&run.machine);
    let final_root = B32(header.root());

    let arbiter = SigningKey::from_bytes(&[9; 32]);
    let solver = SigningKey::from_bytes(&[1; 32]);
    let challenger = SigningKey::from_bytes(&[2; 32]);
    let key = |k: &SigningKey| B32(k.verifying_key().to_bytes());
    let params = Params::local(key(&arbiter));
    let mut rules = Rules::new(params.clone()).expect("valid parameters");
    let liar = Synthetic { tag: b'l', initial, pre, post, proof: proof.clone(), last: final_root };
    let honest = Synthetic { tag: b'h', initial, pre, post, proof, last: h(b"honest end", T) };

    let genesis = params.genesis();
    let mut nonces = [0u64; 2];
    let mut now = 1_000;
    let mut send = |rules: &mut Rules, who: usize, m: Message, note: Option<ServiceNote>, now: u64| {
        let k = if who == 0 { &solver } else { &challenger };
        let signed = m.sign(&genesis, k, nonces[who]);
        nonces[who] += 1;
        let t = Instant::now();
        rules.tick_all(now);
        rules.apply_with(&signed, note.as_ref(), now).unwrap_or_else(|e| panic!("refused: {e}"));
        t.elapsed()
    };
    send(&mut rules, 0, Message::Mint { to: key(&solver), amount: 100_000 }, None, now);
    send(&mut rules, 1, Message::Mint { to: key(&challenger), amount: 100_000 }, None, now);
    let body = ClaimBody {
        module: B32(Sha256::digest(&wasm).into()),
        args: B32(Sha256::digest(b"").into()),
        env: B32(Sha256::digest(b"").into()),
        stdin: B32(Sha256::digest(b"").into()),
        entry: "main".into(),
        entry_args: vec![],
        max_steps: T,
        initial_root: initial,
        final_root,
        final_header: Blob(header.encode().to_vec()),
        stdout: Blob(vec![]),
        history_root: history_root(&liar, T, params.max_leaves),
        bond: 10_000,
        job: None,
        dirs: None,
        outputs: None,
    };
    let claim_id = refute_protocol::rules::claim_id(&key(&solver), 1);
    let note = ServiceNote { initial_root: initial, vrf: lottery_prove(&arbiter, &claim_id) };
    send(&mut rules, 0, Message::Claim(Box::new(body)), Some(note), now);
    let c = rules.claim(&claim_id).unwrap().clone();
    let m = challenge(&params, claim_id, &c, &honest, 10_000).expect("the honest side disagrees");
    send(&mut rules, 1, m, None, now);
    let game = *rules.claim(&claim_id).unwrap().games.values().next().expect("a game");

    let (mut total, mut moves, mut largest) = (Duration::ZERO, 0, Duration::ZERO);
    for _ in 0..100 {
        now += 10;
        let g = rules.game(game).unwrap().clone();
        if g.status != GameStatus::Open {
            break;
        }
        for (who, role, trace) in [(0, Role::Solver, &liar), (1, Role::Challenger, &honest)] {
            let g = rules.game(game).unwrap().clone();
            if g.status == GameStatus::Open
                && let Some(m) = next_move(&params, game, &g, role, trace)
            {
                let d = send(&mut rules, who, m, None, now);
                total += d;
                largest = largest.max(d);
                moves += 1;
            }
        }
    }
    let g = &rules.game(game).unwrap();
    assert_eq!(g.status, GameStatus::Won(Role::Challenger), "the honest challenger wins");
    println!(
        "dispute over T = 10^9 steps (k = {}, {} leaves per layer): {moves} moves, arbiter CPU {:.2} ms in total, largest move {:.2} ms; {:?}",
        params.k,
        params.max_leaves,
        total.as_secs_f64() * 1e3,
        largest.as_secs_f64() * 1e3,
        g.status
    );
}
