//! Real disputes on an embedded arbiter (RocksDB, the signed log, the
//! rules) between in-process players, for the transcript tests: a small
//! program, honest and lying traces, and scenarios that end in every verdict.
#![allow(dead_code, missing_docs)]

use std::sync::{Arc, OnceLock};

use ed25519_dalek::SigningKey;
use refute_arbiter::service::{Config, Service};
use refute_arbiter::transcripts::of_game;
use refute_challenger::RunTrace;
use refute_challenger::play::{Trace, challenge, history_root, next_move};
use refute_engine::state::{HEADER_BYTES, Hasher, Header};
use refute_engine::{Entry, Module, Run, Task, Value};
use refute_protocol::rules::{B32, Blob, ClaimBody, GameStatus, Message, Params, Role, claim_id};
use refute_traces::Transcript;

/// A loop with arithmetic, a store and a branch: the program of the
/// `small-*` example transcripts.
pub const PROGRAM: &str = include_str!("../../../traces/examples/small.wat");

/// The claim's step limit: past the halt, so the trace is padded.
pub const T: u64 = 400;

pub struct Fixture {
    pub wasm: Vec<u8>,
    pub real: RunTrace,
    pub final_header: Vec<u8>,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let wasm = wat::parse_str(PROGRAM).unwrap();
        let module = Module::new(&wasm).unwrap();
        let task = Task { max_steps: T, ..Task::default() };
        let run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(20)])).unwrap();
        let real = RunTrace::new(run.clone()).unwrap();
        assert!(real.halt() < T, "the program halts within the claim's step limit");
        let mut end = run;
        end.run_to_end();
        let final_header = Hasher::new(&end.machine).header(&end.machine).encode().to_vec();
        Fixture { wasm, real, final_header }
    })
}

/// A story that follows the real run before step `from` and makes up states
/// after it, ending in `end` if given.
pub struct Liar {
    pub from: u64,
    pub salt: u8,
    pub end: Option<B32>,
}

impl Trace for Liar {
    fn root(&self, step: u64) -> B32 {
        let real = &fixture().real;
        match self.end {
            Some(r) if step >= real.halt() => r,
            _ if step >= self.from => B32::sha256(&[&[self.salt], &real.root(step).0]),
            _ => real.root(step),
        }
    }
    fn step_proof(&self, step: u64) -> Vec<u8> {
        fixture().real.step_proof(step)
    }
}

pub fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

pub fn pk(n: u8) -> B32 {
    B32(key(n).verifying_key().to_bytes())
}

/// An arbiter service in a temporary directory, and the players' nonces.
pub struct Arena {
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub service: Arc<Service>,
    pub rt: tokio::runtime::Runtime,
    pub params: Params,
    nonces: [u64; 8],
}

impl Drop for Arena {
    fn drop(&mut self) {
        self.service.shutdown();
    }
}

impl Arena {
    /// A new arbiter with small dissection parameters and `clock_ms` per player.
    pub fn new(clock_ms: u64) -> Arena {
        Arena::with_blob_ttl(clock_ms, refute_arbiter::service::BLOB_TTL_MS)
    }

    /// As [`Arena::new`], with blobs that expire after `ttl_ms` unless a claim refers to them.
    pub fn with_blob_ttl(clock_ms: u64, ttl_ms: u64) -> Arena {
        Arena::with_config(clock_ms, |c| c.blob_ttl_ms = ttl_ms)
    }

    /// As [`Arena::new`], with the configuration changed by `setup` first.
    pub fn with_config(clock_ms: u64, setup: impl FnOnce(&mut Config)) -> Arena {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::local(dir.path());
        setup(&mut config);
        config.params.k = 4;
        config.params.max_leaves = 5;
        config.params.clock_ms = clock_ms;
        let service = Service::open(&config).unwrap();
        let params = service.read(|c| c.rules.params.clone());
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut a = Arena { dir, config, service, rt, params, nonces: [0; 8] };
        for p in 1..6 {
            a.send(p, Message::Mint { to: pk(p), amount: 100_000 });
        }
        a
    }

    /// Stops the service, runs `offline` on its database directory, and opens
    /// the service again there.
    pub fn restart(&mut self, offline: impl FnOnce(&std::path::Path)) {
        self.service.shutdown();
        // The field needs a value while the old service lets go of the
        // database: one on a scratch directory, dropped at once.
        let scratch = tempfile::tempdir().unwrap();
        let old =
            std::mem::replace(&mut self.service, Service::open(&Config::local(scratch.path())).unwrap());
        drop(old);
        self.service.shutdown();
        offline(&self.config.data_dir.join("db"));
        self.service = Service::open(&self.config).unwrap();
    }

