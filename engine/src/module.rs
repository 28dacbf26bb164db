//! Decoding and validation of a module binary, and translation of its code.
//!
//! [`Module::new`] is the only entry point for untrusted bytes. It accepts
//! exactly the WebAssembly 2.0 core features, fixed-width SIMD included, and
//! refuses anything else with an error that names the feature.

use crate::isa::Op;
use crate::limits::MAX_LOAD_BYTES;
use crate::load_error::LoadError;
use crate::translate::{self, TranslatedFunc, val_type};
use crate::value::{FuncType, ValType};
use wasmparser::{
    DataKind, ElementItems, ElementKind, ExternalKind, Parser, Payload, TypeRef, ValidPayload, Validator,
    WasmFeatures,
};

/// The WebAssembly features the engine accepts: 2.0 (with fixed-width SIMD;
/// relaxed SIMD is a later proposal).
pub fn features() -> WasmFeatures {
    WasmFeatures::WASM2
}

/// Limits of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableType {
    /// Element type (`funcref` or `externref`).
    pub elem: ValType,
    /// Initial size in elements.
    pub min: u32,
    /// Maximum size, if declared.
    pub max: Option<u32>,
}

/// Limits of a memory, in pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryType {
    /// Initial size in pages.
    pub min: u32,
    /// Maximum size in pages, if declared.
    pub max: Option<u32>,
}

/// Type and mutability of a global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalType {
    /// Value type.
    pub ty: ValType,
    /// Whether `global.set` is allowed.
    pub mutable: bool,
}

/// What an import expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// A function of this type.
    Func(FuncType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
}

/// One import of a module.
#[derive(Clone, Debug)]
pub struct Import {
    /// Module name.
    pub module: String,
    /// Field name.
    pub name: String,
    /// Expected kind and type.
    pub kind: ImportKind,
}

/// The kind of an export.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A memory.
    Memory,
    /// A global.
    Global,
}

/// A constant expression (WebAssembly 2.0 allows exactly one instruction).
#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) enum ConstExpr {
    /// A numeric constant or null reference, as a slot.
    Slot(u64),
    /// A `v128.const`.
    V128(u128),
    /// `global.get` of a module global index.
    GlobalGet(u32),
    /// `ref.func` of a module function index.
    RefFunc(u32),
}

/// Where a segment goes at instantiation.
#[derive(Clone, Debug)]
pub(crate) enum SegmentMode {
    Passive,
    Active { index: u32, offset: ConstExpr },
    Declared,
}

#[derive(Clone, Debug)]
pub(crate) struct ElemSegment {
    pub mode: SegmentMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Clone, Debug)]
pub(crate) struct DataSegment {
    pub mode: SegmentMode,
    pub bytes: Vec<u8>,
}

/// A decoded, validated and translated module. Immutable; instantiate it
/// any number of times into a [`crate::Store`].
#[derive(Clone, Debug)]
pub struct Module {
    pub(crate) types: Vec<FuncType>,
    pub(crate) imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub(crate) func_types: Vec<u32>,
    pub(crate) num_imported_funcs: u32,
    pub(crate) funcs: Vec<TranslatedFunc>,
    /// Translated code of all defined functions, targets relative to its start.
    pub(crate) code: Vec<Op>,
    pub(crate) tables: Vec<(TableType, Option<ConstExpr>)>,
    pub(crate) num_imported_tables: u32,
    pub(crate) memories: Vec<MemoryType>,
    pub(crate) num_imported_memories: u32,
    pub(crate) globals: Vec<(GlobalType, ConstExpr)>,
    pub(crate) num_imported_globals: u32,
    pub(crate) exports: Vec<(String, ExportKind, u32)>,
    pub(crate) start: Option<u32>,
    pub(crate) elems: Vec<ElemSegment>,
    pub(crate) datas: Vec<DataSegment>,
}

