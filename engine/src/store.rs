//! The store: every function, table, memory, global and segment of every
//! instance, addressed by index; and instantiation, which links a
//! [`Module`]'s imports and relocates its code to store addresses.

use crate::isa::Op;
use crate::limits::{MAX_MEMORY_PAGES, MAX_TABLE_ELEMS, PAGE_SIZE};
use crate::module::{
    ConstExpr, ExportKind, GlobalType, ImportKind, MemoryType, Module, SegmentMode, TableType,
};
use crate::value::{FuncType, ValType, Value};
use crate::wasi::Wasi;
use crate::{Import, TrapKind};
use std::collections::HashMap;
use thiserror::Error;

/// What an instance exports or an import is satisfied with: a store address.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Extern {
    /// A function address.
    Func(u32),
    /// A table address.
    Table(u32),
    /// A memory address.
    Memory(u32),
    /// A global address.
    Global(u32),
}

/// Why instantiation failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum InstantiateError {
    /// No value was supplied for an import.
    #[error("unknown import {module}.{name}")]
    UnknownImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
    },
    /// The supplied value does not match the import's type.
    #[error("incompatible import type for {module}.{name}: {detail}")]
    IncompatibleImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What differs.
        detail: String,
    },
    /// A memory or table is larger than the engine's fixed limits allow.
    #[error("{0}")]
    Limit(String),
    /// Initialising a segment trapped (the store keeps what was written before).
    #[error("instantiation trapped: {0}")]
    Trap(TrapKind),
}

/// A host function. The set is closed (there are no embedder callbacks), so
/// a host call is as deterministic and committable as an instruction. It is
/// defined with the store that holds it and re-exported by `host`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HostFunc {
    /// Does nothing and returns nothing (the spec suite's `spectest.print*`).
    Nop,
    /// A WASI preview1 function.
    Wasi(Wasi),
}

/// A function in the store.
#[derive(Copy, Clone, Debug)]
pub(crate) struct FuncInst {
    /// Canonical type id (index into `Store::types`).
    pub ty: u32,
    pub kind: FuncKind,
}

#[derive(Copy, Clone, Debug)]
pub(crate) enum FuncKind {
    Wasm {
        entry: u32,
        nparams: u32,
        nlocals: u32,
        /// Slots the frame can occupy: parameters, locals and operands.
        frame_size: u32,
    },
    Host {
        func: HostFunc,
        nparams: u32,
    },
}

/// A table in the store.
#[derive(Clone, Debug)]
pub(crate) struct TableInst {
    pub elems: Vec<u64>,
    pub max: Option<u32>,
    pub ty: ValType,
}

impl TableInst {
    /// The most elements the table may grow to: its maximum, capped by the engine's limit.
    pub(crate) fn limit(&self) -> u32 {
        self.max.unwrap_or(u32::MAX).min(MAX_TABLE_ELEMS)
    }
}

/// A linear memory in the store.
#[derive(Clone, Debug, Default)]
pub struct MemInst {
    /// The bytes; its length is always a multiple of the page size.
    pub data: Vec<u8>,
    pub(crate) max: Option<u32>,
}

impl MemInst {
    /// Current size in pages.
    pub fn pages(&self) -> u32 {
        (self.data.len() as u64 / PAGE_SIZE) as u32
    }

    /// The most pages the memory may grow to: its maximum, capped by the engine's limit.
    pub(crate) fn limit(&self) -> u32 {
        self.max.unwrap_or(MAX_MEMORY_PAGES).min(MAX_MEMORY_PAGES)
    }
}

/// The store's threaded code: for each handler table set (one per stack
/// and world the machine runs), each instruction's handlers, the one
/// counting by runs and the one counting step by step, as addresses. The
/// pair of the instruction at position `pc` is at `pc + d`, `d` the
/// distance `exec::threaded::threads` returns: a pair is as long as an instruction
/// (`W::STRIDE`), so the pairs lie as the code does. A cache beside the
/// state: cloned with the store (the addresses stay valid), never hashed.
#[derive(Clone, Default)]
pub(crate) struct Threads {
    /// Keyed by the address of the set's by-runs table.
    pub(crate) sets: Vec<(usize, Vec<[usize; 2]>)>,
}

