//! Printing results: JSON exactly as the AWS CLI would print it, or aligned tables.

use anyhow::Result;
use serde_json::Value;

use super::OutputFormat;

/// How a result reads as a table.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    /// One object: a row per member.
    Fields,
    /// A list response: a row per item of `items`, in these `(header, member)` columns.
    List {
        items: &'a str,
        columns: &'a [(&'a str, &'a str)],
    },
    /// A history page: a row per event, with the state name or error it concerns.
    Events,
}

/// Prints `value` (a response rendered with [`cairn_client::aws_json`]) in `format`.
pub fn emit(format: OutputFormat, value: &Value, view: View<'_>) -> Result<()> {
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(value)?),
        OutputFormat::Table => print!("{}", table(value, view)),
    }
    if format == OutputFormat::Table
        && let Some(token) = value.get("nextToken").and_then(Value::as_str)
    {
        eprintln!("more results: add --next-token {token} (or --all)");
    }
    Ok(())
}

/// A confirmation for calls that answer nothing: the AWS CLI prints nothing for them, so
/// JSON output stays empty and only people get a line.
pub fn done(format: OutputFormat, message: &str) {
    if format == OutputFormat::Table {
        println!("{message}");
    }
}

fn table(value: &Value, view: View<'_>) -> String {
    match view {
        View::Fields => fields(value),
        View::List { items, columns } => list(value, items, columns),
        View::Events => events(value),
    }
}

fn fields(value: &Value) -> String {
    let Some(members) = value.as_object() else {
        return format!("{}\n", cell(value));
    };
    let mut rows = Table::new(&[]);
    let mut long_texts = String::new();
    for (key, member) in members {
        match member.as_str() {
            // Multi-line text (a definition as written) would break the columns; it goes
            // below the table, indented.
            Some(text) if text.contains('\n') => {
                long_texts.push_str(&format!("{key}:\n"));
                for line in text.lines() {
                    long_texts.push_str(&format!("  {line}\n"));
                }
            }
            _ => rows.row(vec![key.clone(), cell(member)]),
        }
    }
    rows.render() + &long_texts
}

fn list(value: &Value, items: &str, columns: &[(&str, &str)]) -> String {
    let headers: Vec<&str> = columns.iter().map(|(header, _)| *header).collect();
    let mut rows = Table::new(&headers);
    for item in value
        .get(items)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        rows.row(
            columns
                .iter()
                .map(|(_, member)| item.get(*member).map(cell).unwrap_or_default())
                .collect(),
        );
    }
    rows.render()
}

fn events(value: &Value) -> String {
    let mut rows = Table::new(&["ID", "PREV", "TYPE", "TIMESTAMP", "DETAIL"]);
    for event in value
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        rows.row(event_row(event));
    }
    rows.render()
}

/// One event as table cells: id, previous id, type, timestamp, and a short detail.
pub fn event_row(event: &Value) -> Vec<String> {
    let member = |key: &str| event.get(key).map(cell).unwrap_or_default();
    vec![
        member("id"),
        member("previousEventId"),
        member("type"),
        member("timestamp"),
        event_detail(event),
    ]
}

/// The state, iteration or error an event is about, from its `…EventDetails` member.
fn event_detail(event: &Value) -> String {
    let Some(details) = event
        .as_object()
        .into_iter()
        .flatten()
        .find_map(|(key, member)| key.ends_with("EventDetails").then_some(member))
    else {
        return String::new();
    };
    let text = |key: &str| details.get(key).and_then(Value::as_str);
    let mut parts = Vec::new();
    match (text("name"), details.get("index")) {
        (Some(name), Some(index)) => parts.push(format!("{name}[{index}]")),
        (Some(name), None) => parts.push(name.to_owned()),
        _ => {}
    }
    if let Some(error) = text("error") {
        parts.push(error.to_owned());
    }
    if let Some(cause) = text("cause") {
        parts.push(shorten(cause, 60));
    }
    if let Some(worker) = text("workerName") {
        parts.push(format!("worker {worker}"));
    }
    parts.join("  ")
}

fn shorten(text: &str, chars_max: usize) -> String {
    let flat = text.replace('\n', " ");
    if flat.chars().count() <= chars_max {
        return flat;
    }
    let kept: String = flat.chars().take(chars_max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// A JSON value as a table cell: strings bare, everything else as compact JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Rows of cells printed in columns as wide as their widest cell, two spaces apart.
#[derive(Debug)]
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose first row is `headers` (none when empty).
    pub fn new(headers: &[&str]) -> Table {
        let mut rows = Vec::new();
        if !headers.is_empty() {
            rows.push(headers.iter().map(|h| (*h).to_owned()).collect());
        }
        Table { rows }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = widths[c] - cell.chars().count();
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_line_up() {
        let mut table = Table::new(&["NAME", "STATUS"]);
        table.row(vec!["a-long-name".into(), "RUNNING".into()]);
        table.row(vec!["b".into(), "SUCCEEDED".into()]);
        assert_eq!(
            table.render(),
            "NAME         STATUS\na-long-name  RUNNING\nb            SUCCEEDED\n"
        );
    }

    #[test]
    fn an_event_row_names_its_state_and_error() {
        let event = json!({
            "timestamp": "t", "type": "ExecutionFailed", "id": 3, "previousEventId": 2,
            "executionFailedEventDetails": {"error": "Boom", "cause": "it broke"},
        });
        assert_eq!(event_row(&event)[4], "Boom  it broke");
        let entered = json!({"id": 2, "stateEnteredEventDetails": {"name": "Check"}});
        assert_eq!(event_row(&entered)[4], "Check");
    }
}