impl Module {
    /// Decodes, validates and translates a module binary.
    pub fn new(bytes: &[u8]) -> Result<Module, LoadError> {
        if bytes.len() > MAX_LOAD_BYTES {
            return Err(LoadError::TooLarge { size: bytes.len(), limit: MAX_LOAD_BYTES });
        }
        let mut m = Module {
            types: Vec::new(),
            imports: Vec::new(),
            func_types: Vec::new(),
            num_imported_funcs: 0,
            funcs: Vec::new(),
            code: Vec::new(),
            tables: Vec::new(),
            num_imported_tables: 0,
            memories: Vec::new(),
            num_imported_memories: 0,
            globals: Vec::new(),
            num_imported_globals: 0,
            exports: Vec::new(),
            start: None,
            elems: Vec::new(),
            datas: Vec::new(),
        };
        let mut validator = Validator::new_with_features(features());
        let mut allocs = wasmparser::FuncValidatorAllocations::default();
        let mut next_defined_func = 0u32;
        let mut parser = Parser::new(0);
        parser.set_features(features());
        for payload in parser.parse_all(bytes) {
            let payload = payload?;
            if let ValidPayload::Func(to_validate, body) = validator.payload(&payload)? {
                let mut fv = to_validate.into_validator(std::mem::take(&mut allocs));
                let func_index = m.num_imported_funcs + next_defined_func;
                next_defined_func += 1;
                let ty = &m.types[m.func_types[func_index as usize] as usize];
                let f = translate::translate(&mut fv, &body, ty, &m.types, &mut m.code, bytes)?;
                m.funcs.push(f);
                allocs = fv.into_allocations();
            }
            m.read_section(payload, bytes)?;
        }
        Ok(m)
    }

    fn read_section(&mut self, payload: Payload<'_>, bytes: &[u8]) -> Result<(), LoadError> {
        match payload {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group?.into_types() {
                        let f = sub.unwrap_func();
                        self.types.push(FuncType {
                            params: f.params().iter().map(|t| val_type(*t)).collect(),
                            results: f.results().iter().map(|t| val_type(*t)).collect(),
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import?;
                    let kind = match import.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            self.func_types.push(t);
                            self.num_imported_funcs += 1;
                            ImportKind::Func(self.types[t as usize].clone())
                        }
                        TypeRef::Table(t) => {
                            self.num_imported_tables += 1;
                            let t = table_type(t);
                            self.tables.push((t.clone(), None));
                            ImportKind::Table(t)
                        }
                        TypeRef::Memory(t) => {
                            self.num_imported_memories += 1;
                            let t = memory_type(t);
                            self.memories.push(t.clone());
                            ImportKind::Memory(t)
                        }
                        TypeRef::Global(g) => {
                            self.num_imported_globals += 1;
                            let g = GlobalType { ty: val_type(g.content_type), mutable: g.mutable };
                            self.globals.push((g.clone(), ConstExpr::Slot(0)));
                            ImportKind::Global(g)
                        }
                        TypeRef::Tag(_) => unreachable!("validation refuses exceptions"),
                    };
                    self.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        kind,
                    });
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    self.func_types.push(t?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t?;
                    let init = match t.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(const_expr(&e)?),
                    };
                    self.tables.push((table_type(t.ty), init));
                }
            }
            Payload::MemorySection(r) => {
                check_memory_limits(
                    &bytes[r.range().start as usize..r.range().end as usize],
                    r.range().start as usize,
                )?;
                for t in r {
                    self.memories.push(memory_type(t?));
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g?;
                    let ty = GlobalType { ty: val_type(g.ty.content_type), mutable: g.ty.mutable };
                    self.globals.push((ty, const_expr(&g.init_expr)?));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    let kind = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => unreachable!("validation refuses exceptions"),
                    };
                    self.exports.push((e.name.to_string(), kind, e.index));
                }
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e?;
                    let mode = match e.kind {
                        ElementKind::Passive => SegmentMode::Passive,
                        ElementKind::Declared => SegmentMode::Declared,
                        ElementKind::Active { table_index, offset_expr } => SegmentMode::Active {
                            index: table_index.unwrap_or(0),
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let items = match e.items {
                        ElementItems::Functions(r) => r
                            .into_iter()
                            .map(|f| Ok(ConstExpr::RefFunc(f?)))
                            .collect::<Result<_, LoadError>>()?,
                        ElementItems::Expressions(_, r) => {
                            r.into_iter().map(|x| const_expr(&x?)).collect::<Result<_, _>>()?
                        }
                    };
                    self.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d?;
                    let mode = match d.kind {
                        DataKind::Passive => SegmentMode::Passive,
                        DataKind::Active { memory_index, offset_expr } => {
                            SegmentMode::Active { index: memory_index, offset: const_expr(&offset_expr)? }
                        }
                    };
                    self.datas.push(DataSegment { mode, bytes: d.data.to_vec() });
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The module's exports: name, kind and module-level index.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExportKind, u32)> {
        self.exports.iter().map(|(n, k, i)| (n.as_str(), *k, *i))
    }

    /// The type of the function with this module-level index.
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let t = *self.func_types.get(index as usize)?;
        self.types.get(t as usize)
    }

    /// The type of an exported function, if `name` names one.
    pub fn export_func_type(&self, name: &str) -> Option<&FuncType> {
        self.exports()
            .find(|(n, k, _)| *n == name && *k == ExportKind::Func)
            .and_then(|(_, _, i)| self.func_type(i))
    }
}

