//! The gRPC API (`cairn.v1`): thin services that validate requests, route them through the
//! [`Router`](crate::shard::Router) and map results and errors to the wire.

mod activities;
mod cluster;
mod error;
mod executions;
mod express;
mod paging;
mod state_machines;

use std::sync::Arc;

use cairn_proto::v1::Timestamp;

pub use activities::ActivitiesService;
pub use cluster::ClusterService;
pub use error::{ERROR_NAME_METADATA, status};
pub use executions::ExecutionsService;
pub use state_machines::StateMachinesService;

use crate::clock::Clock;
use crate::config::NodeOptions;
use crate::shard::{Deps, Router};

/// What every service needs.
#[derive(Clone)]
pub struct Context {
    pub router: Router,
    pub deps: Arc<Deps>,
    pub options: Arc<NodeOptions>,
    pub clock: Arc<dyn Clock>,
    pub express: crate::express::Handle,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").finish_non_exhaustive()
    }
}

pub(crate) fn timestamp(millis: i64) -> Option<Timestamp> {
    Some(Timestamp {
        epoch_millis: millis,
    })
}

/// Page sizes: 1–1000, 0 meaning the default of 100 (as AWS).
pub(crate) fn page_size(max_results: u32) -> usize {
    match max_results {
        0 => 100,
        n => n.min(1000) as usize,
    }
}
