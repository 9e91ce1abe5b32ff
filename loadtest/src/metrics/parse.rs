//! Reading one counter out of the Prometheus text exposition format.

/// The sum of every sample of `name` (all label sets), or `None` when there is none.
pub fn counter_sum(text: &str, name: &str) -> Option<f64> {
    let mut sum = None;
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with('#') {
            continue;
        }
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let Some(value) = sample_value(rest) else {
            continue;
        };
        *sum.get_or_insert(0.0) += value;
    }
    sum
}

/// The value of a sample line after its metric name: ` 12` or `{shard="3"} 12 1700000000`.
/// `None` when the name only shares a prefix (`name_other 3`) or the value is not a number.
fn sample_value(rest: &str) -> Option<f64> {
    let after_labels = match rest.chars().next()? {
        '{' => skip_labels(rest)?,
        ' ' | '\t' => rest,
        _ => return None,
    };
    let value = after_labels.split_whitespace().next()?;
    value.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The text after a `{…}` label block; label values may hold `}` inside quotes.
fn skip_labels(text: &str) -> Option<&str> {
    let mut in_quotes = false;
    let mut escaped = false;
    for (index, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '}' if !in_quotes => return Some(&text[index + 1..]),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "cairn_transitions_committed_total";

    #[test]
    fn samples_of_every_label_set_are_added_up() {
        let text = "# HELP cairn_transitions_committed_total Transitions committed.\n\
                    # TYPE cairn_transitions_committed_total counter\n\
                    cairn_transitions_committed_total{shard=\"0\"} 10\n\
                    cairn_transitions_committed_total{shard=\"1\",note=\"a}b\"} 5 1700000000000\n\
                    cairn_transitions_committed_total_created 1.7e9\n\
                    other_total 99\n";
        assert_eq!(counter_sum(text, NAME), Some(15.0));
    }

    #[test]
    fn an_unlabelled_sample_is_read() {
        assert_eq!(
            counter_sum("cairn_transitions_committed_total 3.5e3\n", NAME),
            Some(3500.0)
        );
    }

    #[test]
    fn a_missing_counter_is_none_rather_than_zero() {
        assert_eq!(counter_sum("process_cpu_seconds_total 1\n", NAME), None);
        assert_eq!(counter_sum("", NAME), None);
    }
}
