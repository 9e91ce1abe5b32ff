use proptest::prelude::*;

use super::*;

fn key(machine: &str, execution: &str) -> ExecutionKey {
    ExecutionKey::new(machine, execution)
}

#[test]
fn table_bytes_are_fixed_and_unique() {
    // These bytes are on disk: changing one would read old rows as another table.
    let bytes: Vec<u8> = Table::ALL.iter().map(|t| t.byte()).collect();
    assert_eq!(
        bytes,
        [
            0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
            0x1A, 0x20, 0x21
        ]
    );
    for table in Table::ALL {
        assert_eq!(Table::from_byte(table.byte()), Some(table));
    }
    assert_eq!(Table::from_byte(0x00), None);
    assert!(Table::STATE.iter().all(|t| t.byte() >= 0x10));
    // Node-local tables never travel in a snapshot.
    assert!(
        Table::STATE
            .iter()
            .all(|t| *t != Table::ExpressJournal && *t != Table::ExpressDefinitions)
    );
}

#[test]
fn express_journal_keys_round_trip_oldest_first() {
    let arn = "arn:aws:states:us-east-1:123456789012:express:m:e:0b6d";
    let early = express_start(-5, arn);
    let late = express_start(1_700_000_000_000, "arn:a");
    assert!(early < late);
    assert_eq!(decode_express_start(&early), Ok((-5, arn.to_owned())));
    assert_eq!(split_shard(&late).unwrap().1, NODE_LOCAL);
    assert_eq!(
        decode_express_definition(&express_definition("ab12")),
        Ok("ab12".to_owned())
    );
    assert!(decode_express_start(&express_definition("x")).is_err());
}

#[test]
fn keys_start_with_table_then_big_endian_shard() {
    let k = log(ShardId(0x0102_0304), 7);
    assert_eq!(k, [0x01, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 7]);
    assert_eq!(raft_meta(ShardId(1), RaftMeta::Vote), [0x02, 0, 0, 0, 1, 1]);
    assert_eq!(
        execution(ShardId(2), &key("m", "e")),
        [0x10, 0, 0, 0, 2, b'm', 0, 0xFF, b'e', 0, 1]
    );
}

#[test]
fn shard_ranges_hold_only_their_shard() {
    let (start, end) = shard_range(Table::History, ShardId(5));
    let inside = history(ShardId(5), &key("m", "e"), u64::MAX);
    let next = history(ShardId(6), &key("", "\u{0}"), 0);
    let before = history(ShardId(4), &key("\u{10ffff}", "z"), u64::MAX);
    assert!(start <= inside && inside < end);
    assert!(next >= end);
    assert!(before < start);
    let (_, last_end) = shard_range(Table::History, ShardId(u32::MAX));
    assert_eq!(last_end, [Table::Timers.byte()]);
}

#[test]
fn prefix_end_carries_over_ff_bytes() {
    assert_eq!(prefix_end(&[1, 2]), [1, 3]);
    assert_eq!(prefix_end(&[1, 0xFF]), [2]);
    assert!(prefix_end(&[0xFF, 0xFF]).is_empty());
}

#[test]
fn decoders_reject_other_tables_and_trailing_bytes() {
    let k = running_execution(ShardId(1), &key("m", "e"));
    assert_eq!(decode_running_execution(&k), Ok(key("m", "e")));
    assert!(matches!(log_index(&k), Err(KeyError::WrongTable { .. })));
    let mut longer = log(ShardId(1), 3);
    longer.push(0);
    assert_eq!(log_index(&longer), Err(KeyError::Trailing));
    assert_eq!(
        log_index(&log(ShardId(1), 3)[..8]),
        Err(KeyError::Truncated)
    );
    let mut bad = running_execution(ShardId(1), &key("m", "e"));
    let len = bad.len();
    bad[len - 1] = 0x07;
    assert_eq!(
        decode_running_execution(&bad),
        Err(KeyError::BadEscape(0x07))
    );
}

#[test]
fn split_shard_separates_table_shard_and_parts() {
    let k = timer(ShardId(9), -5, &key("m", "e"), 2);
    let (table, shard, rest) = split_shard(&k).expect("a timer key splits");
    assert_eq!((table, shard), (Table::Timers, ShardId(9)));
    assert_eq!(KeyWriter::new(table, shard).raw(rest).finish(), k);
    assert_eq!(
        split_shard(&[0x7F, 0, 0, 0, 0]),
        Err(KeyError::UnknownTable(0x7F))
    );
}

