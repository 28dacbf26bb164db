//! The prover's view of a machine it must not change: the machine's state
//! read in place, with whatever one step writes kept aside (copy on write).
//! Proving a step so copies no memory, stack, table or code; the step's
//! writes cost a 4 KiB page per memory page they touch and a map entry per
//! slot or element.
//!
//! Each method behaves as `access::Direct`'s on the machine the step would
//! change, which the recorder relies on to log the same leaves
//! (`proof::tests` checks it step by step against a copied machine).

use crate::access::{Stack, World};
use crate::frame::Frame;
use crate::fs::{FsRegs, FsTable, read_zero_extended};
use crate::host_state::{HostEnv, HostRegs, HostState};
use crate::isa::Op;
use crate::limits::{MAX_OUTPUT_BYTES, PAGE_SIZE};
use crate::machine::Machine;
use crate::merkle::PAGE_BYTES;
use crate::store::{FuncInst, Store};
use std::collections::{BTreeMap, BTreeSet};

/// The value stack, with the slots a step wrote. Debug builds check every
/// access against the innermost frame's end, as `access::Slots` does.
pub(crate) struct CowStack<'a> {
    base: &'a [u64],
    written: BTreeMap<usize, u64>,
    /// Where each frame entered during the step ends, innermost last.
    ends: Vec<usize>,
}

impl<'a> CowStack<'a> {
    pub(crate) fn new(base: &'a [u64]) -> Self {
        CowStack { base, written: BTreeMap::new(), ends: Vec::new() }
    }

    /// Checks (in debug builds) that slot `i` lies in the innermost known frame.
    fn check(&self, i: usize) {
        let end = self.ends.last().copied().unwrap_or(self.base.len());
        debug_assert!(i < end, "stack index {i} outside its frame, which ends at {end}");
    }
}

impl std::ops::Index<usize> for CowStack<'_> {
    type Output = u64;
    fn index(&self, i: usize) -> &u64 {
        self.check(i);
        self.written.get(&i).unwrap_or(&self.base[i])
    }
}

impl std::ops::IndexMut<usize> for CowStack<'_> {
    fn index_mut(&mut self, i: usize) -> &mut u64 {
        self.check(i);
        let base = self.base;
        self.written.entry(i).or_insert_with(|| base[i])
    }
}

impl Stack for CowStack<'_> {
    type Pos = usize;
    fn at(&self, i: u32) -> usize {
        i as usize
    }
    fn slot(&self, p: usize) -> u32 {
        p as u32
    }
    fn end(&self) -> usize {
        self.base.len()
    }
    fn copy_within(&mut self, from: usize, n: usize, to: usize) {
        let values: Vec<u64> = (from..from + n).map(|i| self[i]).collect();
        for (k, v) in values.into_iter().enumerate() {
            self[to + k] = v;
        }
    }
    fn zero(&mut self, from: usize, n: usize) {
        for i in from..from + n {
            self[i] = 0;
        }
    }
    fn enter_frame(&mut self, end: usize) {
        assert!(end <= self.base.len(), "a frame ending at {end} passed the frame check");
        self.ends.push(end);
    }
    fn leave_frame(&mut self) {
        self.ends.pop();
    }
}

/// A table's changes: its length, the ranges growth filled, the elements set.
#[derive(Default)]
struct TableWrites {
    len: Option<u32>,
    grown: Vec<(u32, u32, u64)>,
    set: BTreeMap<u32, u64>,
}

/// Everything but the stack, with what a step changed.
pub(crate) struct CowWorld<'a> {
    store: &'a Store,
    host: &'a HostState,
    frames: &'a [Frame],
    /// How many of `frames` are still on the call stack, and the frames pushed since.
    kept: usize,
    pushed: Vec<Frame>,
    globals: BTreeMap<u32, u64>,
    tables: BTreeMap<u32, TableWrites>,
    /// Memory pages written, by (memory, page), and memory lengths changed.
    pages: BTreeMap<(u32, usize), Box<[u8; PAGE_BYTES]>>,
    mem_lens: BTreeMap<u32, usize>,
    dropped_elems: BTreeSet<u32>,
    dropped_datas: BTreeSet<u32>,
    positions: (u64, u64),
    /// Bytes appended to stdout and stderr.
    out: [Vec<u8>; 2],
    fs_regs: FsRegs,
    /// Bytes written to the node and descriptor tables, by table and offset.
    fs_tables: [BTreeMap<u64, u8>; 2],
    /// Files changed, by node.
    files: BTreeMap<u32, CowFile>,
}

