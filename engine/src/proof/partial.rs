//! The verifier's state access: only what a proof opened. Anything else a
//! step reaches is *missing*; the first such access is remembered, the
//! step continues on a harmless default, and the verifier rejects it.

use super::Unopened;
use crate::access::{Stack, World};
use crate::frame::Frame;
use crate::frame::HALT;
use crate::fs::{FILE_DEPTH, FsRegs, FsTable};
use crate::host_state::{HostEnv, HostRegs};
use crate::isa::{OP_BYTES, Op};
use crate::limits::{MAX_CALL_DEPTH, MAX_OUTPUT_BYTES, MAX_STACK_SLOTS, PAGE_SIZE};
use crate::merkle::Hash;
use crate::merkle::{Leaf, Opened, zero_hashes};
use crate::state::{Entry, EntryKind, TreeId, decode_func, frame_leaf, frame_of_leaf};
use crate::store::{FuncInst, FuncKind, HostFunc};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The first thing a step needed that the proof did not open.
pub(crate) type Missing = RefCell<Option<Unopened>>;

fn miss(m: &Missing, what: impl FnOnce() -> Unopened) {
    let mut m = m.borrow_mut();
    if m.is_none() {
        *m = Some(what());
    }
}

/// Stack slots of the opened stack leaves.
pub(crate) struct PartialStack<'m> {
    pub leaves: BTreeMap<u64, [u64; 4]>,
    pub missing: &'m Missing,
    dummy: u64,
}

impl<'m> PartialStack<'m> {
    pub fn new(opened: &Opened, missing: &'m Missing) -> Self {
        let leaves = opened
            .leaves
            .iter()
            .map(|(i, l)| {
                let mut s = [0u64; 4];
                for (j, v) in s.iter_mut().enumerate() {
                    *v = u64::from_le_bytes(l[8 * j..8 * j + 8].try_into().expect("8 bytes"));
                }
                (*i, s)
            })
            .collect();
        PartialStack { leaves, missing, dummy: 0 }
    }

    /// The leaves back as bytes.
    pub fn leaf_bytes(&self) -> impl Iterator<Item = (u64, Leaf)> + '_ {
        self.leaves.iter().map(|(i, s)| {
            let mut l = [0u8; 32];
            for (j, v) in s.iter().enumerate() {
                l[8 * j..8 * j + 8].copy_from_slice(&v.to_le_bytes());
            }
            (*i, l)
        })
    }
}

impl std::ops::Index<usize> for PartialStack<'_> {
    type Output = u64;
    fn index(&self, i: usize) -> &u64 {
        match self.leaves.get(&(i as u64 / 4)) {
            Some(l) if i < MAX_STACK_SLOTS => &l[i % 4],
            _ => {
                miss(self.missing, || Unopened::StackSlot(i));
                &0
            }
        }
    }
}

impl std::ops::IndexMut<usize> for PartialStack<'_> {
    fn index_mut(&mut self, i: usize) -> &mut u64 {
        match self.leaves.get_mut(&(i as u64 / 4)) {
            Some(l) if i < MAX_STACK_SLOTS => &mut l[i % 4],
            _ => {
                miss(self.missing, || Unopened::StackSlot(i));
                &mut self.dummy
            }
        }
    }
}

impl Stack for PartialStack<'_> {
    type Pos = usize;
    fn at(&self, i: u32) -> usize {
        i as usize
    }
    fn slot(&self, p: usize) -> u32 {
        p as u32
    }
    fn end(&self) -> usize {
        MAX_STACK_SLOTS
    }
    fn copy_within(&mut self, from: usize, n: usize, to: usize) {
        // A range below slot 0 (`sp - n` wrapped around).
        if from.checked_add(n).is_none() {
            miss(self.missing, || Unopened::StackRange);
            return;
        }
        // Element by element, in the order that is correct for overlap;
        // stops at the first slot the proof does not open.
        for k in 0..n {
            let k = if to <= from { k } else { n - 1 - k };
            let v = self[from.wrapping_add(k)];
            self[to.wrapping_add(k)] = v;
            if self.missing.borrow().is_some() {
                return;
            }
        }
    }
    fn zero(&mut self, from: usize, n: usize) {
        for i in 0..n {
            self[from.wrapping_add(i)] = 0;
            if self.missing.borrow().is_some() {
                return;
            }
        }
    }
}

