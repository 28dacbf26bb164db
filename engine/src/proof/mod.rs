//! One-step proofs (`specs/proof.md`).
//!
//! [`prove_step`] runs one step over the machine, read in place with the
//! step's writes kept aside (`cow`), through a recorder that logs every
//! leaf the step touches, then opens those leaves of the pre-state. [`verify_step`] checks the openings against the pre-state
//! root, runs the *same* step code (`exec::step`) over only
//! the opened leaves, and hashes the post-state from them.

mod cow;
mod partial;
mod record;
#[cfg(test)]
mod tests;
mod wire;
#[cfg(test)]
mod wire_tests;

pub use wire::{MAX_PROOF_BYTES, PROOF_TAG};

use crate::exec::step_loop;
use crate::frame::Regs;
use crate::isa::Op;
use crate::machine::Machine;
use crate::merkle::{Hash, Leaf, MemoryTree, MultiProof, OpenError, Opened};
use crate::state::{
    Entry, EntryKind, Hasher, Header, TreeId, decode_status, encode_status, frames_leaf, running_at,
    segment_leaf, segment_node, slot_bytes,
};
use crate::status::Status;
use cow::{CowStack, CowWorld};
use partial::{Missing, PartialEntry, PartialStack, PartialWorld};
use record::{RecStack, Recorder, Touched};
use std::cell::RefCell;
use std::collections::BTreeMap;
use thiserror::Error;

/// A one-step proof: the pre-state's header and openings of the leaves the
/// step reads or writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// The pre-state. Its cold fields are zero when `cold` is `Some`.
    pub header: Header,
    /// The hash of the header's cold part when the proof does not send
    /// that part (the step needs none of it); `None` when it does.
    pub cold: Option<Hash>,
    /// Openings of whole-state trees, sorted by tree, each at most once.
    pub trees: Vec<(TreeId, MultiProof)>,
    /// Opened directory entries and their content, sorted by (kind, index).
    pub entries: Vec<EntryProof>,
}

impl Proof {
    /// The pre-state root: the hash of the header's hot part.
    pub fn pre_root(&self) -> Hash {
        self.cold.map_or_else(|| self.header.root(), |cold| self.header.root_with(&cold))
    }
}

/// An opened memory, table or segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryProof {
    /// Which directory.
    pub kind: EntryKind,
    /// Index in the directory.
    pub index: u32,
    /// The entry (its hash is the directory leaf).
    pub entry: Entry,
    /// Opened content leaves.
    pub content: MultiProof,
}

/// Why a step could not be proven.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProveError {
    /// The step does something the proof format cannot carry yet.
    #[error("step {step} cannot be proven: {what}")]
    Unsupported {
        /// The step number.
        step: u64,
        /// What it does.
        what: String,
    },
}

/// Why a proof is not valid.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The bytes are not a proof.
    #[error("malformed proof: {0}")]
    Malformed(Malformed),
    /// The proof's pre-state is not the claimed one.
    #[error("the proof is for state {}, not for the claimed pre-state {}", hex(.got), hex(.expected))]
    WrongPreState {
        /// The claimed pre-state root.
        expected: Hash,
        /// The root of the proof's header.
        got: Hash,
    },
    /// An opening does not match its root.
    #[error("the opening of {at} does not match the pre-state: {why}")]
    BadOpening {
        /// Which tree or entry.
        at: Opening,
        /// How it fails.
        why: OpeningFault,
    },
    /// The step needs something the proof did not open.
    #[error("the proof does not open {0}, which the step needs")]
    Missing(Unopened),
    /// The header holds values no machine can have.
    #[error("the pre-state is impossible: {0}")]
    BadState(BadState),
}

