//! How the step code reaches machine state.
//!
//! `exec::step` defines every instruction once, over two traits: [`Stack`]
//! (the value stack) and [`World`] (code, frames, functions, globals, tables,
//! memories, segments and the host). Three kinds of state implement them:
//!
//! - [`Direct`]: the machine's own vectors, for execution at full speed.
//!   With `TRACK` it also records what changed, for lazy state hashing.
//! - `proof::Recorder` over `proof::CowWorld`: the machine read in place,
//!   the step's writes kept aside (so the prover copies nothing), plus a
//!   log of every element touched, which is what a one-step proof must contain.
//! - `proof::Partial`: only the elements a proof reveals, for the verifier.
//!
//! Methods that can fail for a sparse state (a missing element) return a
//! default value; the sparse implementation remembers the failure and the
//! verifier rejects the step.

use crate::frame::Frame;
use crate::fs::{FDS_DEPTH, FILE_DEPTH, FsRegs, FsTable, NODES_DEPTH};
use crate::host_state::{HostEnv, HostRegs, HostState};
use crate::isa::Op;
use crate::limits::PAGE_SIZE;
use crate::merkle::MemoryTree;
use crate::store::{FuncInst, MemInst, Store, TableInst, Threads};

/// A place on a value stack: the slot's index, or for the machine's own
/// stack its address ([`Addr`]). The step code holds `sp` and `fp` as
/// positions and moves them by slots (`fp + 3`, `sp - 1`); [`Stack::at`] and
/// [`Stack::slot`] convert from and to the slot index the state holds.
pub(crate) trait Pos:
    Copy
    + Eq
    + Ord
    + std::ops::Add<usize, Output = Self>
    + std::ops::Sub<usize, Output = Self>
    + std::ops::AddAssign<usize>
    + std::ops::SubAssign<usize>
{
}

impl<P> Pos for P where
    P: Copy
        + Eq
        + Ord
        + std::ops::Add<usize, Output = P>
        + std::ops::Sub<usize, Output = P>
        + std::ops::AddAssign<usize>
        + std::ops::SubAssign<usize>
{
}

/// The value stack: 64-bit slots, indexed from the bottom by position.
pub(crate) trait Stack:
    std::ops::Index<Self::Pos, Output = u64> + std::ops::IndexMut<Self::Pos>
{
    /// How the step code holds a place on this stack: the slot index by
    /// default, the slot's address for the machine's own stack, so that a
    /// frame slot is one addressing mode away from `fp`.
    type Pos: Pos;
    /// The position of slot `i`.
    fn at(&self, i: u32) -> Self::Pos;
    /// The slot at position `p`.
    fn slot(&self, p: Self::Pos) -> u32;
    /// One past the last slot: a frame fits if it ends at or before it.
    fn end(&self) -> Self::Pos;
    /// `memmove` of the `n` slots from `from` to start at `to`.
    fn copy_within(&mut self, from: Self::Pos, n: usize, to: Self::Pos);
    /// Zeroes `n` slots from `from`.
    fn zero(&mut self, from: Self::Pos, n: usize);
    /// A call has set up a frame whose slots end before `end`.
    fn enter_frame(&mut self, _end: Self::Pos) {}
    /// The innermost frame has returned.
    fn leave_frame(&mut self) {}
}

/// Everything but the value stack and the registers: the host state too,
/// as [`HostEnv`], which host calls reach it through.
pub(crate) trait World: HostEnv {
    /// How far `pc` moves from one instruction to the next. The step code
    /// holds `pc` as this world's position of an instruction, which
    /// [`World::at`] and [`World::index`] convert from and to the
    /// instruction's index (the `pc` register of the state): the index
    /// itself by default, its address for the machine's own code, so that
    /// finding the next instruction needs neither a scale nor the code's base.
    const STRIDE: usize = 1;
    /// The position of the instruction at `index`.
    #[inline(always)]
    fn at(&self, index: u32) -> usize {
        index as usize
    }
    /// The index of the instruction at position `pc`.
    #[inline(always)]
    fn index(&self, pc: usize) -> u32 {
        pc as u32
    }
    /// The instruction at `pc`.
    fn op(&self, pc: usize) -> Op;
    /// Where the instruction at `pc` can be read during this step: the
    /// interpreter reads its fields in place rather than copying it. Valid
    /// until the next call of `op_at` or `op`.
    fn op_at(&self, pc: usize) -> *const Op;
    /// Number of saved frames.
    fn depth(&self) -> usize;
    /// Saves the caller's frame (and, in a proof, the running code's root).
    fn push_frame(&mut self, f: Frame);
    /// Pops the innermost frame (and, in a proof, goes back to the code
    /// root saved with it, unless it is the entry frame).
    fn pop_frame(&mut self) -> Frame;
    /// A call has entered WebAssembly function `f` (in a proof, its code
    /// root becomes the running one). The machine's own world derives the
    /// running code from `pc` and does nothing.
    fn enter(&mut self, _f: usize) {}
    /// Records that a frame now reaches up to slot `top` (for tracking).
    fn frame_top(&mut self, _top: usize) {}
    fn func(&self, f: usize) -> FuncInst;