/// An opened directory entry and its opened content.
pub(crate) struct PartialEntry {
    pub entry: Entry,
    pub content: Opened,
}

/// Everything but the stack, as opened by a proof.
pub(crate) struct PartialWorld<'m> {
    /// The running code, opened in the header's code tree.
    pub code: Opened,
    /// The running code's root: the header's, or the callee's or caller's
    /// after a call or return.
    pub code_root: Hash,
    pub funcs: Opened,
    pub globals: Opened,
    pub frames: Opened,
    pub depth: usize,
    pub entries: BTreeMap<(EntryKind, u32), PartialEntry>,
    /// The proof shows there is no memory 0 (its directory leaf is empty).
    pub no_memory: bool,
    /// The host registers, from the header's cold part.
    pub regs: HostRegs,
    /// Whether the proof sent the header's cold part (else the host
    /// registers are missing, and so is every tree whose root is there).
    pub cold: bool,
    pub input: Opened,
    /// The stdout and stderr trees.
    pub out: [Opened; 2],
    /// The node and descriptor tables' trees.
    pub fs: [Opened; 2],
    pub missing: &'m Missing,
    /// The instruction the step decoded last (`op_at` points here).
    pub current: std::cell::Cell<Op>,
}

/// The tree of a file system table.
fn fs_tree(t: FsTable) -> TreeId {
    match t {
        FsTable::Nodes => TreeId::Nodes,
        FsTable::Fds => TreeId::Fds,
    }
}

impl PartialWorld<'_> {
    fn miss(&self, what: impl FnOnce() -> Unopened) {
        miss(self.missing, what)
    }

    fn entry(&self, kind: EntryKind, i: u32) -> Option<&PartialEntry> {
        let e = self.entries.get(&(kind, i));
        if e.is_none() {
            self.miss(|| Unopened::Entry { kind, index: i });
        }
        e
    }

    fn entry_mut(&mut self, kind: EntryKind, i: u32) -> Option<&mut PartialEntry> {
        if !self.entries.contains_key(&(kind, i)) {
            self.miss(|| Unopened::Entry { kind, index: i });
        }
        self.entries.get_mut(&(kind, i))
    }

    /// Element `i` (a byte, or an 8-byte reference) of an entry's content.
    fn get_elem(&self, kind: EntryKind, e: u32, i: usize) -> u64 {
        let Some(pe) = self.entry(kind, e) else { return 0 };
        let per = kind.per_leaf();
        match pe.content.leaves.get(&((i / per) as u64)) {
            Some(l) if per == 32 => l[i % 32] as u64,
            Some(l) => u64::from_le_bytes(l[8 * (i % 4)..8 * (i % 4) + 8].try_into().expect("8 bytes")),
            None => {
                self.miss(|| Unopened::Element { kind, entry: e, index: i });
                0
            }
        }
    }

    fn set_elem(&mut self, kind: EntryKind, e: u32, i: usize, v: u64) {
        let missing = self.missing;
        let Some(pe) = self.entry_mut(kind, e) else { return };
        let per = kind.per_leaf();
        match pe.content.leaves.get_mut(&((i / per) as u64)) {
            Some(l) if per == 32 => l[i % 32] = v as u8,
            Some(l) => l[8 * (i % 4)..8 * (i % 4) + 8].copy_from_slice(&v.to_le_bytes()),
            None => miss(missing, || Unopened::Element { kind, entry: e, index: i }),
        }
    }

    fn leaf(&self, o: &Opened, i: u64, tree: TreeId) -> Option<Leaf> {
        let l = o.leaves.get(&i).copied();
        if l.is_none() {
            self.miss(|| Unopened::Leaf { tree, index: i });
        }
        l
    }

    fn len_of(&self, kind: EntryKind, i: u32) -> usize {
        self.entry(kind, i).map_or(0, |e| e.entry.len as usize)
    }
}

