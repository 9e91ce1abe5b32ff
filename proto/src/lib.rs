//! Cairn's wire and storage formats, generated from the `.proto` files beside this crate.
//!
//! - [`v1`]: the public gRPC API (`cairn.v1`).
//! - [`raft`]: node-to-node Raft traffic (`cairn.raft.v1`).
//! - [`storage`]: what the Raft log and RocksDB tables hold (`cairn.storage.v1`).
//! - [`cluster`]: node-to-node commands, reads and administration (`cairn.cluster.v1`).

/// Generated code, nested as the proto packages are so cross-package references resolve.
#[allow(clippy::all, clippy::pedantic, missing_docs, rust_2018_idioms)]
mod generated {
    pub mod cairn {
        pub mod v1 {
            tonic::include_proto!("cairn.v1");
        }
        pub mod storage {
            pub mod v1 {
                tonic::include_proto!("cairn.storage.v1");
            }
        }
        pub mod raft {
            pub mod v1 {
                tonic::include_proto!("cairn.raft.v1");
            }
        }
        pub mod cluster {
            pub mod v1 {
                tonic::include_proto!("cairn.cluster.v1");
            }
        }
    }
}

pub use generated::cairn::cluster::v1 as cluster;
pub use generated::cairn::raft::v1 as raft;
pub use generated::cairn::storage::v1 as storage;
pub use generated::cairn::v1;

/// The encoded descriptor set of every file, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("cairn_descriptor");
