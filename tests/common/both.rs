//! The game on two referees at once: `refute-protocol`'s rules (the Rust
//! original) and the `Referee` contract in revm, fed the same messages at
//! the same times. After every message and every passage of time both must
//! have accepted or refused it alike (the same error code), emitted the same
//! events (the contract's mapped to the rules'), and hold the same balances.
#![allow(dead_code)]

use refute_chain::alloy_primitives::{Address, B256, U256};
use refute_chain::alloy_sol_types::{SolCall, SolEvent, SolValue};
use refute_chain::evm::{Evm, Receipt};
use refute_chain::referee::{self, IReferee};
use refute_protocol::rules::{B32, ClaimBody, Event, Message, Params, Role, RuleError};

use super::support::{World, pubkey};

/// Milliseconds per second: the rules count milliseconds, the chain seconds.
pub const MS: u64 = 1000;

/// The chain address of player `who`.
pub fn addr(who: u8) -> Address {
    Address::left_padding_from(&[0xee, who])
}

/// Both referees.
pub struct Both {
    pub w: World,
    pub evm: Evm,
    pub referee: Address,
    /// Seconds.
    pub now: u64,
    /// Claim ids in the order posted: the rules' and the contract's.
    pub claims: Vec<(B32, B256)>,
    /// Wei deposited, per player.
    pub deposited: [u64; 16],
    /// Gas of every accepted transaction, by kind.
    pub gas: Vec<(&'static str, u64)>,
}

/// What happened to one message: accepted with these events, or refused with this code.
pub type Outcome = Result<Vec<String>, String>;

impl Both {
    /// Both referees with the rules' `p` (times in whole seconds), the
    /// contract deployed with the same parameters and no inclusion extension.
    pub fn new(p: Params) -> Both {
        Both::with_grace(p, 0)
    }

    /// As [`Both::new`], with an inclusion extension of `grace` seconds on
    /// chain (the rules have none: the clocks then differ, the moves not).
    pub fn with_grace(p: Params, grace: u64) -> Both {
        assert!(p.clock_ms.is_multiple_of(MS) && p.challenge_window_ms.is_multiple_of(MS));
        let mut evm = Evm::new().expect("the contracts are built (bash contracts/build.sh)");
        let mut params = referee::Params::new(
            evm.verifier,
            p.challenge_window_ms / MS,
            p.clock_ms / MS,
            grace,
            p.k,
            p.max_leaves,
        );
        params.maxSteps = p.max_steps;
        params.winnerSharePct = p.winner_share_pct;
        params.minClaimBond = U256::from(p.min_claim_bond);
        params.minChallengeBond = U256::from(p.min_challenge_bond);
        params.bondPerGstep = U256::from(p.bond_per_gstep);
        let referee = evm.deploy_referee(&params).expect("Referee deploys");
        // The blobs the fixture's claims name (`with_blobs`).
        for blob in [super::support::PROGRAM.as_bytes(), &[]] {
            let data = IReferee::publishCall { data: blob.to_vec().into() }.abi_encode();
            let r = evm.send(addr(0), referee, U256::ZERO, data).expect("publish");
            assert!(r.ok, "publish");
        }
        Both {
            w: World::new(p),
            evm,
            referee,
            now: 1,
            claims: Vec::new(),
            deposited: [0; 16],
            gas: Vec::new(),
        }
    }

    /// Gives `who` `amount` on both: minted by the rules, deposited on chain.
    pub fn fund(&mut self, who: u8, amount: u64) {
        let now = self.now * MS;
        self.w.rules.tick_all(now);
        self.w.mint(who, amount, now);
        self.evm.fund(addr(who), U256::from(amount));
        self.evm.set_time(self.now);
        let r = self.tx(who, IReferee::depositCall {}.abi_encode(), amount);
        assert!(r.ok, "deposit");
        self.deposited[who as usize] += amount;
        self.check_money();
    }

    fn tx(&mut self, who: u8, data: Vec<u8>, value: u64) -> Receipt {
        self.evm.send(addr(who), self.referee, U256::from(value), data).expect("the EVM runs the transaction")
    }

