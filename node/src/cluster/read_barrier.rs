//! Linearizable reads that share their leadership confirmations.
//!
//! A read is linearizable once the leader has confirmed with a quorum, in a round that began
//! after the read arrived, that it still leads, and has applied everything committed when
//! that round began (openraft's `ensure_linearizable`). openraft sends a heartbeat to every
//! follower for each call, so a Describe per execution at thousands per second would cost
//! two RPCs per read on a three-node cluster.
//!
//! Reads therefore go through one barrier per shard. At most one round runs at a time; a read
//! that arrives while one runs waits for the next, which starts as soon as the running one
//! ends and serves every read that arrived meanwhile. Each read is answered by a round that
//! started after it arrived, so it sees every write acknowledged before it was sent, and a
//! shard does at most one confirmation per quorum round trip however many reads it serves.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use openraft::Raft;
use openraft::error::{CheckIsLeaderError, RaftError};
use tokio::sync::watch;

use crate::ids::NodeId;
use crate::raft::TypeConfig;

/// Why a round could not confirm the leadership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Another node leads, or this one is no longer sure (`leader` if known).
    NotLeader { leader: Option<NodeId> },
    /// The followers did not answer in time: this node may be cut off.
    NoQuorum,
    /// The Raft group stopped.
    Stopped(String),
}

#[derive(Debug, Clone)]
struct Completed {
    round: u64,
    outcome: Result<(), Refusal>,
}

#[derive(Debug, Default)]
struct Rounds {
    /// The number of the newest round started (0: none yet).
    started: u64,
    running: bool,
    /// A read waits for round `started + 1`: start it when the running one ends.
    next_wanted: bool,
}

/// One round of confirming the leadership: the Raft group, or a stand-in in tests.
pub trait Confirm: Send + Sync + 'static {
    fn confirm(&self) -> impl Future<Output = Result<(), Refusal>> + Send;
}

impl Confirm for Raft<TypeConfig> {
    async fn confirm(&self) -> Result<(), Refusal> {
        match self.ensure_linearizable().await {
            Ok(_) => Ok(()),
            Err(RaftError::APIError(CheckIsLeaderError::ForwardToLeader(forward))) => {
                Err(Refusal::NotLeader {
                    leader: forward.leader_id,
                })
            }
            Err(RaftError::APIError(CheckIsLeaderError::QuorumNotEnough(_))) => {
                Err(Refusal::NoQuorum)
            }
            Err(RaftError::Fatal(fatal)) => Err(Refusal::Stopped(fatal.to_string())),
        }
    }
}

/// One shard's barrier; clones share it.
pub struct ReadBarrier<C: Confirm = Raft<TypeConfig>> {
    inner: Arc<Inner<C>>,
}

