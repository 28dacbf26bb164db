//! A run at one step, kept for checkpoints (`trace::Checkpoints`,
//! `specs/commitments.md` §7a).
//!
//! The live machine keeps its vectors flat (the interpreter indexes them
//! directly); only a snapshot is paged ([`Pages`]). A snapshot holds:
//! - the machine without its large vectors (registers, frames, host
//!   registers, the store's small parts): a few KiB;
//! - the vectors a step may change (stack, memories, tables, globals,
//!   segments, stdout, stderr) as pages shared with the snapshot before it:
//!   taking one copies only the pages the run wrote since then, which
//!   execution marks as it does for state hashing ([`marks`]);
//! - nothing of what no step changes (code, functions, types, instances,
//!   the task's input): [`Fixed`] holds those once for all snapshots;
//! - the file system's tables whole, and its files shared with the
//!   snapshot before when the run did not write them (`fs::FileData`).

use crate::access::Dirty;
use crate::frame::Frame;
use crate::host_state::Input;
use crate::isa::Op;
use crate::machine::Machine;
use crate::merkle::{MemoryTree, PAGE_BYTES};
use crate::pages::Pages;
use crate::state::{EntryKind, TreeId, live_stack_top, slot_bytes};
use crate::store::{FuncInst, Instance};
use crate::task::Run;
use crate::value::FuncType;
use std::mem::take;

/// What no step changes: the code, functions, types and instances of the
/// store and the task's input. Checkpoints hold one copy for every snapshot.
#[derive(Clone, Default)]
pub(crate) struct Fixed {
    code: Vec<Op>,
    funcs: Vec<FuncInst>,
    types: Vec<FuncType>,
    instances: Vec<Instance>,
    input: Input,
}

impl std::fmt::Debug for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixed")
            .field("code", &self.code.len())
            .field("funcs", &self.funcs.len())
            .field("input", &self.input.bytes().len())
            .finish_non_exhaustive()
    }
}

impl Fixed {
    /// A copy of `m`'s fixed parts.
    pub(crate) fn of(m: &Machine) -> Fixed {
        let s = &m.store;
        Fixed {
            code: s.code.clone(),
            funcs: s.funcs.clone(),
            types: s.types.clone(),
            instances: s.instances.clone(),
            input: m.host.input.clone(),
        }
    }

    /// Moves the fixed parts out of `m`, leaving them empty.
    fn take(m: &mut Machine) -> Fixed {
        let s = &mut m.store;
        Fixed {
            code: take(&mut s.code),
            funcs: take(&mut s.funcs),
            types: take(&mut s.types),
            instances: take(&mut s.instances),
            input: take(&mut m.host.input),
        }
    }

    /// Moves them back into `m`.
    fn put(self, m: &mut Machine) {
        let s = &mut m.store;
        (s.code, s.funcs, s.types, s.instances, m.host.input) =
            (self.code, self.funcs, self.types, self.instances, self.input);
    }

    /// Bytes held (about: a type's parameter lists and an instance's
    /// export names are not counted).
    pub(crate) fn bytes(&self) -> usize {
        self.code.len() * size_of::<Op>()
            + self.funcs.len() * size_of::<FuncInst>()
            + self.types.len() * size_of::<FuncType>()
            + self.input.bytes().len()
    }
}