    pub fn view<C: SolCall>(&mut self, call: C) -> C::Return {
        let out = self.evm.view(self.referee, call.abi_encode()).expect("view");
        C::abi_decode_returns(&out).expect("decodes")
    }

    /// Moves time on by `secs` and lets both settle what is due: the rules
    /// tick; on chain anyone calls `timeout` and `finalize` where due.
    pub fn advance(&mut self, secs: u64) -> (Vec<String>, Vec<String>) {
        self.now += secs;
        let mut rust: Vec<String> =
            self.w.rules.tick_all(self.now * MS).iter().filter_map(|e| self.rust_ev(e)).collect();
        self.evm.set_time(self.now);
        let mut chain = Vec::new();
        let games = self.view(IReferee::nextGameCall {});
        for g in 0..games {
            let r = self.tx(0, IReferee::timeoutCall { id: g }.abi_encode(), 0);
            if r.ok {
                self.gas.push(("timeout", r.gas));
                chain.extend(self.chain_evs(&r));
            }
        }
        for i in 0..self.claims.len() {
            let id = self.claims[i].1;
            let r = self.tx(0, IReferee::finalizeCall { id }.abi_encode(), 0);
            if r.ok {
                self.gas.push(("finalize", r.gas));
                chain.extend(self.chain_evs(&r));
            }
        }
        rust.sort();
        chain.sort();
        assert_eq!(rust, chain, "at {} s, the passage of time did different things", self.now);
        self.check_money();
        (rust, chain)
    }

    /// `who` sends `m` to both at the current time; both must agree. Returns what happened.
    pub fn send(&mut self, who: u8, m: Message) -> Outcome {
        let kind = self.calldata(&m).0;
        let (rust, chain) = self.send_apart(who, m);
        assert_eq!(rust, chain, "at {} s, {} by player {who}: the referees differ", self.now, kind);
        rust
    }

    /// `who` sends `m` to both at the current time: what each did.
    pub fn send_apart(&mut self, who: u8, m: Message) -> (Outcome, Outcome) {
        let now = self.now * MS;
        assert!(!self.w.rules.due(now), "call advance() first: the rules have work due");
        let next_claim = self.w.next_claim_id(who);
        let rust = self.w.send(who, m.clone(), now);
        self.evm.set_time(self.now);
        let (kind, data) = self.calldata(&m);
        let r = self.tx(who, data, 0);
        let chain: Outcome = if r.ok {
            if let Message::Claim(_) = &m {
                let id = B256::abi_decode(&r.output).expect("a claim id");
                self.claims.push((next_claim, id));
            }
            self.gas.push((kind, r.gas));
            Ok(self.chain_evs(&r))
        } else {
            Err(referee::error_code(&r.output)
                .map(str::to_string)
                .unwrap_or_else(|| format!("undecodable revert: {}", referee::describe_error(&r.output))))
        };
        let rust: Outcome =
            rust.map(|evs| evs.iter().filter_map(|e| self.rust_ev(e)).collect()).map_err(|e| code(&e));
        self.check_money();
        (rust, chain)
    }

    /// The contract's calldata for message `m`.
    fn calldata(&self, m: &Message) -> (&'static str, Vec<u8>) {
        let b = |x: &B32| B256::from(x.0);
        match m {
            Message::Claim(c) => (
                "claim",
                IReferee::postClaimCall { c: referee::claim_body(c), bond: U256::from(c.bond) }.abi_encode(),
            ),
            Message::Challenge { claim, history_root, final_root, bond } => {
                let claim = self.chain_claim(claim);
                let call = IReferee::challengeCall {
                    claim,
                    historyRoot: b(history_root),
                    finalRoot: b(final_root),
                    bond: U256::from(*bond),
                };
                ("challenge", call.abi_encode())
            }
            Message::Reveal { game, also, layer_root, roots, proof } => {
                // A malformed encoding becomes hashes the walk cannot use up.
                let proof =
                    referee::proof_hashes(&proof.0).unwrap_or_else(|| vec![B256::repeat_byte(0xbb); 70]);
                let call = IReferee::revealCall {
                    game: *game,
                    also: also.clone(),
                    layerRoot: layer_root.map(|r| b(&r)).unwrap_or_default(),
                    roots: roots.iter().map(b).collect(),
                    proof,
                };
                ("reveal", call.abi_encode())
            }
            Message::Step { game, also, proof } => (
                "step",
                IReferee::stepCall { game: *game, also: also.clone(), proof: proof.0.clone().into() }
                    .abi_encode(),
            ),
            other => panic!("not a message the contract has: {other:?}"),
        }
    }

