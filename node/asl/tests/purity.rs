//! The ASL core stays pure: no async runtime, storage, RPC or consensus crate may enter its
//! dependency tree (DESIGN §1, invariant 5). Clock and RNG reads inside the crate are banned by
//! its clippy.toml.

use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "tokio",
    "rocksdb",
    "librocksdb-sys",
    "tonic",
    "prost",
    "openraft",
    "hyper",
    "mio",
    "rand",
    "getrandom",
];

#[test]
fn asl_dependency_tree_has_no_runtime_storage_rpc_or_consensus_crates() {
    // The cargo that builds this test, so the tree is read with the same toolchain.
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let output = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "tree", "-p", "asl", "--edges", "normal", "--prefix", "none", "--format", "{p}",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).expect("cargo tree prints UTF-8");
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(
        crates.contains(&"asl"),
        "unexpected cargo tree output:\n{tree}"
    );
    let found: Vec<&&str> = FORBIDDEN
        .iter()
        .filter(|name| crates.contains(name))
        .collect();
    assert!(
        found.is_empty(),
        "asl depends on {found:?}; the core must stay pure:\n{tree}"
    );
}