    fn global(&self, g: u32) -> u64;
    fn set_global(&mut self, g: u32, v: u64);

    fn table_len(&self, t: u32) -> u32;
    /// The most elements the table may grow to.
    fn table_limit(&self, t: u32) -> u32;
    /// Element `i`, or `None` past the end.
    fn table_get(&self, t: u32, i: u32) -> Option<u64>;
    /// Sets element `i`; `false` past the end.
    fn table_set(&mut self, t: u32, i: u32, v: u64) -> bool;
    /// Grows to `new_len` elements of `init` (within the limit).
    fn table_grow(&mut self, t: u32, new_len: u32, init: u64);

    fn elem_len(&self, e: u32) -> u32;
    fn elem_get(&self, e: u32, i: u32) -> u64;
    fn elem_drop(&mut self, e: u32);

    /// Size in bytes.
    fn mem_len(&self, m: u32) -> usize;
    /// `N` bytes at `ea`, or `None` out of bounds.
    fn load<const N: usize>(&self, m: u32, ea: usize) -> Option<[u8; N]>;
    /// Writes `bytes` at `ea`; `false` (nothing written) out of bounds.
    fn store(&mut self, m: u32, ea: usize, bytes: &[u8]) -> bool;
    /// The most pages the memory may grow to.
    fn mem_limit(&self, m: u32) -> u32;
    /// Resizes to `pages` (at most the limit, never smaller); new bytes are zero.
    fn mem_resize(&mut self, m: u32, pages: u32);
    /// `memmove` inside memory `m` of `k` bytes (in bounds).
    fn mem_copy(&mut self, m: u32, src: usize, dst: usize, k: usize);
    /// Fills `k` bytes at `dst` (in bounds).
    fn mem_fill(&mut self, m: u32, dst: usize, k: usize, v: u8);

    fn data_len(&self, d: u32) -> usize;
    /// Copies `k` bytes of data segment `d` from `src` to memory `m` at `dst` (in bounds).
    fn mem_init(&mut self, m: u32, d: u32, src: usize, dst: usize, k: usize);
    fn data_drop(&mut self, d: u32);

    /// Copies `out.len()` bytes of memory `m` at `at` (in bounds) into `out`.
    fn mem_read(&self, m: u32, at: usize, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.load::<1>(m, at + i).map_or(0, |x| x[0]);
        }
    }

    /// The memory WASI calls use, if there is one.
    fn wasi_memory(&self) -> Option<u32>;
}

/// The value stack as the fast loop sees it: indexing without bounds checks.
///
/// Validation and the frame check on every call make each access in bounds:
/// a function's operands never go below its locals (validated stack
/// discipline) nor above `fp + frame_size`, and a call only proceeds when
/// `fp + frame_size <= len`. Debug builds check every index anyway, against
/// the end of the innermost frame entered during this run (`enter_frame`),
/// or against the stack's end for frames entered before it.
pub(crate) struct Slots<'a> {
    ptr: *mut u64,
    len: usize,
    /// Where each frame entered during this run ends, innermost last.
    #[cfg(debug_assertions)]
    ends: Vec<usize>,
    _borrow: std::marker::PhantomData<&'a mut [u64]>,
}

impl<'a> Slots<'a> {
    pub(crate) fn new(s: &'a mut [u64]) -> Self {
        Slots {
            ptr: s.as_mut_ptr(),
            len: s.len(),
            #[cfg(debug_assertions)]
            ends: Vec::new(),
            _borrow: std::marker::PhantomData,
        }
    }