/// Why the bytes are not a proof.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Malformed {
    /// Over [`MAX_PROOF_BYTES`].
    #[error("{0} bytes, more than the limit of {MAX_PROOF_BYTES}")]
    TooLong(usize),
    /// The bytes end early.
    #[error("truncated at byte {at} while reading {what}")]
    Truncated {
        /// Where.
        at: usize,
        /// What was being read.
        what: &'static str,
    },
    /// Not a refute proof.
    #[error("not a refute proof (wrong tag)")]
    WrongTag,
    /// The state header's tag is wrong.
    #[error("the header has the wrong tag")]
    WrongHeaderTag,
    /// A tree id no state has.
    #[error("unknown tree id {0}")]
    UnknownTree(u8),
    /// An entry kind no state has.
    #[error("unknown entry kind {0}")]
    UnknownEntryKind(u8),
    /// Bytes after the proof.
    #[error("{0} trailing bytes")]
    Trailing(usize),
    /// Tree openings out of order (each tree at most once, in `TreeId` order).
    #[error("tree openings unsorted or repeated")]
    UnsortedTrees,
    /// Entry openings out of order.
    #[error("entry openings unsorted or repeated")]
    UnsortedEntries,
    /// An opening whose sibling count is not the walk's.
    #[error("{got} siblings where the walk asks for {walk}")]
    SiblingCount {
        /// The count on the wire.
        got: usize,
        /// What the walk over the opened indices asks for.
        walk: usize,
    },
    /// A zero sibling sent as a hash, or a padding bit set in a zero bitmap.
    #[error("non-canonical zero siblings in {0}")]
    NonCanonical(&'static str),
    /// An opening of a tree whose root is in the header's cold part, which
    /// the proof does not send.
    #[error("an opening of {0:?}, whose root is in the cold part the proof does not send")]
    ColdTree(TreeId),
    /// The cold part sent is not the one the hot part names.
    #[error("the cold part does not hash to the hot part's cold hash")]
    ColdHash,
    /// The cold-part flag is neither 0 nor 1.
    #[error("cold-part flag {0}")]
    ColdFlag(u8),
}

/// Which opening of a proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// A tree of the state header.
    Tree(TreeId),
    /// An entry of a directory tree.
    Entry {
        /// Its kind.
        kind: EntryKind,
        /// Its index in the directory.
        index: u32,
    },
}

impl std::fmt::Display for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Opening::Tree(id) => write!(f, "{id:?}"),
            Opening::Entry { kind, index } => write!(f, "{}", format!("{kind:?} {index}").to_lowercase()),
        }
    }
}

/// How an opening fails.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum OpeningFault {
    /// The multiproof does not check against its root.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The entry is not the directory's leaf at its index.
    #[error("the entry is not the directory's leaf")]
    NotInDirectory,
}

/// What a step needed that its proof did not open (the first such thing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unopened {
    /// A value-stack slot.
    StackSlot(usize),
    /// A stack range (the state is inconsistent).
    StackRange,
    /// A directory entry.
    Entry {
        /// Its kind.
        kind: EntryKind,
        /// Its index.
        index: u32,
    },
    /// An element of an entry's content.
    Element {
        /// The entry's kind.
        kind: EntryKind,
        /// The entry.
        entry: u32,
        /// The element.
        index: usize,
    },
    /// A leaf of a header tree.
    Leaf {
        /// The tree.
        tree: TreeId,
        /// The leaf.
        index: u64,
    },
    /// A valid instruction at `pc`.
    Instruction {
        /// The program counter.
        pc: usize,
    },
    /// Room for a frame (the state is inconsistent).
    FrameRoom,
    /// A frame to return to (the state is inconsistent).
    ReturnFrame,
    /// A valid function at this index.
    Function(usize),
    /// Memory 0's directory entry, which host calls use.
    HostMemory,
    /// The header's cold part (the host registers and the host's trees).
    ColdPart,
}

impl std::fmt::Display for Unopened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lower = |s: String| s.to_lowercase();
        match self {
            Unopened::StackSlot(i) => write!(f, "stack slot {i}"),
            Unopened::StackRange => write!(f, "a stack range (the state is inconsistent)"),
            Unopened::Entry { kind, index } => {
                write!(f, "{}", lower(format!("{kind:?} {index} (its directory entry)")))
            }
            Unopened::Element { kind, entry, index } => {
                write!(f, "{}", lower(format!("{kind:?} {entry} element {index}")))
            }
            Unopened::Leaf { tree, index } => write!(f, "{} leaf {index}", lower(format!("{tree:?}"))),
            Unopened::Instruction { pc } => write!(f, "a valid instruction at pc {pc}"),
            Unopened::FrameRoom => write!(f, "room for a frame (the state is inconsistent)"),
            Unopened::ReturnFrame => write!(f, "a frame to return to (the state is inconsistent)"),
            Unopened::Function(i) => write!(f, "a valid function at {i}"),
            Unopened::HostMemory => write!(f, "memory 0 (its directory entry), which host calls use"),
            Unopened::ColdPart => write!(f, "the header's cold part (host registers and host trees)"),
        }
    }
}

