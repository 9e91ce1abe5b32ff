//! Conversions between openraft types and their stored (prost) forms.
//!
//! The Raft log, the vote and the membership are stored and sent as `cairn.storage.v1`
//! messages, never as serde JSON: the format is versioned by the .proto file, and a field
//! added later is skipped by an older reader instead of failing it.

use std::collections::{BTreeMap, BTreeSet};

use cairn_proto::storage as proto;
use openraft::{BasicNode, CommittedLeaderId, EntryPayload};

use super::TypeConfig;
use crate::ids::NodeId;

pub type LogId = openraft::LogId<NodeId>;
pub type Vote = openraft::Vote<NodeId>;
pub type Membership = openraft::Membership<NodeId, BasicNode>;
pub type StoredMembership = openraft::StoredMembership<NodeId, BasicNode>;
pub type Entry = openraft::Entry<TypeConfig>;
pub type SnapshotMeta = openraft::SnapshotMeta<NodeId, BasicNode>;

/// A stored or received message that lacks what its openraft form requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{message} has no {field}")]
    Missing {
        message: &'static str,
        field: &'static str,
    },
}

pub fn log_id_to_proto(log_id: &LogId) -> proto::LogId {
    proto::LogId {
        term: log_id.leader_id.term,
        leader_node_id: log_id.leader_id.node_id,
        index: log_id.index,
    }
}

pub fn log_id_from_proto(log_id: &proto::LogId) -> LogId {
    LogId::new(
        CommittedLeaderId::new(log_id.term, log_id.leader_node_id),
        log_id.index,
    )
}

pub fn vote_to_proto(vote: &Vote) -> proto::Vote {
    proto::Vote {
        term: vote.leader_id.term,
        node_id: vote.leader_id.node_id,
        committed: vote.committed,
    }
}

pub fn vote_from_proto(vote: &proto::Vote) -> Vote {
    if vote.committed {
        Vote::new_committed(vote.term, vote.node_id)
    } else {
        Vote::new(vote.term, vote.node_id)
    }
}

/// Voter sets in order (joint consensus has two) and every node, voter or learner, with its
/// address: a node in `nodes` but in no voter set is a learner.
pub fn membership_to_proto(membership: &Membership) -> proto::Membership {
    proto::Membership {
        configs: membership
            .get_joint_config()
            .iter()
            .map(|voters| proto::VoterSet {
                voters: voters.iter().copied().collect(),
            })
            .collect(),
        nodes: membership
            .nodes()
            .map(|(id, node)| proto::MemberNode {
                node_id: *id,
                address: node.addr.clone(),
            })
            .collect(),
    }
}

pub fn membership_from_proto(membership: &proto::Membership) -> Membership {
    let configs: Vec<BTreeSet<NodeId>> = membership
        .configs
        .iter()
        .map(|set| set.voters.iter().copied().collect())
        .collect();
    let nodes: BTreeMap<NodeId, BasicNode> = membership
        .nodes
        .iter()
        .map(|node| {
            (
                node.node_id,
                BasicNode {
                    addr: node.address.clone(),
                },
            )
        })
        .collect();
    Membership::new(configs, nodes)
}

pub fn stored_membership_to_proto(stored: &StoredMembership) -> proto::StoredMembership {
    proto::StoredMembership {
        log_id: stored.log_id().as_ref().map(log_id_to_proto),
        membership: Some(membership_to_proto(stored.membership())),
    }
}

/// An absent membership is the empty one, as in a fresh state machine.
pub fn stored_membership_from_proto(stored: &proto::StoredMembership) -> StoredMembership {
    StoredMembership::new(
        stored.log_id.as_ref().map(log_id_from_proto),
        stored
            .membership
            .as_ref()
            .map(membership_from_proto)
            .unwrap_or_default(),
    )
}

/// Takes the entry by value: the proposal moves into the message without a copy.
pub fn entry_to_proto(entry: Entry) -> proto::LogEntry {
    let payload = match entry.payload {
        EntryPayload::Blank => proto::log_entry::Payload::Blank(proto::Blank {}),
        EntryPayload::Normal(proposal) => proto::log_entry::Payload::Normal(proposal),
        EntryPayload::Membership(membership) => {
            proto::log_entry::Payload::Membership(membership_to_proto(&membership))
        }
    };
    proto::LogEntry {
        log_id: Some(log_id_to_proto(&entry.log_id)),
        payload: Some(payload),
    }
}

