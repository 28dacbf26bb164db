//! `RunTrace` against the plain definition: a machine stepped one step at a
//! time, hashed and proven at every step, padded to the step limit.

use refute_challenger::RunTrace;
use refute_challenger::play::{Recorded, Trace, history_root, posted_layer};
use refute_engine::proof::{Proof, prove_step, verify_step};
use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, Status, Task, Value};
use refute_protocol::rules::B32;

/// A loop that writes memory on every iteration, touches a second page now
/// and then, and returns a value: about 25 steps per iteration.
const PROGRAM: &str = r#"(module
  (memory 2)
  (func (export "main") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    block $out
      loop $l
        local.get $i local.get $n i32.ge_u br_if $out
        local.get $acc local.get $i i32.mul i32.const 7 i32.add local.set $acc
        local.get $i i32.const 4 i32.mul local.get $acc i32.store
        local.get $i i32.const 5 i32.rem_u i32.eqz
        if
          i32.const 70000 local.get $i i32.store
        end
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $acc))
"#;

fn run(n: i32, max_steps: u64) -> Run {
    let module = Module::new(&wat::parse_str(PROGRAM).unwrap()).unwrap();
    let task = Task { max_steps, ..Task::default() };
    Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(n)])).unwrap()
}

/// The reference: roots and encoded proofs at every step up to the final
/// state, by stepping one step at a time with one hasher (as the arbiter's
/// test fixture does). The final state's are last.
fn reference(mut run: Run) -> (Recorded, Status) {
    let mut h = Hasher::new(&run.machine);
    let total = run.max_steps();
    let (mut roots, mut proofs) = (Vec::new(), Vec::new());
    loop {
        let m = &mut run.machine;
        roots.push(B32(h.root(m)));
        proofs.push(prove_step(m, &mut h).unwrap().encode());
        if m.status() != Status::Running || m.steps() == total {
            break;
        }
        let next = m.steps() + 1;
        h.run(m, next);
    }
    // A run cut at its limit ends `OutOfSteps`, which hashes as `Running`.
    let status = run.run_to_end();
    assert_eq!(B32(h.root(&run.machine)), *roots.last().unwrap());
    (Recorded { roots, proofs }, status)
}

fn check_against_reference(trace: &RunTrace, reference: &Recorded) {
    let t = trace.total();
    for s in 0..=t + 3 {
        assert_eq!(trace.root(s), reference.root(s), "root at step {s}");
        assert_eq!(trace.step_proof(s), reference.step_proof(s), "proof at step {s}");
    }
    let all: Vec<u64> = (0..=t).collect();
    let expected: Vec<B32> = all.iter().map(|&s| reference.root(s)).collect();
    assert_eq!(trace.roots(&all), expected);
}

#[test]
fn padded_trace_matches_single_stepping() {
    let (reference, status) = reference(run(40, 10_000));
    assert_eq!(status, Status::Finished);
    let halt = reference.roots.len() as u64 - 1;
    let total = halt + 60;
    for every in [1, 7, 64, 1 << 24] {
        let trace = RunTrace::with_checkpoints(run(40, total), every, 1 << 30).unwrap();
        assert_eq!((trace.halt(), trace.total(), trace.status()), (halt, total, Status::Finished));
        assert_eq!(trace.final_root(), reference.root(halt));
        check_against_reference(&trace, &reference);
    }
}

#[test]
fn trace_cut_at_its_limit_matches_single_stepping() {
    let total = 333;
    let (reference, status) = reference(run(1000, total));
    assert_eq!(status, Status::OutOfSteps);
    assert_eq!(reference.roots.len() as u64, total + 1);
    let trace = RunTrace::with_checkpoints(run(1000, total), 50, 1 << 30).unwrap();
    assert_eq!((trace.halt(), trace.status()), (total, Status::OutOfSteps));
    check_against_reference(&trace, &reference);
}

#[test]
fn proofs_verify_and_step_to_the_next_root() {
    let trace = RunTrace::with_checkpoints(run(30, 1000), 37, 1 << 30).unwrap();
    assert!(trace.halt() < trace.total());
    for s in 0..trace.total() {
        let proof = Proof::decode(&trace.step_proof(s)).unwrap();
        let v = verify_step(&trace.root(s).0, &proof).unwrap_or_else(|e| panic!("step {s}: {e}"));
        assert_eq!(B32(v.post), trace.root(s + 1), "step {s}");
    }
}

