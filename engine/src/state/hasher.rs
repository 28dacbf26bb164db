//! Computing state roots, incrementally along a run.

use super::code::{CodeTrees, InTurn, Join};
use super::layout::*;
use crate::access::{Dirty, FsTrees};
use crate::frame::HALT;
use crate::fs::{FDS_DEPTH, FILE_DEPTH, Fs, NODES_DEPTH};
use crate::machine::Machine;
use crate::merkle::{BLOCK_BYTES, CachedTree, Hash, Leaf, MemoryTree, UpperTree};
use crate::status::Status;
use crate::store::{FuncKind, Store};

/// A store with a vector larger than its tree holds.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the module has {count} {what}; a provable state holds at most {max}")]
pub struct LimitError {
    /// What there are too many of.
    pub what: &'static str,
    /// How many there are.
    pub count: usize,
    /// The most a state holds.
    pub max: usize,
}

/// Checks that every vector of the store fits its tree (see [`TreeId::depth`]).
pub fn check_limits(store: &Store) -> Result<(), LimitError> {
    let fits = |what: &'static str, count: usize, per_leaf: usize, depth: usize| {
        if count.div_ceil(per_leaf) > 1 << depth {
            Err(LimitError { what, count, max: per_leaf << depth })
        } else {
            Ok(())
        }
    };
    fits("instructions", store.code.len(), 2, TreeId::Code.depth())?;
    fits("functions", store.funcs.len() * 2, 1, TreeId::Funcs.depth())?;
    fits("globals", store.globals.len(), 4, TreeId::Globals.depth())?;
    fits("memories", store.memories.len(), 1, TreeId::Memories.depth())?;
    fits("tables", store.tables.len(), 1, TreeId::Tables.depth())?;
    fits("element segments", store.elems.len(), 1, TreeId::Elems.depth())?;
    fits("data segments", store.datas.len(), 1, TreeId::Datas.depth())?;
    for e in &store.elems {
        fits("elements in a segment", e.len(), 4, EntryKind::Elem.depth())?;
    }
    for d in &store.datas {
        fits("bytes in a data segment", d.len(), 32, EntryKind::Data.depth())?;
    }
    Ok(())
}

/// A vector of slots (the stack, globals, table elements, element
/// segments) as bytes, each slot little-endian: the bytes its tree hashes.
pub(crate) fn slot_bytes(slots: &[u64]) -> &[u8] {
    // SAFETY: u64 has no padding and any byte is a valid u8; the length is
    // the same memory; the crate only builds on little-endian hosts, so the
    // bytes are the slots' little-endian encodings.
    unsafe { std::slice::from_raw_parts(slots.as_ptr() as *const u8, std::mem::size_of_val(slots)) }
}

/// The highest stack slot any live frame may write: each frame's `fp` plus
/// its function's frame size (the entry sequence gets its arguments and
/// results' worth).
pub(crate) fn live_stack_top(m: &Machine) -> usize {
    let store = &m.store;
    let frame_size = |pc: u32| {
        store
            .funcs
            .iter()
            .filter_map(|f| match f.kind {
                FuncKind::Wasm { entry, frame_size, .. } if entry <= pc => Some((entry, frame_size)),
                _ => None,
            })
            .max_by_key(|(entry, _)| *entry)
            .map(|(_, s)| s as usize)
    };
    let mut top = m.regs.sp as usize + 2048;
    let mut pc = m.regs.pc;
    let mut fp = m.regs.fp;
    for f in m.frames.iter().rev() {
        top = top.max(fp as usize + frame_size(pc).unwrap_or(2048));
        pc = f.ret_pc;
        fp = f.fp;
    }
    top.min(m.stack.len())
}

