//! State machine names for cases run on a server: valid, readable, and unique per case and
//! per run.

/// Longest name the API accepts.
const NAME_CHARS_MAX: usize = 80;

/// `<case id made valid>-<hash of the id>-<run tag>`, at most 80 characters. Characters the
/// API forbids in names (whitespace, `/`, `:`, brackets, …) become `-`; the hash keeps two
/// ids apart when truncation makes them alike; the run tag keeps runs apart, so a rerun never
/// meets a machine of an earlier run under another definition.
pub fn state_machine_name(case_id: &str, run_tag: &str) -> String {
    let suffix = format!("-{:08x}-{run_tag}", fnv1a(case_id) as u32);
    let room = NAME_CHARS_MAX.saturating_sub(suffix.len()).max(1);
    let mut name: String = case_id
        .chars()
        .map(|c| if allowed(c) { c } else { '-' })
        .take(room)
        .collect();
    if name.is_empty() {
        name.push_str("case");
    }
    name.push_str(&suffix);
    name
}

/// Characters that are safe in every kind of Step Functions name: ASCII letters, digits and
/// `-_.+=@!'()` (non-ASCII is allowed by AWS but breaks its metrics, so it is replaced too).
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.+=@!'()".contains(c)
}

/// FNV-1a: stable across platforms and releases, unlike `DefaultHasher`.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_and_tell_cases_apart() {
        let name = state_machine_name("sfn_api/test_stop_execution", "r1");
        assert!(name.starts_with("sfn_api-test_stop_execution-"), "{name}");
        assert!(name.ends_with("-r1"), "{name}");

        let long_a = format!("{}/a", "x".repeat(100));
        let long_b = format!("{}/b", "x".repeat(100));
        let (a, b) = (
            state_machine_name(&long_a, "r1"),
            state_machine_name(&long_b, "r1"),
        );
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 80);
        assert!(a.chars().all(allowed));
    }
}
