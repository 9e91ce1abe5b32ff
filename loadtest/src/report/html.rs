//! The self-contained HTML report: the summary, the command line and two SVG charts inline,
//! so the page opens in a browser with no network.

use std::fmt::Write as _;

use anyhow::Result;

use super::Report;
use super::charts;
use crate::stats::latency::Percentiles;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;\
color:#222}h1{font-size:1.4em}table{border-collapse:collapse;margin:0.5em 0 1.5em}\
td,th{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}th{background:#f4f4f4}\
td.l,th.l{text-align:left}code{background:#f4f4f4;padding:0.1em 0.3em;word-break:break-all}\
figure{margin:1em 0}figcaption{font-weight:600}";

pub fn render(report: &Report) -> Result<String> {
    let window_s = report.summary.measured_s;
    let throughput = charts::throughput(&report.series, window_s)?;
    let latency = charts::latency(&report.series, window_s)?;
    let mut page = String::new();
    // Writing to a String cannot fail.
    let _ = write_page(&mut page, report, &throughput, &latency);
    Ok(page)
}

fn write_page(out: &mut String, r: &Report, throughput: &str, latency: &str) -> std::fmt::Result {
    let s = &r.summary;
    let t = &s.totals;
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<title>cairn-loadtest {} — {}</title>",
        escape(&r.run_id),
        escape(r.config.workload)
    )?;
    writeln!(out, "<style>{STYLE}</style></head><body>")?;
    writeln!(
        out,
        "<h1>cairn-loadtest: {} ({})</h1>",
        escape(r.config.workload),
        escape(r.config.mode)
    )?;
    writeln!(
        out,
        "<p>Command: <code>{}</code></p>",
        escape(&r.command_line)
    )?;
    writeln!(
        out,
        "<p>Started {} · run {} · {} · {:.1} s measured after {:.1} s warm-up{}{}</p>",
        escape(&r.started_at),
        escape(&r.run_id),
        escape(&r.config.endpoints.join(", ")),
        s.measured_s,
        r.config.warmup_s,
        if s.interrupted { " · interrupted" } else { "" },
        if s.drained { "" } else { " · drain timed out" },
    )?;

    writeln!(out, "<h2>Summary</h2><table>")?;
    let transitions = match (s.transitions.per_s, &s.transitions.note) {
        (Some(rate), _) => format!("{rate:.1}"),
        (None, Some(note)) => format!("n/a ({})", escape(note)),
        (None, None) => "n/a".to_owned(),
    };
    let rows = [
        (
            "accepted starts/s",
            format!("{:.1}", s.accepted_starts_per_s),
        ),
        ("completed/s", format!("{:.1}", s.completed_per_s)),
        ("committed transitions/s", transitions),
        ("starts offered", t.starts_offered.to_string()),
        ("starts accepted", t.starts_accepted.to_string()),
        ("start errors", t.start_errors.to_string()),
        (
            "backpressure (in-flight / tracked bound)",
            format!(
                "{} ({} / {})",
                s.backpressure, t.backpressure_in_flight, t.backpressure_tracked
            ),
        ),
        ("succeeded", t.succeeded.to_string()),
        ("unsuccessful", t.unsuccessful.to_string()),
        (
            "lost / unfinished",
            format!("{} / {}", t.tracking_errors, t.unfinished),
        ),
    ];
    for (label, value) in rows {
        writeln!(out, "<tr><th class=\"l\">{label}</th><td>{value}</td></tr>")?;
    }
    writeln!(out, "</table>")?;

    writeln!(out, "<h2>Latency (ms)</h2><table>")?;
    writeln!(
        out,
        "<tr><th class=\"l\"></th><th>count</th><th>p50</th><th>p90</th><th>p99</th>\
         <th>p99.9</th><th>max</th><th>mean</th></tr>"
    )?;
    latency_row(out, "start ack", &r.latency_ms.start_ack)?;
    latency_row(out, "start to complete", &r.latency_ms.start_to_complete)?;
    writeln!(out, "</table>")?;

    writeln!(
        out,
        "<figure><figcaption>{}</figcaption>\n{throughput}\n</figure>",
        charts::THROUGHPUT_TITLE
    )?;
    writeln!(
        out,
        "<figure><figcaption>{}</figcaption>\n{latency}\n</figure>",
        charts::LATENCY_TITLE
    )?;

    writeln!(out, "<h2>Errors</h2>")?;
    if r.errors.is_empty() {
        writeln!(out, "<p>None.</p>")?;
    } else {
        writeln!(
            out,
            "<table><tr><th>count</th><th class=\"l\">operation</th><th class=\"l\">gRPC code</th>\
             <th class=\"l\">error name</th></tr>"
        )?;
        for error in &r.errors {
            writeln!(
                out,
                "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
                error.count,
                escape(error.kind.operation),
                escape(error.kind.code.as_deref().unwrap_or("")),
                escape(error.kind.name.as_deref().unwrap_or("")),
            )?;
        }
        writeln!(out, "</table>")?;
    }
    writeln!(out, "</body></html>")
}

fn latency_row(out: &mut String, label: &str, p: &Percentiles) -> std::fmt::Result {
    writeln!(
        out,
        "<tr><th class=\"l\">{label}</th><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td>\
         <td>{:.3}</td><td>{:.3}</td><td>{:.3}</td></tr>",
        p.count, p.p50_ms, p.p90_ms, p.p99_ms, p.p99_9_ms, p.max_ms, p.mean_ms
    )
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    /// The `<svg …>…</svg>` elements of a page.
    fn svgs(page: &str) -> Vec<&str> {
        page.match_indices("<svg")
            .map(|(start, _)| {
                let end = page[start..].find("</svg>").expect("every svg is closed");
                &page[start..start + end + "</svg>".len()]
            })
            .collect()
    }

    #[test]
    fn the_page_holds_the_two_charts_with_their_titles() {
        let page = render(&sample::report()).unwrap();
        let charts = svgs(&page);
        assert_eq!(charts.len(), 2);
        assert!(charts[0].contains(charts::THROUGHPUT_TITLE));
        assert!(charts[0].contains("completions/s"));
        assert!(charts[1].contains(charts::LATENCY_TITLE));
        assert!(charts[1].contains("p99"));
        assert!(
            charts[0].contains("end of window"),
            "the sample run has a drain second"
        );
    }

    #[test]
    fn the_page_is_self_contained_and_escapes_the_command_line() {
        let page = render(&sample::report()).unwrap();
        assert!(!page.contains("<script"));
        assert!(!page.contains("http-equiv"));
        assert!(!page.contains(" src="));
        assert!(page.contains("--html &#39;my report.html&#39;"));
        assert!(page.contains("2026-01-01T00:00:00Z"));
    }
}
