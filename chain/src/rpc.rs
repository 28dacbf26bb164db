//! A minimal Ethereum JSON-RPC client (blocking, over ureq): what the devnet
//! and `refute verify-step --chain` need of a node: accounts, transactions
//! and receipts, calls and gas estimates. Only plain HTTP: a local node.

use std::time::Duration;

use serde_json::{Value, json};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// The node could not be reached or answered something else than JSON-RPC.
    #[error("{url}: {why}")]
    Transport {
        /// The node.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// The node answered with an error.
    #[error("{method}: error {code}: {message}")]
    Node {
        /// The method called.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
        /// Its data (a revert's return data, for a call), if any.
        data: Option<Vec<u8>>,
    },
}

/// A JSON-RPC endpoint.
pub struct Rpc {
    url: String,
    agent: ureq::Agent,
    next_id: std::cell::Cell<u64>,
}

/// `0x`-prefixed hex of `b`.
pub fn hex0x(b: &[u8]) -> String {
    let mut s = String::from("0x");
    s.extend(b.iter().map(|x| format!("{x:02x}")));
    s
}

/// Bytes of `0x`-prefixed hex.
pub fn unhex0x(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

fn quantity(v: &Value) -> Option<u64> {
    u64::from_str_radix(v.as_str()?.strip_prefix("0x")?, 16).ok()
}

impl Rpc {
    /// A client of the node at `url` (`http://127.0.0.1:8545`).
    pub fn new(url: &str) -> Rpc {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Rpc { url: url.to_string(), agent, next_id: std::cell::Cell::new(1) }
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn transport(&self, why: impl ToString) -> RpcError {
        RpcError::Transport { url: self.url.clone(), why: why.to_string() }
    }

    /// Calls `method` with `params`; its `result`.
    pub fn request(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        let mut r = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body.as_bytes())
            .map_err(|e| self.transport(e))?;
        let text = r.body_mut().read_to_string().map_err(|e| self.transport(e))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| self.transport(format!("{e}: {text}")))?;
        if let Some(e) = v.get("error") {
            return Err(RpcError::Node {
                method: method.into(),
                code: e["code"].as_i64().unwrap_or(0),
                message: e["message"].as_str().unwrap_or("").into(),
                data: e["data"].as_str().and_then(unhex0x),
            });
        }
        Ok(v["result"].clone())
    }

    /// `eth_chainId`.
    pub fn chain_id(&self) -> Result<u64, RpcError> {
        let v = self.request("eth_chainId", json!([]))?;
        quantity(&v).ok_or_else(|| self.transport(format!("eth_chainId: {v}")))
    }

    /// `eth_accounts`: the node's unlocked accounts (a devnet's funded keys).
    pub fn accounts(&self) -> Result<Vec<String>, RpcError> {
        let v = self.request("eth_accounts", json!([]))?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default())
    }

    /// Sends a transaction from an unlocked account and waits (at most 30 s)
    /// for its receipt.
    pub fn transact(&self, from: &str, to: Option<&str>, data: &[u8]) -> Result<Value, RpcError> {
        let mut tx = json!({"from": from, "data": hex0x(data), "gas": "0xf42400"});
        if let Some(to) = to {
            tx["to"] = json!(to);
        }
        let hash = self.request("eth_sendTransaction", json!([tx]))?;
        for _ in 0..300 {
            let r = self.request("eth_getTransactionReceipt", json!([hash]))?;
            if !r.is_null() {
                if r["status"] != json!("0x1") {
                    return Err(self.transport(format!("transaction {hash} failed: {r}")));
                }
                return Ok(r);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(self.transport(format!("no receipt for {hash} after 30 s")))
    }

    /// Deploys `code` (creation code with its constructor arguments); the address.
    pub fn deploy(&self, from: &str, code: &[u8]) -> Result<String, RpcError> {
        let r = self.transact(from, None, code)?;
        r["contractAddress"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| self.transport(format!("no contract address: {r}")))
    }

    /// `eth_call` at the latest block: the return data, or the revert's data.
    pub fn call(&self, to: &str, data: &[u8]) -> Result<Result<Vec<u8>, Vec<u8>>, RpcError> {
        match self.request("eth_call", json!([{"to": to, "data": hex0x(data)}, "latest"])) {
            Ok(v) => {
                v.as_str().and_then(unhex0x).map(Ok).ok_or_else(|| self.transport(format!("eth_call: {v}")))
            }
            Err(RpcError::Node { data: Some(d), .. }) => Ok(Err(d)),
            Err(e) => Err(e),
        }
    }

    /// `eth_estimateGas` of a call: the gas of the whole transaction.
    pub fn estimate_gas(&self, to: &str, data: &[u8]) -> Result<u64, RpcError> {
        let v = self.request("eth_estimateGas", json!([{"to": to, "data": hex0x(data)}]))?;
        quantity(&v).ok_or_else(|| self.transport(format!("eth_estimateGas: {v}")))
    }
}
