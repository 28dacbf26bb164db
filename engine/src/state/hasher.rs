//! Computing state roots, incrementally along a run.

use super::layout::*;
use crate::access::Dirty;
use crate::machine::Machine;
use crate::merkle::{Hash, Leaf, MemoryTree, root_of};
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
    fits("functions", store.funcs.len(), 1, TreeId::Funcs.depth())?;
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

/// The value stack as bytes (slots little-endian).
pub(crate) fn stack_bytes(stack: &[u64]) -> &[u8] {
    // SAFETY: u64 has no padding and any byte is a valid u8; the length is
    // the same memory; the crate only builds on little-endian hosts, so the
    // bytes are the slots' little-endian encodings.
    unsafe { std::slice::from_raw_parts(stack.as_ptr() as *const u8, std::mem::size_of_val(stack)) }
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
/// are hashed once; memory and the stack are rehashed only where they
/// changed since the last root; the small vectors are rehashed each time.
#[derive(Clone, Debug)]
pub struct Hasher {
    pub(crate) dirty: Dirty,
    code: Hash,
    funcs: Hash,
    pub(crate) input: MemoryTree,
    pub(crate) stack: MemoryTree,
    elems: Vec<(usize, Hash)>,
    /// Each data segment's length when last hashed, and its tree.
    pub(crate) datas: Vec<(usize, MemoryTree)>,
    /// The directory entries of the last header, by [`EntryKind`].
    pub(crate) entries: [Vec<Entry>; 4],
    pub(crate) stdout: MemoryTree,
    pub(crate) stderr: MemoryTree,
    out_seen: (usize, usize),
}

impl Hasher {
    /// A hasher for `m`, whose code and functions must not change any more.
    pub fn new(m: &Machine) -> Hasher {
        let s = &m.store;
        let code = root_of(
            &(0..s.code.len().div_ceil(2)).map(|i| code_leaf(&s.code, i)).collect::<Vec<_>>(),
            TreeId::Code.depth(),
        );
        let funcs = root_of(&s.funcs.iter().map(func_leaf).collect::<Vec<_>>(), TreeId::Funcs.depth());
        let mut memories = vec![MemoryTree::new(); s.memories.len()];
        for (t, mem) in memories.iter_mut().zip(&s.memories) {
            t.mark_dirty(0, mem.data.len());
        }
        let mut stack = MemoryTree::with_depth(TreeId::Stack.depth());
        stack.mark_dirty(0, m.stack.len() * 8);
        Hasher {
            dirty: Dirty { memories, stack_low: m.regs.fp as usize, stack_high: live_stack_top(m) },
            code,
            funcs,
            input: {
                let mut t = MemoryTree::with_depth(TreeId::Input.depth());
                t.mark_dirty(0, m.host.input.bytes().len());
                t
            },
            stack,
            elems: Vec::new(),
            datas: Vec::new(),
            entries: Default::default(),
            stdout: MemoryTree::with_depth(TreeId::Stdout.depth()),
            stderr: MemoryTree::with_depth(TreeId::Stderr.depth()),
            out_seen: (0, 0),
        }
    }

    /// The header of `m`'s current state.
    pub fn header(&mut self, m: &Machine) -> Header {
        let s = &m.store;
        let d = &mut self.dirty;
        // Slots a frame wrote since the last root lie in [low, high).
        let (low, high) = (d.stack_low.min(d.stack_high), d.stack_high);
        self.stack.mark_dirty(low * 8, (high - low) * 8);
        d.stack_low = m.regs.fp as usize;
        let stack = self.stack.root(stack_bytes(&m.stack));

        let mems = s.memories.iter().zip(d.memories.iter_mut()).map(|(mem, t)| Entry {
            len: mem.pages(),
            limit: mem.limit(),
            root: t.root(&mem.data),
        });
        let tables = s.tables.iter().map(|t| Entry {
            len: t.elems.len() as u32,
            limit: t.limit(),
            root: root_of(&slots_leaves(&t.elems), EntryKind::Table.depth()),
        });
        self.elems.resize(s.elems.len(), (usize::MAX, [0; 32]));
        let elems = s.elems.iter().zip(self.elems.iter_mut()).map(|(e, cache)| {
            if cache.0 != e.len() {
                *cache = (e.len(), root_of(&slots_leaves(e), EntryKind::Elem.depth()));
            }
            Entry { len: e.len() as u32, limit: 0, root: cache.1 }
        });
        self.datas
            .resize_with(s.datas.len(), || (usize::MAX, MemoryTree::with_depth(EntryKind::Data.depth())));
        let datas = s.datas.iter().zip(self.datas.iter_mut()).map(|(b, cache)| {
            if cache.0 != b.len() {
                *cache = (b.len(), MemoryTree::with_depth(EntryKind::Data.depth()));
                cache.1.mark_dirty(0, b.len());
            }
            Entry { len: b.len() as u32, limit: 0, root: cache.1.root(b) }
        });
        self.entries = [mems.collect(), tables.collect(), elems.collect(), datas.collect()];
        let dir_root = |kind: EntryKind, entries: &[Entry]| {
            root_of(&entries.iter().map(|e| e.leaf(kind)).collect::<Vec<_>>(), kind.directory().depth())
        };
        let h = &m.host;
        let (o, e) = self.out_seen;
        self.stdout.mark_dirty(o, h.stdout.len().saturating_sub(o));
        self.stderr.mark_dirty(e, h.stderr.len().saturating_sub(e));
        self.out_seen = (h.stdout.len(), h.stderr.len());
        let globals: Vec<u64> = s.globals.iter().map(|g| g.value).collect();
        let frames: Vec<Leaf> = (0..m.frames.len().div_ceil(4)).map(|i| frames_leaf(&m.frames, i)).collect();

        let mut roots = [[0u8; 32]; 12];
        roots[TreeId::Code as usize] = self.code;
        roots[TreeId::Funcs as usize] = self.funcs;
        roots[TreeId::Globals as usize] = root_of(&slots_leaves(&globals), TreeId::Globals.depth());
        for kind in EntryKind::ALL {
            roots[kind.directory() as usize] = dir_root(kind, &self.entries[kind as usize]);
        }
        roots[TreeId::Stack as usize] = stack;
        roots[TreeId::Frames as usize] = root_of(&frames, TreeId::Frames.depth());
        roots[TreeId::Stdout as usize] = self.stdout.root(&h.stdout);
        roots[TreeId::Stderr as usize] = self.stderr.root(&h.stderr);
        roots[TreeId::Input as usize] = self.input.root(h.input.bytes());
        let mut header = Header {
            status: encode_status(m.regs.status),
            steps: m.regs.steps,
            pc: m.regs.pc,
            sp: m.regs.sp,
            fp: m.regs.fp,
            depth: m.frames.len() as u32,
            args_count: 0,
            args_size: 0,
            env_count: 0,
            env_size: 0,
            stdin_len: 0,
            stdin_pos: 0,
            random_seed: 0,
            random_pos: 0,
            stdout_len: 0,
            stderr_len: 0,
            roots,
        };
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
}

/// The state root of `m`, computed from scratch.
pub fn state_root(m: &Machine) -> Hash {
    Hasher::new(m).root(m)
}
