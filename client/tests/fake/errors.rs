//! Statuses shaped as Cairn's API shapes them: a gRPC code, the AWS error name in
//! `cairn-error`, and a message.

use tonic::{Code, Status};

pub fn aws(code: Code, name: &str, message: impl Into<String>) -> Status {
    let mut status = Status::new(code, message);
    status.metadata_mut().insert(
        cairn_client::ERROR_NAME_METADATA,
        name.parse().expect("AWS error names are ASCII"),
    );
    status
}

pub fn not_found(name: &str, what: &str) -> Status {
    aws(Code::NotFound, name, format!("{what} does not exist"))
}

pub fn invalid(name: &str, message: impl Into<String>) -> Status {
    aws(Code::InvalidArgument, name, message)
}

/// One page of `items` from the offset in `next_token`: `(page, next token)`.
pub fn page<T: Clone>(
    items: &[T],
    max_results: u32,
    next_token: &str,
) -> Result<(Vec<T>, String), Status> {
    let start: usize = if next_token.is_empty() {
        0
    } else {
        next_token.parse().map_err(|_| {
            invalid(
                "InvalidToken",
                format!("{next_token:?} is not a page token"),
            )
        })?
    };
    let size = if max_results == 0 {
        100
    } else {
        max_results as usize
    };
    let end = (start + size).min(items.len());
    let page = items
        .get(start.min(items.len())..end)
        .unwrap_or_default()
        .to_vec();
    let next = if end < items.len() {
        end.to_string()
    } else {
        String::new()
    };
    Ok((page, next))
}