    fn chain_claim(&self, rust: &B32) -> B256 {
        self.claims.iter().find(|(r, _)| r == rust).map(|c| c.1).unwrap_or(B256::from(rust.0))
    }

    fn claim_index(&self, rust: &B32) -> usize {
        self.claims.iter().position(|(r, _)| r == rust).unwrap_or(usize::MAX)
    }

    fn player_of(&self, key: &B32) -> u8 {
        (0..16).find(|&i| pubkey(i) == *key).expect("a known player")
    }

    fn player_of_addr(&self, a: &Address) -> u8 {
        (0..16).find(|&i| addr(i) == *a).expect("a known player")
    }

    /// The rules' event `e` in the common form, if the contract has it.
    fn rust_ev(&self, e: &Event) -> Option<String> {
        let p = |k: &B32| self.player_of(k);
        let c = |id: &B32| self.claim_index(id);
        Some(match e {
            Event::BondLocked { who, amount } => format!("locked p{} {amount}", p(who)),
            Event::BondReturned { who, amount } => format!("returned p{} {amount}", p(who)),
            Event::BondForfeited { who, amount } => format!("forfeited p{} {amount}", p(who)),
            Event::SharePaid { to, amount } => format!("share p{} {amount}", p(to)),
            Event::Burned { amount } => format!("burned {amount}"),
            Event::GameStarted { game, claim, challenger } => {
                format!("game {game} c{} p{}", c(claim), p(challenger))
            }
            Event::LayerStarted { game, depth, start, end, stride } => {
                format!("layer {game} {depth} {start} {end} {stride}")
            }
            Event::Revealed { game, role, points } => format!("revealed {game} {role:?} {points}"),
            Event::Narrowed { game, depth, a, b } => format!("narrowed {game} {depth} {a} {b}"),
            Event::StepDisputed { game, step } => format!("disputed {game} {step}"),
            Event::StepProven { game, step, post } => format!("proven {game} {step} {post:?}"),
            Event::TimedOut { game, role } => format!("timed out {game} {role:?}"),
            Event::GameWon { game, winner } => format!("won {game} {winner:?}"),
            Event::GameLostByBoth { game } => format!("lost by both {game}"),
            Event::ClaimFinal { claim } => format!("final c{}", c(claim)),
            Event::ClaimRejected { claim, game } => format!("rejected c{} {game}", c(claim)),
            Event::ClaimSettled { claim, paid } => format!("settled c{} {paid:?}", c(claim)),
            _ => return None,
        })
    }

