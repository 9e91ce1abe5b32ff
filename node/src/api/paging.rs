//! List calls scatter to every shard and merge; their page tokens hold one cursor per shard.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cairn_proto::storage::{self as pb, ExecutionRecord};
use tonic::{Code, Status};

use super::error::status;
use crate::ids::ShardId;
use crate::shard::{Error, Router};
use crate::storage::Cursor;

/// Where each shard's listing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardCursor {
    Start,
    After(Cursor),
    Done,
}

pub fn encode_cursors(cursors: &[ShardCursor]) -> String {
    let parts: Vec<serde_json::Value> = cursors
        .iter()
        .map(|c| match c {
            ShardCursor::Start => serde_json::Value::Null,
            ShardCursor::Done => serde_json::Value::Bool(true),
            ShardCursor::After(cursor) => {
                serde_json::Value::String(URL_SAFE_NO_PAD.encode(cursor.as_bytes()))
            }
        })
        .collect();
    URL_SAFE_NO_PAD.encode(serde_json::Value::Array(parts).to_string())
}

pub fn decode_cursors(token: &str, shards: u32) -> Result<Vec<ShardCursor>, Status> {
    if token.is_empty() {
        return Ok(vec![ShardCursor::Start; shards as usize]);
    }
    let invalid = || {
        status(
            Code::InvalidArgument,
            "InvalidToken",
            "nextToken is not one this listing returned",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let parts: Vec<serde_json::Value> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if parts.len() != shards as usize {
        return Err(invalid());
    }
    parts
        .into_iter()
        .map(|p| match p {
            serde_json::Value::Null => Ok(ShardCursor::Start),
            serde_json::Value::Bool(true) => Ok(ShardCursor::Done),
            serde_json::Value::String(s) => URL_SAFE_NO_PAD
                .decode(s)
                .map(|b| ShardCursor::After(Cursor::from_bytes(b)))
                .map_err(|_| invalid()),
            _ => Err(invalid()),
        })
        .collect()
}

/// One shard's candidates: matching records with the number of raw rows read up to each.
struct Candidates {
    matches: Vec<(usize, ExecutionRecord)>,
    exhausted: bool,
}

async fn candidates(
    router: &Router,
    shard: ShardId,
    machine: &str,
    cursor: &ShardCursor,
    limit: usize,
    filter: Option<pb::ExecutionStatus>,
) -> Result<Candidates, Error> {
    let mut position = match cursor {
        ShardCursor::Done => {
            return Ok(Candidates {
                matches: Vec::new(),
                exhausted: true,
            });
        }
        ShardCursor::Start => None,
        ShardCursor::After(c) => Some(c.clone()),
    };
    let mut matches = Vec::new();
    let mut read = 0usize;
    loop {
        let page = router
            .executions_page(shard, machine, position.clone(), limit.max(1))
            .await?;
        for record in page.items {
            read += 1;
            if filter.is_none_or(|f| record.status == f as i32) {
                matches.push((read, record));
            }
        }
        match page.next {
            None => {
                return Ok(Candidates {
                    matches,
                    exhausted: true,
                });
            }
            Some(next) if matches.len() >= limit => {
                let _ = next;
                return Ok(Candidates {
                    matches,
                    exhausted: false,
                });
            }
            Some(next) => position = Some(next),
        }
    }
}

/// Newest first across all shards; the token to continue, if there is more.
pub async fn merge_executions(
    router: &Router,
    machine: &str,
    cursors: Vec<ShardCursor>,
    limit: usize,
    filter: Option<pb::ExecutionStatus>,
) -> Result<(Vec<ExecutionRecord>, Option<Vec<ShardCursor>>), Error> {
    let shards: Vec<ShardId> = (0..router.shard_count()).map(ShardId).collect();
    let mut per_shard = Vec::with_capacity(shards.len());
    for (shard, cursor) in shards.iter().zip(&cursors) {
        per_shard.push(candidates(router, *shard, machine, cursor, limit, filter).await?);
    }
    let mut heads = vec![0usize; shards.len()];
    let mut out = Vec::with_capacity(limit);
    while out.len() < limit {
        let best = per_shard
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.matches.get(heads[i]).map(|(_, r)| (i, r)))
            .max_by(|(_, a), (_, b)| {
                a.start_millis
                    .cmp(&b.start_millis)
                    .then_with(|| b.name.cmp(&a.name))
            });
        let Some((shard, record)) = best else { break };
        out.push(record.clone());
        heads[shard] += 1;
    }
    // Each shard continues after the last raw row consumed from it.
    let mut next = Vec::with_capacity(shards.len());
    let mut more = false;
    for ((shard, cursor), (candidates, head)) in
        shards.iter().zip(cursors).zip(per_shard.iter().zip(&heads))
    {
        let left_here = candidates.matches.len() > *head || !candidates.exhausted;
        more |= left_here;
        if !left_here {
            next.push(ShardCursor::Done);
            continue;
        }
        if *head == 0 {
            next.push(cursor);
            continue;
        }
        let consumed_rows = candidates.matches[*head - 1].0;
        let start = match &cursor {
            ShardCursor::After(c) => Some(c.clone()),
            _ => None,
        };
        let page = router
            .executions_page(*shard, machine, start, consumed_rows)
            .await?;
        next.push(match page.next {
            Some(c) => ShardCursor::After(c),
            None => ShardCursor::Done,
        });
    }
    Ok((out, more.then_some(next)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let cursors = vec![
            ShardCursor::Start,
            ShardCursor::Done,
            ShardCursor::After(Cursor::from_bytes(vec![1, 2, 3])),
        ];
        let token = encode_cursors(&cursors);
        assert_eq!(decode_cursors(&token, 3).unwrap(), cursors);
        assert!(decode_cursors(&token, 4).is_err());
        assert!(decode_cursors("@@", 3).is_err());
        assert_eq!(
            decode_cursors("", 2).unwrap(),
            vec![ShardCursor::Start, ShardCursor::Start]
        );
    }
}