/// The vectors a step may change, moved out of a machine.
struct Vectors {
    stack: Vec<u64>,
    memories: Vec<Vec<u8>>,
    tables: Vec<Vec<u64>>,
    globals: Vec<u64>,
    elems: Vec<Vec<u64>>,
    datas: Vec<Vec<u8>>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Vectors {
    /// Moves them out of `m`, leaving each empty.
    fn take(m: &mut Machine) -> Vectors {
        let s = &mut m.store;
        Vectors {
            stack: take(&mut m.stack),
            memories: s.memories.iter_mut().map(|x| take(&mut x.data)).collect(),
            tables: s.tables.iter_mut().map(|x| take(&mut x.elems)).collect(),
            globals: take(&mut s.globals),
            elems: s.elems.iter_mut().map(take).collect(),
            datas: s.datas.iter_mut().map(take).collect(),
            stdout: take(&mut m.host.stdout),
            stderr: take(&mut m.host.stderr),
        }
    }

    /// Moves them back into `m` (which has as many memories, tables and
    /// segments as the machine they came from).
    fn put(self, m: &mut Machine) {
        let s = &mut m.store;
        m.stack = self.stack;
        s.memories.iter_mut().zip(self.memories).for_each(|(x, v)| x.data = v);
        s.tables.iter_mut().zip(self.tables).for_each(|(x, v)| x.elems = v);
        s.globals = self.globals;
        s.elems.iter_mut().zip(self.elems).for_each(|(x, v)| *x = v);
        s.datas.iter_mut().zip(self.datas).for_each(|(x, v)| *x = v);
        (m.host.stdout, m.host.stderr) = (self.stdout, self.stderr);
    }
}

/// The same vectors as pages.
#[derive(Clone, Debug)]
struct Paged {
    stack: Pages,
    memories: Vec<Pages>,
    tables: Vec<Pages>,
    globals: Pages,
    elems: Vec<Pages>,
    datas: Vec<Pages>,
    stdout: Pages,
    stderr: Pages,
}

/// Nothing marked yet, for a run in state `m`: what a run wrote since the
/// last snapshot. Execution marks memory, table and global pages and the
/// stack's watermarks as it does for the state hasher; a segment changes
/// only when dropped (its length changes), and an output stream only grows.
pub(crate) fn marks(m: &Machine) -> Dirty {
    let s = &m.store;
    Dirty {
        memories: s.memories.iter().map(|_| MemoryTree::with_depth(EntryKind::Memory.depth())).collect(),
        tables: s.tables.iter().map(|_| MemoryTree::with_depth(EntryKind::Table.depth())).collect(),
        globals: MemoryTree::with_depth(TreeId::Globals.depth()),
        frames_low: 0,
        stack_low: m.regs.fp as usize,
        stack_high: live_stack_top(m),
        // Snapshots copy the file system whole, with the machine's registers.
        fs: Default::default(),
    }
}

/// Element `i` of a list of an optional snapshot.
fn at(v: Option<&[Pages]>, i: usize) -> Option<&Pages> {
    v.and_then(|v| v.get(i))
}

/// A vector's pages, from its marks: `marks[p]` says page `p` was written.
fn marked(data: &[u8], prev: Option<&Pages>, marks: &[bool]) -> Pages {
    Pages::new(data, prev, &|p| marks.get(p).copied().unwrap_or(false))
}

/// A segment's pages: it changed only if its length did.
fn segment(data: &[u8], prev: Option<&Pages>) -> Pages {
    let same = prev.is_some_and(|q| q.len() == data.len());
    Pages::new(data, prev, &|_| !same)
}

/// An output stream's pages: it only grows, so the pages the previous
/// snapshot held whole are unchanged (and the rest are read).
fn stream(data: &[u8], prev: Option<&Pages>) -> Pages {
    Pages::new(data, prev, &|_| false)
}

impl Paged {
    /// `m`'s vectors as pages shared with `prev` (the previous snapshot of
    /// the same run) where `marks` shows they did not change; clears the marks.
    fn new(m: &Machine, prev: Option<&Paged>, d: &mut Dirty) -> Paged {
        let s = &m.store;
        // Slots written since the last snapshot lie in [low, high), as for the hasher.
        let (low, high) = (d.stack_low.min(d.stack_high) * 8, d.stack_high * 8);
        d.stack_low = m.regs.fp as usize;
        let stack = Pages::new(slot_bytes(&m.stack), prev.map(|q| &q.stack), &|p| {
            p * PAGE_BYTES < high && (p + 1) * PAGE_BYTES > low
        });
        let memories = (s.memories.iter().zip(&mut d.memories).enumerate())
            .map(|(i, (x, t))| marked(&x.data, at(prev.map(|q| &q.memories[..]), i), &t.take_page_marks()))
            .collect();
        let tables = (s.tables.iter().zip(&mut d.tables).enumerate())
            .map(|(i, (x, t))| {
                marked(slot_bytes(&x.elems), at(prev.map(|q| &q.tables[..]), i), &t.take_page_marks())
            })
            .collect();
        let globals = marked(slot_bytes(&s.globals), prev.map(|q| &q.globals), &d.globals.take_page_marks());
        let elems = (s.elems.iter().enumerate())
            .map(|(i, x)| segment(slot_bytes(x), at(prev.map(|q| &q.elems[..]), i)))
            .collect();
        let datas = (s.datas.iter().enumerate())
            .map(|(i, x)| segment(x, at(prev.map(|q| &q.datas[..]), i)))
            .collect();
        Paged {
            stack,
            memories,
            tables,
            globals,
            elems,
            datas,
            stdout: stream(&m.host.stdout, prev.map(|q| &q.stdout)),
            stderr: stream(&m.host.stderr, prev.map(|q| &q.stderr)),
        }
    }