/// Why a pre-state is impossible.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BadState {
    /// A status byte with no meaning.
    #[error("status {0:#x}")]
    Status(u64),
    /// Registers outside their limits.
    #[error("fp {fp} sp {sp} depth {depth}")]
    Registers {
        /// Frame pointer.
        fp: u32,
        /// Stack pointer.
        sp: u32,
        /// Call depth.
        depth: u32,
    },
    /// The step counter cannot advance.
    #[error("step counter at its maximum")]
    StepCounterAtMax,
    /// The step cannot execute on this state.
    #[error("the step cannot execute on this state")]
    CannotExecute,
}

/// A verified step.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// The pre-state root.
    pub pre: Hash,
    /// The post-state root.
    pub post: Hash,
    /// The post-state header (its cold fields are zero when the proof
    /// did not send the cold part, which the step then left as it was).
    pub post_header: Header,
    /// The instruction executed, if the machine was running.
    pub op: Option<Op>,
    /// The stack leaves the proof opened (four slots each, little-endian),
    /// as the step left them: with the proof's own openings, the values
    /// before and after the step (for display; the post root commits to them).
    pub post_stack: BTreeMap<u64, Leaf>,
}

/// Lowercase hex of a hash.
pub fn hex(h: &Hash) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn open_bytes(tree: &MemoryTree, data: &[u8], indices: &std::collections::BTreeSet<u64>) -> MultiProof {
    let leaf = |i: u64| crate::merkle::leaf_at(data, i as usize);
    MultiProof::build(tree.depth(), indices.iter().copied(), leaf, |h, i| tree.node(data, h, i as usize))
}

/// Runs one step of `m`, recording what it touches. The step runs over `m`
/// read in place, its writes kept aside (`cow`): no part of the machine is copied.
fn record(m: &Machine) -> Touched {
    let log = RefCell::new(Touched::default());
    let mut world = Recorder { inner: CowWorld::new(m), log: &log };
    let mut stack = RecStack { inner: CowStack::new(&m.stack), log: &log };
    let mut regs = m.regs;
    let until = regs.steps + 1;
    // A machine stopped at its step limit is still running as a state.
    if regs.status == Status::OutOfSteps {
        regs.status = Status::Running;
    }
    step_loop(&mut regs, &mut stack, &mut world, until);
    log.into_inner()
}

