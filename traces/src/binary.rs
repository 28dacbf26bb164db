//! The compact binary form of a transcript (`specs/transcript.md` §3):
//! length-prefixed fields after a versioned tag, the entries in the log's
//! own encoding. One encoding per transcript: decoding refuses anything
//! [`encode`] would not write.

use refute_protocol::log::Entry;
use refute_protocol::rules::{B32, Blob, GameStatus, Params, ParamsError, Role};

use crate::format::{FORMAT, FormatError, Inputs, Transcript, VERSION};

/// What every version's tag starts with.
pub const TAG_PREFIX: &[u8] = b"refute trace v";
/// The tag of this version (16 bytes).
pub const TAG: &[u8; 16] = b"refute trace v2\0";
/// Most entries a transcript may hold (a game has at most `2 · rounds + 1` moves).
pub const MAX_ENTRIES: u32 = 1 << 16;

/// `u32le(len) ‖ bytes`.
fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend((b.len() as u32).to_le_bytes());
    out.extend(b);
}

/// `0`, or `1 ‖ u32le(len) ‖ bytes`.
fn put_opt(out: &mut Vec<u8>, b: Option<&Blob>) {
    match b {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put_bytes(out, &b.0);
        }
    }
}

fn verdict_code(v: GameStatus) -> u8 {
    match v {
        GameStatus::Open => 0,
        GameStatus::Won(Role::Solver) => 1,
        GameStatus::Won(Role::Challenger) => 2,
        GameStatus::LostByBoth => 3,
        GameStatus::Cancelled => 4,
    }
}

impl Transcript {
    /// The compact binary form.
    pub fn to_bin(&self) -> Vec<u8> {
        encode(self)
    }

    /// Reads either form: the binary one if `bytes` starts with its tag,
    /// else the JSON one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Transcript, FormatError> {
        if bytes.starts_with(TAG_PREFIX) { decode(bytes) } else { Transcript::from_json(bytes) }
    }
}

/// The binary form.
pub fn encode(t: &Transcript) -> Vec<u8> {
    let mut out = TAG.to_vec();
    out.extend(t.arbiter.0);
    put_bytes(&mut out, &serde_json::to_vec(&t.params).expect("params serialise"));
    out.extend(t.game.to_le_bytes());
    out.extend(t.claim.0);
    out.push(verdict_code(t.verdict));
    match &t.inputs {
        None => out.push(0),
        Some(i) => {
            out.push(1);
            for b in [&i.args, &i.env, &i.stdin] {
                put_bytes(&mut out, &b.0);
            }
            put_opt(&mut out, i.dirs.as_ref());
        }
    }
    put_opt(&mut out, t.outputs.as_ref());
    out.extend((t.entries.len() as u32).to_le_bytes());
    for e in &t.entries {
        put_bytes(&mut out, &e.encode());
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn fail<T>(&self, what: impl Into<String>) -> Result<T, FormatError> {
        Err(FormatError::Binary { at: self.at, what: what.into() })
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], FormatError> {
        match self.bytes.get(self.at..self.at.saturating_add(n)) {
            Some(b) => {
                self.at += n;
                Ok(b)
            }
            None => self
                .fail(format!("truncated: {what} needs {n} bytes, {} are left", self.bytes.len() - self.at)),
        }
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], FormatError> {
        Ok(self.take(N, what)?.try_into().expect("N bytes"))
    }

    fn u8(&mut self, what: &str) -> Result<u8, FormatError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn bytes(&mut self, what: &str) -> Result<&'a [u8], FormatError> {
        let n = self.u32(what)?;
        self.take(n as usize, what)
    }

    /// [`put_opt`]'s field.
    fn opt(&mut self, what: &str) -> Result<Option<Blob>, FormatError> {
        match self.u8(&format!("{what} flag"))? {
            0 => Ok(None),
            1 => Ok(Some(Blob(self.bytes(what)?.to_vec()))),
            f => {
                self.at -= 1;
                self.fail(format!("{what} flag {f} is not 0 or 1"))
            }
        }
    }
}

/// Reads the binary form.
pub fn decode(bytes: &[u8]) -> Result<Transcript, FormatError> {
    let mut r = Reader { bytes, at: 0 };
    if !bytes.starts_with(TAG) {
        let rest = bytes.get(TAG_PREFIX.len()..).unwrap_or_default();
        let digits: String = rest.iter().take_while(|b| b.is_ascii_digit()).map(|&b| b as char).collect();
        return match digits.parse::<u64>() {
            Ok(v) if v != u64::from(VERSION) => Err(FormatError::Version(v)),
            _ => r.fail("not a transcript tag"),
        };
    }
    r.at = TAG.len();
    let arbiter = B32(r.array("the arbiter key")?);
    let at = r.at;
    let json = r.bytes("the parameters")?;
    let params: Params = match serde_json::from_slice(json) {
        Ok(p) => p,
        Err(e) => return Err(FormatError::Binary { at, what: format!("the parameters: {e}") }),
    };
    // Before the canonical check: parameters made before the engine or rules
    // version was recorded read as version 0 and are not canonical, and the
    // version is what is wrong with them.
    if let Err(e @ (ParamsError::EngineVersion { .. } | ParamsError::RulesVersion { .. })) = params.validate()
    {
        return Err(FormatError::Binary { at, what: format!("the parameters: {e}") });
    }
    if serde_json::to_vec(&params).expect("params serialise") != json {
        return Err(FormatError::Binary { at, what: "the parameters are not in canonical JSON".into() });
    }
    let game = u64::from_le_bytes(r.array("the game")?);
    let claim = B32(r.array("the claim")?);
    let verdict = match r.u8("the verdict")? {
        0 => GameStatus::Open,
        1 => GameStatus::Won(Role::Solver),
        2 => GameStatus::Won(Role::Challenger),
        3 => GameStatus::LostByBoth,
        4 => GameStatus::Cancelled,
        v => {
            r.at -= 1;
            return r.fail(format!("verdict {v} is not 0 to 4"));
        }
    };
    let inputs = match r.u8("the inputs flag")? {
        0 => None,
        1 => {
            let mut blob = |what| r.bytes(what).map(|b| Blob(b.to_vec()));
            let (args, env, stdin) = (blob("the arguments")?, blob("the environment")?, blob("stdin")?);
            Some(Inputs { args, env, stdin, dirs: r.opt("the directories")? })
        }
        f => {
            r.at -= 1;
            return r.fail(format!("inputs flag {f} is not 0 or 1"));
        }
    };
    let outputs = r.opt("the output files")?;
    let count = r.u32("the entry count")?;
    if count > MAX_ENTRIES {
        r.at -= 4;
        return r.fail(format!("{count} entries; a transcript holds at most {MAX_ENTRIES}"));
    }
    let mut entries = Vec::with_capacity(count as usize);
    for i in 0..count {
        let at = r.at + 4;
        let b = r.bytes(&format!("entry {i} of the transcript"))?;
        let e = Entry::decode(b).map_err(|e| FormatError::Binary { at, what: format!("entry {i}: {e}") })?;
        entries.push(e);
    }
    if r.at != bytes.len() {
        return r.fail(format!("{} trailing bytes", bytes.len() - r.at));
    }
    let format = FORMAT.to_string();
    Ok(Transcript {
        format,
        version: VERSION,
        arbiter,
        params,
        game,
        claim,
        verdict,
        inputs,
        outputs,
        entries,
    })
}
