//! The bot loop (`specs/bots.md`, "The loop"): wake on the arbiter's
//! events (or every poll interval), read the state, and start a task for
//! each game that waits on this key, for a challenger (or a registered
//! solver) each open claim it has not decided about and each attestation
//! due for disclosure, for a solver each job drawn to its key, and for a
//! checker the trace of an open job's task, built at the job's post. Tasks
//! run concurrently, at most `max_parallel` at once; a task is never
//! started twice at the same time.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crate::play::{NoChallenge, challenge, history_root, next_move};
use refute_protocol::rules::{
    B32, Claim, ClaimStatus, Duty, Game, GameStatus, JobStatus, MAX_ALSO, Message, Role,
};
use tokio::sync::{Notify, Semaphore};

use crate::check::{self, CheckMode, Finding};
use crate::client::{ClientError, GameSummary};
use crate::duty;
use crate::lie::{Lie, Story};
use crate::player::{Player, SendError, fetch_inputs, now_ms, short};
use crate::prebuild::{Policy, bond_short};
use crate::store::Decision;
use refute_protocol::inputs::ClaimInputs;

/// What a bot does.
#[derive(Clone, Debug)]
pub struct Config {
    /// Follow claims, check them and challenge wrong ones (a challenger, or
    /// a registered solver doing its committee duty with `sample_pct` 0);
    /// otherwise only play the games this key is in (a solver).
    pub challenge: bool,
    /// The bond of each challenge; 0: each claim's minimum
    /// (`Params::challenge_bond_min`, which grows with the claim's `T`).
    pub bond: u64,
    /// Percent of the claims it was not assigned (by the committee lottery) that it checks.
    pub sample_pct: u64,
    /// How thoroughly claims are checked.
    pub check: CheckMode,
    /// Most jobs (checks, moves) at once.
    pub max_parallel: usize,
    /// TEST ONLY: the lie a lying challenger tells about every claim it sees.
    pub lie: Option<Lie>,
    /// How often to read the state when no event arrives.
    pub poll: Duration,
    /// Stop once this claim is settled (`refute post`).
    pub until_settled: Option<B32>,
    /// Answer every job drawn to this key with a claim (`refute solver run`).
    pub jobs: bool,
    /// The bond of a job's claim; 0: the claim's minimum (`Params::claim_bond_min`).
    pub claim_bond: u64,
    /// TEST ONLY: the lie this solver's job claims tell (its committee
    /// duties stay honest).
    pub solve_lie: Option<Lie>,
    /// As a checker, build the trace of each open job it may have to check
    /// at the job's post, while the drawn solver runs it, one at a time
    /// (`specs/bots.md`, "Jobs"; [`crate::prebuild`]).
    pub prebuild_jobs: bool,
}

impl Config {
    /// An honest solver's configuration.
    pub fn solver() -> Config {
        Config {
            challenge: false,
            bond: 0,
            sample_pct: 0,
            check: CheckMode::Full,
            max_parallel: 8,
            lie: None,
            poll: Duration::from_millis(500),
            until_settled: None,
            jobs: false,
            claim_bond: 0,
            solve_lie: None,
            prebuild_jobs: false,
        }
    }
}

/// A unit of the bot's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Task {
    /// The next move in a game.
    Game(u64),
    /// Deciding about a claim: skip, attest or challenge.
    Claim(B32),
    /// Disclosing the attestation of a claim in its audit.
    Disclose(B32),
    /// Answering a job drawn to this key.
    Answer(B32),
    /// Passing on a job drawn to this key (a checker answers none).
    Decline(B32),
    /// Building the trace of an open job's task before its claim.
    Prebuild(B32),
}