/// A file's changes: its size, whether it was emptied, the bytes written.
struct CowFile {
    len: u64,
    cleared: bool,
    bytes: BTreeMap<u64, u8>,
}

impl<'a> CowWorld<'a> {
    pub(crate) fn new(m: &'a Machine) -> Self {
        CowWorld {
            store: &m.store,
            host: &m.host,
            frames: &m.frames,
            kept: m.frames.len(),
            pushed: Vec::new(),
            globals: BTreeMap::new(),
            tables: BTreeMap::new(),
            pages: BTreeMap::new(),
            mem_lens: BTreeMap::new(),
            dropped_elems: BTreeSet::new(),
            dropped_datas: BTreeSet::new(),
            positions: (m.host.stdin_pos, m.host.random_pos),
            out: [Vec::new(), Vec::new()],
            fs_regs: m.host.fs.regs,
            fs_tables: [BTreeMap::new(), BTreeMap::new()],
            files: BTreeMap::new(),
        }
    }

    fn base_mem(&self, m: u32) -> &'a [u8] {
        &self.store.memories[m as usize].data
    }

    /// Copies `out.len()` bytes of memory `m` at `at` (in bounds) into `out`.
    fn read(&self, m: u32, at: usize, out: &mut [u8]) {
        let base = self.base_mem(m);
        let mut done = 0;
        while done < out.len() {
            let a = at + done;
            let (p, off) = (a / PAGE_BYTES, a % PAGE_BYTES);
            let n = (PAGE_BYTES - off).min(out.len() - done);
            let dst = &mut out[done..done + n];
            match self.pages.get(&(m, p)) {
                Some(page) => dst.copy_from_slice(&page[off..off + n]),
                None => {
                    // Bytes past the machine's memory were grown by this step: zero.
                    let have = base.len().saturating_sub(a).min(n);
                    dst[..have].copy_from_slice(&base[a..a + have]);
                    dst[have..].fill(0);
                }
            }
            done += n;
        }
    }

    /// Writes `bytes` to memory `m` at `at` (in bounds), copying each page on its first write.
    fn write(&mut self, m: u32, at: usize, bytes: &[u8]) {
        let base = self.base_mem(m);
        let mut done = 0;
        while done < bytes.len() {
            let a = at + done;
            let (p, off) = (a / PAGE_BYTES, a % PAGE_BYTES);
            let n = (PAGE_BYTES - off).min(bytes.len() - done);
            let page = self.pages.entry((m, p)).or_insert_with(|| {
                let mut page = Box::new([0u8; PAGE_BYTES]);
                let start = (p * PAGE_BYTES).min(base.len());
                let end = ((p + 1) * PAGE_BYTES).min(base.len());
                page[..end - start].copy_from_slice(&base[start..end]);
                page
            });
            page[off..off + n].copy_from_slice(&bytes[done..done + n]);
            done += n;
        }
    }

    fn in_bounds(&self, m: u32, at: usize, n: usize) -> bool {
        at + n <= self.mem_len(m)
    }
}