/// The proof of the step from `m`'s current state. `hasher` must be the
/// hasher that has followed `m` (it holds the memory and stack trees).
pub fn prove_step(m: &Machine, hasher: &mut Hasher) -> Result<Proof, ProveError> {
    let header = hasher.header(m);
    if m.regs.status != Status::Running && m.regs.status != Status::OutOfSteps {
        // The whole header: a final state's proof is where players keep its
        // header (a claim's `final_header`).
        return Ok(Proof { header, cold: None, trees: Vec::new(), entries: Vec::new() });
    }
    if m.pending_host.is_some() {
        let what = "the invocation starts directly in a host function".into();
        return Err(ProveError::Unsupported { step: m.regs.steps, what });
    }
    // Host calls use memory 0, if the machine has memories (as a task's does).
    let wasi_memory = (!m.store.memories.is_empty()).then_some(0);
    if m.host.memory.is_some() && m.host.memory != wasi_memory {
        let what = "its host calls use a memory other than memory 0".into();
        return Err(ProveError::Unsupported { step: m.regs.steps, what });
    }
    let t = record(m);
    let s = &m.store;
    let mut trees = Vec::new();
    let mut add = |id: TreeId, p: MultiProof| {
        if !p.leaves.is_empty() {
            trees.push((id, p));
        }
    };
    // The running segment's tree (`specs/state.md` §4.1).
    let seg = s.segment(running_at(m));
    let opened = MultiProof::build(
        TreeId::Code.depth(),
        t.code.iter().copied(),
        |i| segment_leaf(&s.code, seg, i),
        |h, i| segment_node(hasher.code.whole(s), &s.code, seg, h, i),
    );
    add(TreeId::Code, opened);
    let fl = &hasher.func_leaves;
    let func_leaf = |i: usize| fl.get(i).copied().unwrap_or([0; 32]);
    let opened = MultiProof::build(
        TreeId::Funcs.depth(),
        t.funcs.iter().copied(),
        |i| func_leaf(i as usize),
        |h, i| hasher.funcs.node(h, i, func_leaf),
    );
    add(TreeId::Funcs, opened);
    add(TreeId::Globals, open_bytes(&hasher.dirty.globals, slot_bytes(&s.globals), &t.globals));

    // The directory entries as the hasher has just computed them; open the
    // content of each entry the step touched.
    let mut entries = Vec::new();
    let mut dirs: BTreeMap<TreeId, std::collections::BTreeSet<u64>> = BTreeMap::new();
    for (&(kind, i), set) in &t.entries {
        let content = match kind {
            EntryKind::Memory => {
                open_bytes(&hasher.dirty.memories[i as usize], &s.memories[i as usize].data, set)
            }
            EntryKind::Table => {
                open_bytes(&hasher.dirty.tables[i as usize], slot_bytes(&s.tables[i as usize].elems), set)
            }
            EntryKind::Elem => {
                open_bytes(&hasher.elems[i as usize].tree, slot_bytes(&s.elems[i as usize]), set)
            }
            EntryKind::Data => open_bytes(&hasher.datas[i as usize].tree, &s.datas[i as usize], set),
            EntryKind::File => {
                let bytes = m.host.fs.file(i).map_or(&[][..], |f| &f.bytes[..]);
                match hasher.dirty.fs.files.get(i as usize) {
                    Some(tree) => open_bytes(tree, bytes, set),
                    None => open_bytes(&MemoryTree::with_depth(crate::fs::FILE_DEPTH), bytes, set),
                }
            }
        };
        dirs.entry(kind.directory()).or_default().insert(i as u64);
        // A node past the files the hasher has seen holds an empty file.
        let empty = Entry { len: 0, limit: 0, root: crate::merkle::zeros()[crate::fs::FILE_DEPTH] };
        let entry = hasher.entries[kind as usize].get(i as usize).copied().unwrap_or(empty);
        entries.push(EntryProof { kind, index: i, entry, content });
    }
    if t.no_memory {
        // The empty directory leaf shows the step's host call has no memory.
        dirs.entry(TreeId::Memories).or_default().insert(0);
    }
    for kind in EntryKind::ALL {
        if let Some(set) = dirs.get(&kind.directory()) {
            let tree = &hasher.dirs[kind as usize];
            let leaf =
                |i: u64| hasher.entries[kind as usize].get(i as usize).map_or([0; 32], |e| e.leaf(kind));
            add(
                kind.directory(),
                MultiProof::build(tree.depth(), set.iter().copied(), leaf, |h, i| tree.node(h, i)),
            );
        }
    }
    add(TreeId::Stack, open_bytes(&hasher.stack, slot_bytes(&m.stack), &t.stack));
    let frames = &hasher.frames;
    let leaf = |i: u64| frames_leaf(&hasher.code, m, i as usize);
    add(
        TreeId::Frames,
        MultiProof::build(frames.depth(), t.frames.iter().copied(), leaf, |h, i| frames.node(h, i)),
    );
    let h = &m.host;
    add(TreeId::Input, open_bytes(&hasher.input, h.input.bytes(), &t.input));
    add(TreeId::Stdout, open_bytes(&hasher.stdout, &h.stdout, &t.out[0]));
    add(TreeId::Stderr, open_bytes(&hasher.stderr, &h.stderr, &t.out[1]));
    add(TreeId::Nodes, open_bytes(&hasher.dirty.fs.nodes, &h.fs.nodes, &t.fs[0]));
    add(TreeId::Fds, open_bytes(&hasher.dirty.fs.fds, &h.fs.fds, &t.fs[1]));
    trees.sort_by_key(|(id, _)| *id);
    let proof = if t.needs_cold() {
        Proof { header, cold: None, trees, entries }
    } else {
        hot_only(&header, trees, entries)
    };
    let counts_fit = proof.entries.len() <= u16::MAX as usize
        && proof
            .trees
            .iter()
            .map(|t| &t.1)
            .chain(proof.entries.iter().map(|e| &e.content))
            .all(|m| m.leaves.len() <= u16::MAX as usize && m.siblings.len() <= u16::MAX as usize);
    if !counts_fit || proof.encode().len() > MAX_PROOF_BYTES {
        let what = "its proof would exceed the format's limits (a table.grow with a non-null value over many elements?)";
        return Err(ProveError::Unsupported { step: m.regs.steps, what: what.into() });
    }
    Ok(proof)
}