/// A running bot.
#[derive(Debug)]
pub struct Bot {
    player: Arc<Player>,
    config: Config,
    busy: std::sync::Mutex<HashSet<Task>>,
    permits: Arc<Semaphore>,
    /// The open games of this key as of the last round: one that is no
    /// longer open has ended since. Its size is the open games', not the
    /// key's history.
    open_games: std::sync::Mutex<std::collections::HashMap<u64, GameSummary>>,
    /// Whether a round has read every game of this key once since the start
    /// (to report the games that ended while the bot was down).
    caught_up: std::sync::atomic::AtomicBool,
    moves: std::sync::atomic::AtomicU64,
    /// One lock per claim this key defends: its moves in that claim's games
    /// are made one at a time, so a move made in several games at once
    /// (`also`) is seen before the next is computed.
    turns: std::sync::Mutex<std::collections::HashMap<B32, Arc<tokio::sync::Mutex<()>>>>,
    /// When this bot first saw that it owes a move in each open game.
    owed: std::sync::Mutex<std::collections::HashMap<u64, std::time::Instant>>,
    /// The open jobs whose trace this bot has prebuilt (or decided not to):
    /// each is considered once while it is open.
    prebuilt: std::sync::Mutex<HashSet<B32>>,
}

/// TEST ONLY: after this many moves the bot stops moving (its game jobs
/// hang), so a test can kill it at a known point of a game.
pub const STALL_ENV: &str = "REFUTE_TEST_STALL_AFTER_MOVES";

impl Bot {
    /// A bot for `player`.
    pub fn new(player: Arc<Player>, config: Config) -> Arc<Bot> {
        let permits = Arc::new(Semaphore::new(config.max_parallel.max(1)));
        Arc::new(Bot {
            player,
            config,
            busy: Default::default(),
            permits,
            open_games: Default::default(),
            caught_up: Default::default(),
            moves: Default::default(),
            turns: Default::default(),
            owed: Default::default(),
            prebuilt: Default::default(),
        })
    }

