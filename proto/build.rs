//! Compiles the .proto files with protox (pure Rust, no `protoc` needed).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "cairn/v1/common.proto",
        "cairn/v1/state_machines.proto",
        "cairn/v1/executions.proto",
        "cairn/v1/activities.proto",
        "cairn/v1/cluster.proto",
        "cairn/storage/v1/storage.proto",
        "cairn/raft/v1/raft.proto",
        "cairn/cluster/v1/internal.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["."])?;
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("cairn_descriptor.bin");
    std::fs::write(
        &descriptor_path,
        prost::Message::encode_to_vec(&descriptors),
    )?;
    tonic_prost_build::configure()
        .file_descriptor_set_path(&descriptor_path)
        .skip_protoc_run()
        .compile_fds(descriptors)?;
    Ok(())
}
