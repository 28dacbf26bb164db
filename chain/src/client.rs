//! The referee on a node: typed calls and signed transactions to a deployed
//! `Referee` over JSON-RPC, its events, and the blobs published on it
//! (`specs/chain.md` §6). What the players' commands use with `--chain`.

use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256, Log, LogData, U256};
use alloy_sol_types::{SolCall, SolEventInterface};
use serde_json::{Value, json};

use crate::referee::{self, IReferee};
use crate::rpc::{Rpc, RpcError, hex0x, unhex0x};
use crate::wallet::{Tx, Wallet};

/// Why a request to the referee failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The node could not be reached or failed.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The referee refused the transaction (its revert, decoded).
    #[error("the referee refused it: {why}")]
    Refused {
        /// The rules' error code (`specs/protocol.md` §6), if it is one of the referee's errors.
        code: Option<&'static str>,
        /// A readable reason.
        why: String,
    },
    /// No contract, or not a referee, at the address.
    #[error("{0}")]
    NotAReferee(String),
    /// The node answered something unexpected.
    #[error("{0}")]
    Unexpected(String),
}

impl ChainError {
    /// The rules' error code of a refusal.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            ChainError::Refused { code, .. } => *code,
            _ => None,
        }
    }
}

/// A mined transaction: its hash, gas and events.
#[derive(Clone, Debug)]
pub struct Mined {
    /// The transaction's hash.
    pub hash: String,
    /// Gas used.
    pub gas: u64,
    /// The referee's events in it.
    pub events: Vec<IReferee::IRefereeEvents>,
    /// Every log in it (the jobs contract's too).
    pub logs: Vec<Log>,
    /// Its block.
    pub block: u64,
}

/// One of the referee's events, where it happened.
#[derive(Clone, Debug)]
pub struct Event {
    /// The event.
    pub event: IReferee::IRefereeEvents,
    /// The block it is in.
    pub block: u64,
    /// Its transaction.
    pub tx: String,
}

/// A deployed referee on a node.
pub struct Chain {
    rpc: Rpc,
    /// The referee's address.
    pub referee: Address,
    /// The chain's id.
    pub chain_id: u64,
}

fn quantity(v: &Value) -> Option<u64> {
    u64::from_str_radix(v.as_str()?.strip_prefix("0x")?, 16).ok()
}

impl Chain {
    /// Connects to the referee at `referee` on the node at `url`, checking
    /// that a referee answers there.
    pub fn connect(url: &str, referee: &str) -> Result<Chain, ChainError> {
        let address: Address = referee
            .parse()
            .map_err(|e| ChainError::NotAReferee(format!("{referee:?} is not an address: {e}")))?;
        let rpc = Rpc::new(url);
        let chain_id = rpc.chain_id()?;
        let code = rpc.request("eth_getCode", json!([address.to_string(), "latest"]))?;
        if code.as_str().is_none_or(|c| c.len() <= 2) {
            return Err(ChainError::NotAReferee(format!("no contract at {address} on {url}")));
        }
        let chain = Chain { rpc, referee: address, chain_id };
        chain.view(IReferee::kCall {}).map_err(|e| {
            ChainError::NotAReferee(format!("the contract at {address} is not a referee: {e}"))
        })?;
        Ok(chain)
    }

