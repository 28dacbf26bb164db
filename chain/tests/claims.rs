//! The chain mode's claim-time check (`refute_chain::check_module`): a
//! module whose every reachable step verifies on chain is accepted, one that
//! can reach a step not on chain (a host call) is refused with the reason,
//! and the check agrees with the contract on an actual step.

use refute_chain::evm::{Evm, Outcome};
use refute_chain::{HOST_CALL, NotOnChain, check_module};
use refute_engine::proof::prove_step;
use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, Status, Task};

fn module(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).unwrap()).unwrap()
}

#[test]
fn a_module_without_host_imports_is_accepted_and_one_with_them_refused() {
    let pure =
        module(r#"(module (memory 1) (func (export "f") (result i32) i32.const 7 f32.const 1.5 drop))"#);
    assert_eq!(check_module(&pure), Ok(()));
    let wasi = r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1) (func (export "_start") i32.const 3 call $exit))"#;
    let m = module(wasi);
    let err = check_module(&m).unwrap_err();
    assert_eq!(
        err,
        NotOnChain::HostFunction { module: "wasi_snapshot_preview1".into(), name: "proc_exit".into() }
    );
    assert!(err.to_string().contains("host calls are not verified on chain yet"), "{err}");
    // The contract indeed refuses that step as not on chain: `Unsupported(HOST_CALL + id)`.
    let task = Task { max_steps: 100, ..Task::default() };
    let mut run = Run::new(&m, &task, &Entry::Start).unwrap();
    let mut h = Hasher::new(&run.machine);
    let mut evm = Evm::new().unwrap();
    let mut refused_host_call = false;
    while run.machine.status() == Status::Running {
        let pre = h.root(&run.machine);
        let proof = prove_step(&run.machine, &mut h).unwrap();
        if let Outcome::Unsupported(code) = evm.verify_step(&pre, &proof.encode()).unwrap().outcome {
            assert!(code >= HOST_CALL, "only the host call is not on chain, not {code:#x}");
            refused_host_call = true;
        }
        let next = run.machine.steps() + 1;
        h.run(&mut run.machine, next);
    }
    assert!(refused_host_call);
}
