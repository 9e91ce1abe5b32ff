//! The command line as the user typed it, quoted so it can be pasted back into a shell.

/// `args` joined by spaces, each quoted for a POSIX shell where it needs it.
pub fn quoted(args: impl IntoIterator<Item = String>) -> String {
    args.into_iter()
        .map(|arg| quote(&arg))
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        return arg.to_owned();
    }
    format!("'{}'", arg.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_arguments_that_need_it_are_quoted() {
        let args = [
            "cairn-loadtest",
            "--rate",
            "200",
            "--input",
            r#"{"a": 1}"#,
            "it's",
            "",
        ];
        assert_eq!(
            quoted(args.map(String::from)),
            r#"cairn-loadtest --rate 200 --input '{"a": 1}' 'it'\''s' ''"#
        );
    }
}