fn name() -> impl Strategy<Value = String> {
    // NUL and 0xFF-adjacent characters are the interesting cases for the escaping.
    proptest::collection::vec(
        prop_oneof![
            Just('\u{0}'),
            Just('\u{1}'),
            Just('ÿ'),
            Just('a'),
            Just('b'),
            any::<char>()
        ],
        0..6,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn strings_round_trip_and_keep_their_order(a in name(), b in name()) {
        let ka = KeyWriter::new(Table::StateMachines, ShardId(1)).str(&a).finish();
        let kb = KeyWriter::new(Table::StateMachines, ShardId(1)).str(&b).finish();
        prop_assert_eq!(a.as_bytes().cmp(b.as_bytes()), ka.cmp(&kb));
        let mut reader = KeyReader::new(Table::StateMachines, &ka).expect("own table");
        prop_assert_eq!(reader.str().expect("own encoding"), a.clone());
        prop_assert!(reader.finish().is_ok());
        // Prefix-free: one encoded string never starts another.
        if a != b {
            prop_assert!(!kb.starts_with(&ka));
        }
    }

    #[test]
    fn integers_keep_numeric_order(a in any::<u64>(), b in any::<u64>(), x in any::<i64>(), y in any::<i64>()) {
        prop_assert_eq!(a.cmp(&b), log(ShardId(3), a).cmp(&log(ShardId(3), b)));
        prop_assert_eq!(log_index(&log(ShardId(3), a)), Ok(a));
        let tx = timer(ShardId(3), x, &key("m", "e"), 1);
        let ty = timer(ShardId(3), y, &key("m", "e"), 1);
        prop_assert_eq!(x.cmp(&y), tx.cmp(&ty));
    }

    #[test]
    fn composite_keys_sort_by_their_parts(
        parts_a in (name(), name(), any::<u64>()),
        parts_b in (name(), name(), any::<u64>()),
    ) {
        let (ma, ea, ia) = parts_a;
        let (mb, eb, ib) = parts_b;
        let ka = history(ShardId(1), &key(&ma, &ea), ia);
        let kb = history(ShardId(1), &key(&mb, &eb), ib);
        let order = key(&ma, &ea).as_str().as_bytes().cmp(key(&mb, &eb).as_str().as_bytes()).then(ia.cmp(&ib));
        prop_assert_eq!(order, ka.cmp(&kb));
        prop_assert!(ka.starts_with(&history_prefix(ShardId(1), &key(&ma, &ea))));
    }

    #[test]
    fn listing_keys_run_newest_first_and_decode(
        machine in name(), start_a in any::<i64>(), start_b in any::<i64>(), e in name(),
    ) {
        let exec = key(&machine, &e);
        let ka = execution_by_state_machine(ShardId(1), &machine, start_a, &exec);
        let kb = execution_by_state_machine(ShardId(1), &machine, start_b, &exec);
        prop_assert_eq!(start_b.cmp(&start_a), ka.cmp(&kb));
        prop_assert_eq!(decode_execution_by_state_machine(&ka), Ok((machine.clone(), start_a, exec.clone())));
        prop_assert!(ka.starts_with(&executions_by_state_machine_prefix(ShardId(1), &machine)));
    }

    #[test]
    fn queue_and_timer_keys_round_trip(
        arn in name(), m in name(), e in name(), id in any::<u64>(), due in any::<i64>(), at in any::<u64>(),
    ) {
        let exec = key(&m, &e);
        let q = activity_queue(ShardId(2), &arn, at, &exec, id);
        let queued = QueuedTask {
            shard: ShardId(2),
            activity_arn: arn.clone(),
            queued_at_index: at,
            execution: exec.clone(),
            task_id: id,
        };
        prop_assert_eq!(decode_activity_queue(&q), Ok(queued));
        prop_assert!(q.starts_with(&activity_queue_prefix(ShardId(2), &arn)));
        // Older first: a task queued at an earlier index sorts first whatever its execution.
        if let Some(later) = at.checked_add(1) {
            prop_assert!(q < activity_queue(ShardId(2), &arn, later, &key("", ""), 0));
        }
        let t = timer(ShardId(2), due, &exec, id);
        let mut reader = KeyReader::new(Table::Timers, &t).expect("own table");
        prop_assert_eq!(reader.i64(), Ok(due));
        prop_assert_eq!(reader.execution_key(), Ok(exec));
        prop_assert_eq!(reader.u64(), Ok(id));
        prop_assert!(reader.finish().is_ok());
    }
}
