//! The spec suite's invocations on the engine (`tests/spec/testsuite`): each
//! module that imports nothing instantiated in a fresh machine, and each
//! `invoke`, `assert_return` and `assert_trap` of one of its exported
//! functions handed to the caller with the machine, ready to run. What the
//! proof tests (`tests/proofs.rs`) and the chain tests (`tests/chain.rs`)
//! walk. Included with `#[path = "common/spec_walk.rs"]`.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::path::PathBuf;

use refute_engine::{Extern, HostState, Machine, Module, Value};
use wast::core::WastArgCore;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke};

/// The suite's files whose names `keep` accepts, sorted.
pub fn spec_files(keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
            .join("tests/spec/testsuite");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| keep(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    files
}

/// One invocation: where it is, the machine of its module, the function, and
/// its arguments (`None` when one is not a number or a vector).
pub struct Invocation<'a> {
    /// The file's name.
    pub name: &'a str,
    /// The directive's line.
    pub line: usize,
    /// The machine of the latest module, its state left by earlier invocations.
    pub machine: &'a mut Machine,
    /// The function's address.
    pub func: u32,
    /// The arguments.
    pub args: Option<Vec<Value>>,
}

/// Calls `each` with every invocation of an exported function of a module
/// that imports nothing, in the order of `files`.
pub fn for_each_invocation(files: &[PathBuf], mut each: impl FnMut(Invocation<'_>)) {
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        let buf = wast::parser::ParseBuffer::new(&text).unwrap();
        let wast = wast::parser::parse::<Wast>(&buf).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // The machine of the latest module, and its exports.
        let mut current: Option<(Machine, HashMap<String, Extern>)> = None;
        for d in wast.directives {
            let (inv, line): (WastInvoke<'_>, _) = match d {
                WastDirective::Module(QuoteWat::Wat(mut wat)) => {
                    current = None;
                    let Ok(module) = Module::new(&wat.encode().unwrap()) else { continue };
                    let mut m = Machine::new(HostState::default());
                    let Ok((id, None)) = m.store.instantiate(&module, |_| None) else { continue };
                    let exports = m.store.instance(id).exports.clone();
                    current = Some((m, exports));
                    continue;
                }
                WastDirective::AssertReturn { exec: WastExecute::Invoke(inv), span, .. }
                | WastDirective::AssertTrap { exec: WastExecute::Invoke(inv), span, .. } => {
                    (inv, span.linecol_in(&text).0 + 1)
                }
                WastDirective::Invoke(inv) => {
                    let line = inv.span.linecol_in(&text).0 + 1;
                    (inv, line)
                }
                _ => continue,
            };
            let Some((m, exports)) = current.as_mut() else { continue };
            let Some(Extern::Func(func)) = exports.get(inv.name).copied() else { continue };
            let args = inv
                .args
                .iter()
                .map(|a| match a {
                    WastArg::Core(WastArgCore::I32(v)) => Some(Value::I32(*v)),
                    WastArg::Core(WastArgCore::I64(v)) => Some(Value::I64(*v)),
                    WastArg::Core(WastArgCore::F32(v)) => Some(Value::F32(v.bits)),
                    WastArg::Core(WastArgCore::F64(v)) => Some(Value::F64(v.bits)),
                    WastArg::Core(WastArgCore::V128(v)) => {
                        Some(Value::V128(u128::from_le_bytes(v.to_le_bytes())))
                    }
                    _ => None,
                })
                .collect();
            each(Invocation { name: &name, line, machine: m, func, args });
        }
    }
}