impl World for PartialWorld<'_> {
    fn op(&self, pc: usize) -> Op {
        let Some(l) = self.leaf(&self.code, pc as u64 / 2, TreeId::Code) else { return Op::Unreachable };
        let h = pc % 2 * OP_BYTES;
        match Op::decode(l[h..h + OP_BYTES].try_into().expect("16 bytes")) {
            Some(op) => op,
            None => {
                self.miss(|| Unopened::Instruction { pc });
                Op::Unreachable
            }
        }
    }
    fn op_at(&self, pc: usize) -> *const Op {
        self.current.set(self.op(pc));
        self.current.as_ptr()
    }
    fn depth(&self) -> usize {
        self.depth
    }
    fn push_frame(&mut self, f: Frame) {
        let d = self.depth as u64;
        if self.depth >= MAX_CALL_DEPTH {
            self.miss(|| Unopened::FrameRoom);
            return;
        }
        for (i, l) in [(2 * d, frame_leaf(&f)), (2 * d + 1, self.code_root)] {
            match self.frames.leaves.get_mut(&i) {
                Some(slot) => *slot = l,
                None => return self.miss(|| Unopened::Leaf { tree: TreeId::Frames, index: i }),
            }
        }
        self.depth += 1;
    }
    fn pop_frame(&mut self) -> Frame {
        let none = Frame { ret_pc: 0, fp: 0 };
        let Some(d) = (self.depth as u64).checked_sub(1) else {
            self.miss(|| Unopened::ReturnFrame);
            return none;
        };
        let (Some(f), Some(root)) = (
            self.leaf(&self.frames, 2 * d, TreeId::Frames),
            self.leaf(&self.frames, 2 * d + 1, TreeId::Frames),
        ) else {
            return none;
        };
        for i in [2 * d, 2 * d + 1] {
            self.frames.leaves.insert(i, [0; 32]);
        }
        self.depth -= 1;
        let f = frame_of_leaf(&f);
        if f.ret_pc != HALT {
            self.code_root = root;
        }
        f
    }
    fn enter(&mut self, f: usize) {
        if let Some(root) = self.leaf(&self.funcs, 2 * f as u64 + 1, TreeId::Funcs) {
            self.code_root = root;
        }
    }
    fn func(&self, f: usize) -> FuncInst {
        let bad = FuncInst { ty: u32::MAX, kind: FuncKind::Host { func: HostFunc::Nop, nparams: 0 } };
        let Some(l) = self.leaf(&self.funcs, 2 * f as u64, TreeId::Funcs) else { return bad };
        let func = decode_func(&l).unwrap_or_else(|| {
            self.miss(|| Unopened::Function(f));
            bad
        });
        // Host calls run on the host registers: a step that reaches a host
        // function needs the cold part (`specs/proof.md` §3).
        if matches!(func.kind, FuncKind::Host { .. }) && !self.cold {
            self.miss(|| Unopened::ColdPart);
        }
        func
    }
    fn global(&self, g: u32) -> u64 {
        let Some(l) = self.leaf(&self.globals, g as u64 / 4, TreeId::Globals) else { return 0 };
        let j = 8 * (g as usize % 4);
        u64::from_le_bytes(l[j..j + 8].try_into().expect("8 bytes"))
    }
    fn set_global(&mut self, g: u32, v: u64) {
        match self.globals.leaves.get_mut(&(g as u64 / 4)) {
            Some(l) => {
                let j = 8 * (g as usize % 4);
                l[j..j + 8].copy_from_slice(&v.to_le_bytes());
            }
            None => self.miss(|| Unopened::Leaf { tree: TreeId::Globals, index: g as u64 / 4 }),
        }
    }
    fn table_len(&self, t: u32) -> u32 {
        self.len_of(EntryKind::Table, t) as u32
    }
    fn table_limit(&self, t: u32) -> u32 {
        self.entry(EntryKind::Table, t).map_or(0, |e| e.entry.limit)
    }
    fn table_get(&self, t: u32, i: u32) -> Option<u64> {
        (i < self.table_len(t)).then(|| self.get_elem(EntryKind::Table, t, i as usize))
    }
    fn table_set(&mut self, t: u32, i: u32, v: u64) -> bool {
        let ok = i < self.table_len(t);
        if ok {
            self.set_elem(EntryKind::Table, t, i as usize, v);
        }
        ok
    }
    fn table_grow(&mut self, t: u32, new_len: u32, init: u64) {
        let old = self.table_len(t);
        if init != 0 {
            for i in old..new_len {
                self.set_elem(EntryKind::Table, t, i as usize, init);
                if self.missing.borrow().is_some() {
                    return;
                }
            }
        }
        if let Some(e) = self.entry_mut(EntryKind::Table, t) {
            e.entry.len = new_len;
        }
    }
    fn elem_len(&self, e: u32) -> u32 {
        self.len_of(EntryKind::Elem, e) as u32
    }
    fn elem_get(&self, e: u32, i: u32) -> u64 {
        self.get_elem(EntryKind::Elem, e, i as usize)
    }
    fn elem_drop(&mut self, e: u32) {
        if let Some(pe) = self.entry_mut(EntryKind::Elem, e) {
            pe.entry.len = 0;
            pe.entry.root = zero_hashes()[EntryKind::Elem.depth()];
            pe.content.leaves.clear();
        }
    }
    fn mem_len(&self, m: u32) -> usize {
        self.len_of(EntryKind::Memory, m) * PAGE_SIZE as usize
    }
    fn load<const N: usize>(&self, m: u32, ea: usize) -> Option<[u8; N]> {
        if ea + N > self.mem_len(m) {
            return None;
        }
        let mut b = [0u8; N];
        for (j, x) in b.iter_mut().enumerate() {
            *x = self.get_elem(EntryKind::Memory, m, ea + j) as u8;
        }
        Some(b)
    }
    fn store(&mut self, m: u32, ea: usize, bytes: &[u8]) -> bool {
        if ea + bytes.len() > self.mem_len(m) {
            return false;
        }
        for (j, x) in bytes.iter().enumerate() {
            self.set_elem(EntryKind::Memory, m, ea + j, *x as u64);
        }
        true
    }
    fn mem_limit(&self, m: u32) -> u32 {
        self.entry(EntryKind::Memory, m).map_or(0, |e| e.entry.limit)
    }
    fn mem_resize(&mut self, m: u32, pages: u32) {
        if let Some(e) = self.entry_mut(EntryKind::Memory, m) {
            e.entry.len = pages;
        }
    }
    fn mem_copy(&mut self, m: u32, src: usize, dst: usize, k: usize) {
        let bytes: Vec<u64> = (src..src + k).map(|i| self.get_elem(EntryKind::Memory, m, i)).collect();
        for (j, b) in bytes.into_iter().enumerate() {
            self.set_elem(EntryKind::Memory, m, dst + j, b);
        }
    }
    fn mem_fill(&mut self, m: u32, dst: usize, k: usize, v: u8) {
        for i in dst..dst + k {
            self.set_elem(EntryKind::Memory, m, i, v as u64);
        }
    }
    fn data_len(&self, d: u32) -> usize {
        self.len_of(EntryKind::Data, d)
    }
    fn mem_init(&mut self, m: u32, d: u32, src: usize, dst: usize, k: usize) {
        for j in 0..k {
            let b = self.get_elem(EntryKind::Data, d, src + j);
            self.set_elem(EntryKind::Memory, m, dst + j, b);
        }
    }
    fn data_drop(&mut self, d: u32) {
        if let Some(pe) = self.entry_mut(EntryKind::Data, d) {
            pe.entry.len = 0;
            pe.entry.root = zero_hashes()[EntryKind::Data.depth()];
            pe.content.leaves.clear();
        }
    }
    fn wasi_memory(&self) -> Option<u32> {
        if self.entries.contains_key(&(EntryKind::Memory, 0)) {
            Some(0)
        } else {
            if !self.no_memory {
                self.miss(|| Unopened::HostMemory);
            }
            None
        }
    }
}