/// Computes state roots along a run. Static parts (code, functions, input)
/// are hashed once; everything else is rehashed only where it changed since
/// the last root: memory, table and global pages that execution marked, the
/// stack between its watermarks, frames from the lowest one touched,
/// appended output, dropped segments, and the directory entries whose
/// object changed (`specs/commitments.md` §7b gives the cost).
#[derive(Clone, Debug)]
pub struct Hasher {
    pub(crate) dirty: Dirty,
    /// The code's trees (proofs open the code in them).
    pub(crate) code: CodeTrees,
    /// The function leaves (`func_leaves`) and their tree's upper levels.
    pub(crate) func_leaves: Vec<Leaf>,
    pub(crate) funcs: UpperTree,
    pub(crate) input: MemoryTree,
    pub(crate) stack: MemoryTree,
    /// The element segments' trees.
    pub(crate) elems: Vec<Segment>,
    /// The data segments' trees.
    pub(crate) datas: Vec<Segment>,
    /// The directory entries of the last header, by [`EntryKind`].
    pub(crate) entries: [Vec<Entry>; 5],
    /// The directory trees over those entries' leaves, by [`EntryKind`].
    pub(crate) dirs: [CachedTree; 5],
    /// The frames tree, and the depth when it was last hashed.
    pub(crate) frames: CachedTree,
    frames_seen: usize,
    pub(crate) stdout: MemoryTree,
    pub(crate) stderr: MemoryTree,
    out_seen: (usize, usize),
}

/// The roots of the file system's node table, descriptor table and files
/// directory, computed from scratch: the `Nodes`, `Fds` and `Files` roots a
/// header of a machine with file system `fs` holds (`specs/state.md` §4.6).
pub fn fs_roots(fs: &Fs) -> [Hash; 3] {
    let nodes = tree_over(NODES_DEPTH, fs.nodes.len()).root(&fs.nodes);
    let fds = tree_over(FDS_DEPTH, fs.fds.len()).root(&fs.fds);
    let files = (0..fs.regs.nodes).map(|n| match fs.file(n) {
        Some(f) => {
            Entry { len: f.len as u32, limit: 0, root: tree_over(FILE_DEPTH, f.bytes.len()).root(&f.bytes) }
        }
        None => Entry { len: 0, limit: 0, root: crate::merkle::zeros()[FILE_DEPTH] },
    });
    let mut dir = CachedTree::new(EntryKind::File.directory().depth());
    let files = update_dir(EntryKind::File, &mut Vec::new(), &mut dir, files);
    [nodes, fds, files]
}

/// A tree of `depth` over `bytes`, all marked for hashing at the next root.
fn tree_over(depth: usize, bytes: usize) -> MemoryTree {
    let mut t = MemoryTree::with_depth(depth);
    t.mark_dirty(0, bytes);
    t
}

/// A segment's tree and the length it had when last hashed: a segment
/// changes only when dropped, which empties it, so an unchanged length
/// means an unchanged segment.
#[derive(Clone, Debug)]
pub(crate) struct Segment {
    len: usize,
    pub(crate) tree: MemoryTree,
}

/// Brings the segments of `kind` and their directory up to date, given
/// each segment's length and bytes now: only a segment whose length
/// changed is hashed again. Returns the directory's root.
fn update_segments<'a>(
    kind: EntryKind,
    segs: &mut Vec<Segment>,
    entries: &mut Vec<Entry>,
    dir: &mut CachedTree,
    now: impl ExactSizeIterator<Item = (usize, &'a [u8])>,
) -> Hash {
    if segs.len() != now.len() {
        // Segments were added since the last root: hash them all again.
        segs.clear();
        entries.clear();
        *dir = CachedTree::new(kind.directory().depth());
    }
    for (i, (len, bytes)) in now.enumerate() {
        if i == segs.len() {
            segs.push(Segment { len: usize::MAX, tree: MemoryTree::with_depth(kind.depth()) });
            entries.push(Entry { len: 0, limit: 0, root: [0; 32] });
        }
        let seg = &mut segs[i];
        if seg.len != len {
            *seg = Segment { len, tree: tree_over(kind.depth(), bytes.len()) };
            entries[i] = Entry { len: len as u32, limit: 0, root: seg.tree.root(bytes) };
            dir.set(i, &entries[i].leaf(kind));
        }
    }
    dir.root()
}

