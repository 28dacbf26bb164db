//! State roots along runs of table-heavy programs: the incremental hasher
//! against a fresh one and against the from-scratch formulas the hasher
//! used before it was incremental; and what a root costs, in hash calls.

use super::*;
use crate::merkle::{Hash, hashes_counted, root_of};
use crate::{Entry as Invoke, Machine, Module, Run, Status, Task};
use proptest::prelude::*;
use std::fmt::Write as _;

/// The tables', element segments', globals' and frames' roots, and those
/// four directories' roots, computed from whole leaf vectors with
/// `root_of` (every leaf and node hashed), as the hasher did before.
fn from_scratch(m: &Machine, h: &Hasher) -> Vec<(TreeId, Hash)> {
    let s = &m.store;
    let dir = |kind: EntryKind, entries: &[Entry]| {
        let leaves: Vec<_> = entries.iter().map(|e| e.leaf(kind)).collect();
        root_of(&leaves, kind.directory().depth())
    };
    let tables: Vec<Entry> = s
        .tables
        .iter()
        .map(|t| Entry {
            len: t.elems.len() as u32,
            limit: t.limit(),
            root: root_of(&slots_leaves(&t.elems), EntryKind::Table.depth()),
        })
        .collect();
    let elems: Vec<Entry> = s
        .elems
        .iter()
        .map(|e| Entry {
            len: e.len() as u32,
            limit: 0,
            root: root_of(&slots_leaves(e), EntryKind::Elem.depth()),
        })
        .collect();
    let frames: Vec<_> = (0..2 * m.frames.len()).map(|i| frames_leaf(&h.code, m, i)).collect();
    vec![
        (TreeId::Globals, root_of(&slots_leaves(&s.globals), TreeId::Globals.depth())),
        (TreeId::Memories, dir(EntryKind::Memory, &h.entries[EntryKind::Memory as usize])),
        (TreeId::Tables, dir(EntryKind::Table, &tables)),
        (TreeId::Elems, dir(EntryKind::Elem, &elems)),
        (TreeId::Datas, dir(EntryKind::Data, &h.entries[EntryKind::Data as usize])),
        (TreeId::Frames, root_of(&frames, TreeId::Frames.depth())),
    ]
}

/// [`Join`] the other way round: the second piece of work first.
struct Reversed;

impl Join for Reversed {
    fn join<A: Send, B: Send>(&self, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
        let b = b();
        (a(), b)
    }
}

/// The incremental header equals a fresh hasher's (whichever half of the
/// code it hashes first) and the from-scratch roots.
fn check(h: &mut Hasher, m: &Machine) -> Header {
    let header = h.header(m);
    assert_eq!(header, Hasher::new(m).header(m), "a fresh hasher disagrees at step {}", m.steps());
    assert_eq!(
        header,
        Hasher::new_with(m, &Reversed).header(m),
        "joined the other way, at step {}",
        m.steps()
    );
    for (id, root) in from_scratch(m, h) {
        assert_eq!(*header.tree(id), root, "{id:?} at step {}", m.steps());
    }
    header
}

/// A table operation of a generated program. Reference operands are 0 for
/// null and `1..=3` for functions `$f0..$f2`.
#[derive(Clone, Debug)]
enum Op {
    Grow {
        t: u8,
        n: u16,
        v: u8,
    },
    Set {
        t: u8,
        i: u16,
        v: u8,
    },
    Fill {
        t: u8,
        i: u16,
        n: u8,
        v: u8,
    },
    Copy {
        dst: u8,
        src: u8,
        d: u16,
        s: u16,
        n: u8,
    },
    Init {
        t: u8,
        e: u8,
        d: u16,
        s: u8,
        n: u8,
    },
    Drop {
        e: u8,
    },
    Global {
        g: u8,
        v: u64,
    },
    /// Recurse this deep, then set an element of table 0 (frames change).
    Deep {
        depth: u8,
        i: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2u8, 0..1500u16, 0..4u8).prop_map(|(t, n, v)| Op::Grow { t, n, v }),
        4 => (0..2u8, 0..700u16, 0..4u8).prop_map(|(t, i, v)| Op::Set { t, i, v }),
        2 => (0..2u8, 0..600u16, 0..40u8, 0..4u8).prop_map(|(t, i, n, v)| Op::Fill { t, i, n, v }),
        2 => (0..2u8, 0..2u8, 0..600u16, 0..600u16, 0..40u8)
            .prop_map(|(dst, src, d, s, n)| Op::Copy { dst, src, d, s, n }),
        2 => (0..2u8, 0..2u8, 0..600u16, 0..10u8, 0..10u8).prop_map(|(t, e, d, s, n)| Op::Init { t, e, d, s, n }),
        1 => (0..2u8).prop_map(|e| Op::Drop { e }),
        2 => (0..3u8, any::<u64>()).prop_map(|(g, v)| Op::Global { g, v }),
        1 => (0..12u8, 0..600u16).prop_map(|(depth, i)| Op::Deep { depth, i }),
    ]
}