impl World for CowWorld<'_> {
    fn op(&self, pc: usize) -> Op {
        self.store.code[pc]
    }
    fn op_at(&self, pc: usize) -> *const Op {
        &self.store.code[pc]
    }
    fn depth(&self) -> usize {
        self.kept + self.pushed.len()
    }
    fn push_frame(&mut self, f: Frame) {
        self.pushed.push(f);
    }
    fn pop_frame(&mut self) -> Frame {
        self.pushed.pop().unwrap_or_else(|| {
            self.kept = self.kept.checked_sub(1).expect("a running machine has a frame");
            self.frames[self.kept]
        })
    }
    fn func(&self, f: usize) -> FuncInst {
        self.store.funcs[f]
    }

    fn global(&self, g: u32) -> u64 {
        self.globals.get(&g).copied().unwrap_or(self.store.globals[g as usize])
    }
    fn set_global(&mut self, g: u32, v: u64) {
        self.globals.insert(g, v);
    }

    fn table_len(&self, t: u32) -> u32 {
        let base = self.store.tables[t as usize].elems.len() as u32;
        self.tables.get(&t).and_then(|w| w.len).unwrap_or(base)
    }
    fn table_limit(&self, t: u32) -> u32 {
        self.store.tables[t as usize].limit()
    }
    fn table_get(&self, t: u32, i: u32) -> Option<u64> {
        if i >= self.table_len(t) {
            return None;
        }
        let base = &self.store.tables[t as usize].elems;
        let Some(w) = self.tables.get(&t) else { return Some(base[i as usize]) };
        if let Some(v) = w.set.get(&i) {
            return Some(*v);
        }
        let grown = w.grown.iter().rev().find(|(a, b, _)| (*a..*b).contains(&i));
        Some(grown.map_or_else(|| base[i as usize], |g| g.2))
    }
    fn table_set(&mut self, t: u32, i: u32, v: u64) -> bool {
        let ok = i < self.table_len(t);
        if ok {
            self.tables.entry(t).or_default().set.insert(i, v);
        }
        ok
    }
    fn table_grow(&mut self, t: u32, new_len: u32, init: u64) {
        let old = self.table_len(t);
        debug_assert!(new_len >= old, "tables only grow");
        let w = self.tables.entry(t).or_default();
        w.grown.push((old, new_len, init));
        w.len = Some(new_len);
    }

    fn elem_len(&self, e: u32) -> u32 {
        if self.dropped_elems.contains(&e) { 0 } else { self.store.elems[e as usize].len() as u32 }
    }
    fn elem_get(&self, e: u32, i: u32) -> u64 {
        assert!(!self.dropped_elems.contains(&e), "element segment {e} was dropped");
        self.store.elems[e as usize][i as usize]
    }
    fn elem_drop(&mut self, e: u32) {
        self.dropped_elems.insert(e);
    }

    fn mem_len(&self, m: u32) -> usize {
        self.mem_lens.get(&m).copied().unwrap_or(self.base_mem(m).len())
    }
    fn load<const N: usize>(&self, m: u32, ea: usize) -> Option<[u8; N]> {
        if !self.in_bounds(m, ea, N) {
            return None;
        }
        let mut b = [0u8; N];
        self.read(m, ea, &mut b);
        Some(b)
    }
    fn store(&mut self, m: u32, ea: usize, bytes: &[u8]) -> bool {
        let ok = self.in_bounds(m, ea, bytes.len());
        if ok {
            self.write(m, ea, bytes);
        }
        ok
    }
    fn mem_limit(&self, m: u32) -> u32 {
        self.store.memories[m as usize].limit()
    }
    fn mem_resize(&mut self, m: u32, pages: u32) {
        debug_assert!(pages as usize * PAGE_SIZE as usize >= self.mem_len(m), "memories only grow");
        self.mem_lens.insert(m, pages as usize * PAGE_SIZE as usize);
    }
    fn mem_copy(&mut self, m: u32, src: usize, dst: usize, k: usize) {
        assert!(self.in_bounds(m, src, k) && self.in_bounds(m, dst, k), "memory.copy out of bounds");
        let mut bytes = vec![0u8; k];
        self.read(m, src, &mut bytes);
        self.write(m, dst, &bytes);
    }
    fn mem_fill(&mut self, m: u32, dst: usize, k: usize, v: u8) {
        assert!(self.in_bounds(m, dst, k), "memory.fill out of bounds");
        self.write(m, dst, &vec![v; k]);
    }

    fn data_len(&self, d: u32) -> usize {
        if self.dropped_datas.contains(&d) { 0 } else { self.store.datas[d as usize].len() }
    }
    fn mem_init(&mut self, m: u32, d: u32, src: usize, dst: usize, k: usize) {
        assert!(self.in_bounds(m, dst, k), "memory.init out of bounds");
        let data: &[u8] = if self.dropped_datas.contains(&d) { &[] } else { &self.store.datas[d as usize] };
        self.write(m, dst, &data[src..src + k]);
    }
    fn data_drop(&mut self, d: u32) {
        self.dropped_datas.insert(d);
    }

    fn mem_read(&self, m: u32, at: usize, out: &mut [u8]) {
        assert!(self.in_bounds(m, at, out.len()), "host read out of bounds");
        self.read(m, at, out)
    }
    fn wasi_memory(&self) -> Option<u32> {
        self.host.memory
    }
}

