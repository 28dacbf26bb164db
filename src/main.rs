//! `refute`: the command-line program.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use refute::{args, bench, report};
use refute::{errln, out, outln};

mod arbiter_cmd;
mod bots_cmd;
mod chain_bots;
mod chain_cmd;
mod chain_jobs;
mod chain_web;
mod demo;
mod files_cmd;
mod job_cmd;
mod proofs;
mod trace_cmd;
use refute_engine::{Entry, Module, Run, Status, Task, limits::MAX_LOAD_BYTES};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code for bad input: unreadable, malformed or unsupported modules, bad arguments.
const BAD_INPUT: u8 = 2;

#[derive(Parser)]
#[command(name = "refute", version, about = "Interactive-proof dispute engine for WebAssembly")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to run: a module, its arguments and its input.
#[derive(clap::Args, Clone)]
struct TaskArgs {
    /// The module (.wasm binary or .wat text).
    module: PathBuf,
    /// Arguments: the program's argv[1..], or the function's parameters with
    /// --invoke. Options may come before or after them; put `--` before
    /// arguments that start with a dash (a lone `-` needs none).
    args: Vec<String>,
    /// Call this exported function instead of `_start`.
    #[arg(long, visible_alias = "entry", value_name = "FUNC")]
    invoke: Option<String>,
    /// File whose bytes the guest reads on stdin (`-`: refute's own stdin).
    /// The input is read in full before the run: it is part of the task.
    #[arg(long, value_name = "FILE")]
    stdin: Option<PathBuf>,
    /// Environment variable for the guest (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// Step limit: the run ends with status out_of_steps when it is reached.
    #[arg(long, value_name = "N", default_value_t = 10_000_000_000)]
    max_steps: u64,
    /// Preopen the host directory HOST as GUEST (repeatable; `DIR` alone
    /// is `DIR::DIR`). HOST is read in full before the run: its files are
    /// part of the task. Symlinks and special files in it are refused.
    #[arg(long = "dir", value_name = "HOST::GUEST", value_parser = refute::dirs::parse_dir)]
    dirs: Vec<refute::dirs::DirArg>,
}