fn table_type(t: wasmparser::TableType) -> TableType {
    let elem = if t.element_type.is_func_ref() { ValType::FuncRef } else { ValType::ExternRef };
    // Without table64, validation bounds limits to u32.
    TableType { elem, min: t.initial as u32, max: t.maximum.map(|m| m as u32) }
}

fn memory_type(t: wasmparser::MemoryType) -> MemoryType {
    // Without memory64, validation bounds limits to 65536 pages.
    MemoryType { min: t.initial as u32, max: t.maximum.map(|m| m as u32) }
}

/// Memory limits are 32-bit LEB128 numbers of at most five bytes in
/// WebAssembly 2.0 (wasmparser reads them as 64-bit for memory64).
fn check_memory_limits(raw: &[u8], offset: usize) -> Result<(), LoadError> {
    use crate::translate::leb_len;
    let too_long = || LoadError::Invalid { message: "integer representation too long".into(), offset };
    let mut at = leb_len(raw);
    let count = raw.first().copied().unwrap_or(0);
    if at != 1 {
        // A multi-byte count: leave the checks to wasmparser.
        return Ok(());
    }
    for _ in 0..count {
        let Some(&flags) = raw.get(at) else {
            return Ok(());
        };
        at += 1;
        for _ in 0..(1 + (flags & 1)) {
            let n = leb_len(raw.get(at..).unwrap_or(&[]));
            if n > 5 {
                return Err(too_long());
            }
            at += n;
        }
    }
    Ok(())
}

fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, LoadError> {
    use wasmparser::Operator as O;
    let mut r = e.get_operators_reader();
    let offset = r.original_position() as usize;
    let op = r.read()?;
    let value = match op {
        O::I32Const { value } => ConstExpr::Slot(value as u32 as u64),
        O::I64Const { value } => ConstExpr::Slot(value as u64),
        O::F32Const { value } => ConstExpr::Slot(value.bits() as u64),
        O::F64Const { value } => ConstExpr::Slot(value.bits()),
        O::V128Const { value } => ConstExpr::V128(u128::from_le_bytes(*value.bytes())),
        O::RefNull { .. } => ConstExpr::Slot(0),
        O::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        O::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        other => {
            return Err(LoadError::Invalid {
                message: format!("unsupported constant expression {other:?}"),
                offset,
            });
        }
    };
    if !matches!(r.read()?, O::End) {
        return Err(LoadError::Invalid {
            message: "constant expression longer than one instruction".into(),
            offset,
        });
    }
    Ok(value)
}

// Translation is tested through `Module::new`, here rather than in
// `translate`, so that `translate` does not depend on `module`.
#[cfg(test)]
mod tests {
    use super::Module;
    use crate::isa::Op::{self, *};

    fn code(body: &str) -> Vec<Op> {
        let wat = format!("(module (memory 1) (func (param i32 i32) (result i32) {body}))");
        Module::new(&wat::parse_str(wat).unwrap()).unwrap().code
    }