/// A module whose `main` runs `ops`: table 0 starts with 600 elements
/// (more than one 4 KiB page of the tree) and may grow to 3000, table 1
/// starts empty, without a maximum; two passive segments of 20 elements.
/// Indices are taken modulo the sizes the program will have, so that most
/// runs go to their end instead of trapping at the first operation.
fn program(ops: &[Op]) -> String {
    let r = |v: u8| if v == 0 { "(ref.null func)".to_string() } else { format!("(ref.func $f{})", v - 1) };
    let (mut size, limit, mut seg) = ([600usize, 0], [3000usize, 1 << 20], [20usize, 20]);
    let mut body = String::new();
    for op in ops {
        match *op {
            Op::Grow { t, n, v } => {
                if size[t as usize] + n as usize <= limit[t as usize] {
                    size[t as usize] += n as usize;
                }
                write!(body, "(drop (table.grow {t} {} (i32.const {n})))", r(v))
            }
            Op::Set { t, .. } if size[t as usize] == 0 => write!(body, "(nop)"),
            Op::Set { t, i, v } => {
                let i = i as usize % size[t as usize];
                write!(body, "(table.set {t} (i32.const {i}) {})", r(v))
            }
            Op::Fill { t, i, n, v } => {
                let i = i as usize % size[t as usize].max(1);
                let n = (n as usize).min(size[t as usize].saturating_sub(i));
                write!(body, "(table.fill {t} (i32.const {i}) {} (i32.const {n}))", r(v))
            }
            Op::Copy { dst, src, d, s, n } => {
                let (sd, ss) = (size[dst as usize], size[src as usize]);
                let (d, s) = (d as usize % sd.max(1), s as usize % ss.max(1));
                let n = (n as usize).min(sd.saturating_sub(d)).min(ss.saturating_sub(s));
                write!(body, "(table.copy {dst} {src} (i32.const {d}) (i32.const {s}) (i32.const {n}))")
            }
            Op::Init { t, e, d, s, n } => {
                let (size, len) = (size[t as usize], seg[e as usize]);
                let (d, s) = (d as usize % size.max(1), s as usize % (len + 1));
                let n = (n as usize).min(size.saturating_sub(d)).min(len - s);
                write!(body, "(table.init {t} {e} (i32.const {d}) (i32.const {s}) (i32.const {n}))")
            }
            Op::Drop { e } => {
                seg[e as usize] = 0;
                write!(body, "(elem.drop {e})")
            }
            Op::Global { g, v } => write!(body, "(global.set {g} (i64.const {}))", v as i64),
            Op::Deep { depth, i } => {
                write!(body, "(call $deep (i32.const {depth}) (i32.const {}))", i as usize % size[0])
            }
        }
        .unwrap();
        body.push('\n');
    }
    let items =
        (0..20).map(|i| ["(ref.null func)", "(ref.func $f0)", "(ref.func $f1)", "(ref.func $f2)"][i % 4]);
    let items = items.collect::<Vec<_>>().join(" ");
    format!(
        r#"(module
  (func $f0) (func $f1) (func $f2)
  (table 600 3000 funcref)
  (table 0 funcref)
  (global (mut i64) (i64.const 0)) (global (mut i64) (i64.const 7)) (global (mut i64) (i64.const 0))
  (elem funcref {items})
  (elem funcref {items})
  (elem (table 0) (i32.const 510) func $f0 $f1 $f2 $f0)
  (func $deep (param $n i32) (param $i i32)
    (if (local.get $n)
      (then (call $deep (i32.sub (local.get $n) (i32.const 1)) (local.get $i)))
      (else (table.set 0 (local.get $i) (ref.func $f2)))))
  (func (export "main")
{body}))"#
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random table programs: after every stride of steps, the incremental
    /// root is a fresh one's and the from-scratch formulas'. (Proofs over
    /// the same trees: `engine/tests/proofs.rs`, `table_programs_verify`.)
    #[test]
    fn incremental_roots_match_from_scratch(
        ops in prop::collection::vec(op(), 1..30),
        strides in prop::collection::vec(1..40u64, 1..20),
    ) {
        let module = Module::new(&wat::parse_str(program(&ops)).unwrap()).unwrap();
        let task = Task { max_steps: 20_000, ..Task::default() };
        let mut run = Run::new(&module, &task, &Invoke::Invoke("main".into(), Vec::new())).unwrap();
        let m = &mut run.machine;
        let mut h = Hasher::new(m);
        check(&mut h, m);
        // A hasher renewed at each state, from the one of the state before
        // (as a player restoring a checkpoint): the same header.
        let mut renewed = Some(Hasher::new(m));
        for stride in strides.iter().cycle() {
            if m.status() != Status::Running {
                break;
            }
            h.run(m, m.steps() + stride);
            let header = check(&mut h, m);
            let mut r = renewed.take().unwrap().renew(m);
            prop_assert_eq!(r.header(m), header, "a renewed hasher disagrees at step {}", m.steps());
            renewed = Some(r);
        }
    }
}