impl HostEnv for CowWorld<'_> {
    fn regs(&self) -> HostRegs {
        let h = self.host;
        HostRegs {
            input: h.input.sizes(),
            stdin_pos: self.positions.0,
            random_pos: self.positions.1,
            stdout_len: (h.stdout.len() + self.out[0].len()) as u64,
            stderr_len: (h.stderr.len() + self.out[1].len()) as u64,
            fs: self.fs_regs,
        }
    }
    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64) {
        self.positions = (stdin_pos, random_pos);
    }
    fn input_read(&self, at: u64, out: &mut [u8]) {
        self.host.input_read(at, out)
    }
    fn out_append(&mut self, fd: u32, bytes: &[u8]) {
        let (base, i) = if fd == 1 { (self.host.stdout.len(), 0) } else { (self.host.stderr.len(), 1) };
        if base + self.out[i].len() + bytes.len() <= MAX_OUTPUT_BYTES {
            self.out[i].extend_from_slice(bytes);
        }
    }
    fn set_fs_regs(&mut self, r: FsRegs) {
        self.fs_regs = r;
    }
    fn fs_read(&self, t: FsTable, at: u64, out: &mut [u8]) {
        read_zero_extended(self.host.fs.table(t), at, out);
        for (i, b) in out.iter_mut().enumerate() {
            if let Some(v) = self.fs_tables[t as usize].get(&(at + i as u64)) {
                *b = *v;
            }
        }
    }
    fn fs_write(&mut self, t: FsTable, at: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            self.fs_tables[t as usize].insert(at + i as u64, *b);
        }
    }
    fn file_len(&self, n: u32) -> u64 {
        self.files.get(&n).map_or_else(|| self.host.file_len(n), |f| f.len)
    }
    fn file_read(&self, n: u32, at: u64, out: &mut [u8]) {
        let f = self.files.get(&n);
        if !f.is_some_and(|f| f.cleared) {
            self.host.file_read(n, at, out);
        } else {
            out.fill(0);
        }
        if let Some(f) = f {
            for (i, b) in out.iter_mut().enumerate() {
                if let Some(v) = f.bytes.get(&(at + i as u64)) {
                    *b = *v;
                }
            }
        }
    }
    fn file_write(&mut self, n: u32, at: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let len = self.file_len(n);
        let f = self.files.entry(n).or_insert(CowFile { len, cleared: false, bytes: BTreeMap::new() });
        for (i, b) in bytes.iter().enumerate() {
            f.bytes.insert(at + i as u64, *b);
        }
        f.len = f.len.max(at + bytes.len() as u64);
    }
    fn file_shrink(&mut self, n: u32, len: u64) {
        let old = self.file_len(n);
        let f = self.files.entry(n).or_insert(CowFile { len: old, cleared: false, bytes: BTreeMap::new() });
        f.len = f.len.min(len);
    }
    fn file_clear(&mut self, n: u32) {
        self.files.insert(n, CowFile { len: 0, cleared: true, bytes: BTreeMap::new() });
    }
}