impl<C: Confirm> Clone for ReadBarrier<C> {
    fn clone(&self) -> Self {
        ReadBarrier {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<C> {
    confirmer: C,
    rounds: Mutex<Rounds>,
    completed: watch::Sender<Completed>,
}

impl<C: Confirm> ReadBarrier<C> {
    pub fn new(confirmer: C) -> ReadBarrier<C> {
        let (completed, _) = watch::channel(Completed {
            round: 0,
            outcome: Ok(()),
        });
        ReadBarrier {
            inner: Arc::new(Inner {
                confirmer,
                rounds: Mutex::new(Rounds::default()),
                completed,
            }),
        }
    }

    /// Returns once a read arriving now may run on this node's state: a confirmation round
    /// that started after this call has succeeded, or the refusal of that round.
    pub async fn confirm(&self) -> Result<(), Refusal> {
        // Subscribed before the round is chosen, so its completion cannot be missed.
        let mut completed = self.inner.completed.subscribe();
        let target = {
            let mut rounds = self
                .inner
                .rounds
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if rounds.running {
                rounds.next_wanted = true;
                rounds.started + 1
            } else {
                rounds.running = true;
                rounds.started += 1;
                tokio::spawn(Arc::clone(&self.inner).run_rounds(rounds.started));
                rounds.started
            }
        };
        loop {
            {
                // A later round also started after this read arrived, so its outcome serves.
                let latest = completed.borrow_and_update();
                if latest.round >= target {
                    return latest.outcome.clone();
                }
            }
            if completed.changed().await.is_err() {
                return Err(Refusal::Stopped("the shard is shutting down".to_owned()));
            }
        }
    }
}

impl<C: Confirm> Inner<C> {
    /// Runs round `round`, and the next one for as long as reads keep arriving during a round.
    async fn run_rounds(self: Arc<Self>, mut round: u64) {
        loop {
            let outcome = self.confirmer.confirm().await;
            let next = {
                let mut rounds = self.rounds.lock().unwrap_or_else(PoisonError::into_inner);
                if rounds.next_wanted {
                    rounds.next_wanted = false;
                    rounds.started = round + 1;
                    Some(round + 1)
                } else {
                    rounds.running = false;
                    None
                }
            };
            self.completed.send_replace(Completed { round, outcome });
            match next {
                Some(next) => round = next,
                None => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use tokio::sync::Semaphore;

    use super::*;

    /// Rounds that each wait for a permit, so a test decides when each one ends.
    struct Gated {
        rounds: AtomicU64,
        permits: Semaphore,
        refuse: bool,
    }

    impl Gated {
        fn new(refuse: bool) -> Self {
            Gated {
                rounds: AtomicU64::new(0),
                permits: Semaphore::new(0),
                refuse,
            }
        }
    }

    impl Confirm for Arc<Gated> {
        async fn confirm(&self) -> Result<(), Refusal> {
            self.rounds.fetch_add(1, Ordering::SeqCst);
            self.permits.acquire().await.expect("open").forget();
            if self.refuse {
                Err(Refusal::NotLeader { leader: Some(2) })
            } else {
                Ok(())
            }
        }
    }

    /// Waits until `rounds` rounds have started.
    async fn started(gate: &Gated, rounds: u64) {
        while gate.rounds.load(Ordering::SeqCst) < rounds {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn reads_arriving_during_a_round_share_the_next_one_and_not_the_running_one() {
        let gate = Arc::new(Gated::new(false));
        let barrier = ReadBarrier::new(Arc::clone(&gate));
        let first = tokio::spawn({
            let barrier = barrier.clone();
            async move { barrier.confirm().await }
        });
        started(&gate, 1).await;
        // Twenty reads arrive while round 1 runs.
        let later: Vec<_> = (0..20)
            .map(|_| {
                let barrier = barrier.clone();
                tokio::spawn(async move { barrier.confirm().await })
            })
            .collect();
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        // Round 1 ends: it answers the first read only.
        gate.permits.add_permits(1);
        assert_eq!(first.await.expect("joins"), Ok(()));
        started(&gate, 2).await;
        assert!(later.iter().all(|read| !read.is_finished()));
        // Round 2 answers all twenty, and no third round runs.
        gate.permits.add_permits(1);
        for read in later {
            assert_eq!(read.await.expect("joins"), Ok(()));
        }
        assert_eq!(gate.rounds.load(Ordering::SeqCst), 2);
        // Idle again: the next read starts a round of its own.
        let again = tokio::spawn({
            let barrier = barrier.clone();
            async move { barrier.confirm().await }
        });
        started(&gate, 3).await;
        gate.permits.add_permits(1);
        assert_eq!(again.await.expect("joins"), Ok(()));
    }

    #[tokio::test]
    async fn a_refusal_reaches_every_read_of_its_round() {
        let gate = Arc::new(Gated::new(true));
        let barrier = ReadBarrier::new(Arc::clone(&gate));
        let reads: Vec<_> = (0..3)
            .map(|_| {
                let barrier = barrier.clone();
                tokio::spawn(async move { barrier.confirm().await })
            })
            .collect();
        gate.permits.add_permits(2);
        for read in reads {
            assert_eq!(
                read.await.expect("joins"),
                Err(Refusal::NotLeader { leader: Some(2) })
            );
        }
        assert!(gate.rounds.load(Ordering::SeqCst) <= 2);
    }
}