    /// Signs `m` as player `p` with its next nonce and submits it; panics if refused.
    pub fn send(&mut self, p: u8, m: Message) {
        let signed = m.sign(&self.params.genesis(), &key(p), self.nonces[p as usize]);
        let s = self.service.clone();
        self.rt.block_on(s.submit(signed)).unwrap_or_else(|e| panic!("{}: {e}", e.code()));
        self.nonces[p as usize] += 1;
    }

    /// Posts a claim by `solver` whose story is `trace`, ending in `final_header`.
    pub fn claim(&mut self, solver: u8, trace: &dyn Trace, final_header: Vec<u8>) -> B32 {
        let body = self.claim_body(&fixture().wasm, trace, final_header);
        let id = claim_id(&pk(solver), self.nonces[solver as usize]);
        self.send(solver, Message::Claim(Box::new(body)));
        id
    }

    /// A claim of `module` run as the small fixture (`main(20)`, `T` steps)
    /// whose story is `trace`, ending in `final_header`, its blobs uploaded.
    pub fn claim_body(&self, module: &[u8], trace: &dyn Trace, final_header: Vec<u8>) -> ClaimBody {
        let f = fixture();
        // As uploaded over HTTP: each blob expires unless a claim refers to it.
        let blob = |b: &[u8]| B32(self.service.put_blob(b).unwrap());
        ClaimBody {
            module: blob(module),
            args: blob(&[]),
            env: blob(&[]),
            stdin: blob(&[]),
            entry: "main".into(),
            entry_args: vec![20],
            max_steps: T,
            initial_root: f.real.root(0),
            final_root: B32::sha256(&[&final_header[..refute_engine::state::HOT_BYTES]]),
            final_header: Blob(final_header),
            stdout: Blob(Vec::new()),
            history_root: history_root(trace, T, self.params.max_leaves),
            bond: 10_000,
            job: None,
            dirs: None,
            outputs: None,
        }
    }

    /// `challenger` challenges `claim` with its story `trace`; returns the game.
    pub fn challenge(&mut self, challenger: u8, claim: B32, trace: &dyn Trace) -> u64 {
        let c = self.service.claim(&claim).unwrap().unwrap();
        let m = challenge(&self.params, claim, &c, trace, 5_000).expect("the stories differ");
        self.send(challenger, m);
        self.service.claim(&claim).unwrap().unwrap().games[&pk(challenger)]
    }

