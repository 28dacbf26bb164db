//! The committed `contracts/src/generated/Spec.sol` is exactly what the
//! engine's definitions generate (`REFUTE_BLESS=1` rewrites it).

#[test]
fn the_generated_solidity_tables_match_the_engine() {
    let root = manifest_dir().join("..");
    let path = root.join(refute_chain::tables::SPEC_SOL);
    let want = refute_chain::tables::spec_sol();
    if std::env::var_os("REFUTE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "{} is not what the engine generates: run `REFUTE_BLESS=1 cargo test -p refute-chain --test tables` and commit it",
        path.display()
    );
    // Every opcode constant name is unique.
    let names: Vec<&str> =
        want.lines().filter_map(|l| l.trim().strip_prefix("uint16 internal constant OP_")).collect();
    let mut unique: Vec<&str> = names.iter().map(|l| l.split(' ').next().unwrap()).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
