//! A module larger than the old 64 MiB blob limit, claimed end to end on a
//! real arbiter on 127.0.0.1 (issue 15, "large modules"): uploaded as one
//! blob, noted (loaded, instantiated, its initial root hashed), checked by
//! a challenger bot that agrees, and final with the solver's bond returned.

#[path = "common/net.rs"]
mod net;

use net::{EXE, Net};
use std::process::Command;

/// `n` as unsigned LEB128.
fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A WASI command whose memory starts with `data_len` non-zero bytes from
/// one active data segment; `_start` reads the first byte and returns.
fn big_module(data_len: usize) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    let section = |id: u8, body: &[u8], m: &mut Vec<u8>| {
        m.push(id);
        leb(body.len(), m);
        m.extend_from_slice(body);
    };
    section(1, &[1, 0x60, 0, 0], &mut m); // one type: [] -> []
    section(3, &[1, 0], &mut m); // one function of type 0
    let mut mem = vec![1, 0];
    leb(data_len.div_ceil(65_536) + 1, &mut mem);
    section(5, &mem, &mut m);
    let mut exports = vec![2, 6];
    exports.extend_from_slice(b"_start\0\0\x06memory\x02\0");
    section(7, &exports, &mut m);
    // i32.const 0; i32.load8_u; drop; end
    let body = [0, 0x41, 0, 0x2d, 0, 0, 0x1a, 0x0b];
    let mut code = vec![1, body.len() as u8];
    code.extend_from_slice(&body);
    section(10, &code, &mut m);
    let mut data = vec![1, 0, 0x41, 0, 0x0b];
    leb(data_len, &mut data);
    data.extend((0..data_len).map(|i| (i % 251) as u8 + 1));
    section(11, &data, &mut m);
    m
}

#[test]
fn a_module_over_64_mib_is_claimed_checked_and_final() {
    let mut net = Net::start(&["--window-ms", "20000", "--clock-ms", "60000"]);
    let solver = net.player("solver", 100_000);
    net.player("checker", 100_000);
    let wasm = net.path("big.wasm");
    std::fs::write(&wasm, big_module(70 << 20)).unwrap();
    let len = std::fs::metadata(&wasm).unwrap().len();
    assert!(len > 64 << 20, "the module is {len} bytes");
    // It runs locally as a command: exit 0, nothing printed.
    let out = Command::new(EXE).args(["run", wasm.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let c = net.spawn("checker", &["challenger", "run"]);
    let s = net.spawn("solver", &["post", "--bond", "5000", wasm.to_str().unwrap()]);
    assert!(net.wait_exit(s, 300).success(), "{}\n{}", net.out("solver"), net.log("solver"));
    let claims = net.claims();
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!(claims[0]["status"], "final", "{claims:?}");
    assert!(net.games().is_empty(), "the checker agreed with the honest claim");
    let id = claims[0]["id"].as_str().unwrap();
    let claim = net.get(&format!("/v1/claims/{id}"));
    let module = claim["body"]["module"].as_str().unwrap().to_string();
    let (status, bytes) = net.get_bytes(&format!("/v1/blobs/{module}"));
    assert_eq!(status, 200);
    assert_eq!(bytes.len() as u64, len, "the arbiter serves the module it took");
    assert_eq!(net.balance(&solver), 100_000, "the honest bond came back");
    let checked = |n: &Net| n.log("checker").lines().any(|l| l.contains(&id[..8]) && l.contains("right"));
    net.wait_for("the checker to have checked the claim", 120, checked);
    net.kill(c);
    let log = net.verify_log();
    assert_eq!(log["funds_conserved"], true, "{log}");
}
