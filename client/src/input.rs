//! Reading definitions and JSON arguments given inline or as `@file`.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

/// The text of `arg`: the contents of the file when it starts with `@`, else the text itself.
pub fn text_arg(arg: &str) -> Result<String> {
    match arg.strip_prefix('@') {
        Some(path) => read_file(Path::new(path)),
        None => Ok(arg.to_owned()),
    }
}

/// A JSON value given inline or as `@file`.
pub fn json_arg(arg: &str, what: &str) -> Result<Value> {
    let text = text_arg(arg)?;
    serde_json::from_str(&text).with_context(|| format!("{what} is not valid JSON"))
}

pub fn read_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
