//! A run id that keeps this run's state machines, activities and executions apart from every
//! other run's, even several started in the same second against the same cluster.

use std::sync::atomic::{AtomicU32, Ordering};

/// `lt` + base-36 milliseconds since the epoch + base-36 process id and a counter: short
/// (names are limited to 80 characters), sortable by start time, valid in every Cairn name.
pub fn new(epoch_millis: i64) -> String {
    static WITHIN_PROCESS: AtomicU32 = AtomicU32::new(0);
    let sequence = WITHIN_PROCESS.fetch_add(1, Ordering::Relaxed);
    let millis = u64::try_from(epoch_millis).unwrap_or_default();
    format!(
        "lt{}-{}{}",
        base36(millis),
        base36(u64::from(std::process::id())),
        base36(u64::from(sequence))
    )
}

fn base36(mut value: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[(value % 36) as usize]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).expect("base-36 digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_distinct_and_name_safe() {
        let first = new(1_767_225_600_000);
        let second = new(1_767_225_600_000);
        assert_ne!(first, second);
        assert!(first.len() < 24, "{first}");
        assert!(first.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        assert_eq!(base36(0), "0");
        assert_eq!(base36(36), "10");
    }
}