pub fn entry_from_proto(entry: proto::LogEntry) -> Result<Entry, Error> {
    let log_id = entry.log_id.as_ref().ok_or(Error::Missing {
        message: "LogEntry",
        field: "log_id",
    })?;
    let payload = match entry.payload.ok_or(Error::Missing {
        message: "LogEntry",
        field: "payload",
    })? {
        proto::log_entry::Payload::Blank(_) => EntryPayload::Blank,
        proto::log_entry::Payload::Normal(proposal) => EntryPayload::Normal(proposal),
        proto::log_entry::Payload::Membership(membership) => {
            EntryPayload::Membership(membership_from_proto(&membership))
        }
    };
    Ok(Entry {
        log_id: log_id_from_proto(log_id),
        payload,
    })
}

/// The Raft transport's form of a snapshot's meta.
pub fn snapshot_meta_to_proto(meta: &SnapshotMeta) -> cairn_proto::raft::SnapshotMeta {
    cairn_proto::raft::SnapshotMeta {
        last_log_id: meta.last_log_id.as_ref().map(log_id_to_proto),
        last_membership: Some(stored_membership_to_proto(&meta.last_membership)),
        snapshot_id: meta.snapshot_id.clone(),
    }
}

pub fn snapshot_meta_from_proto(meta: &cairn_proto::raft::SnapshotMeta) -> SnapshotMeta {
    SnapshotMeta {
        last_log_id: meta.last_log_id.as_ref().map(log_id_from_proto),
        last_membership: meta
            .last_membership
            .as_ref()
            .map(stored_membership_from_proto)
            .unwrap_or_default(),
        snapshot_id: meta.snapshot_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use cairn_proto::storage::{Command, Proposal};
    use prost::Message;

    use super::*;

    fn log_id(term: u64, node: u64, index: u64) -> LogId {
        LogId::new(CommittedLeaderId::new(term, node), index)
    }

    fn must_round_trip(entry: Entry) {
        let bytes = entry_to_proto(entry.clone()).encode_to_vec();
        let decoded = proto::LogEntry::decode(bytes.as_slice()).expect("own encoding decodes");
        assert_eq!(
            entry_from_proto(decoded).expect("own encoding converts"),
            entry
        );
    }

    #[test]
    fn entries_round_trip_through_bytes() {
        must_round_trip(Entry {
            log_id: log_id(3, 2, 9),
            payload: EntryPayload::Blank,
        });
        let proposal = Proposal {
            commands: vec![Command::default(), Command::default()],
        };
        must_round_trip(Entry {
            log_id: log_id(1, 1, 1),
            payload: EntryPayload::Normal(proposal),
        });
        let joint = Membership::new(
            vec![BTreeSet::from([1, 2, 3]), BTreeSet::from([3, 4])],
            BTreeMap::from([
                (1, BasicNode::new("a:1")),
                (2, BasicNode::new("b:1")),
                (3, BasicNode::new("c:1")),
                (4, BasicNode::new("d:1")),
                (9, BasicNode::new("learner:1")),
            ]),
        );
        must_round_trip(Entry {
            log_id: log_id(4, 1, 10),
            payload: EntryPayload::Membership(joint),
        });
    }

    #[test]
    fn votes_keep_their_committed_flag() {
        for vote in [Vote::new(5, 2), Vote::new_committed(5, 2), Vote::default()] {
            assert_eq!(vote_from_proto(&vote_to_proto(&vote)), vote);
        }
    }

    #[test]
    fn memberships_round_trip_including_the_empty_one() {
        let stored = StoredMembership::new(
            Some(log_id(1, 0, 3)),
            Membership::new(vec![BTreeSet::from([1, 2])], ()),
        );
        assert_eq!(
            stored_membership_from_proto(&stored_membership_to_proto(&stored)),
            stored
        );
        let empty = StoredMembership::default();
        assert_eq!(
            stored_membership_from_proto(&stored_membership_to_proto(&empty)),
            empty
        );
        assert_eq!(
            stored_membership_from_proto(&proto::StoredMembership::default()),
            empty
        );
    }

    #[test]
    fn snapshot_meta_round_trips() {
        let meta = SnapshotMeta {
            last_log_id: Some(log_id(2, 1, 8)),
            last_membership: StoredMembership::new(
                Some(log_id(1, 1, 2)),
                Membership::new(vec![BTreeSet::from([1])], ()),
            ),
            snapshot_id: "2-1-8".to_owned(),
        };
        assert_eq!(
            snapshot_meta_from_proto(&snapshot_meta_to_proto(&meta)),
            meta
        );
    }

    #[test]
    fn entries_without_log_id_or_payload_are_refused() {
        assert_eq!(
            entry_from_proto(proto::LogEntry {
                log_id: None,
                payload: Some(proto::log_entry::Payload::Blank(proto::Blank {}))
            }),
            Err(Error::Missing {
                message: "LogEntry",
                field: "log_id"
            })
        );
        assert_eq!(
            entry_from_proto(proto::LogEntry {
                log_id: Some(proto::LogId::default()),
                payload: None
            }),
            Err(Error::Missing {
                message: "LogEntry",
                field: "payload"
            })
        );
    }
}