#[derive(Subcommand)]
enum Command {
    /// A whole dispute on an embedded arbiter: a solver lies about a C
    /// program's output, an honest challenger narrows the run to one
    /// instruction, and the arbiter slashes the liar.
    Demo {
        /// The module (default: the `sort` C workload, built with clang).
        module: Option<PathBuf>,
        /// Its arguments, argv[0] first (default: `sort 10`).
        args: Vec<String>,
        /// Write the game's transcript here (`game-ID.json` and `game-ID.bin`).
        #[arg(long, value_name = "DIR")]
        transcript_dir: Option<PathBuf>,
    },
    /// Dispute transcripts: a game's signed entries, checked offline.
    #[command(subcommand)]
    Trace(TraceCmd),
    /// Keys: `refute keys new` creates the key that signs your claims and moves.
    #[command(subcommand)]
    Keys(bots_cmd::KeysCmd),
    /// An account's balance, nonce, stake and record at the arbiter.
    Account(bots_cmd::AccountArgs),
    /// Post a computation's result with a bond, then stay to defend it.
    Post(bots_cmd::PostArgs),
    /// The solver bot: defends every claim of a key.
    #[command(subcommand)]
    Solver(bots_cmd::SolverCmd),
    /// The challenger bot: checks claims and challenges wrong ones.
    #[command(subcommand)]
    Challenger(bots_cmd::ChallengerCmd),
    /// Jobs: ask for a computation with a reward (`job post`), and read its
    /// verified result (`job show`).
    #[command(subcommand)]
    Job(job_cmd::JobCmd),
    /// The arbiter's claims, as a table (or --json).
    Claims(bots_cmd::ClaimsArgs),
    /// The arbiter's games, as a table (or --json).
    Games(bots_cmd::ListArgs),
    /// The arbiter: referee of dispute games, as an HTTP service.
    #[command(subcommand)]
    Arbiter(ArbiterCmd),
    /// Settling on an EVM chain (specs/chain.md): a local devnet with the
    /// Solidity step verifier deployed.
    #[command(subcommand)]
    Chain(ChainCmd),
    /// The arbiter's signed event log.
    #[command(subcommand)]
    Log(LogCmd),
    /// Run a WebAssembly module in the deterministic engine.
    ///
    /// Without --invoke, runs `_start` as a WASI command: prints the guest's
    /// stdout and stderr and exits with its exit code (125 if it trapped or
    /// ran out of steps). With --invoke FUNC, calls that export with ARGS
    /// parsed by its signature and prints the results. Exit code 2 means the
    /// input was refused (a clear message says why).
    Run {
        #[command(flatten)]
        task: TaskArgs,
        /// Print one JSON object (status, results, exit code, steps, stdout,
        /// stderr, and the files written back with their sizes and SHA-256).
        #[arg(long)]
        json: bool,
        /// After the run, write each preopened directory's final tree under
        /// DIR (at DIR/GUEST without its leading slash) instead of back to HOST.
        #[arg(long, value_name = "DIR")]
        save_dir: Option<PathBuf>,
    },
    /// Run a task and print its posted commitment: the final state root and
    /// the history root over the states every STRIDE steps (plus the final one).
    Commit {
        #[command(flatten)]
        task: TaskArgs,
        /// Hash the state every S steps (default: the smallest power of two
        /// from 2^22 giving at most 1024 states).
        #[arg(long, value_name = "S")]
        stride: Option<u64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the state root at step N of a task.
    State {
        #[command(flatten)]
        task: TaskArgs,
        /// The step (0 is the state before the first instruction).
        #[arg(long, value_name = "N")]
        step: u64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the one-step proof of step N -> N+1 of a task.
    Prove {
        #[command(flatten)]
        task: TaskArgs,
        /// The step to prove (from the state after N steps).
        #[arg(long, value_name = "N")]
        step: u64,
        /// Where to write the proof.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a one-step proof: print the pre-state root, the post-state root
    /// and the instruction. Exit 0 only for a valid proof, 1 for an invalid one.
    VerifyStep {
        /// The proof file (from `refute prove`).
        proof: PathBuf,
        /// The pre-state root the proof must start from (hex); by default the
        /// proof's own, so only its internal consistency is checked.
        #[arg(long, value_name = "ROOT")]
        pre: Option<String>,
        /// Also run the proof through the Solidity step verifier
        /// (contracts/, in an in-process EVM) and print its post root and gas;
        /// exit 0 only if it accepts with the engine's post root.
        #[arg(long)]
        evm: bool,
        /// Run it through the verifier deployed on this node instead
        /// (`refute chain devnet` prints both), with --verifier.
        #[arg(long, value_name = "RPC", requires = "verifier", conflicts_with = "evm")]
        chain: Option<String>,
        /// The `StepVerifier` contract's address on --chain.
        #[arg(long, value_name = "ADDRESS", requires = "chain")]
        verifier: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Benchmark the engine against wasmi on the C workloads (same process).
    Bench {
        /// Runs per workload and engine; medians are reported.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Only workloads whose name contains this.
        #[arg(long)]
        only: Option<String>,
        /// Use the small inputs (a smoke test, not a measurement).
        #[arg(long)]
        quick: bool,
        /// Measure commitments and one-step proofs instead: committed against
        /// plain execution, proof sizes, proving and verification times.
        #[arg(long)]
        proofs: bool,
        /// With --proofs: how many evenly spaced steps of each run to prove.
        #[arg(long, default_value_t = 1000, value_name = "N")]
        samples: u64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// An error caused by the input, reported with exit code 2.
#[derive(Debug)]
struct BadInput(String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn bad(msg: impl Into<String>) -> anyhow::Error {
    BadInput(msg.into()).into()
}

#[derive(Subcommand)]
enum ArbiterCmd {
    /// Run the arbiter: an HTTP API over a RocksDB store and a signed log
    /// (specs/api.md). Stops cleanly on Ctrl-C or SIGTERM; after a crash it
    /// resumes every game from the log.
    Serve {
        /// Data directory (the database and the arbiter's key); created if missing.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
        listen: std::net::SocketAddr,
        /// Challenge window of new claims, in milliseconds (default: one day).
        #[arg(long, value_name = "MS")]
        window_ms: Option<u64>,
        /// Each player's clock per game, in milliseconds (default: one day).
        #[arg(long, value_name = "MS")]
        clock_ms: Option<u64>,
        /// How long a final claim's committee may disclose its attestations
        /// (the audit), in milliseconds (default: --window-ms when it is
        /// given, else one day).
        #[arg(long, value_name = "MS")]
        reveal_ms: Option<u64>,
        /// How long a solver drawn for a job has to post its claim, in
        /// milliseconds (default: one day).
        #[arg(long, value_name = "MS")]
        job_deadline_ms: Option<u64>,
        /// Branching factor of dissection (default 1024; small values make
        /// more rounds, for tests and demos).
        #[arg(long, value_name = "K")]
        k: Option<u64>,
        /// Leaves per history layer (default 1024).
        #[arg(long, value_name = "N")]
        max_leaves: Option<u64>,
    },
}

#[derive(Subcommand)]
enum ChainCmd {
    /// Start a local Ethereum devnet: anvil on 127.0.0.1 (from
    /// contracts/node_modules, installed by scripts/setup.sh) with the
    /// verifier, the referee and the jobs contract deployed. Prints `rpc
    /// URL`, `referee ADDRESS` and `jobs ADDRESS` lines, then stays in the
    /// foreground until Ctrl-C or SIGTERM, which stop the node.
    Devnet {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8545)]
        port: u16,
        /// The referee's challenge window, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 120)]
        window: u64,
        /// Each player's clock per game, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 60)]
        clock: u64,
        /// How long a solver drawn for a job has to answer it, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 120)]
        answer: u64,
    },
    /// Serve the claims and games of a referee on a chain as web pages on
    /// 127.0.0.1 (`/` and `/games/N`, each game read from the chain and
    /// checked as it is shown). Prints a `web URL` line; Ctrl-C stops.
    Web {
        /// The node's JSON-RPC URL [default: $REFUTE_CHAIN].
        #[arg(long, value_name = "RPC")]
        chain: Option<String>,
        /// The referee contract [default: $REFUTE_REFEREE].
        #[arg(long, value_name = "ADDRESS")]
        referee: Option<String>,
        /// Port to listen on (127.0.0.1; 0 picks a free one).
        #[arg(long, default_value_t = 8090)]
        port: u16,
    },
}

#[derive(Subcommand)]
enum TraceCmd {
    /// Show a game's timeline: the claim, each round narrowing the steps in
    /// dispute, the final instruction with its values before and after, the
    /// verdict (who lied and where) and the bonds that moved. The transcript
    /// is checked as it is shown.
    Show {
        /// A transcript file (JSON or binary).
        #[arg(required_unless_present = "game", conflicts_with = "game")]
        file: Option<PathBuf>,
        /// Fetch game ID's transcript from the arbiter instead.
        #[arg(long, value_name = "ID")]
        game: Option<u64>,
        /// The arbiter to fetch from [default: $REFUTE_ARBITER, or http://127.0.0.1:7878].
        #[arg(long, value_name = "URL")]
        arbiter: Option<String>,
        /// Read game ID from a referee contract instead: the node's JSON-RPC
        /// URL [default: $REFUTE_CHAIN]; needs --referee.
        #[arg(long, value_name = "RPC", requires = "game")]
        chain: Option<String>,
        /// The referee contract on --chain [default: $REFUTE_REFEREE].
        #[arg(long, value_name = "ADDRESS", requires = "game")]
        referee: Option<String>,
        /// Also write the fetched transcript (binary form) to FILE.
        #[arg(long, value_name = "FILE", requires = "game")]
        save: Option<PathBuf>,
        /// Save the claim's output files under DIR (each preopen at its guest
        /// path), once they check against the claim's final state.
        #[arg(long, value_name = "DIR")]
        save_dir: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Also write the game's page (HTML, as the arbiter's web view shows it) to FILE.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Check a transcript offline: the arbiter's signatures and hash links,
    /// the players' signed moves replayed by the rules, every recorded event
    /// and the verdict. Exit 0 only if the verdict follows; otherwise name
    /// the first point that does not check (exit 1).
    Verify {
        /// A transcript file (JSON or binary).
        file: PathBuf,
        /// The claim's module: check it is the claim's and that with the
        /// transcript's inputs it starts in the initial state the arbiter vouched for.
        #[arg(long, value_name = "M")]
        module: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum LogCmd {
    /// Replay the arbiter's log from its first entry: check every signature
    /// and hash link and re-derive balances, claims and verdicts. Exit 0 only
    /// if everything checks.
    Verify {
        /// The arbiter's data directory.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        // A closed stdout (`refute claims | head -1`) ends the command quietly.
        Err(e) if refute::out::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("refute: error: {e:#}");
            if e.downcast_ref::<BadInput>().is_some() { ExitCode::from(BAD_INPUT) } else { ExitCode::FAILURE }
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Arbiter(ArbiterCmd::Serve {
            data_dir,
            listen,
            window_ms,
            clock_ms,
            reveal_ms,
            job_deadline_ms,
            k,
            max_leaves,
        }) => {
            let mut params = refute_protocol::rules::Params::local(refute_protocol::rules::B32([0; 32]));
            if let Some(w) = window_ms {
                params.challenge_window_ms = w;
                // A short window (tests, demos) keeps a short audit too.
                params.reveal_ms = w;
            }
            if let Some(r) = reveal_ms {
                params.reveal_ms = r;
            }
            if let Some(d) = job_deadline_ms {
                params.job_deadline_ms = d;
            }
            if let Some(c) = clock_ms {
                params.clock_ms = c;
            }
            if let Some(k) = k {
                params.k = k;
            }
            if let Some(n) = max_leaves {
                params.max_leaves = n;
            }
            params.validate().map_err(|e| bad(e.to_string()))?;
            let dir = data_dir.unwrap_or_else(arbiter_cmd::default_data_dir);
            arbiter_cmd::serve(&dir, listen, params)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Trace(TraceCmd::Show {
            file,
            game,
            arbiter,
            chain,
            referee,
            save,
            save_dir,
            json,
            html,
        }) => {
            if let (Some(g), Some(t)) = (game, chain_bots::target(&chain, &referee)?) {
                if save.is_some() || save_dir.is_some() {
                    return Err(bad("--save and --save-dir need an arbiter's transcript"));
                }
                return chain_bots::trace_show(&t, g, json, html.as_deref());
            }
            let t = match (file, game) {
                (Some(f), _) => trace_cmd::read(&f).map_err(|e| bad(format!("{e:#}")))?,
                (None, Some(g)) => {
                    let bytes = refute_traces::fetch::fetch(&bots_cmd::arbiter_url(&arbiter), g)?;
                    if let Some(out) = &save {
                        std::fs::write(out, &bytes)
                            .with_context(|| format!("cannot write {}", out.display()))?;
                    }
                    refute_traces::Transcript::from_bytes(&bytes)?
                }
                (None, None) => return Err(bad("give a transcript FILE or --game ID")),
            };
            trace_cmd::show(&t, save_dir.as_deref(), json, html.as_deref())
        }
        Command::Trace(TraceCmd::Verify { file, module, json }) => {
            let t = trace_cmd::read(&file).map_err(|e| bad(format!("{e:#}")))?;
            let m = match module {
                Some(p) => {
                    Some(std::fs::read(&p).map_err(|e| bad(format!("cannot read {}: {e}", p.display())))?)
                }
                None => None,
            };
            trace_cmd::verify(&t, m.as_deref(), json)
        }
        Command::Keys(c) => bots_cmd::keys(c),
        Command::Account(a) => bots_cmd::account(a),
        Command::Post(a) => bots_cmd::post_cmd(a),
        Command::Solver(c) => bots_cmd::solver(c),
        Command::Challenger(c) => bots_cmd::challenger(c),
        Command::Job(c) => {
            crate::arbiter_cmd::init_logging();
            job_cmd::job(c)
        }
        Command::Claims(a) => bots_cmd::claims(a),
        Command::Games(a) => bots_cmd::games(a),
        Command::Demo { module, args, transcript_dir } => {
            let (path, args) = match module {
                Some(p) => {
                    let name = p.file_stem().map_or("prog".into(), |s| s.to_string_lossy().into_owned());
                    let args = if args.is_empty() { vec![name] } else { args };
                    (p, args)
                }
                None => (refute::workloads::wasm("sort")?, vec!["sort".into(), "10".into()]),
            };
            let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            demo::run(&bytes, &args, transcript_dir.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Log(LogCmd::Verify { data_dir, json }) => {
            let dir = data_dir.unwrap_or_else(arbiter_cmd::default_data_dir);
            match arbiter_cmd::verify_log(&dir, json) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(e) if refute::out::is_broken_pipe(&e) => Err(e),
                Err(e) => {
                    errln!("refute: {e:#}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Run { task, json, save_dir } => run(task, json, save_dir),
        Command::Commit { task, stride, json } => proofs::commit(prepare(&task)?, stride, json),
        Command::State { task, step, json } => proofs::state(prepare(&task)?, step, json),
        Command::Prove { task, step, out, json } => proofs::prove(prepare(&task)?, step, &out, json),
        Command::VerifyStep { proof, pre, evm, chain, verifier, json } => {
            let on = match (chain, verifier) {
                (Some(url), Some(address)) => Some(proofs::OnChain::Node { url, address }),
                _ if evm => Some(proofs::OnChain::InProcess),
                _ => None,
            };
            proofs::verify_step(&proof, pre.as_deref(), on, json)
        }
        Command::Chain(ChainCmd::Web { chain, referee, port }) => match chain_bots::target(&chain, &referee)?
        {
            Some(t) => chain_web::serve(&t, port),
            None => Err(bad(
                "chain web needs --chain URL and --referee ADDRESS (or $REFUTE_CHAIN, $REFUTE_REFEREE)",
            )),
        },
        Command::Chain(ChainCmd::Devnet { port, window, clock, answer }) => {
            chain_cmd::devnet(port, window, clock, answer)
        }
        Command::Bench { runs, only, quick, json, proofs, samples } => {
            if runs == 0 {
                return Err(bad("--runs must be at least 1"));
            }
            if proofs {
                if samples == 0 {
                    return Err(bad("--samples must be at least 1"));
                }
                let rows = refute::proofbench::run(runs, only.as_deref(), quick, samples)?;
                if json {
                    outln!("{}", serde_json::to_string_pretty(&rows)?)?;
                } else {
                    out!("{}", refute::proofbench::table(&rows, runs))?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let rows = bench::run(runs, only.as_deref(), quick)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&rows)?)?;
            } else {
                out!("{}", bench::table(&rows, runs))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads a module file, accepting the binary format or the text format,
/// and checks that the engine loads it.
fn read_module(path: &Path) -> Result<(Vec<u8>, Module)> {
    let meta = std::fs::metadata(path).map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > MAX_LOAD_BYTES as u64 {
        return Err(bad(format!(
            "{} is {} bytes, larger than the module limit of {MAX_LOAD_BYTES} bytes",
            path.display(),
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    let is_text = path.extension().is_some_and(|e| e == "wat" || e == "wast");
    let bytes = if bytes.starts_with(b"\0asm") {
        bytes
    } else if is_text {
        match wat::parse_bytes(&bytes) {
            Ok(b) => b.into_owned(),
            Err(e) => {
                let e = e.to_string().lines().map(str::trim).collect::<Vec<_>>().join(" ");
                return Err(bad(format!("{}: not valid WebAssembly text: {e}", path.display())));
            }
        }
    } else {
        return Err(bad(format!(
            "{}: not a WebAssembly binary (it does not start with \\0asm; text modules need a .wat extension)",
            path.display()
        )));
    };
    let module = Module::new(&bytes).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    Ok((bytes, module))
}

/// A task's parts, read from the command line: what a claim names.
pub(crate) struct TaskInput {
    /// The module's bytes (text modules converted).
    pub bytes: Vec<u8>,
    module: Module,
    /// What runs.
    pub entry: Entry,
    /// The task: arguments (argv[0] first), environment, stdin, step limit.
    pub task: Task,
}

/// Reads the module and input named by `t`.
pub(crate) fn task_input(t: &TaskArgs) -> Result<TaskInput> {
    let path = &t.module;
    let (bytes, module) = read_module(path)?;
    let stdin = match &t.stdin {
        Some(f) if f.as_os_str() == "-" => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("reading stdin")?;
            buf
        }
        Some(f) => {
            std::fs::read(f).map_err(|e| bad(format!("cannot read stdin file {}: {e}", f.display())))?
        }
        None => Vec::new(),
    };
    let env = t
        .env
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(bad(format!("--env {kv:?} is not NAME=VALUE"))),
        })
        .collect::<Result<Vec<_>>>()?;
    let program = path.file_name().map_or("module".into(), |n| n.to_string_lossy().to_string());
    let (entry, task_args) = match &t.invoke {
        Some(func) => {
            let ty = module
                .export_func_type(func)
                .ok_or_else(|| bad(format!("{}: no exported function named {func:?}", path.display())))?;
            let values = args::parse_args(ty, &t.args).map_err(|e| bad(format!("--invoke {func}: {e:#}")))?;
            (Entry::Invoke(func.clone(), values), vec![program])
        }
        None => (Entry::Start, std::iter::once(program).chain(t.args.iter().cloned()).collect()),
    };
    let preopens = refute::dirs::read_preopens(&t.dirs).map_err(|e| bad(format!("--dir: {e:#}")))?;
    let task = Task { args: task_args, env, stdin, max_steps: t.max_steps, preopens };
    Ok(TaskInput { bytes, module, entry, task })
}

/// What a claim or a job names for the task `t` (`refute post`, `refute job
/// post`), with its step limit.
pub(crate) fn claim_inputs(t: &TaskArgs) -> Result<(refute_protocol::inputs::ClaimInputs, u64)> {
    let input = task_input(t)?;
    let inputs = refute_protocol::inputs::ClaimInputs::from_task(input.bytes, &input.task, &input.entry);
    Ok((inputs, input.task.max_steps))
}

/// A task ready to run, and how it was asked for.
struct Prepared {
    run: Run,
    /// The preopened directories as read before the run.
    preopens: Vec<refute_engine::fs::Preopen>,
    invoke: Option<String>,
    max_steps: u64,
}

/// Reads the module and input and instantiates the task.
fn prepare(t: &TaskArgs) -> Result<Prepared> {
    let TaskInput { module, entry, task, .. } = task_input(t)?;
    let path = &t.module;
    let run = Run::new(&module, &task, &entry).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    refute_engine::state::check_limits(&run.machine.store)
        .map_err(|e| bad(format!("{}: {e}", path.display())))?;
    Ok(Prepared { run, preopens: task.preopens, invoke: t.invoke.clone(), max_steps: t.max_steps })
}

fn run(t: TaskArgs, json: bool, save_dir: Option<PathBuf>) -> Result<ExitCode> {
    let Prepared { mut run, preopens, invoke, max_steps } = prepare(&t)?;
    let status = run.run_to_end();
    let m = &run.machine;
    // As under wasmtime, the guest's changes to its directories persist
    // whatever the run's end.
    let mut files = refute::dirs::WriteBack::default();
    for ((dir, before), after) in t.dirs.iter().zip(&preopens).zip(m.host.fs.preopens()) {
        match &save_dir {
            Some(d) => refute::dirs::save(&refute::dirs::save_path(d, &dir.guest)?, &after.root, &mut files)?,
            None => refute::dirs::write_back(&dir.host, &before.root, &after.root, &mut files)?,
        }
    }
    if json {
        let mut j = report::json(m);
        if !t.dirs.is_empty() {
            j["files"] = serde_json::to_value(&files).context("encoding JSON")?;
        }
        outln!("{}", serde_json::to_string(&j).context("encoding JSON")?)?;
        return Ok(ExitCode::from(report::exit_code(status) as u8));
    }
    refute::out::bytes(&m.host.stdout)?;
    refute::out::ebytes(&m.host.stderr);
    match status {
        Status::Finished if invoke.is_some() => {
            for v in m.results() {
                outln!("{v}")?;
            }
        }
        Status::Trapped(t) => errln!("refute: guest trapped after {} steps: {t}", m.steps()),
        Status::OutOfSteps => {
            errln!("refute: guest ran out of steps (limit {max_steps}; raise it with --max-steps)")
        }
        Status::Running => bail!("internal error: run ended while running"),
        _ => {}
    }
    Ok(ExitCode::from(report::exit_code(status) as u8))
}