    /// The contract's events of receipt `r` in the common form.
    fn chain_evs(&self, r: &Receipt) -> Vec<String> {
        use IReferee as I;
        let p = |a: &Address| self.player_of_addr(a);
        let c = |id: &B256| self.claims.iter().position(|x| x.1 == *id).unwrap_or(usize::MAX);
        let role = |r: u8| if r == 0 { Role::Solver } else { Role::Challenger };
        let mut out = Vec::new();
        for log in &r.logs {
            let t = log.topics()[0];
            let d = &log.data;
            let s = if t == I::BondLocked::SIGNATURE_HASH {
                let e = I::BondLocked::decode_log_data(d).unwrap();
                format!("locked p{} {}", p(&e.who), e.amount)
            } else if t == I::BondReturned::SIGNATURE_HASH {
                let e = I::BondReturned::decode_log_data(d).unwrap();
                format!("returned p{} {}", p(&e.who), e.amount)
            } else if t == I::BondForfeited::SIGNATURE_HASH {
                let e = I::BondForfeited::decode_log_data(d).unwrap();
                format!("forfeited p{} {}", p(&e.who), e.amount)
            } else if t == I::SharePaid::SIGNATURE_HASH {
                let e = I::SharePaid::decode_log_data(d).unwrap();
                format!("share p{} {}", p(&e.to), e.amount)
            } else if t == I::Burned::SIGNATURE_HASH {
                format!("burned {}", I::Burned::decode_log_data(d).unwrap().amount)
            } else if t == I::GameStarted::SIGNATURE_HASH {
                let e = I::GameStarted::decode_log_data(d).unwrap();
                format!("game {} c{} p{}", e.game, c(&e.claim), p(&e.challenger))
            } else if t == I::LayerStarted::SIGNATURE_HASH {
                let e = I::LayerStarted::decode_log_data(d).unwrap();
                format!("layer {} {} {} {} {}", e.game, e.depth, e.start, e.end, e.stride)
            } else if t == I::Revealed::SIGNATURE_HASH {
                let e = I::Revealed::decode_log_data(d).unwrap();
                format!("revealed {} {:?} {}", e.game, role(e.role), e.roots.len())
            } else if t == I::Narrowed::SIGNATURE_HASH {
                let e = I::Narrowed::decode_log_data(d).unwrap();
                format!("narrowed {} {} {} {}", e.game, e.depth, e.a, e.b)
            } else if t == I::StepDisputed::SIGNATURE_HASH {
                let e = I::StepDisputed::decode_log_data(d).unwrap();
                format!("disputed {} {}", e.game, e.step)
            } else if t == I::StepProven::SIGNATURE_HASH {
                let e = I::StepProven::decode_log_data(d).unwrap();
                format!("proven {} {} {:?}", e.game, e.step, B32(e.post.0))
            } else if t == I::TimedOut::SIGNATURE_HASH {
                let e = I::TimedOut::decode_log_data(d).unwrap();
                format!("timed out {} {:?}", e.game, role(e.role))
            } else if t == I::GameWon::SIGNATURE_HASH {
                let e = I::GameWon::decode_log_data(d).unwrap();
                format!("won {} {:?}", e.game, role(e.winner))
            } else if t == I::GameLostByBoth::SIGNATURE_HASH {
                format!("lost by both {}", I::GameLostByBoth::decode_log_data(d).unwrap().game)
            } else if t == I::ClaimFinal::SIGNATURE_HASH {
                format!("final c{}", c(&I::ClaimFinal::decode_log_data(d).unwrap().claim))
            } else if t == I::ClaimRejected::SIGNATURE_HASH {
                let e = I::ClaimRejected::decode_log_data(d).unwrap();
                format!("rejected c{} {}", c(&e.claim), e.game)
            } else if t == I::ClaimSettled::SIGNATURE_HASH {
                let e = I::ClaimSettled::decode_log_data(d).unwrap();
                format!("settled c{} {:?}", c(&e.claim), e.paid.checked_sub(1))
            } else {
                continue;
            };
            out.push(s);
        }
        out
    }

    /// Every player's balance, the burned total and the held total agree,
    /// and the contract holds exactly what it accounts for.
    pub fn check_money(&mut self) {
        self.w.check_conservation();
        let mut total = U256::ZERO;
        for who in 0..16u8 {
            let rust = self.w.rules.state.accounts.get(&pubkey(who)).map_or(0, |a| a.balance);
            let chain = self.view(IReferee::balanceOfCall { who: addr(who) });
            assert_eq!(U256::from(rust), chain, "balance of player {who} at {} s", self.now);
            total += chain;
        }
        let burned = self.view(IReferee::burnedCall {});
        let held = self.view(IReferee::heldCall {});
        assert_eq!(U256::from(self.w.rules.state.burned), burned, "burned at {} s", self.now);
        let contract = self.evm.balance(self.referee);
        assert_eq!(
            contract,
            total + held + burned,
            "the contract's wei are its balances, held bonds and burned"
        );
    }
}

/// `c` naming blobs that exist (published by [`Both::new`]): the fixture's
/// module text and empty arguments, environment and stdin.
pub fn with_blobs(mut c: ClaimBody) -> ClaimBody {
    let empty = B32::sha256(&[b""]);
    (c.args, c.env, c.stdin) = (empty, empty, empty);
    c
}

/// The rules' error code.
pub fn code(e: &RuleError) -> String {
    e.code().to_string()
}
