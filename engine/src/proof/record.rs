//! The prover's state access: the machine's state seen through
//! [`super::cow`] (the machine itself does not change), logging every
//! element a step touches.

use crate::access::{Stack, World};
use crate::frame::Frame;
use crate::fs::{FsRegs, FsTable};
use crate::host_state::{HostEnv, HostRegs};
use crate::isa::Op;
use crate::state::EntryKind;
use crate::store::FuncInst;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Leaves a step touched, per tree; element trees by (kind, index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Touched {
    pub code: BTreeSet<u64>,
    pub funcs: BTreeSet<u64>,
    pub globals: BTreeSet<u64>,
    pub stack: BTreeSet<u64>,
    pub frames: BTreeSet<u64>,
    /// Entries touched, with the content leaves touched in each.
    pub entries: BTreeMap<(EntryKind, u32), BTreeSet<u64>>,
    /// The host functions called.
    /// Input bytes read, by leaf.
    pub input: BTreeSet<u64>,
    /// Output leaves written: stdout, stderr.
    pub out: [BTreeSet<u64>; 2],
    /// Leaves of the node and descriptor tables read or written.
    pub fs: [BTreeSet<u64>; 2],
    /// A host call asked for the WASI memory and the machine has none.
    pub no_memory: bool,
    /// The step read or wrote the host registers (in the header's cold part).
    pub host_regs: bool,
}

impl Touched {
    /// Whether the step needs the header's cold part: the host registers,
    /// or a tree whose root is there.
    pub fn needs_cold(&self) -> bool {
        self.host_regs
            || !self.input.is_empty()
            || self.out.iter().chain(&self.fs).any(|s| !s.is_empty())
            || self.entries.keys().any(|(kind, _)| !kind.directory().is_hot())
    }
}

impl Touched {
    fn entry(&mut self, kind: EntryKind, index: u32) -> &mut BTreeSet<u64> {
        self.entries.entry((kind, index)).or_default()
    }

    /// Content leaves holding elements `start .. start + n` of an entry.
    fn range(&mut self, kind: EntryKind, index: u32, start: usize, n: usize) {
        let per = kind.per_leaf();
        let set = self.entry(kind, index);
        if n > 0 {
            set.extend((start / per) as u64..=((start + n - 1) / per) as u64);
        }
    }
}

/// A value stack (the prover's `cow::CowStack`) that logs the leaves used.
pub(crate) struct RecStack<'t, S> {
    pub inner: S,
    pub log: &'t RefCell<Touched>,
}

/// Positions are slot indices, whatever the inner stack's are.
impl<S: Stack> std::ops::Index<usize> for RecStack<'_, S> {
    type Output = u64;
    fn index(&self, i: usize) -> &u64 {
        self.log.borrow_mut().stack.insert(i as u64 / 4);
        &self.inner[self.inner.at(i as u32)]
    }
}

impl<S: Stack> std::ops::IndexMut<usize> for RecStack<'_, S> {
    fn index_mut(&mut self, i: usize) -> &mut u64 {
        self.log.borrow_mut().stack.insert(i as u64 / 4);
        let p = self.inner.at(i as u32);
        &mut self.inner[p]
    }
}

impl<S: Stack> Stack for RecStack<'_, S> {
    type Pos = usize;
    fn at(&self, i: u32) -> usize {
        i as usize
    }
    fn slot(&self, p: usize) -> u32 {
        p as u32
    }
    fn end(&self) -> usize {
        self.inner.slot(self.inner.end()) as usize
    }
    fn copy_within(&mut self, from: usize, n: usize, to: usize) {
        let mut t = self.log.borrow_mut();
        if n > 0 {
            t.stack.extend((from / 4) as u64..=((from + n - 1) / 4) as u64);
            t.stack.extend((to / 4) as u64..=((to + n - 1) / 4) as u64);
        }
        let (from, to) = (self.inner.at(from as u32), self.inner.at(to as u32));
        self.inner.copy_within(from, n, to);
    }
    fn zero(&mut self, from: usize, n: usize) {
        if n > 0 {
            self.log.borrow_mut().stack.extend((from / 4) as u64..=((from + n - 1) / 4) as u64);
        }
        let from = self.inner.at(from as u32);
        self.inner.zero(from, n);
    }
    fn enter_frame(&mut self, end: usize) {
        let end = self.inner.at(end as u32);
        self.inner.enter_frame(end)
    }
    fn leave_frame(&mut self) {
        self.inner.leave_frame()
    }
}