    /// The slot no access may reach: the innermost known frame's end.
    #[cfg(debug_assertions)]
    fn end_slot(&self) -> usize {
        self.ends.last().copied().unwrap_or(self.len)
    }
}

/// A slot's address on the machine's own stack ([`Slots`]): moving it by
/// `n` slots moves it by `8n` bytes, and reaching its slot needs no base.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) struct Addr(*mut u64);

impl std::ops::Add<usize> for Addr {
    type Output = Addr;
    #[inline(always)]
    fn add(self, n: usize) -> Addr {
        Addr(self.0.wrapping_add(n))
    }
}

impl std::ops::Sub<usize> for Addr {
    type Output = Addr;
    #[inline(always)]
    fn sub(self, n: usize) -> Addr {
        Addr(self.0.wrapping_sub(n))
    }
}

impl std::ops::AddAssign<usize> for Addr {
    #[inline(always)]
    fn add_assign(&mut self, n: usize) {
        *self = *self + n;
    }
}

impl std::ops::SubAssign<usize> for Addr {
    #[inline(always)]
    fn sub_assign(&mut self, n: usize) {
        *self = *self - n;
    }
}

impl Slots<'_> {
    /// The index of the slot at `p` (debug builds check it is one of ours).
    #[inline(always)]
    fn index_of(&self, p: Addr) -> usize {
        let i = (p.0 as usize).wrapping_sub(self.ptr as usize) / 8;
        debug_assert!(
            (p.0 as usize).wrapping_sub(self.ptr as usize).is_multiple_of(8) && i <= self.len,
            "{p:?} is not a slot of the stack"
        );
        i
    }
}

impl Stack for Slots<'_> {
    type Pos = Addr;

    #[inline(always)]
    fn at(&self, i: u32) -> Addr {
        Addr(self.ptr.wrapping_add(i as usize))
    }

    #[inline(always)]
    fn slot(&self, p: Addr) -> u32 {
        self.index_of(p) as u32
    }

    #[inline(always)]
    fn end(&self) -> Addr {
        self.at(0) + self.len
    }

    #[inline(always)]
    fn copy_within(&mut self, from: Addr, n: usize, to: Addr) {
        #[cfg(debug_assertions)]
        {
            let (f, t) = (self.index_of(from), self.index_of(to));
            assert!(
                f + n <= self.end_slot() && t + n <= self.end_slot(),
                "stack copy of {n} slots from {f} to {t} outside its frame, which ends at {}",
                self.end_slot()
            );
        }
        // Branches and returns mostly move nothing or one value: no call to
        // `memmove` for those (a branch-table jump is often both).
        if n == 0 || from == to {
            return;
        }
        // SAFETY: in bounds by the argument above; `copy` allows overlap.
        unsafe {
            if n == 1 {
                *to.0 = *from.0;
            } else {
                std::ptr::copy(from.0, to.0, n)
            }
        }
    }

    #[inline(always)]
    fn zero(&mut self, from: Addr, n: usize) {
        #[cfg(debug_assertions)]
        {
            let f = self.index_of(from);
            assert!(
                f + n <= self.end_slot(),
                "zeroing {n} slots at {f} outside the frame ending at {}",
                self.end_slot()
            );
        }
        // SAFETY: the caller checked `from + n <= len` (the frame check).
        unsafe {
            // Most functions have a few locals: no call to `memset` for those.
            if n <= 4 {
                for i in 0..n {
                    *from.0.add(i) = 0;
                }
            } else {
                std::ptr::write_bytes(from.0, 0, n)
            }
        }
    }

    #[inline(always)]
    fn enter_frame(&mut self, _end: Addr) {
        #[cfg(debug_assertions)]
        {
            let end = self.index_of(_end);
            assert!(end <= self.len, "a frame ending at {end} passed the frame check");
            self.ends.push(end);
        }
    }

    #[inline(always)]
    fn leave_frame(&mut self) {
        #[cfg(debug_assertions)]
        self.ends.pop();
    }
}

impl std::ops::Index<Addr> for Slots<'_> {
    type Output = u64;
    #[inline(always)]
    fn index(&self, p: Addr) -> &u64 {
        #[cfg(debug_assertions)]
        {
            let i = self.index_of(p);
            assert!(
                i < self.end_slot(),
                "stack index {i} outside its frame, which ends at {}",
                self.end_slot()
            );
        }
        // SAFETY: every position the loop uses is in bounds (see the type's docs).
        unsafe { &*p.0 }
    }
}