/// A proof that sends only the header's hot part.
fn hot_only(header: &Header, trees: Vec<(TreeId, MultiProof)>, entries: Vec<EntryProof>) -> Proof {
    let (header, cold) = Header::decode_hot(&header.encode_hot()).expect("a header's own hot part");
    Proof { header, cold: Some(cold), trees, entries }
}

fn bad(at: Opening, e: OpenError) -> VerifyError {
    VerifyError::BadOpening { at, why: OpeningFault::Open(e) }
}

/// Verifies `proof` against the pre-state root `pre` and returns the
/// post-state root. Never panics, whatever the proof holds.
pub fn verify_step(pre: &Hash, proof: &Proof) -> Result<Verified, VerifyError> {
    let got = proof.pre_root();
    if got != *pre {
        return Err(VerifyError::WrongPreState { expected: *pre, got });
    }
    let hd = &proof.header;
    let status = decode_status(hd.status).ok_or(VerifyError::BadState(BadState::Status(hd.status)))?;
    if status != Status::Running {
        return Ok(Verified {
            pre: *pre,
            post: *pre,
            post_header: hd.clone(),
            op: None,
            post_stack: BTreeMap::new(),
        });
    }
    if hd.fp > hd.sp
        || hd.sp as usize > crate::limits::MAX_STACK_SLOTS
        || hd.depth as usize > crate::limits::MAX_CALL_DEPTH
    {
        return Err(VerifyError::BadState(BadState::Registers { fp: hd.fp, sp: hd.sp, depth: hd.depth }));
    }
    if proof.trees.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(VerifyError::Malformed(Malformed::UnsortedTrees));
    }
    if proof.entries.windows(2).any(|w| (w[0].kind, w[0].index) >= (w[1].kind, w[1].index)) {
        return Err(VerifyError::Malformed(Malformed::UnsortedEntries));
    }
    if let Some((id, _)) = proof.trees.iter().find(|(id, _)| proof.cold.is_some() && !id.is_hot()) {
        return Err(VerifyError::Malformed(Malformed::ColdTree(*id)));
    }
    let mut opened: BTreeMap<TreeId, Opened> = BTreeMap::new();
    for id in TreeId::ALL {
        let p = proof.trees.iter().find(|(t, _)| *t == id).map(|(_, p)| p.clone()).unwrap_or_default();
        let o = Opened::verify(id.depth(), hd.tree(id), &p).map_err(|e| bad(Opening::Tree(id), e))?;
        opened.insert(id, o);
    }
    let mut entries = BTreeMap::new();
    for ep in &proof.entries {
        let at = Opening::Entry { kind: ep.kind, index: ep.index };
        let dir = &opened[&ep.kind.directory()];
        if dir.leaves.get(&(ep.index as u64)) != Some(&ep.entry.leaf(ep.kind)) {
            return Err(VerifyError::BadOpening { at, why: OpeningFault::NotInDirectory });
        }
        let content = Opened::verify(ep.kind.depth(), &ep.entry.root, &ep.content).map_err(|e| bad(at, e))?;
        entries.insert((ep.kind, ep.index), PartialEntry { entry: ep.entry, content });
    }

    let missing: Missing = RefCell::new(None);
    let mut stack = PartialStack::new(&opened[&TreeId::Stack], &missing);
    let mut world = PartialWorld {
        code: opened[&TreeId::Code].clone(),
        code_root: *hd.tree(TreeId::Code),
        funcs: opened[&TreeId::Funcs].clone(),
        globals: opened[&TreeId::Globals].clone(),
        frames: opened[&TreeId::Frames].clone(),
        depth: hd.depth as usize,
        entries,
        no_memory: opened[&TreeId::Memories].leaves.get(&0) == Some(&[0; 32]),
        regs: hd.host_regs(),
        cold: proof.cold.is_none(),
        input: opened[&TreeId::Input].clone(),
        out: [opened[&TreeId::Stdout].clone(), opened[&TreeId::Stderr].clone()],
        fs: [opened[&TreeId::Nodes].clone(), opened[&TreeId::Fds].clone()],
        missing: &missing,
        current: std::cell::Cell::new(Op::Unreachable),
    };
    let op = {
        use crate::access::World;
        world.op(hd.pc as usize)
    };
    let mut regs = Regs { pc: hd.pc, sp: hd.sp, fp: hd.fp, steps: hd.steps, status };
    let until = hd.steps.checked_add(1).ok_or(VerifyError::BadState(BadState::StepCounterAtMax))?;
    // The step code never panics on a consistent state; a crafted state
    // whose values no machine reaches is refused if it ever does.
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        step_loop(&mut regs, &mut stack, &mut world, until);
    }));
    if ran.is_err() {
        return Err(VerifyError::BadState(BadState::CannotExecute));
    }
    if let Some(what) = missing.borrow_mut().take() {
        return Err(VerifyError::Missing(what));
    }

    // Hash the post-state from the changed leaves.
    let mut post = hd.clone();
    post.status = encode_status(regs.status);
    post.steps = regs.steps;
    post.pc = regs.pc;
    post.sp = regs.sp;
    post.fp = regs.fp;
    post.depth = world.depth as u32;
    post.set_host_regs(&world.regs);
    let mut stack_opened = opened[&TreeId::Stack].clone();
    stack_opened.leaves = stack.leaf_bytes().collect();
    let root = |o: &Opened, id: TreeId| o.root(hd.tree(id));
    post.roots[TreeId::Stack as usize] = root(&stack_opened, TreeId::Stack);
    post.roots[TreeId::Globals as usize] = root(&world.globals, TreeId::Globals);
    post.roots[TreeId::Frames as usize] = root(&world.frames, TreeId::Frames);
    post.roots[TreeId::Stdout as usize] = root(&world.out[0], TreeId::Stdout);
    post.roots[TreeId::Stderr as usize] = root(&world.out[1], TreeId::Stderr);
    post.roots[TreeId::Nodes as usize] = root(&world.fs[0], TreeId::Nodes);
    post.roots[TreeId::Fds as usize] = root(&world.fs[1], TreeId::Fds);
    for (dir_id, o) in opened.iter_mut() {
        if !matches!(
            dir_id,
            TreeId::Memories | TreeId::Tables | TreeId::Elems | TreeId::Datas | TreeId::Files
        ) {
            continue;
        }
        for ((kind, index), pe) in &world.entries {
            if kind.directory() == *dir_id {
                let e =
                    Entry { len: pe.entry.len, limit: pe.entry.limit, root: pe.content.root(&pe.entry.root) };
                o.leaves.insert(*index as u64, e.leaf(*kind));
            }
        }
        post.roots[*dir_id as usize] = o.root(hd.tree(*dir_id));
    }
    post.roots[TreeId::Code as usize] = world.code_root;
    let post_root = proof.cold.map_or_else(|| post.root(), |cold| post.root_with(&cold));
    let post_stack = stack_opened.leaves;
    Ok(Verified { pre: *pre, post: post_root, post_header: post, op: Some(op), post_stack })
}