/// A world (the prover's `cow::CowWorld`) that logs the leaves used.
pub(crate) struct Recorder<'t, W> {
    pub inner: W,
    pub log: &'t RefCell<Touched>,
}

impl<W> Recorder<'_, W> {
    fn t(&self) -> std::cell::RefMut<'_, Touched> {
        self.log.borrow_mut()
    }
}

/// Positions are indices (the default), whatever the inner world's are.
impl<W: World> World for Recorder<'_, W> {
    fn op(&self, pc: usize) -> Op {
        self.t().code.insert(pc as u64 / 2);
        self.inner.op(self.inner.at(pc as u32))
    }
    fn op_at(&self, pc: usize) -> *const Op {
        self.t().code.insert(pc as u64 / 2);
        self.inner.op_at(self.inner.at(pc as u32))
    }
    fn depth(&self) -> usize {
        self.inner.depth()
    }
    fn push_frame(&mut self, f: Frame) {
        let d = self.inner.depth() as u64;
        self.t().frames.extend([2 * d, 2 * d + 1]);
        self.inner.push_frame(f)
    }
    fn pop_frame(&mut self) -> Frame {
        let d = self.inner.depth() as u64;
        let d = d.wrapping_sub(1);
        self.t().frames.extend([2 * d, 2 * d + 1]);
        self.inner.pop_frame()
    }
    fn enter(&mut self, f: usize) {
        self.t().funcs.insert(2 * f as u64 + 1);
        self.inner.enter(f)
    }
    fn func(&self, f: usize) -> FuncInst {
        let func = self.inner.func(f);
        let mut t = self.t();
        t.funcs.insert(2 * f as u64);
        // A step that reaches a host function needs the cold part.
        t.host_regs |= matches!(func.kind, crate::store::FuncKind::Host { .. });
        func
    }
    fn global(&self, g: u32) -> u64 {
        self.t().globals.insert(g as u64 / 4);
        self.inner.global(g)
    }
    fn set_global(&mut self, g: u32, v: u64) {
        self.t().globals.insert(g as u64 / 4);
        self.inner.set_global(g, v)
    }
    fn table_len(&self, t: u32) -> u32 {
        self.t().entry(EntryKind::Table, t);
        self.inner.table_len(t)
    }
    fn table_limit(&self, t: u32) -> u32 {
        self.t().entry(EntryKind::Table, t);
        self.inner.table_limit(t)
    }
    fn table_get(&self, t: u32, i: u32) -> Option<u64> {
        let r = self.inner.table_get(t, i);
        let mut log = self.t();
        let set = log.entry(EntryKind::Table, t);
        if r.is_some() {
            set.insert(i as u64 / 4);
        }
        r
    }
    fn table_set(&mut self, t: u32, i: u32, v: u64) -> bool {
        let ok = self.inner.table_set(t, i, v);
        let mut log = self.t();
        let set = log.entry(EntryKind::Table, t);
        if ok {
            set.insert(i as u64 / 4);
        }
        ok
    }
    fn table_grow(&mut self, t: u32, new_len: u32, init: u64) {
        let old = self.inner.table_len(t) as usize;
        if init == 0 {
            self.t().entry(EntryKind::Table, t);
        } else {
            self.t().range(EntryKind::Table, t, old, new_len as usize - old);
        }
        self.inner.table_grow(t, new_len, init)
    }
    fn elem_len(&self, e: u32) -> u32 {
        self.t().entry(EntryKind::Elem, e);
        self.inner.elem_len(e)
    }
    fn elem_get(&self, e: u32, i: u32) -> u64 {
        self.t().range(EntryKind::Elem, e, i as usize, 1);
        self.inner.elem_get(e, i)
    }
    fn elem_drop(&mut self, e: u32) {
        self.t().entry(EntryKind::Elem, e);
        self.inner.elem_drop(e)
    }
    fn mem_len(&self, m: u32) -> usize {
        self.t().entry(EntryKind::Memory, m);
        self.inner.mem_len(m)
    }
    fn load<const N: usize>(&self, m: u32, ea: usize) -> Option<[u8; N]> {
        let r = self.inner.load::<N>(m, ea);
        let mut log = self.t();
        log.entry(EntryKind::Memory, m);
        if r.is_some() {
            log.range(EntryKind::Memory, m, ea, N);
        }
        r
    }
    fn store(&mut self, m: u32, ea: usize, bytes: &[u8]) -> bool {
        let ok = self.inner.store(m, ea, bytes);
        let mut log = self.t();
        log.entry(EntryKind::Memory, m);
        if ok {
            log.range(EntryKind::Memory, m, ea, bytes.len());
        }
        ok
    }
    fn mem_limit(&self, m: u32) -> u32 {
        self.t().entry(EntryKind::Memory, m);
        self.inner.mem_limit(m)
    }
    fn mem_resize(&mut self, m: u32, pages: u32) {
        self.t().entry(EntryKind::Memory, m);
        self.inner.mem_resize(m, pages)
    }
    fn mem_copy(&mut self, m: u32, src: usize, dst: usize, k: usize) {
        self.t().range(EntryKind::Memory, m, src, k);
        self.t().range(EntryKind::Memory, m, dst, k);
        self.inner.mem_copy(m, src, dst, k)
    }
    fn mem_fill(&mut self, m: u32, dst: usize, k: usize, v: u8) {
        self.t().range(EntryKind::Memory, m, dst, k);
        self.inner.mem_fill(m, dst, k, v)
    }
    fn data_len(&self, d: u32) -> usize {
        self.t().entry(EntryKind::Data, d);
        self.inner.data_len(d)
    }
    fn mem_init(&mut self, m: u32, d: u32, src: usize, dst: usize, k: usize) {
        self.t().range(EntryKind::Data, d, src, k);
        self.t().range(EntryKind::Memory, m, dst, k);
        self.inner.mem_init(m, d, src, dst, k)
    }
    fn data_drop(&mut self, d: u32) {
        self.t().entry(EntryKind::Data, d);
        self.inner.data_drop(d)
    }
    fn mem_read(&self, m: u32, at: usize, out: &mut [u8]) {
        self.t().range(EntryKind::Memory, m, at, out.len());
        self.inner.mem_read(m, at, out)
    }
    fn wasi_memory(&self) -> Option<u32> {
        let m = self.inner.wasi_memory();
        match m {
            Some(m) => {
                self.t().entry(EntryKind::Memory, m);
            }
            None => self.t().no_memory = true,
        }
        m
    }
}