impl std::ops::IndexMut<Addr> for Slots<'_> {
    #[inline(always)]
    fn index_mut(&mut self, p: Addr) -> &mut u64 {
        #[cfg(debug_assertions)]
        {
            let i = self.index_of(p);
            assert!(
                i < self.end_slot(),
                "stack index {i} outside its frame, which ends at {}",
                self.end_slot()
            );
        }
        // SAFETY: as for `index`.
        unsafe { &mut *p.0 }
    }
}

/// What changed since the state was last hashed (see `state::Hasher`).
#[derive(Clone, Debug)]
pub(crate) struct Dirty {
    /// One lazily hashed tree per memory; writes mark its pages.
    pub memories: Vec<MemoryTree>,
    /// One lazily hashed tree per table, over its elements' bytes (null is
    /// zero); writes, and growth with a non-null value, mark its pages.
    pub tables: Vec<MemoryTree>,
    /// The globals' tree, over their slots' bytes; `global.set` marks it.
    pub globals: MemoryTree,
    /// The lowest frame index pushed since the last hash.
    pub frames_low: usize,
    /// Lowest slot a frame started at since the last hash.
    pub stack_low: usize,
    /// Highest slot any frame has reached (never lowered).
    pub stack_high: usize,
    /// The file system's trees; writes mark their pages.
    pub fs: FsTrees,
}

/// The lazily hashed trees of the file system: the node and descriptor
/// tables and each node's file.
#[derive(Clone, Debug)]
pub(crate) struct FsTrees {
    pub nodes: MemoryTree,
    pub fds: MemoryTree,
    /// By node; a node past the end has an empty file.
    pub files: Vec<MemoryTree>,
}

impl Default for FsTrees {
    fn default() -> Self {
        FsTrees {
            nodes: MemoryTree::with_depth(NODES_DEPTH),
            fds: MemoryTree::with_depth(FDS_DEPTH),
            files: Vec::new(),
        }
    }
}

impl FsTrees {
    /// The tree of node `n`'s file.
    pub(crate) fn file(&mut self, n: u32) -> &mut MemoryTree {
        if self.files.len() <= n as usize {
            self.files.resize_with(n as usize + 1, || MemoryTree::with_depth(FILE_DEPTH));
        }
        &mut self.files[n as usize]
    }
}

/// The machine's own state, with change tracking when `TRACK`.
///
/// The store is borrowed field by field so the hot slices (code, functions)
/// stay in registers: a write to guest memory cannot alias them.
///
/// With `ONE` the store has at most one memory, so every memory operand is
/// 0 (instantiation relocates them to store addresses) and a load or store
/// need not read it: four instructions of a load's twenty-odd. Its bytes
/// are then also kept here, as [`Bytes`], so that a load reaches them in
/// one load from the world rather than two.
pub(crate) struct Direct<'a, const TRACK: bool, const ONE: bool = false> {
    code: &'a [Op],
    funcs: &'a [FuncInst],
    tables: &'a mut [TableInst],
    /// With `ONE`, memory 0's bytes: where they are and how many.
    bytes: Bytes,
    memories: &'a mut [MemInst],
    globals: &'a mut [u64],
    elems: &'a mut [Vec<u64>],
    datas: &'a mut [Vec<u8>],
    host: &'a mut HostState,
    frames: &'a mut Vec<Frame>,
    dirty: Option<&'a mut Dirty>,
    threads: &'a mut Threads,
}

impl<'a, const TRACK: bool, const ONE: bool> Direct<'a, TRACK, ONE> {
    pub(crate) fn new(
        store: &'a mut Store,
        host: &'a mut HostState,
        frames: &'a mut Vec<Frame>,
        dirty: Option<&'a mut Dirty>,
    ) -> Self {
        let Store { code, funcs, tables, memories, globals, elems, datas, threads, .. } = store;
        let bytes = Bytes::of(memories);
        Direct { code, funcs, tables, bytes, memories, globals, elems, datas, host, frames, dirty, threads }
    }
}