/// Brings a directory up to date: sets the leaf of each entry that differs
/// from the last header's, clears leaves past the new end, and returns the
/// directory's root.
fn update_dir(
    kind: EntryKind,
    old: &mut Vec<Entry>,
    tree: &mut CachedTree,
    new: impl Iterator<Item = Entry>,
) -> Hash {
    let mut n = 0;
    for (i, e) in new.enumerate() {
        if old.get(i) != Some(&e) {
            tree.set(i, &e.leaf(kind));
            match old.get_mut(i) {
                Some(o) => *o = e,
                None => old.push(e),
            }
        }
        n = i + 1;
    }
    for i in n..old.len() {
        tree.set(i, &[0; 32]);
    }
    old.truncate(n);
    tree.root()
}

impl Hasher {
    /// A hasher for `m`, whose code and functions must not change any more.
    /// It hashes every non-zero part of the state once.
    pub fn new(m: &Machine) -> Hasher {
        Hasher::new_with(m, &InTurn)
    }

    /// As [`Hasher::new`], hashing the code's two halves as `j` joins them
    /// (a shell's two threads: for yosys 1.2 s on one).
    pub fn new_with(m: &Machine, j: &impl Join) -> Hasher {
        let code = CodeTrees::new(&m.store, j);
        let func_leaves = func_leaves(&m.store, &code);
        let funcs = UpperTree::new(TreeId::Funcs.depth(), func_leaves.len(), |i| func_leaves[i]);
        Hasher::with_code(m, code, func_leaves, funcs)
    }

    /// A hasher for `m`, another state of the machine this one hashed (a
    /// checkpoint of the same run): keeps the code's trees and the function
    /// leaves, which no step changes, and hashes the rest anew. For yosys's
    /// 39 MB module that saves hashing its whole code again at every
    /// checkpoint a player restores.
    pub fn renew(self, m: &Machine) -> Hasher {
        let Hasher { code, func_leaves, funcs, .. } = self;
        debug_assert_eq!(func_leaves.len(), 2 * m.store.funcs.len(), "a hasher of another module");
        Hasher::with_code(m, code, func_leaves, funcs)
    }

    /// A hasher for `m` with its code's trees and function leaves.
    fn with_code(m: &Machine, code: CodeTrees, func_leaves: Vec<Leaf>, funcs: UpperTree) -> Hasher {
        let s = &m.store;
        let memories =
            s.memories.iter().map(|mem| tree_over(EntryKind::Memory.depth(), mem.data.len())).collect();
        let tables =
            s.tables.iter().map(|t| tree_over(EntryKind::Table.depth(), t.elems.len() * 8)).collect();
        Hasher {
            dirty: Dirty {
                memories,
                tables,
                globals: tree_over(TreeId::Globals.depth(), s.globals.len() * 8),
                frames_low: 0,
                stack_low: m.regs.fp as usize,
                stack_high: live_stack_top(m),
                fs: FsTrees {
                    nodes: tree_over(NODES_DEPTH, m.host.fs.nodes.len()),
                    fds: tree_over(FDS_DEPTH, m.host.fs.fds.len()),
                    files: m.host.fs.files.iter().map(|f| tree_over(FILE_DEPTH, f.bytes.len())).collect(),
                },
            },
            code,
            func_leaves,
            funcs,
            input: tree_over(TreeId::Input.depth(), m.host.input.bytes().len()),
            stack: tree_over(TreeId::Stack.depth(), m.stack.len() * 8),
            elems: Vec::new(),
            datas: Vec::new(),
            entries: Default::default(),
            dirs: EntryKind::ALL.map(|kind| CachedTree::new(kind.directory().depth())),
            frames: CachedTree::new(TreeId::Frames.depth()),
            frames_seen: 0,
            stdout: MemoryTree::with_depth(TreeId::Stdout.depth()),
            stderr: MemoryTree::with_depth(TreeId::Stderr.depth()),
            out_seen: (0, 0),
        }
    }