    /// The JSON-RPC client.
    pub fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        self.rpc.url()
    }

    /// A view of the referee.
    pub fn view<C: SolCall>(&self, call: C) -> Result<C::Return, ChainError> {
        self.view_at(self.referee, call)
    }

    /// A view of the contract at `to` (the referee, or the jobs contract).
    pub fn view_at<C: SolCall>(&self, to: Address, call: C) -> Result<C::Return, ChainError> {
        match self.rpc.call(&to.to_string(), &call.abi_encode())? {
            Ok(out) => {
                C::abi_decode_returns(&out).map_err(|e| ChainError::Unexpected(format!("undecodable: {e}")))
            }
            Err(revert) => Err(refused(&revert)),
        }
    }

    /// The latest block's number and timestamp.
    pub fn head(&self) -> Result<(u64, u64), ChainError> {
        let b = self.rpc.request("eth_getBlockByNumber", json!(["latest", false]))?;
        match (quantity(&b["number"]), quantity(&b["timestamp"])) {
            (Some(n), Some(t)) => Ok((n, t)),
            _ => Err(ChainError::Unexpected(format!("eth_getBlockByNumber: {b}"))),
        }
    }

    /// An account's wei on chain (not in the referee).
    pub fn eth_balance(&self, who: &Address) -> Result<U256, ChainError> {
        let v = self.rpc.request("eth_getBalance", json!([who.to_string(), "latest"]))?;
        v.as_str()
            .and_then(|s| U256::from_str_radix(s.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| ChainError::Unexpected(format!("eth_getBalance: {v}")))
    }

    /// Sets an account's wei (`anvil_setBalance`: a devnet's faucet only).
    pub fn set_eth_balance(&self, who: &Address, wei: U256) -> Result<(), ChainError> {
        self.rpc
            .request("anvil_setBalance", json!([who.to_string(), format!("{wei:#x}")]))
            .map_err(|e| ChainError::Unexpected(format!("minting needs a devnet (anvil_setBalance): {e}")))?;
        Ok(())
    }

    /// Signs `call` with `wallet`, sending `value` wei, and waits (at most
    /// 60 s) until it is mined. A call the referee would refuse is refused
    /// before it is sent (the gas estimate runs it), with the rules' error.
    pub fn send<C: SolCall>(&self, wallet: &Wallet, call: &C, value: U256) -> Result<Mined, ChainError> {
        self.send_to(wallet, self.referee, call, value)
    }

    /// As [`Chain::send`], to the contract at `address` (the jobs contract).
    pub fn send_to<C: SolCall>(
        &self,
        wallet: &Wallet,
        address: Address,
        call: &C,
        value: U256,
    ) -> Result<Mined, ChainError> {
        let data = call.abi_encode();
        let from = wallet.address.to_string();
        let to = address.to_string();
        let tx = json!({"from": from, "to": to, "data": hex0x(&data), "value": format!("{value:#x}")});
        let gas = match self.rpc.request("eth_estimateGas", json!([tx])) {
            Ok(v) => quantity(&v).ok_or_else(|| ChainError::Unexpected(format!("eth_estimateGas: {v}")))?,
            Err(RpcError::Node { data: Some(revert), .. }) => return Err(refused(&revert)),
            Err(e) => return Err(e.into()),
        };
        let nonce = self.rpc.request("eth_getTransactionCount", json!([from, "pending"]))?;
        let nonce = quantity(&nonce).ok_or_else(|| ChainError::Unexpected(format!("nonce: {nonce}")))?;
        let block = self.rpc.request("eth_getBlockByNumber", json!(["latest", false]))?;
        let base = quantity(&block["baseFeePerGas"]).unwrap_or(1_000_000_000) as u128;
        let tip = 1_000_000_000u128;
        let raw = wallet.sign(&Tx {
            chain_id: self.chain_id,
            nonce,
            max_priority_fee_per_gas: tip,
            max_fee_per_gas: 2 * base + tip,
            // A margin over the estimate: the state may move before it is mined.
            gas: (gas + gas / 4 + 20_000).min(crate::evm::TX_GAS_CAP),
            to: address,
            value,
            data,
        });
        let hash = self.rpc.request("eth_sendRawTransaction", json!([hex0x(&raw)]))?;
        let hash = hash.as_str().unwrap_or_default().to_string();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let r = self.rpc.request("eth_getTransactionReceipt", json!([hash]))?;
            if !r.is_null() {
                let block = quantity(&r["blockNumber"]).unwrap_or(0);
                if r["status"] != json!("0x1") {
                    return Err(ChainError::Refused {
                        code: None,
                        why: format!(
                            "transaction {hash} reverted in block {block} (the state moved since it was sent)"
                        ),
                    });
                }
                let logs: Vec<Log> = r["logs"].as_array().into_iter().flatten().filter_map(raw_log).collect();
                let events = logs.iter().filter_map(|l| self.decode(l)).collect();
                return Ok(Mined { gas: quantity(&r["gasUsed"]).unwrap_or(0), hash, events, logs, block });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(ChainError::Unexpected(format!("transaction {hash} not mined after 60 s")))
    }

    fn decode(&self, log: &Log) -> Option<IReferee::IRefereeEvents> {
        if log.address != self.referee {
            return None;
        }
        IReferee::IRefereeEvents::decode_log(log).ok().map(|d| d.data)
    }

    /// The logs of the contract at `address` in blocks `from..=to`, each
    /// with its block and transaction.
    pub fn logs(&self, address: Address, from: u64, to: u64) -> Result<Vec<(Log, u64, String)>, ChainError> {
        let filter = json!({"address": address.to_string(), "fromBlock": format!("{from:#x}"), "toBlock": format!("{to:#x}")});
        let logs = self.rpc.request("eth_getLogs", json!([filter]))?;
        Ok(logs
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| {
                Some((raw_log(l)?, quantity(&l["blockNumber"])?, l["transactionHash"].as_str()?.to_string()))
            })
            .collect())
    }

    /// The referee's events in blocks `from..=to`.
    pub fn events(&self, from: u64, to: u64) -> Result<Vec<Event>, ChainError> {
        Ok(self
            .logs(self.referee, from, to)?
            .into_iter()
            .filter_map(|(l, block, tx)| Some(Event { event: self.decode(&l)?, block, tx }))
            .collect())
    }

    /// Publishes `data` (once: nothing is sent for what is published
    /// already): in one transaction up to `MAX_CHUNK` bytes, else chunk by
    /// chunk and then the list of chunks (`publishChunked`). Its id (`blob_id`).
    pub fn publish(&self, wallet: &Wallet, data: &[u8]) -> Result<B256, ChainError> {
        let id = blob_id(data);
        if self.view(IReferee::publishedCall { h: id })? {
            return Ok(id);
        }
        if data.len() <= MAX_CHUNK {
            self.send(wallet, &IReferee::publishCall { data: data.to_vec().into() }, U256::ZERO)?;
            return Ok(id);
        }
        let mut chunks = Vec::new();
        for chunk in data.chunks(MAX_CHUNK) {
            chunks.push(self.publish(wallet, chunk)?);
        }
        let call = IReferee::publishChunkedCall { size: U256::from(data.len()), chunks };
        self.send(wallet, &call, U256::ZERO)?;
        Ok(id)
    }

    /// The bytes of a published blob, read from its `publish` transaction
    /// (or its chunks' and reassembled) and checked against its id.
    pub fn blob(&self, id: &B256) -> Result<Vec<u8>, ChainError> {
        use alloy_sol_types::{SolEvent, SolValue};
        let find = |topic: B256| -> Result<Option<(String, Vec<u8>)>, ChainError> {
            let filter = json!({
                "address": self.referee.to_string(),
                "fromBlock": "0x0",
                "toBlock": "latest",
                "topics": [topic.to_string(), id.to_string()],
            });
            let logs = self.rpc.request("eth_getLogs", json!([filter]))?;
            Ok(logs.as_array().and_then(|a| a.first()).and_then(|l| {
                Some((l["transactionHash"].as_str()?.to_string(), unhex0x(l["data"].as_str()?)?))
            }))
        };
        let data = if let Some((tx, _)) = find(IReferee::Published::SIGNATURE_HASH)? {
            let t = self.rpc.request("eth_getTransactionByHash", json!([tx]))?;
            let input = t["input"].as_str().and_then(unhex0x).unwrap_or_default();
            let call = IReferee::publishCall::abi_decode(&input).map_err(|e| {
                ChainError::Unexpected(format!("transaction {tx} is not a publish call: {e}"))
            })?;
            call.data.to_vec()
        } else if let Some((tx, data)) = find(IReferee::PublishedChunked::SIGNATURE_HASH)? {
            let (size, chunks) = <(U256, Vec<B256>)>::abi_decode_params(&data).map_err(|e| {
                ChainError::Unexpected(format!("transaction {tx}: an undecodable chunk list: {e}"))
            })?;
            let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            for c in &chunks {
                out.extend(self.blob(c)?);
            }
            out
        } else {
            return Err(ChainError::Unexpected(format!("blob {id} is not published on this referee")));
        };
        let got = blob_id(&data);
        if got != *id {
            return Err(ChainError::Unexpected(format!("the bytes published as blob {id} are blob {got}")));
        }
        Ok(data)
    }
}