/// Memory 0's bytes, for a store of one memory (`Direct`'s `ONE`): a
/// pointer made by `Vec::as_mut_ptr` (no reference to the bytes) and the
/// length. While a `Direct` lives it holds the store's memories mutably,
/// so only its own methods reach the bytes: loads and stores through this
/// pointer, the rarer instructions through the `Vec`, after which (a write
/// through a reference ends the pointer's permission, and growing moves
/// the bytes) they take the pointer again, [`Direct::refresh`].
#[derive(Clone, Copy)]
struct Bytes {
    ptr: *mut u8,
    len: usize,
}

impl Bytes {
    fn of(memories: &mut [MemInst]) -> Bytes {
        match memories.first_mut() {
            Some(m) => Bytes { ptr: m.data.as_mut_ptr(), len: m.data.len() },
            None => Bytes { ptr: std::ptr::NonNull::dangling().as_ptr(), len: 0 },
        }
    }
}

impl<const TRACK: bool, const ONE: bool> Direct<'_, TRACK, ONE> {
    /// Where memory operand `m` is in the store's memories.
    #[inline(always)]
    fn slot(m: u32) -> usize {
        debug_assert!(!ONE || m == 0, "memory {m} in a store of one");
        if ONE { 0 } else { m as usize }
    }

    #[inline(always)]
    fn mark(&mut self, m: u32, start: usize, len: usize) {
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            d.memories[Self::slot(m)].mark_dirty(start, len);
        }
    }

    /// Records that elements `start..start + len` of table `t` changed.
    #[inline(always)]
    fn mark_table(&mut self, t: u32, start: usize, len: usize) {
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            d.tables[t as usize].mark_dirty(start * 8, len * 8);
        }
    }

    #[inline(always)]
    fn table(&self, t: u32) -> &TableInst {
        &self.tables[t as usize]
    }

    #[inline(always)]
    fn mem(&self, m: u32) -> &MemInst {
        debug_assert!((m as usize) < self.memories.len(), "memory {m} of {}", self.memories.len());
        // SAFETY: instantiation relocates every memory operand to the
        // store address of one of the module's memories (`Store::instantiate`),
        // and a store's memories are never removed.
        unsafe { self.memories.get_unchecked(Self::slot(m)) }
    }

    /// Takes memory 0's bytes again after `mem_mut` (see [`Bytes`]).
    #[inline(always)]
    fn refresh(&mut self) {
        if ONE {
            self.bytes = Bytes::of(self.memories);
        }
    }

    /// Memory `m`, to write (as `mem`); with `ONE`, call `refresh` after.
    #[inline(always)]
    fn mem_mut(&mut self, m: u32) -> &mut MemInst {
        debug_assert!((m as usize) < self.memories.len(), "memory {m} of {}", self.memories.len());
        // SAFETY: as in `mem`.
        unsafe { self.memories.get_unchecked_mut(Self::slot(m)) }
    }
}

/// Resizes `mem` to `pages` (never smaller). Out of the interpreter's loop,
/// which grows memory rarely.
#[cold]
#[inline(never)]
fn grow_memory(mem: &mut MemInst, pages: u32) {
    let len = pages as usize * PAGE_SIZE as usize;
    if len > mem.data.capacity() {
        // Amortised doubling, as `resize` would, but never past the
        // memory's limit: the buffer never holds more than the guest may use.
        let limit = mem.limit() as usize * PAGE_SIZE as usize;
        let cap = (mem.data.capacity() * 2).min(limit).max(len);
        mem.data.reserve_exact(cap - mem.data.len());
    }
    mem.data.resize(len, 0);
}

/// The machine's own world, the one [`crate::exec::run_threaded`] runs:
/// its code, and the store's cache of the handlers of that code.
pub(crate) trait Own: World {
    /// The code, and the threaded code cached with it (`store::Threads`).
    fn code_and_threads(&mut self) -> (&[Op], &mut Threads);
}

impl<const TRACK: bool, const ONE: bool> Own for Direct<'_, TRACK, ONE> {
    #[inline(always)]
    fn code_and_threads(&mut self) -> (&[Op], &mut Threads) {
        (self.code, self.threads)
    }
}