    /// Plays `game` until it ends or nobody moves: each side's honest move for
    /// its story (`None`: silent).
    pub fn play(&mut self, game: u64, sides: [(u8, Option<&dyn Trace>); 2]) -> GameStatus {
        for _ in 0..100 {
            let mut moved = false;
            for (role, (p, trace)) in [Role::Solver, Role::Challenger].into_iter().zip(sides) {
                let g = self.service.game(game).unwrap().unwrap();
                if g.status != GameStatus::Open {
                    return g.status;
                }
                let Some(trace) = trace else { continue };
                if let Some(m) = next_move(&self.params, game, &g, role, trace) {
                    self.send(p, m);
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        self.service.game(game).unwrap().unwrap().status
    }

    /// Advances time to now (logged if something happens).
    pub fn tick(&self) {
        let s = self.service.clone();
        self.rt.block_on(s.tick()).unwrap();
    }

    /// The transcript of `game` as the arbiter serves it.
    pub fn transcript(&self, game: u64) -> Transcript {
        of_game(&self.service, game).unwrap()
    }
}

/// The real final header with its status rewritten to `exited(7)`: a
/// consistent but false claim.
pub fn false_header() -> Vec<u8> {
    let bytes = <&[u8; HEADER_BYTES]>::try_from(&fixture().final_header[..]).unwrap();
    let mut h = Header::decode(bytes).unwrap();
    h.status = 3 | 7 << 8;
    h.encode().to_vec()
}

/// Player 1 posts a false claim (`false_header`) whose story lies from step `from` on.
pub fn lying_claim(a: &mut Arena, from: u64) -> (B32, Liar) {
    let fake = false_header();
    let liar = Liar { from, salt: 1, end: Some(B32::sha256(&[&fake[..refute_engine::state::HOT_BYTES]])) };
    (a.claim(1, &liar, fake), liar)
}

/// A named scenario and its transcripts.
pub struct Scenario {
    pub name: &'static str,
    pub arena: Arena,
    pub games: Vec<u64>,
}

/// The solver lies from step 50: the honest challenger wins at the step.
pub fn solver_lies() -> Scenario {
    let mut a = Arena::new(24 * 3600 * 1000);
    let (claim, liar) = lying_claim(&mut a, 50);
    let real = &fixture().real;
    let game = a.challenge(2, claim, real);
    assert_eq!(a.play(game, [(1, Some(&liar)), (2, Some(real))]), GameStatus::Won(Role::Challenger));
    Scenario { name: "small-solver-lies", arena: a, games: vec![game] }
}

/// An honest claim; the challenger lies from step 30: the solver wins.
pub fn challenger_lies() -> Scenario {
    let mut a = Arena::new(24 * 3600 * 1000);
    let real = &fixture().real;
    let claim = a.claim(1, real, fixture().final_header.clone());
    let liar = Liar { from: 30, salt: 2, end: Some(B32([9; 32])) };
    let game = a.challenge(2, claim, &liar);
    assert_eq!(a.play(game, [(1, Some(real)), (2, Some(&liar))]), GameStatus::Won(Role::Solver));
    Scenario { name: "small-challenger-lies", arena: a, games: vec![game] }
}

/// Two liars with different stories from step 40: both lose at the step.
pub fn both_lie() -> Scenario {
    let mut a = Arena::new(24 * 3600 * 1000);
    let (claim, solver) = lying_claim(&mut a, 40);
    let challenger = Liar { from: 40, salt: 3, end: Some(B32([7; 32])) };
    let game = a.challenge(2, claim, &challenger);
    assert_eq!(a.play(game, [(1, Some(&solver)), (2, Some(&challenger))]), GameStatus::LostByBoth);
    Scenario { name: "small-both-lose", arena: a, games: vec![game] }
}

/// The solver lies and then falls silent: its clock runs out.
pub fn silent_solver() -> Scenario {
    let clock = 1500;
    let mut a = Arena::new(clock);
    let (claim, _) = lying_claim(&mut a, 50);
    let real = &fixture().real;
    let game = a.challenge(2, claim, real);
    assert_eq!(a.play(game, [(1, None), (2, Some(real))]), GameStatus::Open);
    // Bounded: the solver's clock started at the challenge and runs out `clock` ms later.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while a.service.game(game).unwrap().unwrap().status == GameStatus::Open {
        assert!(std::time::Instant::now() < deadline, "the solver's clock never ran out");
        std::thread::sleep(std::time::Duration::from_millis(100));
        a.tick();
    }
    assert_eq!(a.service.game(game).unwrap().unwrap().status, GameStatus::Won(Role::Challenger));
    Scenario { name: "small-solver-times-out", arena: a, games: vec![game] }
}

/// Two honest challengers of a lying solver. The solver's first reveal is
/// one message naming both games (`also`: both stand at the same point);
/// the first game rejects the claim, the second plays on and the solver
/// loses it too; the share of its bond goes to the first (posted earlier).
pub fn two_challengers() -> Scenario {
    let mut a = Arena::new(24 * 3600 * 1000);
    let (claim, liar) = lying_claim(&mut a, 50);
    let real = &fixture().real;
    let first = a.challenge(2, claim, real);
    let second = a.challenge(3, claim, real);
    let g = a.service.game(second).unwrap().unwrap();
    let Some(Message::Reveal { layer_root, roots, proof, .. }) =
        next_move(&a.params, second, &g, Role::Solver, &liar)
    else {
        panic!("the solver owes a reveal")
    };
    a.send(1, Message::Reveal { game: second, also: vec![first], layer_root, roots, proof });
    let g = a.service.game(second).unwrap().unwrap();
    let m = next_move(&a.params, second, &g, Role::Challenger, real).unwrap();
    a.send(3, m);
    assert_eq!(a.play(first, [(1, Some(&liar)), (2, Some(real))]), GameStatus::Won(Role::Challenger));
    assert_eq!(a.service.game(second).unwrap().unwrap().status, GameStatus::Open, "the second game plays on");
    assert_eq!(a.play(second, [(1, Some(&liar)), (3, Some(real))]), GameStatus::Won(Role::Challenger));
    Scenario { name: "small-two-challengers", arena: a, games: vec![first, second] }
}