    fn all(&self) -> impl Iterator<Item = &Pages> {
        let one = [&self.stack, &self.globals, &self.stdout, &self.stderr];
        one.into_iter().chain(&self.memories).chain(&self.tables).chain(&self.elems).chain(&self.datas)
    }

    /// The vectors back, flat.
    fn to_vectors(&self) -> Vectors {
        Vectors {
            stack: self.stack.to_slots(),
            memories: self.memories.iter().map(Pages::to_bytes).collect(),
            tables: self.tables.iter().map(Pages::to_slots).collect(),
            globals: self.globals.to_slots(),
            elems: self.elems.iter().map(Pages::to_slots).collect(),
            datas: self.datas.iter().map(Pages::to_bytes).collect(),
            stdout: self.stdout.to_bytes(),
            stderr: self.stderr.to_bytes(),
        }
    }
}

/// A run at one step: the machine without its fixed parts and vectors,
/// and the vectors as pages.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    /// The step the run is at.
    pub(crate) step: u64,
    rest: Run,
    paged: Paged,
}

impl Snapshot {
    /// A snapshot of `run`, sharing pages with `prev`, the snapshot last
    /// taken of the same run (and whose `marks` have followed it since).
    pub(crate) fn take(run: &mut Run, prev: Option<&Snapshot>, marks: &mut Dirty) -> Snapshot {
        let m = &mut run.machine;
        // Move the large parts out so that the copy of the rest copies none of them.
        let (fixed, vectors) = (Fixed::take(m), Vectors::take(m));
        let rest = run.clone();
        vectors.put(&mut run.machine);
        fixed.put(&mut run.machine);
        let paged = Paged::new(&run.machine, prev.map(|p| &p.paged), marks);
        Snapshot { step: run.machine.steps(), rest, paged }
    }

    /// The run again, with `fixed` (the parts of the run no step changes).
    pub(crate) fn restore(&self, fixed: &Fixed) -> Run {
        let mut run = self.rest.clone();
        fixed.clone().put(&mut run.machine);
        self.paged.to_vectors().put(&mut run.machine);
        run
    }

    /// Bytes held here and not shared with `prev` (the snapshot kept before
    /// it): the pages of [`Pages::own_bytes`], plus about the machine
    /// without its vectors (frames, global types, a fixed part).
    pub(crate) fn own_bytes(&self, prev: Option<&Snapshot>) -> usize {
        let m = &self.rest.machine;
        // The file system is copied whole but for the files it shares with `prev`.
        let fs = m.host.fs.own_bytes(prev.map(|p| &p.rest.machine.host.fs));
        let rest =
            size_of::<Run>() + m.frames.len() * size_of::<Frame>() + m.store.global_types.len() * 16 + fs;
        let pages = match prev {
            Some(p) => self.paged.all().zip(p.paged.all()).map(|(a, b)| a.own_bytes(Some(b))).sum::<usize>(),
            None => self.paged.all().map(|a| a.own_bytes(None)).sum(),
        };
        rest + pages
    }
}
