//! Where shard replicas live and which node should lead each shard.
//!
//! At bootstrap, shard `i` gets `R` consecutive members (by id) starting at member `i mod N`,
//! so replicas and preferred leaders spread evenly. Later membership changes move as few
//! replicas as they can ([`replace`], [`add_node`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{NodeId, ShardId};

/// The voters of `shard` at bootstrap: `r` consecutive members from `shard mod N`.
pub fn initial_replicas(shard: ShardId, members: &[NodeId], r: u32) -> Vec<NodeId> {
    let mut sorted = members.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.is_empty() {
        return Vec::new();
    }
    let count = (r as usize).min(sorted.len());
    let start = shard.0 as usize % sorted.len();
    (0..count)
        .map(|k| sorted[(start + k) % sorted.len()])
        .collect()
}

/// The node that should lead a shard with these voters: spreads leadership evenly across
/// nodes (the voter at position `shard mod len` of the sorted voters).
pub fn preferred_leader(shard: ShardId, voters: &BTreeSet<NodeId>) -> Option<NodeId> {
    let sorted: Vec<NodeId> = voters.iter().copied().collect();
    (!sorted.is_empty()).then(|| sorted[shard.0 as usize % sorted.len()])
}

/// How many replicas each node holds.
pub fn loads(
    assignment: &BTreeMap<ShardId, BTreeSet<NodeId>>,
    nodes: &BTreeSet<NodeId>,
) -> BTreeMap<NodeId, usize> {
    let mut loads: BTreeMap<NodeId, usize> = nodes.iter().map(|n| (*n, 0)).collect();
    for voters in assignment.values() {
        for v in voters {
            *loads.entry(*v).or_default() += 1;
        }
    }
    loads
}

/// New voter sets after `node` joins: it takes over replicas from the most loaded nodes until
/// it holds its fair share. Only shards whose voters change are returned.
pub fn add_node(
    assignment: &BTreeMap<ShardId, BTreeSet<NodeId>>,
    nodes: &BTreeSet<NodeId>,
    node: NodeId,
    r: u32,
) -> BTreeMap<ShardId, BTreeSet<NodeId>> {
    let mut all = nodes.clone();
    all.insert(node);
    let mut current = assignment.clone();
    let total: usize = current.values().map(BTreeSet::len).sum();
    let fair = total.div_ceil(all.len());
    let mut changed = BTreeMap::new();
    let shards: Vec<ShardId> = current.keys().copied().collect();
    // Shards with fewer voters than `r` take the new node first, then the busiest nodes give
    // up replicas, one shard at a time, spreading over shards.
    for shard in &shards {
        let voters = current.get_mut(shard).expect("listed above");
        if voters.len() < r as usize && !voters.contains(&node) {
            voters.insert(node);
            changed.insert(*shard, voters.clone());
        }
    }
    for shard in shards {
        let load = loads(&current, &all);
        if load.get(&node).copied().unwrap_or(0) >= fair {
            break;
        }
        let voters = current.get_mut(&shard).expect("listed above");
        if voters.contains(&node) {
            continue;
        }
        let Some(busiest) = voters
            .iter()
            .copied()
            .max_by_key(|v| (load.get(v).copied().unwrap_or(0), *v))
        else {
            continue;
        };
        if load.get(&busiest).copied().unwrap_or(0) <= fair {
            continue;
        }
        voters.remove(&busiest);
        voters.insert(node);
        changed.insert(shard, voters.clone());
    }
    changed
}

/// New voter sets after `node` leaves: each of its replicas moves to the least loaded node
/// that does not hold one of that shard yet (or the shard keeps fewer voters when no node is
/// left to take it).
pub fn remove_node(
    assignment: &BTreeMap<ShardId, BTreeSet<NodeId>>,
    nodes: &BTreeSet<NodeId>,
    node: NodeId,
) -> BTreeMap<ShardId, BTreeSet<NodeId>> {
    let mut remaining = nodes.clone();
    remaining.remove(&node);
    let mut current = assignment.clone();
    let mut changed = BTreeMap::new();
    let shards: Vec<ShardId> = current.keys().copied().collect();
    for shard in shards {
        if !current[&shard].contains(&node) {
            continue;
        }
        let load = loads(&current, &remaining);
        let voters = current.get_mut(&shard).expect("listed above");
        voters.remove(&node);
        let replacement = remaining
            .iter()
            .copied()
            .filter(|n| !voters.contains(n))
            .min_by_key(|n| (load.get(n).copied().unwrap_or(0), *n));
        if let Some(replacement) = replacement {
            voters.insert(replacement);
        }
        changed.insert(shard, voters.clone());
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[u64]) -> BTreeSet<NodeId> {
        ids.iter().copied().collect()
    }

    #[test]
    fn bootstrap_spreads_replicas_and_leaders() {
        let members = [1, 2, 3];
        let mut leaders = BTreeMap::<u64, usize>::new();
        for shard in 0..16 {
            let replicas = initial_replicas(ShardId(shard), &members, 3);
            assert_eq!(replicas.len(), 3);
            *leaders
                .entry(
                    preferred_leader(ShardId(shard), &replicas.iter().copied().collect()).unwrap(),
                )
                .or_default() += 1;
        }
        assert!(leaders.values().all(|n| (5..=6).contains(n)), "{leaders:?}");
        assert_eq!(initial_replicas(ShardId(5), &[7], 3), vec![7]);
        assert_eq!(initial_replicas(ShardId(1), &[3, 1, 2, 4], 2), vec![2, 3]);
    }

    #[test]
    fn adding_a_node_moves_a_fair_share_and_removing_puts_it_back() {
        let nodes = set(&[1, 2, 3]);
        let assignment: BTreeMap<ShardId, BTreeSet<NodeId>> = (0..16)
            .map(|s| {
                (
                    ShardId(s),
                    initial_replicas(ShardId(s), &[1, 2, 3], 3)
                        .into_iter()
                        .collect(),
                )
            })
            .collect();
        let changes = add_node(&assignment, &nodes, 4, 3);
        let mut after = assignment.clone();
        after.extend(changes.clone());
        let load = loads(&after, &set(&[1, 2, 3, 4]));
        assert_eq!(load[&4], 12, "{load:?}");
        assert!(load.values().all(|n| *n == 12), "{load:?}");
        assert!(after.values().all(|v| v.len() == 3));
        let back = remove_node(&after, &set(&[1, 2, 3, 4]), 4);
        let mut restored = after.clone();
        restored.extend(back);
        assert!(restored.values().all(|v| v.len() == 3 && !v.contains(&4)));
    }

    #[test]
    fn removing_from_a_small_cluster_shrinks_voter_sets() {
        let assignment: BTreeMap<ShardId, BTreeSet<NodeId>> =
            (0..4).map(|s| (ShardId(s), set(&[1, 2]))).collect();
        let changes = remove_node(&assignment, &set(&[1, 2]), 2);
        assert!(changes.values().all(|v| *v == set(&[1])));
    }
}