impl PartialWorld<'_> {
    /// The host registers: missing unless the proof sent the cold part.
    fn cold_regs(&mut self) -> Option<&mut HostRegs> {
        if !self.cold {
            self.miss(|| Unopened::ColdPart);
            return None;
        }
        Some(&mut self.regs)
    }
}

impl HostEnv for PartialWorld<'_> {
    fn regs(&self) -> HostRegs {
        if !self.cold {
            self.miss(|| Unopened::ColdPart);
        }
        self.regs
    }
    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64) {
        if let Some(r) = self.cold_regs() {
            (r.stdin_pos, r.random_pos) = (stdin_pos, random_pos);
        }
    }
    fn input_read(&self, at: u64, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            let p = at + i as u64;
            match self.input.leaves.get(&(p / 32)) {
                Some(l) => *b = l[(p % 32) as usize],
                None => return self.miss(|| Unopened::Leaf { tree: TreeId::Input, index: p / 32 }),
            }
        }
    }
    fn out_append(&mut self, fd: u32, bytes: &[u8]) {
        if self.cold_regs().is_none() {
            return;
        }
        let which = (fd != 1) as usize;
        let len = if fd == 1 { self.regs.stdout_len } else { self.regs.stderr_len };
        if len + bytes.len() as u64 > MAX_OUTPUT_BYTES as u64 {
            return;
        }
        for (i, b) in bytes.iter().enumerate() {
            let p = len + i as u64;
            match self.out[which].leaves.get_mut(&(p / 32)) {
                Some(l) => l[(p % 32) as usize] = *b,
                None => {
                    let tree = if fd == 1 { TreeId::Stdout } else { TreeId::Stderr };
                    return self.miss(|| Unopened::Leaf { tree, index: p / 32 });
                }
            }
        }
        let n = bytes.len() as u64;
        if fd == 1 { self.regs.stdout_len += n } else { self.regs.stderr_len += n }
    }
    fn set_fs_regs(&mut self, r: FsRegs) {
        if let Some(regs) = self.cold_regs() {
            regs.fs = r;
        }
    }
    fn fs_read(&self, t: FsTable, at: u64, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            let p = at + i as u64;
            match self.fs[t as usize].leaves.get(&(p / 32)) {
                Some(l) => *b = l[(p % 32) as usize],
                None => return self.miss(|| Unopened::Leaf { tree: fs_tree(t), index: p / 32 }),
            }
        }
    }
    fn fs_write(&mut self, t: FsTable, at: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            let p = at + i as u64;
            match self.fs[t as usize].leaves.get_mut(&(p / 32)) {
                Some(l) => l[(p % 32) as usize] = *b,
                None => return self.miss(|| Unopened::Leaf { tree: fs_tree(t), index: p / 32 }),
            }
        }
    }
    fn file_len(&self, n: u32) -> u64 {
        self.len_of(EntryKind::File, n) as u64
    }
    fn file_read(&self, n: u32, at: u64, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.get_elem(EntryKind::File, n, at as usize + i) as u8;
        }
    }
    fn file_write(&mut self, n: u32, at: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        for (i, b) in bytes.iter().enumerate() {
            self.set_elem(EntryKind::File, n, at as usize + i, *b as u64);
        }
        if let Some(e) = self.entry_mut(EntryKind::File, n) {
            e.entry.len = e.entry.len.max((at + bytes.len() as u64) as u32);
        }
    }
    fn file_shrink(&mut self, n: u32, len: u64) {
        if let Some(e) = self.entry_mut(EntryKind::File, n) {
            e.entry.len = e.entry.len.min(len as u32);
        }
    }
    fn file_clear(&mut self, n: u32) {
        if let Some(pe) = self.entry_mut(EntryKind::File, n) {
            pe.entry.len = 0;
            pe.entry.root = zero_hashes()[FILE_DEPTH];
            pe.content.leaves.clear();
        }
    }
}