impl std::fmt::Debug for Threads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.sets.iter().map(|(_, v)| v.len())).finish()
    }
}

/// An instantiated module: its exports.
#[derive(Clone, Debug, Default)]
pub struct Instance {
    /// Exports by name.
    pub exports: HashMap<String, Extern>,
    /// Store address of the instance's memory 0, if any.
    pub memory: Option<u32>,
}

/// All runtime objects, addressed by index.
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub(crate) types: Vec<FuncType>,
    type_ids: HashMap<FuncType, u32>,
    pub(crate) funcs: Vec<FuncInst>,
    pub(crate) tables: Vec<TableInst>,
    pub(crate) memories: Vec<MemInst>,
    /// The globals' values (slots), apart from their types so that the
    /// state hasher can see them as one byte vector. A v128 global has two
    /// consecutive addresses, low half first, both with its type.
    pub(crate) globals: Vec<u64>,
    pub(crate) global_types: Vec<GlobalType>,
    /// Element segments; a dropped segment is empty.
    pub(crate) elems: Vec<Vec<u64>>,
    /// Data segments; a dropped segment is empty.
    pub(crate) datas: Vec<Vec<u8>>,
    /// The code of every instance, relocated.
    pub(crate) code: Vec<Op>,
    /// Where each code segment starts, ascending: every WebAssembly
    /// function's entry and every task's entry sequence. A segment runs to
    /// the next start (or the code's end); its instructions are one code
    /// tree (`specs/state.md` §4.1).
    pub(crate) code_starts: Vec<u32>,
    /// The longest straight-line run in `code` (`isa::longest_run`), kept
    /// as code is appended: the largest over each appended part, since
    /// control never leaves a function or an entry sequence.
    pub(crate) longest_run: u32,
    pub(crate) instances: Vec<Instance>,
    /// The handlers of `code` for the machine's threaded runs, built at
    /// the first run and extended over code appended since (a cache: not
    /// part of the state).
    pub(crate) threads: Threads,
}

impl Store {
    /// Instructions in the store's code (every instance, relocated).
    pub fn code_len(&self) -> usize {
        self.code.len()
    }