    /// The header of `m`'s current state.
    pub fn header(&mut self, m: &Machine) -> Header {
        let s = &m.store;
        let Hasher { dirty: d, entries, dirs, .. } = self;
        // Slots a frame wrote since the last root lie in [low, high).
        let (low, high) = (d.stack_low.min(d.stack_high), d.stack_high);
        self.stack.mark_dirty(low * 8, (high - low) * 8);
        d.stack_low = m.regs.fp as usize;
        let stack = self.stack.root(slot_bytes(&m.stack));

        let mut roots = [[0u8; 32]; TREES];
        let [mem_entries, table_entries, elem_entries, data_entries, file_entries] = entries;
        let [mem_dir, table_dir, elem_dir, data_dir, file_dir] = dirs;
        let mems = s.memories.iter().zip(d.memories.iter_mut()).map(|(mem, t)| Entry {
            len: mem.pages(),
            limit: mem.limit(),
            root: t.root(&mem.data),
        });
        roots[TreeId::Memories as usize] = update_dir(EntryKind::Memory, mem_entries, mem_dir, mems);
        if d.tables.len() != s.tables.len() {
            // Tables were added since the last root: hash them all again.
            d.tables =
                s.tables.iter().map(|t| tree_over(EntryKind::Table.depth(), t.elems.len() * 8)).collect();
        }
        let tables = s.tables.iter().zip(d.tables.iter_mut()).map(|(t, tree)| Entry {
            len: t.elems.len() as u32,
            limit: t.limit(),
            root: tree.root(slot_bytes(&t.elems)),
        });
        roots[TreeId::Tables as usize] = update_dir(EntryKind::Table, table_entries, table_dir, tables);
        let elems = s.elems.iter().map(|e| (e.len(), slot_bytes(e)));
        roots[TreeId::Elems as usize] =
            update_segments(EntryKind::Elem, &mut self.elems, elem_entries, elem_dir, elems);
        let datas = s.datas.iter().map(|b| (b.len(), &b[..]));
        roots[TreeId::Datas as usize] =
            update_segments(EntryKind::Data, &mut self.datas, data_entries, data_dir, datas);

        // Frames from the lowest one pushed since the last root, or from
        // the depth now if lower (frames were popped), up to the higher of
        // the old and new depths, may have changed.
        let depth = m.frames.len();
        for i in 2 * d.frames_low.min(depth)..2 * self.frames_seen.max(depth) {
            self.frames.set(i, &frames_leaf(&self.code, m, i));
        }
        (d.frames_low, self.frames_seen) = (depth, depth);

        let h = &m.host;
        let fs = &h.fs;
        let trees = &mut d.fs;
        roots[TreeId::Nodes as usize] = trees.nodes.root(&fs.nodes);
        roots[TreeId::Fds as usize] = trees.fds.root(&fs.fds);
        let files = (0..fs.regs.nodes).map(|n| match fs.file(n) {
            Some(f) => Entry { len: f.len as u32, limit: 0, root: trees.file(n).root(&f.bytes) },
            None => Entry { len: 0, limit: 0, root: crate::merkle::zeros()[FILE_DEPTH] },
        });
        roots[TreeId::Files as usize] = update_dir(EntryKind::File, file_entries, file_dir, files);
        let (o, e) = self.out_seen;
        self.stdout.mark_dirty(o, h.stdout.len().saturating_sub(o));
        self.stderr.mark_dirty(e, h.stderr.len().saturating_sub(e));
        self.out_seen = (h.stdout.len(), h.stderr.len());

        roots[TreeId::Code as usize] = self.code.root_at(s, running_at(m));
        roots[TreeId::Funcs as usize] = self.funcs.root();
        roots[TreeId::Globals as usize] = d.globals.root(slot_bytes(&s.globals));
        roots[TreeId::Stack as usize] = stack;
        roots[TreeId::Frames as usize] = self.frames.root();
        roots[TreeId::Stdout as usize] = self.stdout.root(&h.stdout);
        roots[TreeId::Stderr as usize] = self.stderr.root(&h.stderr);
        roots[TreeId::Input as usize] = self.input.root(h.input.bytes());
        let regs = [m.regs.pc, m.regs.sp, m.regs.fp, m.frames.len() as u32];
        let mut header = Header::new(encode_status(m.regs.status), m.regs.steps, regs, roots);
        header.set_host_regs(&h.regs());
        header
    }