    #[test]
    fn constants_fuse_into_binary_operators() {
        assert_eq!(
            code("local.get 0 i32.const 7 i32.add"),
            [I32AddImmReg { dst: 2, lhs: 0, h: 3, value: 7 }, Return { results: 1 }]
        );
        assert_eq!(
            code("local.get 1 i32.const 7 i32.sub"),
            [I32AddImmReg { dst: 2, lhs: 1, h: 3, value: -7 }, Return { results: 1 }]
        );
        assert_eq!(
            code("i32.const 1 local.get 0 i32.const 7 i32.and i32.add"),
            [
                // Deferred operands (§2.2): the constant 1 waits under the `and`.
                I32AndImmReg { dst: 3, lhs: 0, h: 4, value: 7 },
                I32AddImmReg { dst: 2, lhs: 3, h: 3, value: 1 },
                Return { results: 1 }
            ]
        );
        assert_eq!(
            code("local.get 0 local.get 1 i32.div_s"),
            [LocalGet2 { a: 0, b: 1 }, I32DivS, Return { results: 1 }]
        );
    }

    #[test]
    fn nothing_fuses_across_a_branch_target() {
        let ops = code("i32.const 1 i32.const 2 loop (param i32 i32) (result i32) i32.add end");
        assert_eq!(ops, [I32Const { value: 1 }, I32Const { value: 2 }, I32Add, Return { results: 1 }]);
        // `br_if` jumps to the block end carrying 9: the `i32.add` there must
        // stay separate from the `i32.const 5` that falls through to it.
        let ops = code(
            "local.get 0 block (result i32) i32.const 9 local.get 1 br_if 0 drop i32.const 5 end i32.add",
        );
        assert_eq!(ops[2], BrIfNezReg { cond: 1, target: 5 }, "{ops:?}");
        assert_eq!(ops[4..], [I32Const { value: 5 }, I32Add, Return { results: 1 }], "{ops:?}");
    }

    #[test]
    fn register_forms_read_and_write_frame_slots() {
        // Slots 0 and 1 are the parameters; operands start at slot 2.
        assert_eq!(
            code("local.get 0 local.get 1 i32.add local.set 0 local.get 0"),
            [I32AddReg { dst: 0, lhs: 0, rhs: 1, h: 2 }, LocalGet { index: 0 }, Return { results: 1 }]
        );
        assert_eq!(
            code("local.get 0 local.get 1 i32.xor local.get 0 i32.sub"),
            [
                I32XorReg { dst: 2, lhs: 0, rhs: 1, h: 3 },
                I32SubReg { dst: 2, lhs: 2, rhs: 0, h: 3 },
                Return { results: 1 }
            ]
        );
        assert_eq!(
            code(
                "local.get 1 local.get 0 i32.store16 offset=2 local.get 0 i32.load offset=8 \
                 local.get 1 i64.load8_u i32.wrap_i64 i32.add"
            ),
            [
                I32Store16Reg { addr: 1, val: 0, h: 2, mem: 0, offset: 2 },
                I32LoadReg { dst: 2, addr: 0, h: 3, mem: 0, offset: 8 },
                I64Load8UReg { dst: 3, addr: 1, h: 4, mem: 0, offset: 0 },
                I32WrapI64,
                I32Add,
                Return { results: 1 }
            ]
        );
        assert_eq!(
            code(
                "local.get 1 local.set 0 i32.const -3 local.set 1 block local.get 0 i32.eqz br_if 0 end local.get 1"
            ),
            [
                LocalCopy { dst: 0, src: 1 },
                I32SetConst { dst: 1, value: -3 },
                BrIfEqzReg { cond: 0, target: 3 },
                LocalGet { index: 1 },
                Return { results: 1 }
            ]
        );
    }