/// Positions are addresses in the code: `pc` is a pointer.
impl<const TRACK: bool, const ONE: bool> World for Direct<'_, TRACK, ONE> {
    const STRIDE: usize = std::mem::size_of::<Op>();
    #[inline(always)]
    fn at(&self, index: u32) -> usize {
        debug_assert!((index as usize) < self.code.len(), "instruction {index} past the code");
        // SAFETY: every index a step jumps to is inside the code (see `op`).
        unsafe { self.code.as_ptr().add(index as usize) as usize }
    }
    #[inline(always)]
    fn index(&self, pc: usize) -> u32 {
        ((pc - self.code.as_ptr() as usize) / Self::STRIDE) as u32
    }
    #[inline(always)]
    fn op(&self, pc: usize) -> Op {
        // SAFETY: as for `op_at`.
        unsafe { *self.op_at(pc) }
    }
    #[inline(always)]
    fn op_at(&self, pc: usize) -> *const Op {
        debug_assert!(
            self.code.as_ptr_range().contains(&(pc as *const Op))
                && (pc - self.code.as_ptr() as usize).is_multiple_of(Self::STRIDE),
            "position {pc:#x} is not an instruction of the code"
        );
        // SAFETY: translation emits a `Return` or a jump at the end of every
        // path, and every jump target and branch-table entry is inside the
        // code, which does not change during a run: `pc` is the address of
        // an instruction.
        pc as *const Op
    }
    #[inline(always)]
    fn depth(&self) -> usize {
        self.frames.len()
    }
    #[inline(always)]
    fn push_frame(&mut self, f: Frame) {
        // A pop needs no mark: the frames at and above the depth at the
        // next root are rehashed anyway.
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            d.frames_low = d.frames_low.min(self.frames.len());
        }
        self.frames.push(f);
    }
    #[inline(always)]
    fn pop_frame(&mut self) -> Frame {
        let f = self.frames.pop().expect("a running machine has a frame");
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            d.stack_low = d.stack_low.min(f.fp as usize);
        }
        f
    }
    #[inline(always)]
    fn frame_top(&mut self, top: usize) {
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            d.stack_high = d.stack_high.max(top);
        }
    }
    #[inline(always)]
    fn func(&self, f: usize) -> FuncInst {
        self.funcs[f]
    }

    #[inline(always)]
    fn global(&self, g: u32) -> u64 {
        self.globals[g as usize]
    }
    #[inline(always)]
    fn set_global(&mut self, g: u32, v: u64) {
        self.globals[g as usize] = v;
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            d.globals.mark_dirty(g as usize * 8, 8);
        }
    }

    #[inline(always)]
    fn table_len(&self, t: u32) -> u32 {
        self.table(t).elems.len() as u32
    }
    #[inline(always)]
    fn table_limit(&self, t: u32) -> u32 {
        self.table(t).limit()
    }
    #[inline(always)]
    fn table_get(&self, t: u32, i: u32) -> Option<u64> {
        self.table(t).elems.get(i as usize).copied()
    }
    #[inline(always)]
    fn table_set(&mut self, t: u32, i: u32, v: u64) -> bool {
        match self.tables[t as usize].elems.get_mut(i as usize) {
            Some(r) => {
                *r = v;
                self.mark_table(t, i as usize, 1);
                true
            }
            None => false,
        }
    }
    #[inline(always)]
    fn table_grow(&mut self, t: u32, new_len: u32, init: u64) {
        let elems = &mut self.tables[t as usize].elems;
        let old = elems.len();
        elems.resize(new_len as usize, init);
        // Null elements are zero bytes, which the tree already assumes past the end.
        if init != 0 {
            self.mark_table(t, old, new_len as usize - old);
        }
    }

    #[inline(always)]
    fn elem_len(&self, e: u32) -> u32 {
        self.elems[e as usize].len() as u32
    }
    #[inline(always)]
    fn elem_get(&self, e: u32, i: u32) -> u64 {
        self.elems[e as usize][i as usize]
    }
    #[inline(always)]
    fn elem_drop(&mut self, e: u32) {
        self.elems[e as usize] = Vec::new();
    }

    #[inline(always)]
    fn mem_len(&self, m: u32) -> usize {
        if ONE {
            return self.bytes.len;
        }
        self.mem(m).data.len()
    }
    #[inline(always)]
    fn load<const N: usize>(&self, m: u32, ea: usize) -> Option<[u8; N]> {
        if ONE {
            debug_assert_eq!(m, 0);
            if ea + N > self.bytes.len {
                return None;
            }
            // SAFETY: `ea + N` bytes are inside memory 0 (see `Bytes`).
            return Some(unsafe { self.bytes.ptr.add(ea).cast::<[u8; N]>().read_unaligned() });
        }
        let s = self.mem(m).data.get(ea..ea + N)?;
        let mut b = [0u8; N];
        b.copy_from_slice(s);
        Some(b)
    }
    #[inline(always)]
    fn store(&mut self, m: u32, ea: usize, bytes: &[u8]) -> bool {
        if ONE {
            debug_assert_eq!(m, 0);
            if ea + bytes.len() > self.bytes.len {
                return false;
            }
            // SAFETY: as in `load`; `bytes` is not guest memory, which only
            // this world reaches while it lives.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.bytes.ptr.add(ea), bytes.len()) };
            self.mark(m, ea, bytes.len());
            return true;
        }
        match self.mem_mut(m).data.get_mut(ea..ea + bytes.len()) {
            Some(d) => {
                d.copy_from_slice(bytes);
                self.mark(m, ea, bytes.len());
                true
            }
            None => false,
        }
    }
    #[inline(always)]
    fn mem_limit(&self, m: u32) -> u32 {
        self.mem(m).limit()
    }
    #[inline(always)]
    fn mem_resize(&mut self, m: u32, pages: u32) {
        grow_memory(self.mem_mut(m), pages);
        self.refresh();
    }
    #[inline(always)]
    fn mem_copy(&mut self, m: u32, src: usize, dst: usize, k: usize) {
        self.mem_mut(m).data.copy_within(src..src + k, dst);
        self.refresh();
        self.mark(m, dst, k);
    }
    #[inline(always)]
    fn mem_fill(&mut self, m: u32, dst: usize, k: usize, v: u8) {
        self.mem_mut(m).data[dst..dst + k].fill(v);
        self.refresh();
        self.mark(m, dst, k);
    }

    #[inline(always)]
    fn data_len(&self, d: u32) -> usize {
        self.datas[d as usize].len()
    }
    #[inline(always)]
    fn mem_init(&mut self, m: u32, d: u32, src: usize, dst: usize, k: usize) {
        let Self { memories, datas, .. } = self;
        memories[Self::slot(m)].data[dst..dst + k].copy_from_slice(&datas[d as usize][src..src + k]);
        self.refresh();
        self.mark(m, dst, k);
    }
    #[inline(always)]
    fn data_drop(&mut self, d: u32) {
        self.datas[d as usize] = Vec::new();
    }

    fn mem_read(&self, m: u32, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.mem(m).data[at..at + out.len()]);
    }
    fn wasi_memory(&self) -> Option<u32> {
        self.host.memory
    }
}