/// The review's module (security review finding 3, A.3): 128 `funcref`
/// tables of 2^20 null elements, and `_start` returning at once.
fn tables128() -> Run {
    let mut wat = String::from("(module\n");
    for _ in 0..128 {
        wat.push_str("  (table 1048576 funcref)\n");
    }
    wat.push_str("  (func (export \"_start\")))");
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let run = Run::new(&module, &Task::default(), &Invoke::Start).unwrap();
    assert_eq!(check_limits(&run.machine.store), Ok(()));
    run
}

/// Hash calls `f` makes on this thread.
fn hashes(f: impl FnOnce()) -> u64 {
    let before = hashes_counted();
    f();
    hashes_counted() - before
}

/// A fresh root of the review's module hashed every leaf and node of 128
/// trees: 2^18 leaves and 2^18 - 1 nodes each, 6.7·10^7 in all. Null
/// subtrees now cost nothing: what is left is the directory (a leaf and
/// an entry hash per table, its nodes), the other trees' few non-zero
/// leaves, and the header.
#[test]
fn review_module_root_costs_no_table_hashes() {
    let run = tables128();
    let n = hashes(|| {
        state_root(&run.machine);
    });
    assert!(n < 1_000, "{n} hash calls for the initial root");
}

/// The same state reached at run time, one `table.grow` step per table, a
/// root after every step; then one `table.set` per step into a full table.
#[test]
fn roots_along_grows_and_sets_cost_what_changed() {
    let mut run = {
        let mut wat = String::from("(module\n");
        for _ in 0..128 {
            wat.push_str("  (table 0 funcref)\n");
        }
        wat.push_str("  (func $f)\n  (elem declare func $f)\n  (func (export \"_start\")\n");
        for t in 0..128 {
            writeln!(wat, "    (drop (table.grow {t} (ref.null func) (i32.const 1048576)))").unwrap();
        }
        for i in 0..64 {
            writeln!(wat, "    (table.set 5 (i32.const {}) (ref.func $f))", i * 16411).unwrap();
        }
        wat.push_str("))");
        let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
        Run::new(&module, &Task::default(), &Invoke::Start).unwrap()
    };
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    h.root(m);
    let mut most = 0;
    while m.status() == Status::Running {
        let at = m.steps();
        h.run(m, at + 1);
        let op = m.store.code.get(m.regs.pc as usize).copied();
        let n = hashes(|| {
            h.root(m);
        });
        most = most.max(n);
        // At most one changed table page (at most 255 hashes; one element
        // is 8), its path to the table's root (11), the entry and its
        // directory path (2 + 7), the stack's written pages, the header.
        assert!(n < 1_000, "{n} hash calls for the root after step {at} (next {op:?})");
    }
    assert_eq!(m.status(), Status::Finished);
    assert!(m.store.tables.iter().all(|t| t.elems.len() == 1 << 20));
    assert_eq!(h.root(m), state_root(m));
    eprintln!("most hash calls for one root: {most}");
}