#[test]
fn any_order_of_questions_gives_the_same_answers() {
    let (reference, _) = reference(run(60, 100_000));
    let trace = RunTrace::with_checkpoints(run(60, 100_000), 100, 1 << 30).unwrap();
    let halt = trace.halt();
    // Backwards, then a deterministic shuffle, mixing roots and proofs.
    let mut order: Vec<u64> = (0..=halt + 2).rev().collect();
    let mut x = 0x9e37_79b9_u64;
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    for &s in &order {
        if s % 3 == 0 {
            assert_eq!(trace.step_proof(s), reference.step_proof(s), "proof at step {s}");
        }
        assert_eq!(trace.root(s), reference.root(s), "root at step {s}");
    }
    let expected: Vec<B32> = order.iter().map(|&s| reference.root(s)).collect();
    assert_eq!(trace.roots(&order), expected);
}

#[test]
fn increasing_questions_are_one_forward_pass_and_repeats_are_remembered() {
    let trace = RunTrace::with_checkpoints(run(400, 1_000_000), 1000, 1 << 30).unwrap();
    assert!(trace.halt() > 3001, "{}", trace.halt());
    // Within one interval: one restore, and only the steps up to the last point are run.
    let steps: Vec<u64> = (1100..1900).step_by(7).collect();
    let first = trace.roots(&steps);
    let s = trace.stats();
    assert_eq!(s.restores, 1);
    assert_eq!(s.replayed, steps.last().unwrap() - 1000);
    // Across intervals: a restore per interval entered, never running through one.
    let across: Vec<u64> = vec![2100, 2200, 2999, 3000, 3001];
    trace.roots(&across);
    let s2 = trace.stats();
    assert_eq!(s2.restores, 3);
    assert_eq!(s2.replayed - s.replayed, (2999 - 2000) + 1);
    // Asked again: from the memo, nothing re-run.
    assert_eq!(trace.roots(&steps), first);
    let s3 = trace.stats();
    assert_eq!((s3.restores, s3.replayed, s3.memo_hits), (s2.restores, s2.replayed, steps.len() as u64));
}

#[test]
fn a_small_budget_thins_the_checkpoints_and_changes_nothing() {
    let (reference, _) = reference(run(50, 5000));
    let trace = RunTrace::with_checkpoints(run(50, 5000), 4, 1).unwrap();
    assert!(trace.checkpoints().len() <= 2, "{:?}", trace);
    assert!(trace.checkpoints().every() > 4);
    check_against_reference(&trace, &reference);
}

#[test]
fn history_roots_agree_with_the_recorded_trace() {
    let total = 5000;
    let (reference, _) = reference(run(50, total));
    let trace = RunTrace::with_checkpoints(run(50, total), 100, 1 << 30).unwrap();
    for max_leaves in [3, 16, 1024] {
        assert_eq!(history_root(&trace, total, max_leaves), history_root(&reference, total, max_leaves));
    }
}

/// A suspect claim is decided with one engine run: the trace built while
/// checking holds its posted layer's roots, so the history root to post
/// restores no checkpoint and re-executes no step, and it is the
/// reference's (`player::build` asks for exactly this layer).
#[test]
fn the_checking_run_gives_the_posted_commitment_without_another_run() {
    let total = 5000;
    let (reference, _) = reference(run(50, total));
    for max_leaves in [3, 16, 1024] {
        let stride = posted_layer(total, max_leaves).stride();
        let trace =
            RunTrace::build_with_roots(run(50, total), 100, 1 << 30, Some(stride), &mut |_| {}).unwrap();
        check_against_reference(&trace, &reference);
        trace.clear_cache();
        let before = trace.stats();
        assert_eq!(history_root(&trace, total, max_leaves), history_root(&reference, total, max_leaves));
        let s = trace.stats();
        assert_eq!((s.restores, s.replayed), (before.restores, before.replayed), "max_leaves {max_leaves}");
        // Without the roots, the same commitment runs the trace again.
        let plain = RunTrace::with_checkpoints(run(50, total), 100, 1 << 30).unwrap();
        history_root(&plain, total, max_leaves);
        let inside = stride > 0 && stride < trace.halt();
        assert_eq!(plain.stats().replayed > 0, inside, "max_leaves {max_leaves}");
    }
}

#[test]
fn a_trace_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<RunTrace>();
    let trace = RunTrace::with_checkpoints(run(40, 2000), 50, 1 << 30).unwrap();
    let (reference, _) = reference(run(40, 2000));
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let (trace, reference) = (&trace, &reference);
            s.spawn(move || {
                for step in (t..=trace.total()).step_by(3) {
                    assert_eq!(trace.root(step), reference.root(step), "root at step {step}");
                }
            });
        }
    });
}