impl<const TRACK: bool, const ONE: bool> HostEnv for Direct<'_, TRACK, ONE> {
    fn regs(&self) -> HostRegs {
        self.host.regs()
    }
    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64) {
        self.host.set_positions(stdin_pos, random_pos)
    }
    fn input_read(&self, at: u64, out: &mut [u8]) {
        self.host.input_read(at, out)
    }
    fn out_append(&mut self, fd: u32, bytes: &[u8]) {
        self.host.out_append(fd, bytes)
    }
    fn set_fs_regs(&mut self, r: FsRegs) {
        self.host.set_fs_regs(r)
    }
    fn fs_read(&self, t: FsTable, at: u64, out: &mut [u8]) {
        self.host.fs_read(t, at, out)
    }
    fn fs_write(&mut self, t: FsTable, at: u64, bytes: &[u8]) {
        self.host.fs_write(t, at, bytes);
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            let tree = match t {
                FsTable::Nodes => &mut d.fs.nodes,
                FsTable::Fds => &mut d.fs.fds,
            };
            tree.mark_dirty(at as usize, bytes.len());
        }
    }
    fn file_len(&self, n: u32) -> u64 {
        self.host.file_len(n)
    }
    fn file_read(&self, n: u32, at: u64, out: &mut [u8]) {
        self.host.file_read(n, at, out)
    }
    fn file_write(&mut self, n: u32, at: u64, bytes: &[u8]) {
        self.host.file_write(n, at, bytes);
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            d.fs.file(n).mark_dirty(at as usize, bytes.len());
        }
    }
    fn file_shrink(&mut self, n: u32, len: u64) {
        self.host.file_shrink(n, len)
    }
    fn file_clear(&mut self, n: u32) {
        self.host.file_clear(n);
        if TRACK && let Some(d) = self.dirty.as_deref_mut() {
            *d.fs.file(n) = MemoryTree::with_depth(FILE_DEPTH);
        }
    }
}