    /// Runs until `until_settled` is settled (returning its status), or for ever.
    pub async fn run(self: &Arc<Self>) -> ClaimStatus {
        let wake = Arc::new(Notify::new());
        // Stops following the events when `run` ends or is dropped.
        struct Follower(tokio::task::JoinHandle<()>);
        impl Drop for Follower {
            fn drop(&mut self) {
                self.0.abort();
            }
        }
        let _follower = {
            let (client, wake) = (self.player.client.clone(), wake.clone());
            Follower(tokio::spawn(async move { client.follow(wake).await }))
        };
        let mut down_since: Option<std::time::Instant> = None;
        loop {
            match self.round().await {
                Ok(Some(status)) => break status,
                Ok(None) => {
                    if let Some(t) = down_since.take() {
                        tracing::info!("the arbiter answers again after {:.1} s", t.elapsed().as_secs_f64());
                    }
                }
                Err(e) => {
                    if down_since.is_none() {
                        tracing::warn!("{e}; retrying");
                        down_since = Some(std::time::Instant::now());
                    }
                }
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll) => {}
            }
        }
    }

    /// One look at the arbiter's state; starts the jobs it calls for.
    async fn round(self: &Arc<Self>) -> Result<Option<ClaimStatus>, crate::client::ClientError> {
        let me = self.player.pk();
        let client = &self.player.client;
        // Every game once per start, then the open ones: a round costs what
        // is open, not the key's whole history.
        let caught_up = self.caught_up.load(std::sync::atomic::Ordering::SeqCst);
        let listed = if caught_up { client.open_games_of(&me).await? } else { client.games_of(&me).await? };
        let mut open = std::collections::HashMap::new();
        let mut ended = Vec::new();
        // Games at one point of one claim take one move (`also`): one job each.
        let mut points = HashSet::new();
        for g in listed {
            if g.solver != me && g.challenger != me {
                continue;
            }
            if g.status != GameStatus::Open {
                ended.push(g);
                continue;
            }
            open.insert(g.id, g.clone());
            let role = if g.solver == me { Role::Solver } else { Role::Challenger };
            let owes = g.owes[role.index()] || g.points.is_none();
            if !owes {
                self.owed.lock().expect("lock").remove(&g.id);
                continue;
            }
            // A solver waits a moment (at most a tenth of its clock) for
            // more games to reach the same point, so that one move is made
            // in a crowd of them (`specs/bots.md`, "Crowds").
            let since = *self.owed.lock().expect("lock").entry(g.id).or_insert_with(std::time::Instant::now);
            let gather = Duration::from_millis((self.player.params.clock_ms / 10).min(1000));
            if role == Role::Solver && since.elapsed() < gather {
                continue;
            }
            if g.points.is_none_or(|p| points.insert((g.claim, p[role.index()]))) {
                self.start(Task::Game(g.id));
            }
        }
        // The games open last round and not now have ended since.
        let gone: Vec<GameSummary> = self
            .open_games
            .lock()
            .expect("lock")
            .values()
            .filter(|g| !open.contains_key(&g.id))
            .cloned()
            .collect();
        for mut g in gone {
            g.status = client.game(g.id).await?.status;
            if g.status != GameStatus::Open {
                ended.push(g);
            }
        }
        for g in &ended {
            self.report_end(g).await;
        }
        // What is kept about games is as large as what is open.
        self.owed.lock().expect("lock").retain(|id, _| open.contains_key(id));
        self.turns.lock().expect("lock").retain(|_, lock| Arc::strong_count(lock) > 1);
        *self.open_games.lock().expect("lock") = open;
        self.caught_up.store(true, std::sync::atomic::Ordering::SeqCst);
        if self.config.challenge {
            for c in client.open_claims().await? {
                if c.status != ClaimStatus::Open || c.solver == me {
                    continue;
                }
                // Undecided, or challenged by a message that never landed
                // (the arbiter did not answer): (re)consider it.
                let again = match self.player.store.decision(&c.id) {
                    None => true,
                    Some(Decision::Challenged { .. }) => !c.games.contains_key(&me),
                    Some(_) => false,
                };
                if again {
                    self.start(Task::Claim(c.id));
                }
            }
        }
        if self.config.challenge && self.config.prebuild_jobs {
            self.look_at_jobs().await?;
        }
        // Attestations to disclose: a claim cannot be final before its window ends.
        for (id, a) in self.player.store.open_attestations() {
            if now_ms() >= a.window_ends {
                self.start(Task::Disclose(id));
            }
        }
        if self.config.jobs {
            for j in client.jobs_drawn(&me).await? {
                self.start(Task::Answer(j));
            }
        } else if self.config.challenge {
            // A checker registered as a committee candidate is drawn for
            // jobs too: it passes them on at once, with no stake lost.
            for j in client.jobs_drawn(&me).await? {
                self.start(Task::Decline(j));
            }
        }
        if let Some(id) = self.config.until_settled {
            let c = client.claim(&id).await?;
            if c.status != ClaimStatus::Open {
                let busy = self.busy.lock().expect("lock").len();
                if busy == 0 {
                    return Ok(Some(c.status));
                }
            }
        }
        Ok(None)
    }

    /// Reports game `g`, which has ended, once: its outcome in the log, its
    /// transcript checked and kept, the game kept in the store (whose
    /// record makes the report once, across restarts too).
    async fn report_end(&self, g: &GameSummary) {
        let me = self.player.pk();
        let client = &self.player.client;
        self.owed.lock().expect("lock").remove(&g.id);
        let role = if g.solver == me { Role::Solver } else { Role::Challenger };
        let result = match g.status {
            GameStatus::Won(r) if r == role => "won",
            GameStatus::Won(_) | GameStatus::LostByBoth => "lost",
            _ => "cancelled",
        };
        let fresh = !self.player.store.has_game(g.id);
        if fresh {
            let balance = client.account(&me).await.map(|a| a.balance).unwrap_or_default();
            tracing::info!(
                game = g.id,
                claim = %short(&g.claim),
                ?role,
                balance,
                "game over: {result} ({:?}); the bonds are settled",
                g.status
            );
            let full = client.game(g.id).await.ok();
            // A game the other side never moved in (at most this
            // side's one move) was lost on time: its transcript is
            // no evidence of anything, and fetching and checking one
            // per silent rival would make a crowd cost work.
            if full.as_ref().is_none_or(|f| f.moves > 1) {
                self.keep_transcript(g.id).await;
            }
            if let Some(full) = full {
                let v = serde_json::to_value(&full).expect("games serialise");
                if let Err(e) = self.player.store.keep_game(g.id, &v) {
                    tracing::error!("{e}");
                }
            }
        }
    }

    /// Starts prebuilding the trace of the open job without a claim whose
    /// claim is due first, among those not considered yet: one prebuild at a
    /// time, so that on a machine of a few cores it does not slow the
    /// drawn solver's run, nor the checks of claims already posted, more
    /// than one more run does (each prebuild also holds one of the
    /// `max_parallel` permits while it runs).
    async fn look_at_jobs(self: &Arc<Self>) -> Result<(), ClientError> {
        let open = self.player.client.jobs("status=open&").await?;
        let mut seen = self.prebuilt.lock().expect("lock");
        // Forget the jobs that ended: the set stays as small as the open list.
        seen.retain(|id| open.iter().any(|j| j.id == *id));
        if self.busy.lock().expect("lock").iter().any(|t| matches!(t, Task::Prebuild(_))) {
            return Ok(());
        }
        let next = open
            .iter()
            .filter(|j| j.status == JobStatus::Assigned && j.claim.is_none() && !seen.contains(&j.id))
            .min_by_key(|j| j.deadline);
        if let Some(j) = next {
            seen.insert(j.id);
            drop(seen);
            self.start(Task::Prebuild(j.id));
        }
        Ok(())
    }

    /// Fetches a finished game's transcript, checks it offline (the
    /// arbiter's signatures, the rules replayed, the verdict) and keeps it.
    async fn keep_transcript(&self, id: u64) {
        let bytes = match self.player.client.transcript(id).await {
            Ok(b) => b,
            Err(e) => return tracing::warn!(game = id, "no transcript kept: {e}"),
        };
        let b = bytes.clone();
        let checked = tokio::task::spawn_blocking(move || {
            let t = refute_traces::Transcript::from_bytes(&b)?;
            let tl = refute_traces::check(&t, None);
            match tl.failure {
                None => Ok(tl.verdict),
                Some(f) => Err(anyhow::anyhow!("{f}")),
            }
        })
        .await
        .unwrap_or_else(|e| Err(e.into()));
        match self.player.store.keep_transcript(id, &bytes) {
            Ok(path) => match checked {
                Ok(verdict) => {
                    tracing::info!(game = id, path = %path.display(), ?verdict, "transcript kept, checked offline")
                }
                Err(e) => tracing::error!(
                    game = id,
                    path = %path.display(),
                    "THE ARBITER'S TRANSCRIPT DOES NOT CHECK: {e}; kept as evidence"
                ),
            },
            Err(e) => tracing::error!(game = id, "{e}"),
        }
    }

    fn start(self: &Arc<Self>, task: Task) {
        if !self.busy.lock().expect("lock").insert(task) {
            return;
        }
        let bot = self.clone();
        tokio::spawn(async move {
            let permit = bot.permits.clone().acquire_owned().await;
            let r = match task {
                Task::Game(id) => bot.play(id).await,
                Task::Claim(id) => bot.consider(id).await,
                Task::Disclose(id) => bot.disclose(id).await,
                Task::Answer(id) => {
                    crate::answer::answer(&bot.player, bot.config.claim_bond, bot.config.solve_lie, id).await
                }
                Task::Decline(id) => crate::answer::decline(&bot.player, id).await,
                Task::Prebuild(id) => crate::prebuild::prebuild(&bot.player, bot.prebuild_policy(), id).await,
            };
            drop(permit);
            if let Err(e) = r {
                match task {
                    Task::Game(id) => tracing::warn!(game = id, "{e:#}"),
                    Task::Claim(id) | Task::Disclose(id) => tracing::warn!(claim = %short(&id), "{e:#}"),
                    Task::Answer(id) | Task::Decline(id) | Task::Prebuild(id) => {
                        tracing::warn!(job = %short(&id), "{e:#}")
                    }
                }
            }
            bot.busy.lock().expect("lock").remove(&task);
        });
    }

    /// What decides which jobs' traces this bot builds at their post.
    fn prebuild_policy(&self) -> Policy {
        let c = &self.config;
        Policy { sample_pct: c.sample_pct, bond: c.bond, lies: c.lie.is_some() }
    }

    /// The story this bot tells in the games about claim `id`, as `role`.
    async fn story(
        &self,
        id: &B32,
        claim: &Claim,
        role: Role,
        deadline: Option<u64>,
    ) -> anyhow::Result<Story> {
        let lie = match role {
            Role::Solver => match self.player.store.posted(id) {
                Some(p) => p.lie,
                None => {
                    tracing::warn!(claim = %short(id), "a claim of this key that this bot did not post: defending it as honest");
                    None
                }
            },
            Role::Challenger => match self.player.store.decision(id) {
                Some(Decision::Challenged { lie }) => lie,
                _ => self.config.lie,
            },
        };
        let real = self
            .player
            .traces
            .get(&self.player.client, &self.player.params, &claim.body, None, deadline)
            .await?;
        Ok(Story::new(real, lie, false))
    }

    /// Plays the next move of game `id`, if this key owes one.
    async fn play(&self, id: u64) -> anyhow::Result<()> {
        let p = &self.player;
        let game = p.client.game(id).await?;
        let me = p.pk();
        let role = if game.sides[0].key == me { Role::Solver } else { Role::Challenger };
        let turn = self.turn(&game.claim);
        let _turn = turn.lock().await;
        // Read again after waiting for the turn: a move made meanwhile in
        // another game may have been made in this one too.
        let game = p.client.game(id).await?;
        let side = game.side(role);
        let Some(since) = side.owes_since else { return Ok(()) };
        if game.status != GameStatus::Open {
            return Ok(());
        }
        let claim = p.client.claim(&game.claim).await?;
        let deadline = since + side.clock_left;
        let story = self.story(&game.claim, &claim, role, Some(deadline)).await?;
        let params = p.params.clone();
        let g = game.clone();
        let m = tokio::task::spawn_blocking(move || next_move(&params, id, &g, role, &story))
            .await
            .map_err(|e| anyhow::anyhow!("computing the move panicked: {e}"))?;
        let Some(mut m) = m else { return Ok(()) };
        let also = self.same_point(&game, id, role).await?;
        if !also.is_empty() {
            tracing::info!(
                game = id,
                others = also.len(),
                "the same move in {} other games at this point",
                also.len()
            );
        }
        match &mut m {
            Message::Reveal { also: a, .. } | Message::Step { also: a, .. } => *a = also,
            _ => {}
        }
        let layer = game.layer();
        let (a, b) =
            (layer.step_at(game.a as usize).unwrap_or(0), layer.step_at(game.b as usize).unwrap_or(0));
        match p.signer.send(&p.client, m.clone()).await {
            Ok(_) => {
                let moves = self.moves.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if std::env::var(STALL_ENV)
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .is_some_and(|n| moves >= n)
                {
                    tracing::warn!(game = id, "TEST ONLY: {STALL_ENV} reached; no more moves");
                    std::future::pending::<()>().await;
                }
                match &m {
                    Message::Step { proof, .. } => {
                        tracing::info!(
                            game = id,
                            ?role,
                            step = a,
                            bytes = proof.0.len(),
                            "sent the one-step proof"
                        )
                    }
                    _ => tracing::info!(
                        game = id,
                        ?role,
                        depth = game.depth,
                        "revealed states in steps {a}..{b}"
                    ),
                }
                Ok(())
            }
            // Both sides may send the last step's proof; the second finds
            // the game over. Nothing to do.
            Err(SendError::Client(e)) if e.code() == Some("game_over") => {
                tracing::debug!(game = id, "the game ended before this move: {e}");
                Ok(())
            }
            // The move may already be in (sent before a crash, or raced):
            // the next round reads the game again.
            Err(e) => Err(anyhow::anyhow!("the move was not taken: {e}")),
        }
    }

    /// The lock of this key's moves in the games of claim `claim`.
    fn turn(&self, claim: &B32) -> Arc<tokio::sync::Mutex<()>> {
        self.turns.lock().expect("lock").entry(*claim).or_default().clone()
    }

    /// Other open games of `game`'s claim where this key, as `role`, owes a
    /// move at the same point as in `game` (at most `MAX_ALSO`): one message
    /// makes the move in all of them (`specs/protocol.md` §5.5).
    async fn same_point(&self, game: &Game, id: u64, role: Role) -> anyhow::Result<Vec<u64>> {
        let me = self.player.pk();
        let point = game.point(role);
        let mut also: Vec<u64> = self
            .player
            .client
            .open_games_of(&me)
            .await?
            .into_iter()
            .filter(|g| g.id != id && g.claim == game.claim && g.status == GameStatus::Open)
            .filter(|g| g.owes[role.index()] && g.points.is_some_and(|p| p[role.index()] == point))
            .map(|g| g.id)
            .collect();
        also.truncate(MAX_ALSO);
        Ok(also)
    }

    /// Decides about claim `id`: skip, agree (attest when on its
    /// committee) or challenge.
    async fn consider(&self, id: B32) -> anyhow::Result<()> {
        let p = &self.player;
        let me = p.pk();
        let claim = p.client.claim(&id).await?;
        let decide = |d: Decision| Ok(p.store.decide(&id, &d)?);
        if claim.status != ClaimStatus::Open || now_ms() >= claim.window_ends {
            return decide(Decision::Skipped { why: "its challenge window is closed".into() });
        }
        if claim.games.contains_key(&me) {
            // Challenged before a crash, before the decision was recorded.
            return decide(Decision::Challenged { lie: self.config.lie });
        }
        let assigned = claim.committee.get(&me) == Some(&Duty::Pending);
        let sampled = sample(p.store.salt(), &id) < self.config.sample_pct;
        if self.config.lie.is_none() && !assigned && !sampled {
            return decide(Decision::Skipped {
                why: format!("not assigned, not in the {}% sample", self.config.sample_pct),
            });
        }
        // Off the committee, a claim it could not challenge is not worth a
        // run (the same rule keeps it from prebuilding a job's trace).
        if !assigned
            && self.config.lie.is_none()
            && let Some(why) = bond_short(self.config.bond, &p.params, claim.body.max_steps)
        {
            tracing::warn!(claim = %short(&id), "NOT CHECKING: {why}; it could not challenge the claim");
            return decide(Decision::Skipped { why });
        }
        let window = Some(claim.window_ends);
        let inputs = fetch_inputs(&p.client, &claim.body).await?;
        let finding = if self.config.lie.is_some() {
            Finding::Suspect { why: "TEST-ONLY lying challenger: it challenges every claim".into() }
        } else {
            self.check(&claim, &inputs, assigned).await
        };
        let why = match finding {
            Finding::Right { how } => {
                tracing::info!(claim = %short(&id), assigned, "the claim is right ({how})");
                return self.agree(id, &claim, inputs, assigned).await;
            }
            Finding::Plausible { how } => {
                tracing::info!(claim = %short(&id), "the claim looks right ({how}); not verified, not attested");
                return decide(Decision::Skipped {
                    why: format!("{how}; --check output verifies no final state"),
                });
            }
            Finding::Suspect { why } => why,
        };
        tracing::info!(claim = %short(&id), "the claim looks wrong: {why}; challenging it from the trace");
        let real = match p.traces.get(&p.client, &p.params, &claim.body, Some(inputs.clone()), window).await {
            Ok(t) => t,
            Err(e) => return decide(Decision::Failed { why: format!("{e:#}") }),
        };
        let lie = self.config.lie;
        let (played, posted) = (Story::new(real.clone(), lie, false), Story::new(real, lie, true));
        if let Some(why) = bond_short(self.config.bond, &p.params, claim.body.max_steps) {
            tracing::warn!(claim = %short(&id), "NOT CHALLENGING: {why}");
            return decide(Decision::Failed { why });
        }
        let bond = match self.config.bond {
            0 => p.params.challenge_bond_min(claim.body.max_steps),
            b => b,
        };
        let (params, c) = (p.params.clone(), claim.clone());
        let m = tokio::task::spawn_blocking(move || {
            let m = challenge(&params, id, &c, &played, bond)?;
            let Message::Challenge { claim, final_root, bond, .. } = m else {
                return Err(NoChallenge::Agrees);
            };
            let history_root = history_root(&posted, c.body.max_steps, params.max_leaves);
            Ok(Message::Challenge { claim, history_root, final_root, bond })
        })
        .await?;
        let m = match m {
            Ok(m) => m,
            Err(NoChallenge::OtherStart { mine, claimed }) => {
                let why = format!(
                    "this bot's state root at step 0 is {mine} but the claim's initial root (the arbiter's) is {claimed}: \
                     this engine most likely has another semantics version than the arbiter's \
                     (this bot's is {}); a challenge would lose its bond, so none is sent",
                    refute_engine::SEMANTICS_VERSION
                );
                tracing::warn!(claim = %short(&id), "NOT CHALLENGING: {why}");
                return decide(Decision::Failed { why });
            }
            Err(NoChallenge::Closed) => {
                return decide(Decision::Skipped { why: "the claim closed while it was checked".into() });
            }
            Err(NoChallenge::Agrees) => {
                tracing::info!(claim = %short(&id), "the engine agrees with the claim's final state after all");
                return self.agree(id, &claim, inputs, assigned).await;
            }
        };
        let mine = match &m {
            Message::Challenge { final_root, .. } => *final_root,
            _ => unreachable!("a challenge"),
        };
        let sent = p
            .signer
            .send_with(&p.client, m, |_| Ok(p.store.decide(&id, &Decision::Challenged { lie })?))
            .await;
        match sent {
            Ok(_) => {}
            // Refused by the rules (no funds, window closed): it will not
            // be taken if sent again.
            Err(SendError::Client(ClientError::Refused { status: 422, message, code, .. })) => {
                tracing::error!(
                    claim = %short(&id),
                    "THE CHALLENGE WAS REFUSED ({code}): {message}; this bot does not challenge this wrong claim"
                );
                return decide(Decision::Failed { why: format!("{code}: {message}") });
            }
            // Unanswered or transient: the next round sees no game and tries again.
            Err(e) => return Err(anyhow::anyhow!("the challenge was not taken: {e}")),
        }
        tracing::info!(
            claim = %short(&id),
            bond,
            "challenged: the claim's final state is {}…, the engine's is {}…",
            short(&claim.body.final_root),
            short(&mine)
        );
        Ok(())
    }

    /// Agrees with claim `id`: on its committee, commits to this bot's own
    /// root at its audit leaf (the secret kept first, synced) and attests,
    /// to disclose it once the claim is final ([`Bot::disclose`]).
    async fn agree(&self, id: B32, claim: &Claim, inputs: ClaimInputs, assigned: bool) -> anyhow::Result<()> {
        let p = &self.player;
        if !assigned {
            return Ok(p.store.decide(&id, &Decision::Agreed { attested: false })?);
        }
        let me = p.pk();
        // An attestation kept before a crash, whose `attest` may or may not
        // have landed, is sent again as it was: one secret per claim.
        let a = match p.store.attestation(&id) {
            Some(a) => a,
            None => {
                let trace = p
                    .traces
                    .get(&p.client, &p.params, &claim.body, Some(inputs), Some(claim.window_ends))
                    .await?;
                let (c, params) = (claim.clone(), p.params.clone());
                let salt =
                    duty::fresh_salt().map_err(|e| anyhow::anyhow!("no random bytes for the salt: {e}"))?;
                let made =
                    tokio::task::spawn_blocking(move || duty::attestation(&*trace, &c, &me, &params, salt))
                        .await?;
                match made {
                    Ok(a) => {
                        p.store.attest(&id, &a)?;
                        a
                    }
                    Err(why) => {
                        tracing::warn!(claim = %short(&id), "NOT ATTESTING: {why}");
                        return Ok(p.store.decide(&id, &Decision::Failed { why: why.to_string() })?);
                    }
                }
            }
        };
        let commitment = duty::commitment(&id, &me, &a);
        p.signer.send(&p.client, Message::Attest { claim: id, commitment }).await?;
        tracing::info!(
            claim = %short(&id),
            "attested claim {}: committed to this engine's root at audit leaf {} (step {}); disclosed once the claim is final",
            short(&id),
            a.leaf,
            a.step
        );
        Ok(p.store.decide(&id, &Decision::Agreed { attested: true })?)
    }

    /// Discloses the attestation of claim `id` in its audit, once the claim
    /// is final; records how the duty ended when it has (disclosed, or the
    /// claim was rejected, or the audit passed).
    async fn disclose(&self, id: B32) -> anyhow::Result<()> {
        let p = &self.player;
        let Some(mut a) = p.store.attestation(&id) else { return Ok(()) };
        let claim = p.client.claim(&id).await?;
        let mine = claim.committee.get(&p.pk()).copied();
        let end = |a: &mut crate::store::Attestation, outcome: String| -> anyhow::Result<()> {
            a.outcome = Some(outcome);
            Ok(p.store.attest(&id, a)?)
        };
        match (claim.status, mine) {
            (_, Some(Duty::Disclosed)) => return end(&mut a, "disclosed".into()),
            (ClaimStatus::Rejected, _) => return end(&mut a, "the claim was rejected: no audit".into()),
            (ClaimStatus::Final, Some(Duty::Attested)) if claim.audit_ends.is_some() => {}
            (ClaimStatus::Final, _) => {
                tracing::error!(claim = %short(&id), "the claim's audit ended before this bot disclosed its attestation");
                return end(&mut a, "the audit ended before the disclosure".into());
            }
            // Still open (its window or its games), or the attestation has
            // not landed yet (`consider` sends it again).
            (ClaimStatus::Open, _) => return Ok(()),
        }
        let m = Message::Disclose { claim: id, salt: a.salt, root: a.root, proof: a.proof.clone() };
        match p.signer.send(&p.client, m).await {
            Ok(_) => {
                tracing::info!(
                    claim = %short(&id),
                    "disclosed claim {}: audit leaf {} (step {}) opens to root {}… under its history root",
                    short(&id),
                    a.leaf,
                    a.step,
                    short(&a.root)
                );
                end(&mut a, "disclosed".into())
            }
            Err(SendError::Client(ClientError::Refused { status: 422, code, message, .. })) => {
                tracing::error!(claim = %short(&id), "THE DISCLOSURE WAS REFUSED ({code}): {message}");
                end(&mut a, format!("refused: {code}: {message}"))
            }
            // Unanswered or transient: the next round reads the claim again.
            Err(e) => Err(anyhow::anyhow!("the disclosure was not taken: {e}")),
        }
    }

    /// Checks a claim. In full mode, or on its committee, the engine runs
    /// it once, building the trace ([`Traces::get`](crate::player::Traces::get):
    /// checkpoints and the posted layer's roots) and comparing its final
    /// root with the claim's: a suspect claim is challenged from that same
    /// trace, with no second run. In output mode, off the committee, wasmi's
    /// output and status are compared first: agreement only makes the claim
    /// plausible (neither attested nor challenged, security review finding
    /// 10); the engine runs when wasmi disagrees or cannot decide.
    async fn check(&self, claim: &Claim, inputs: &ClaimInputs, assigned: bool) -> Finding {
        if self.config.check == CheckMode::Output && !assigned {
            let (c, i) = (claim.clone(), inputs.clone());
            let fast = tokio::task::spawn_blocking(move || match check::fast_path(&i, &c) {
                check::FastPath::Differs(why) => Some(Finding::Suspect { why }),
                check::FastPath::Same => Some(Finding::Plausible { how: "wasmi gives the same output" }),
                check::FastPath::Undecided(why) => {
                    tracing::info!("the fast path cannot decide: {why}; the engine checks the claim");
                    None
                }
            })
            .await
            .unwrap_or_else(|e| Some(Finding::Suspect { why: format!("checking panicked: {e}") }));
            if let Some(f) = fast {
                return f;
            }
        }
        let (p, b) = (&self.player, &claim.body);
        match p.traces.get(&p.client, &p.params, b, Some(inputs.clone()), Some(claim.window_ends)).await {
            Ok(t) if t.final_root() == b.final_root => {
                Finding::Right { how: "the engine computes the same final state" }
            }
            Ok(_) => Finding::Suspect { why: "the engine computes another final state".into() },
            Err(e) => Finding::Suspect { why: format!("{e:#}") },
        }
    }
}

/// A claim's place in this bot's sample, 0..100: keyed by the bot's secret
/// salt, so a liar cannot tell which bots will skip its claim (version 1
/// hashed the public key instead, which anyone could), and the same after a
/// restart, since the salt is kept with the bot's state.
fn sample(salt: &B32, claim: &B32) -> u64 {
    let h = B32::sha256(&[b"refute sample v2\0", &salt.0, &claim.0]);
    u64::from_le_bytes(h.0[..8].try_into().expect("8 bytes")) % 100
}