/// The most bytes one `publish` takes (the contract's `MAX_CHUNK`).
pub const MAX_CHUNK: usize = 96 * 1024;

/// A blob's id on the referee: its SHA-256 up to `MAX_CHUNK` bytes; above,
/// `SHA256("refute chunked blob v1\0" ‖ u256be(size) ‖ SHA-256 of each chunk)`.
pub fn blob_id(data: &[u8]) -> B256 {
    let sha = |parts: &[&[u8]]| {
        let mut h = sha2::Sha256::new();
        for p in parts {
            h.update(p);
        }
        B256::from(<[u8; 32]>::from(h.finalize()))
    };
    if data.len() <= MAX_CHUNK {
        return sha(&[data]);
    }
    let mut parts: Vec<Vec<u8>> =
        vec![b"refute chunked blob v1\0".to_vec(), U256::from(data.len()).to_be_bytes::<32>().to_vec()];
    parts.extend(data.chunks(MAX_CHUNK).map(|c| sha(&[c]).to_vec()));
    sha(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

use sha2::Digest;

/// A log of a JSON-RPC answer.
fn raw_log(l: &Value) -> Option<Log> {
    let address: Address = l["address"].as_str()?.parse().ok()?;
    let topics: Vec<B256> = l["topics"].as_array()?.iter().filter_map(|t| t.as_str()?.parse().ok()).collect();
    let data = unhex0x(l["data"].as_str()?)?;
    Some(Log { address, data: LogData::new(topics, data.into())? })
}

/// The refusal of revert data `revert` (the referee's errors, or the jobs contract's).
fn refused(revert: &[u8]) -> ChainError {
    match (referee::error_code(revert), crate::jobs::describe_error(revert)) {
        (None, Some(why)) => ChainError::Refused { code: crate::jobs::error_code(revert), why },
        (code, _) => ChainError::Refused { code, why: referee::describe_error(revert) },
    }
}