    #[test]
    fn v128_values_take_two_slots() {
        let wat = "(module (func (param v128 i32) (result v128) (local i64 v128)
            local.get 1 drop local.get 2 drop local.get 3 local.set 0
            block (result v128)
              i32.const 7 local.get 0 local.get 1 br_if 0 drop drop local.get 0
            end))";
        let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
        assert_eq!(
            m.code,
            [
                // A dropped `local.get` of a scalar emits nothing (§2.2).
                LocalGet2 { a: 4, b: 5 },
                V128LocalSet { index: 0 },
                I32Const { value: 7 },
                LocalGet2 { a: 0, b: 1 },
                LocalGet { index: 2 },
                // The branch keeps the v128's two slots and drops the i32's one.
                BrIfNezAdjust { target: 9, drop: 1, keep: 2 },
                V128Drop,
                Drop,
                LocalGet2 { a: 0, b: 1 },
                Return { results: 2 },
            ]
        );
        let f = &m.funcs[0];
        assert_eq!((f.nparams, f.nlocals, f.max_height), (3, 3, 4));
    }

    #[test]
    fn sixteen_byte_immediates_take_two_code_words() {
        let wat = "(module (func (result v128)
            v128.const i64x2 0x1111 0x2222 v128.const i64x2 3 4
            i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31))";
        let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
        assert_eq!(
            m.code,
            [
                V128Const { lo: 0x1111 },
                Hi64 { bits: 0x2222 },
                V128Const { lo: 3 },
                Hi64 { bits: 4 },
                I8x16Shuffle { lo: 0x0706_0504_0302_0100 },
                Hi64 { bits: 0x1f1e_1d1c_1b1a_1918 },
                Return { results: 2 },
            ]
        );
    }

    #[test]
    fn relaxed_simd_is_refused_as_unsupported() {
        let wat =
            "(module (func (result v128) v128.const i64x2 0 0 v128.const i64x2 0 0 i8x16.relaxed_swizzle))";
        match Module::new(&wat::parse_str(wat).unwrap()) {
            Err(crate::LoadError::Unsupported { message, .. }) => {
                assert!(message.contains("SIMD"), "{message}")
            }
            other => panic!("relaxed SIMD is not WebAssembly 2.0: {other:?}"),
        }
    }

    #[test]
    fn constant_addresses_and_added_constants_fuse_into_loads_and_stores() {
        // A global of a C program: `i32.const a` + a load or a store (version 9).
        assert_eq!(
            code("i32.const 16 i32.load offset=4"),
            [I32LoadAt { dst: 2, h: 3, mem: 0, addr: 16, offset: 4 }, Return { results: 1 }]
        );
        assert_eq!(
            code(
                "i32.const 8 local.get 1 i32.store16 offset=2 i32.const 16 i32.load8_u local.set 0 local.get 0"
            ),
            [
                I32Store16At { val: 1, h: 2, mem: 0, addr: 8, offset: 2 },
                I32Load8UAt { dst: 0, h: 2, mem: 0, addr: 16, offset: 0 },
                LocalGet { index: 0 },
                Return { results: 1 }
            ]
        );
        // A constant value is not a slot: the stack form.
        assert_eq!(
            code("i32.const 8 i32.const 1 i32.store i32.const 0"),
            [
                I32Const { value: 8 },
                I32Const { value: 1 },
                I32Store { mem: 0, offset: 0 },
                I32Const { value: 0 },
                Return { results: 1 }
            ]
        );
        // A slot plus a constant, then a load: the wrap stays, so one fused step.
        assert_eq!(
            code("local.get 0 i32.const -48 i32.add i32.load offset=8"),
            [I32LoadAddReg { dst: 2, addr: 0, mem: 0, value: -48, offset: 8 }, Return { results: 1 }]
        );
    }

    #[test]
    fn deferred_operands_are_read_where_they_are_consumed() {
        // The address waits as local 0 under the sum; the store reads it there (§2.2).
        assert_eq!(
            code("local.get 0 local.get 1 i32.const 1 i32.add i32.store i32.const 0"),
            [
                I32AddImmReg { dst: 3, lhs: 1, h: 4, value: 1 },
                I32StoreReg { addr: 0, val: 3, h: 2, mem: 0, offset: 0 },
                I32Const { value: 0 },
                Return { results: 1 }
            ]
        );
        // An array element's address is one step.
        assert_eq!(
            code("local.get 1 i32.const 34 i32.shl i32.const 100 i32.add"),
            [I32ShlAddImmReg { dst: 2, lhs: 1, h: 3, value: 100, shift: 2 }, Return { results: 1 }]
        );
        // An element's load at offset 0 is one step too (version 11), an
        // `f64.load` an `I64LoadIdx`; a `local.set` after it writes the local.
        assert_eq!(
            code(
                "local.get 1 i32.const 3 i32.shl i32.const 100 i32.add f64.load i64.reinterpret_f64 i32.wrap_i64"
            ),
            [
                I64LoadIdx { dst: 2, index: 1, h: 3, value: 100, mem: 0, shift: 3 },
                I64ReinterpretF64,
                I32WrapI64,
                Return { results: 1 }
            ]
        );
        assert_eq!(
            code("local.get 1 i32.const 2 i32.shl i32.const 64 i32.add i32.load local.set 0 local.get 0"),
            [
                I32LoadIdx { dst: 0, index: 1, h: 2, value: 64, mem: 0, shift: 2 },
                LocalGet { index: 0 },
                Return { results: 1 }
            ]
        );
        // A local plus a constant, then a byte load: the same, shifted by 0.
        assert_eq!(
            code("local.get 0 i32.const 58 i32.add i32.load8_u"),
            [I32Load8UIdx { dst: 2, index: 0, h: 3, value: 58, mem: 0, shift: 0 }, Return { results: 1 }]
        );
        // A division or remainder by a constant that cannot trap is one step (version 11).
        assert_eq!(
            code("local.get 0 i32.const 24 i32.div_u"),
            [I32DivUImmReg { dst: 2, lhs: 0, h: 3, value: 24 }, Return { results: 1 }]
        );
        assert_eq!(
            code("local.get 1 i32.const 24 i32.rem_s local.set 0 local.get 0"),
            [I32RemSImmReg { dst: 0, lhs: 1, h: 2, value: 24 }, LocalGet { index: 0 }, Return { results: 1 }]
        );
        assert_eq!(
            code("local.get 1 i32.const -7 i32.div_s i32.const 5 i32.rem_u"),
            [
                I32DivSImmReg { dst: 2, lhs: 1, h: 3, value: -7 },
                I32RemUImmReg { dst: 2, lhs: 2, h: 3, value: 5 },
                Return { results: 1 }
            ]
        );
        // By 0 (any of them) or by -1 (`div_s`) it may trap: the stack form.
        for body in ["local.get 0 i32.const 0 i32.div_u", "local.get 0 i32.const -1 i32.div_s"] {
            let ops = code(body);
            assert!(ops.iter().any(|op| matches!(op, I32DivU | I32DivS)), "{body}: {ops:?}");
        }
        // At another offset the wrap between the sum and the offset stays: no index form.
        assert_eq!(
            code("local.get 1 i32.const 2 i32.shl i32.const 100 i32.add i32.load offset=4"),
            [
                I32ShlAddImmReg { dst: 2, lhs: 1, h: 3, value: 100, shift: 2 },
                I32Load { mem: 0, offset: 4 },
                Return { results: 1 }
            ]
        );
        // A local written while a read of it waits: the read is made real first.
        assert_eq!(
            code("local.get 0 i32.const 5 local.set 0 local.get 0 i32.add"),
            [
                LocalGet { index: 0 },
                I32SetConst { dst: 0, value: 5 },
                I32AddReg { dst: 2, lhs: 2, rhs: 0, h: 3 },
                Return { results: 1 }
            ]
        );
    }

    #[test]
    fn eqz_fuses_into_conditional_branches() {
        let ops = code("block local.get 0 i32.eqz br_if 0 end i32.const 3");
        assert_eq!(ops, [BrIfEqzReg { cond: 0, target: 1 }, I32Const { value: 3 }, Return { results: 1 }]);
        // The block's result, deferred under the condition, is written before it (§2.2).
        let ops = code("block (result i32) local.get 1 local.get 0 i32.eqz br_if 0 end drop i32.const 3");
        assert_eq!(
            ops[..2],
            [LocalCopy { dst: 2, src: 1 }, BrIfI32EqImm { lhs: 0, h: 3, value: 0, target: 2 }]
        );
    }
}