    /// The state root of `m`'s current state.
    pub fn root(&mut self, m: &Machine) -> Hash {
        self.header(m).root()
    }

    /// Runs `m` until `until`, tracking changes for the next root.
    pub fn run(&mut self, m: &mut Machine, until: u64) {
        m.run_tracked(&mut self.dirty, until);
    }

    /// Learns what a run marked in `marks` (the marks checkpoints keep,
    /// `snapshot::marks`) since this hasher's last root, leaving `marks` as
    /// they were: so one run can serve both checkpoints and roots. Pages
    /// marked before the last root are rehashed again (harmless). The file
    /// system, which checkpoints do not mark, is hashed again whole.
    pub(crate) fn follow(&mut self, marks: &mut Dirty, m: &Machine) {
        fn copy(from: &mut MemoryTree, to: &mut MemoryTree) {
            let blocks = from.take_marks();
            for b in (0..blocks.len()).filter(|&b| blocks[b]) {
                from.mark_dirty(b * BLOCK_BYTES, BLOCK_BYTES);
                to.mark_dirty(b * BLOCK_BYTES, BLOCK_BYTES);
            }
        }
        let d = &mut self.dirty;
        d.memories.iter_mut().zip(&mut marks.memories).for_each(|(to, from)| copy(from, to));
        if d.tables.len() == marks.tables.len() {
            d.tables.iter_mut().zip(&mut marks.tables).for_each(|(to, from)| copy(from, to));
        }
        copy(&mut marks.globals, &mut d.globals);
        // Checkpoints copy the frames whole: their mark is this hasher's.
        d.frames_low = d.frames_low.min(marks.frames_low);
        marks.frames_low = m.frames.len();
        d.stack_low = d.stack_low.min(marks.stack_low);
        d.stack_high = d.stack_high.max(marks.stack_high);
        let fs = &m.host.fs;
        d.fs = FsTrees {
            nodes: tree_over(NODES_DEPTH, fs.nodes.len()),
            fds: tree_over(FDS_DEPTH, fs.fds.len()),
            files: fs.files.iter().map(|f| tree_over(FILE_DEPTH, f.bytes.len())).collect(),
        };
    }
}

/// The instruction whose segment runs in `m`: `pc`, or the instruction
/// before it once a return or `proc_exit` has ended the run (`pc` is then
/// one past the instruction that ended it, `specs/state.md` §4.1).
pub(crate) fn running_at(m: &Machine) -> u32 {
    match m.regs.status {
        Status::Finished | Status::Exited(_) => m.regs.pc.wrapping_sub(1),
        _ => m.regs.pc,
    }
}

/// Leaf `i` of `m`'s frames tree: frame `i / 2`'s `ret_pc ‖ fp`, or
/// (odd `i`) its caller's code root, zero for the entry frame and past
/// the depth.
pub(crate) fn frames_leaf(code: &CodeTrees, m: &Machine, i: usize) -> Leaf {
    match m.frames.get(i / 2) {
        None => [0; 32],
        Some(f) if i.is_multiple_of(2) => frame_leaf(f),
        Some(f) if f.ret_pc == HALT => [0; 32],
        Some(f) => code.root_at(&m.store, f.ret_pc),
    }
}

/// The function leaves of `s`: leaf `2i` function `i`'s [`func_leaf`],
/// leaf `2i + 1` its code root (zero for a host function).
fn func_leaves(s: &Store, code: &CodeTrees) -> Vec<Leaf> {
    s.funcs
        .iter()
        .flat_map(|f| {
            let root = match f.kind {
                FuncKind::Wasm { entry, .. } => code.root_at(s, entry),
                FuncKind::Host { .. } => [0; 32],
            };
            [func_leaf(f), root]
        })
        .collect()
}

/// The state root of `m`, computed from scratch.
pub fn state_root(m: &Machine) -> Hash {
    Hasher::new(m).root(m)
}