    /// The first instruction of every WebAssembly function, ascending: a
    /// function's code runs to the next one's entry (or the code's end).
    pub fn func_entries(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .funcs
            .iter()
            .filter_map(|f| match f.kind {
                FuncKind::Wasm { entry, .. } => Some(entry),
                FuncKind::Host { .. } => None,
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Appends code that is a segment of its own (a task's entry
    /// sequence); returns its first instruction's index.
    pub(crate) fn append_segment(&mut self, ops: impl IntoIterator<Item = Op>) -> u32 {
        let start = self.code.len() as u32;
        self.code.extend(ops);
        self.code_starts.push(start);
        self.longest_run = self.longest_run.max(crate::isa::longest_run(&self.code[start as usize..]));
        start
    }

    /// The segment holding instruction `pc`: its first instruction and the
    /// next segment's (or the code's end).
    pub(crate) fn segment(&self, pc: u32) -> (u32, u32) {
        let k = self.code_starts.partition_point(|&s| s <= pc);
        let start = if k == 0 { 0 } else { self.code_starts[k - 1] };
        let end = self.code_starts.get(k).copied().unwrap_or(self.code.len() as u32);
        (start, end)
    }

    pub(crate) fn type_id(&mut self, ty: &FuncType) -> u32 {
        if let Some(&id) = self.type_ids.get(ty) {
            return id;
        }
        let id = self.types.len() as u32;
        self.types.push(ty.clone());
        self.type_ids.insert(ty.clone(), id);
        id
    }

    /// Adds a host function and returns its address.
    pub fn add_host_func(&mut self, ty: &FuncType, f: HostFunc) -> u32 {
        let ty_params = ty.params.iter().map(|t| t.slots()).sum();
        let ty = self.type_id(ty);
        self.funcs.push(FuncInst { ty, kind: FuncKind::Host { func: f, nparams: ty_params } });
        (self.funcs.len() - 1) as u32
    }

    /// Adds a table of `min` null elements and returns its address.
    pub fn add_table(&mut self, ty: &TableType) -> u32 {
        self.tables.push(TableInst { elems: vec![0; ty.min as usize], max: ty.max, ty: ty.elem });
        (self.tables.len() - 1) as u32
    }

    /// Adds a zeroed memory and returns its address.
    pub fn add_memory(&mut self, ty: &MemoryType) -> u32 {
        self.memories.push(MemInst { data: vec![0; ty.min as usize * PAGE_SIZE as usize], max: ty.max });
        (self.memories.len() - 1) as u32
    }

    /// Adds a global of type `ty` holding `value`'s bits and returns its
    /// address (the first of two for a v128).
    pub fn add_global(&mut self, ty: GlobalType, value: Value) -> u32 {
        let bits = value.to_slots().enumerate().fold(0u128, |b, (i, s)| b | (s as u128) << (64 * i));
        self.add_global_bits(ty, bits)
    }

    /// Adds a global of type `ty` holding `bits` (one slot, or two for a v128).
    fn add_global_bits(&mut self, ty: GlobalType, bits: u128) -> u32 {
        let addr = self.globals.len() as u32;
        for i in 0..ty.ty.slots() {
            self.globals.push((bits >> (64 * i)) as u64);
            self.global_types.push(ty.clone());
        }
        addr
    }

    /// The type of the function at `addr`.
    pub fn func_type(&self, addr: u32) -> &FuncType {
        &self.types[self.funcs[addr as usize].ty as usize]
    }

    /// The value of the global at `addr`.
    pub fn global(&self, addr: u32) -> Value {
        let a = addr as usize;
        let ty = self.global_types[a].ty;
        Value::from_slots(ty, &self.globals[a..a + ty.slots() as usize])
    }

    /// The memory at `addr`.
    pub fn memory(&self, addr: u32) -> &MemInst {
        &self.memories[addr as usize]
    }

    /// An instance by id.
    pub fn instance(&self, id: usize) -> &Instance {
        &self.instances[id]
    }

    fn check_import(&self, import: &Import, ext: Extern) -> Result<(), InstantiateError> {
        let bad = |detail: String| InstantiateError::IncompatibleImport {
            module: import.module.clone(),
            name: import.name.clone(),
            detail,
        };
        let limits_ok = |min: u32, max: Option<u32>, want_min: u32, want_max: Option<u32>| {
            min >= want_min
                && match want_max {
                    None => true,
                    Some(wm) => max.is_some_and(|m| m <= wm),
                }
        };
        match (&import.kind, ext) {
            (ImportKind::Func(want), Extern::Func(a)) => {
                let have = self.func_type(a);
                if have != want {
                    return Err(bad(format!("expected function {want}, found {have}")));
                }
            }
            (ImportKind::Table(want), Extern::Table(a)) => {
                let t = &self.tables[a as usize];
                if t.ty != want.elem || !limits_ok(t.elems.len() as u32, t.max, want.min, want.max) {
                    return Err(bad("table type or limits do not match".into()));
                }
            }
            (ImportKind::Memory(want), Extern::Memory(a)) => {
                let m = &self.memories[a as usize];
                if !limits_ok(m.pages(), m.max, want.min, want.max) {
                    return Err(bad("memory limits do not match".into()));
                }
            }
            (ImportKind::Global(want), Extern::Global(a)) => {
                if self.global_types[a as usize] != *want {
                    return Err(bad("global type or mutability does not match".into()));
                }
            }
            (want, got) => return Err(bad(format!("expected {}, found {got:?}", kind_name(want)))),
        }
        Ok(())
    }

    /// Instantiates `module`, resolving each import with `resolve`. Returns
    /// the instance id and the store address of the start function, which
    /// the caller runs like any other invocation.
    pub fn instantiate(
        &mut self,
        module: &Module,
        mut resolve: impl FnMut(&Import) -> Option<Extern>,
    ) -> Result<(usize, Option<u32>), InstantiateError> {
        let mut funcs = Vec::new();
        let mut tables = Vec::new();
        let mut memories = Vec::new();
        let mut globals = Vec::new();
        for import in &module.imports {
            let ext = resolve(import).ok_or_else(|| InstantiateError::UnknownImport {
                module: import.module.clone(),
                name: import.name.clone(),
            })?;
            self.check_import(import, ext)?;
            match ext {
                Extern::Func(a) => funcs.push(a),
                Extern::Table(a) => tables.push(a),
                Extern::Memory(a) => memories.push(a),
                Extern::Global(a) => globals.push(a),
            }
        }
        // Instructions name a memory in a `u16` after relocation (`<Load>At`,
        // `I32LoadAddReg`, `specs/execution.md` §2.1).
        let defined = module.memories.len() - module.num_imported_memories as usize;
        if self.memories.len() + defined > u16::MAX as usize {
            return Err(InstantiateError::Limit(format!(
                "a store holds at most {} memories; this instance would make it {}",
                u16::MAX,
                self.memories.len() + defined
            )));
        }
        for (t, _) in &module.tables[module.num_imported_tables as usize..] {
            if t.min > MAX_TABLE_ELEMS {
                return Err(InstantiateError::Limit(format!(
                    "table of {} elements exceeds the limit of {MAX_TABLE_ELEMS}",
                    t.min
                )));
            }
        }
        for m in &module.memories[module.num_imported_memories as usize..] {
            if m.min > MAX_MEMORY_PAGES {
                return Err(InstantiateError::Limit(format!(
                    "memory of {} pages exceeds the limit of {MAX_MEMORY_PAGES} pages",
                    m.min
                )));
            }
        }

        // Functions: addresses first, so code can refer to any of them.
        let code_base = self.code.len() as u32;
        let first_func = self.funcs.len() as u32;
        for i in 0..module.funcs.len() {
            funcs.push(first_func + i as u32);
        }
        let type_ids: Vec<u32> = module.types.iter().map(|t| self.type_id(t)).collect();
        for (i, f) in module.funcs.iter().enumerate() {
            let ty = module.func_types[module.num_imported_funcs as usize + i];
            self.funcs.push(FuncInst {
                ty: type_ids[ty as usize],
                kind: FuncKind::Wasm {
                    entry: code_base + f.entry,
                    nparams: f.nparams,
                    nlocals: f.nlocals,
                    frame_size: f.nparams.saturating_add(f.nlocals).saturating_add(f.max_height),
                },
            });
        }
        // Globals are initialised in order; initialisers may read earlier globals.
        for (ty, init) in &module.globals[module.num_imported_globals as usize..] {
            let value = self.eval(*init, &funcs, &globals);
            globals.push(self.add_global_bits(ty.clone(), value));
        }
        for (t, init) in &module.tables[module.num_imported_tables as usize..] {
            let addr = self.add_table(t);
            if let Some(init) = init {
                let v = self.eval(*init, &funcs, &globals) as u64;
                self.tables[addr as usize].elems.fill(v);
            }
            tables.push(addr);
        }
        for m in &module.memories[module.num_imported_memories as usize..] {
            memories.push(self.add_memory(m));
        }
        let elem_base = self.elems.len() as u32;
        for seg in &module.elems {
            let items = seg.items.iter().map(|e| self.eval(*e, &funcs, &globals) as u64).collect();
            self.elems.push(items);
        }
        let data_base = self.datas.len() as u32;
        for seg in &module.datas {
            self.datas.push(seg.bytes.clone());
        }
        let reloc = Reloc {
            code_base,
            type_ids: &type_ids,
            funcs: &funcs,
            tables: &tables,
            memories: &memories,
            globals: &globals,
            elem_base,
            data_base,
        };
        self.code.extend(module.code.iter().map(|op| reloc.op(*op)));
        self.longest_run = self.longest_run.max(crate::isa::longest_run(&self.code[code_base as usize..]));
        self.code_starts.extend(module.funcs.iter().map(|f| code_base + f.entry));
        self.code_starts.sort_unstable();
        self.code_starts.dedup();

        let mut instance = Instance { exports: HashMap::new(), memory: memories.first().copied() };
        for (name, kind, index) in &module.exports {
            let i = *index as usize;
            let ext = match kind {
                ExportKind::Func => Extern::Func(funcs[i]),
                ExportKind::Table => Extern::Table(tables[i]),
                ExportKind::Memory => Extern::Memory(memories[i]),
                ExportKind::Global => Extern::Global(globals[i]),
            };
            instance.exports.insert(name.clone(), ext);
        }
        self.instances.push(instance);
        let id = self.instances.len() - 1;

        // Active segments are copied in order, then dropped; a failure keeps
        // earlier writes, as in the specification.
        for (i, seg) in module.elems.iter().enumerate() {
            let addr = (elem_base + i as u32) as usize;
            match &seg.mode {
                SegmentMode::Active { index, offset } => {
                    let offset = self.eval(*offset, &funcs, &globals) as u32 as usize;
                    let table = &mut self.tables[tables[*index as usize] as usize].elems;
                    let items = std::mem::take(&mut self.elems[addr]);
                    match table.get_mut(offset..offset.saturating_add(items.len())) {
                        Some(dst) => dst.copy_from_slice(&items),
                        None => return Err(InstantiateError::Trap(TrapKind::TableOutOfBounds)),
                    }
                }
                SegmentMode::Declared => self.elems[addr].clear(),
                SegmentMode::Passive => {}
            }
        }
        for (i, seg) in module.datas.iter().enumerate() {
            let addr = (data_base + i as u32) as usize;
            if let SegmentMode::Active { index, offset } = &seg.mode {
                let offset = self.eval(*offset, &funcs, &globals) as u32 as usize;
                let mem = &mut self.memories[memories[*index as usize] as usize].data;
                let bytes = std::mem::take(&mut self.datas[addr]);
                match mem.get_mut(offset..offset.saturating_add(bytes.len())) {
                    Some(dst) => dst.copy_from_slice(&bytes),
                    None => return Err(InstantiateError::Trap(TrapKind::MemoryOutOfBounds)),
                }
            }
        }
        Ok((id, module.start.map(|s| funcs[s as usize])))
    }

    /// A constant expression's bits: one slot, or two for a v128.
    fn eval(&self, e: ConstExpr, funcs: &[u32], globals: &[u32]) -> u128 {
        match e {
            ConstExpr::Slot(v) => v as u128,
            ConstExpr::V128(v) => v,
            ConstExpr::GlobalGet(g) => {
                let a = globals[g as usize] as usize;
                let wide = self.global_types[a].ty == ValType::V128;
                self.globals[a] as u128 | if wide { (self.globals[a + 1] as u128) << 64 } else { 0 }
            }
            ConstExpr::RefFunc(f) => funcs[f as usize] as u128 + 1,
        }
    }
}

fn kind_name(k: &ImportKind) -> &'static str {
    match k {
        ImportKind::Func(_) => "a function",
        ImportKind::Table(_) => "a table",
        ImportKind::Memory(_) => "a memory",
        ImportKind::Global(_) => "a global",
    }
}

/// Maps module-level indices in translated code to store addresses.
struct Reloc<'a> {
    code_base: u32,
    type_ids: &'a [u32],
    funcs: &'a [u32],
    tables: &'a [u32],
    memories: &'a [u32],
    globals: &'a [u32],
    elem_base: u32,
    data_base: u32,
}

impl Reloc<'_> {
    fn op(&self, op: Op) -> Op {
        let f = |i: u32| self.funcs[i as usize];
        let t = |i: u32| self.tables[i as usize];
        let m = |i: u32| self.memories[i as usize];
        let g = |i: u32| self.globals[i as usize];
        let pc = |p: u32| p + self.code_base;
        use Op::*;
        macro_rules! mem {
            ($op:expr, $($v:ident),*) => {
                match $op {
                    $($v { mem, offset } => $v { mem: m(mem), offset },)*
                    other => other,
                }
            };
        }
        // `instantiate` keeps every store's memory addresses below 65,536.
        let m16 = |i: u16| m(i as u32) as u16;
        match op {
            I32LoadAddReg { dst, addr, mem, value, offset } => {
                return I32LoadAddReg { dst, addr, mem: m16(mem), value, offset };
            }
            F64LoadAddReg { dst, addr, mem, value, offset } => {
                return F64LoadAddReg { dst, addr, mem: m16(mem), value, offset };
            }
            I32LoadAt { dst, h, mem, addr, offset } => {
                return I32LoadAt { dst, h, mem: m16(mem), addr, offset };
            }
            I32LoadIdx { dst, index, h, value, mem, shift } => {
                return I32LoadIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I64LoadIdx { dst, index, h, value, mem, shift } => {
                return I64LoadIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I32Load8SIdx { dst, index, h, value, mem, shift } => {
                return I32Load8SIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I32Load8UIdx { dst, index, h, value, mem, shift } => {
                return I32Load8UIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I32Load16SIdx { dst, index, h, value, mem, shift } => {
                return I32Load16SIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I32Load16UIdx { dst, index, h, value, mem, shift } => {
                return I32Load16UIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I64Load32SIdx { dst, index, h, value, mem, shift } => {
                return I64Load32SIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I64Load32UIdx { dst, index, h, value, mem, shift } => {
                return I64Load32UIdx { dst, index, h, value, mem: m16(mem), shift };
            }
            I64LoadAt { dst, h, mem, addr, offset } => {
                return I64LoadAt { dst, h, mem: m16(mem), addr, offset };
            }
            F32LoadAt { dst, h, mem, addr, offset } => {
                return F32LoadAt { dst, h, mem: m16(mem), addr, offset };
            }
            F64LoadAt { dst, h, mem, addr, offset } => {
                return F64LoadAt { dst, h, mem: m16(mem), addr, offset };
            }
            I32Load8SAt { dst, h, mem, addr, offset } => {
                return I32Load8SAt { dst, h, mem: m16(mem), addr, offset };
            }
            I32Load8UAt { dst, h, mem, addr, offset } => {
                return I32Load8UAt { dst, h, mem: m16(mem), addr, offset };
            }
            I32Load16SAt { dst, h, mem, addr, offset } => {
                return I32Load16SAt { dst, h, mem: m16(mem), addr, offset };
            }
            I32Load16UAt { dst, h, mem, addr, offset } => {
                return I32Load16UAt { dst, h, mem: m16(mem), addr, offset };
            }
            I64Load8SAt { dst, h, mem, addr, offset } => {
                return I64Load8SAt { dst, h, mem: m16(mem), addr, offset };
            }
            I64Load8UAt { dst, h, mem, addr, offset } => {
                return I64Load8UAt { dst, h, mem: m16(mem), addr, offset };
            }
            I64Load16SAt { dst, h, mem, addr, offset } => {
                return I64Load16SAt { dst, h, mem: m16(mem), addr, offset };
            }
            I64Load16UAt { dst, h, mem, addr, offset } => {
                return I64Load16UAt { dst, h, mem: m16(mem), addr, offset };
            }
            I64Load32SAt { dst, h, mem, addr, offset } => {
                return I64Load32SAt { dst, h, mem: m16(mem), addr, offset };
            }
            I64Load32UAt { dst, h, mem, addr, offset } => {
                return I64Load32UAt { dst, h, mem: m16(mem), addr, offset };
            }
            I32StoreAt { val, h, mem, addr, offset } => {
                return I32StoreAt { val, h, mem: m16(mem), addr, offset };
            }
            I64StoreAt { val, h, mem, addr, offset } => {
                return I64StoreAt { val, h, mem: m16(mem), addr, offset };
            }
            F32StoreAt { val, h, mem, addr, offset } => {
                return F32StoreAt { val, h, mem: m16(mem), addr, offset };
            }
            F64StoreAt { val, h, mem, addr, offset } => {
                return F64StoreAt { val, h, mem: m16(mem), addr, offset };
            }
            I32Store8At { val, h, mem, addr, offset } => {
                return I32Store8At { val, h, mem: m16(mem), addr, offset };
            }
            I32Store16At { val, h, mem, addr, offset } => {
                return I32Store16At { val, h, mem: m16(mem), addr, offset };
            }
            I64Store8At { val, h, mem, addr, offset } => {
                return I64Store8At { val, h, mem: m16(mem), addr, offset };
            }
            I64Store16At { val, h, mem, addr, offset } => {
                return I64Store16At { val, h, mem: m16(mem), addr, offset };
            }
            I64Store32At { val, h, mem, addr, offset } => {
                return I64Store32At { val, h, mem: m16(mem), addr, offset };
            }
            _ => {}
        }
        // The register forms of loads and stores keep their slot fields.
        macro_rules! mem_reg {
            ($op:expr, $($v:ident { $($f:ident),* }),*) => {
                match $op {
                    $($v { mem, offset, $($f),* } => Some($v { mem: m(mem), offset, $($f),* }),)*
                    _ => None,
                }
            };
        }
        if let Some(r) = mem_reg!(
            op,
            I32LoadReg { dst, addr, h },
            I64LoadReg { dst, addr, h },
            F32LoadReg { dst, addr, h },
            F64LoadReg { dst, addr, h },
            I32Load8SReg { dst, addr, h },
            I32Load8UReg { dst, addr, h },
            I32Load16SReg { dst, addr, h },
            I32Load16UReg { dst, addr, h },
            I64Load8SReg { dst, addr, h },
            I64Load8UReg { dst, addr, h },
            I64Load16SReg { dst, addr, h },
            I64Load16UReg { dst, addr, h },
            I64Load32SReg { dst, addr, h },
            I64Load32UReg { dst, addr, h },
            I32StoreReg { addr, val, h },
            F32StoreReg { addr, val, h },
            I64StoreReg { addr, val, h },
            F64StoreReg { addr, val, h },
            I32Store8Reg { addr, val, h },
            I64Store8Reg { addr, val, h },
            I32Store16Reg { addr, val, h },
            I64Store16Reg { addr, val, h },
            I64Store32Reg { addr, val, h }
        ) {
            return r;
        }
        match op {
            Br { target } => Br { target: pc(target) },
            BrIfEqzReg { cond, target } => BrIfEqzReg { cond, target: pc(target) },
            BrIfNezReg { cond, target } => BrIfNezReg { cond, target: pc(target) },
            BrIfI32Eq { lhs, rhs, h, target } => BrIfI32Eq { lhs, rhs, h, target: pc(target) },
            BrIfI32Ne { lhs, rhs, h, target } => BrIfI32Ne { lhs, rhs, h, target: pc(target) },
            BrIfI32LtS { lhs, rhs, h, target } => BrIfI32LtS { lhs, rhs, h, target: pc(target) },
            BrIfI32LtU { lhs, rhs, h, target } => BrIfI32LtU { lhs, rhs, h, target: pc(target) },
            BrIfI32GtS { lhs, rhs, h, target } => BrIfI32GtS { lhs, rhs, h, target: pc(target) },
            BrIfI32GtU { lhs, rhs, h, target } => BrIfI32GtU { lhs, rhs, h, target: pc(target) },
            BrIfI32LeS { lhs, rhs, h, target } => BrIfI32LeS { lhs, rhs, h, target: pc(target) },
            BrIfI32LeU { lhs, rhs, h, target } => BrIfI32LeU { lhs, rhs, h, target: pc(target) },
            BrIfI32GeS { lhs, rhs, h, target } => BrIfI32GeS { lhs, rhs, h, target: pc(target) },
            BrIfI32GeU { lhs, rhs, h, target } => BrIfI32GeU { lhs, rhs, h, target: pc(target) },
            BrIfI32EqImm { lhs, h, value, target } => BrIfI32EqImm { lhs, h, value, target: pc(target) },
            BrIfI32NeImm { lhs, h, value, target } => BrIfI32NeImm { lhs, h, value, target: pc(target) },
            BrIfI32LtSImm { lhs, h, value, target } => BrIfI32LtSImm { lhs, h, value, target: pc(target) },
            BrIfI32LtUImm { lhs, h, value, target } => BrIfI32LtUImm { lhs, h, value, target: pc(target) },
            BrIfI32GtSImm { lhs, h, value, target } => BrIfI32GtSImm { lhs, h, value, target: pc(target) },
            BrIfI32GtUImm { lhs, h, value, target } => BrIfI32GtUImm { lhs, h, value, target: pc(target) },
            BrIfI32LeSImm { lhs, h, value, target } => BrIfI32LeSImm { lhs, h, value, target: pc(target) },
            BrIfI32LeUImm { lhs, h, value, target } => BrIfI32LeUImm { lhs, h, value, target: pc(target) },
            BrIfI32GeSImm { lhs, h, value, target } => BrIfI32GeSImm { lhs, h, value, target: pc(target) },
            BrIfI32GeUImm { lhs, h, value, target } => BrIfI32GeUImm { lhs, h, value, target: pc(target) },
            BrIfI32AndImmNez { lhs, h, value, target } => {
                BrIfI32AndImmNez { lhs, h, value, target: pc(target) }
            }
            BrIfI32AndImmEqz { lhs, h, value, target } => {
                BrIfI32AndImmEqz { lhs, h, value, target: pc(target) }
            }

            BrIfEqz { target } => BrIfEqz { target: pc(target) },
            BrIfNez { target } => BrIfNez { target: pc(target) },
            BrAdjust { target, drop, keep } => BrAdjust { target: pc(target), drop, keep },
            BrIfNezAdjust { target, drop, keep } => BrIfNezAdjust { target: pc(target), drop, keep },
            Call { func } => Call { func: f(func) },
            CallIndirect { ty, table } => CallIndirect { ty: self.type_ids[ty as usize], table: t(table) },
            GlobalGet { global } => GlobalGet { global: g(global) },
            GlobalSet { global } => GlobalSet { global: g(global) },
            V128GlobalGet { global } => V128GlobalGet { global: g(global) },
            V128GlobalSet { global } => V128GlobalSet { global: g(global) },
            V128Load { op, mem, offset } => V128Load { op, mem: m(mem), offset },
            V128Store { mem, offset } => V128Store { mem: m(mem), offset },
            V128LoadLane { op, lane, mem, offset } => V128LoadLane { op, lane, mem: m(mem), offset },
            V128StoreLane { op, lane, mem, offset } => V128StoreLane { op, lane, mem: m(mem), offset },
            TableGet { table } => TableGet { table: t(table) },
            TableSet { table } => TableSet { table: t(table) },
            TableSize { table } => TableSize { table: t(table) },
            TableGrow { table } => TableGrow { table: t(table) },
            TableFill { table } => TableFill { table: t(table) },
            TableCopy { dst, src } => TableCopy { dst: t(dst), src: t(src) },
            TableInit { table, elem } => TableInit { table: t(table), elem: self.elem_base + elem },
            ElemDrop { elem } => ElemDrop { elem: self.elem_base + elem },
            RefFunc { func } => RefFunc { func: f(func) },
            MemorySize { mem } => MemorySize { mem: m(mem) },
            MemoryGrow { mem } => MemoryGrow { mem: m(mem) },
            MemoryFill { mem } => MemoryFill { mem: m(mem) },
            MemoryCopy { mem } => MemoryCopy { mem: m(mem) },
            MemoryInit { mem, data } => MemoryInit { mem: m(mem), data: self.data_base + data },
            DataDrop { data } => DataDrop { data: self.data_base + data },
            other => mem!(
                other, I32Load, I64Load, F32Load, F64Load, I32Load8S, I32Load8U, I32Load16S, I32Load16U,
                I64Load8S, I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U, I32Store, I64Store,
                F32Store, F64Store, I32Store8, I32Store16, I64Store8, I64Store16, I64Store32
            ),
        }
    }
}