impl<W: World> HostEnv for Recorder<'_, W> {
    fn regs(&self) -> HostRegs {
        self.t().host_regs = true;
        self.inner.regs()
    }
    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64) {
        self.t().host_regs = true;
        self.inner.set_positions(stdin_pos, random_pos)
    }
    fn input_read(&self, at: u64, out: &mut [u8]) {
        if !out.is_empty() {
            self.t().input.extend(at / 32..=(at + out.len() as u64 - 1) / 32);
        }
        self.inner.input_read(at, out)
    }
    fn out_append(&mut self, fd: u32, bytes: &[u8]) {
        self.t().host_regs = true;
        let r = self.inner.regs();
        let len = if fd == 1 { r.stdout_len } else { r.stderr_len };
        if !bytes.is_empty() {
            self.t().out[(fd != 1) as usize].extend(len / 32..=(len + bytes.len() as u64 - 1) / 32);
        }
        self.inner.out_append(fd, bytes)
    }
    fn set_fs_regs(&mut self, r: FsRegs) {
        self.t().host_regs = true;
        self.inner.set_fs_regs(r)
    }
    fn fs_read(&self, t: FsTable, at: u64, out: &mut [u8]) {
        if !out.is_empty() {
            self.t().fs[t as usize].extend(at / 32..=(at + out.len() as u64 - 1) / 32);
        }
        self.inner.fs_read(t, at, out)
    }
    fn fs_write(&mut self, t: FsTable, at: u64, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.t().fs[t as usize].extend(at / 32..=(at + bytes.len() as u64 - 1) / 32);
        }
        self.inner.fs_write(t, at, bytes)
    }
    fn file_len(&self, n: u32) -> u64 {
        self.t().entry(EntryKind::File, n);
        self.inner.file_len(n)
    }
    fn file_read(&self, n: u32, at: u64, out: &mut [u8]) {
        self.t().range(EntryKind::File, n, at as usize, out.len());
        self.inner.file_read(n, at, out)
    }
    fn file_write(&mut self, n: u32, at: u64, bytes: &[u8]) {
        self.t().range(EntryKind::File, n, at as usize, bytes.len());
        self.inner.file_write(n, at, bytes)
    }
    fn file_shrink(&mut self, n: u32, len: u64) {
        self.t().entry(EntryKind::File, n);
        self.inner.file_shrink(n, len)
    }
    fn file_clear(&mut self, n: u32) {
        self.t().entry(EntryKind::File, n);
        self.inner.file_clear(n)
    }
}
