//! The human summary printed on stdout.

use std::fmt::Write as _;

use super::Report;
use crate::stats::latency::Percentiles;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, report);
    out
}

fn write_report(out: &mut String, r: &Report) -> std::fmt::Result {
    let c = &r.config;
    let s = &r.summary;
    let t = &s.totals;
    let load = match (c.rate, c.concurrency) {
        (Some(rate), _) => format!("open loop at {rate}/s"),
        (None, Some(clients)) => format!("closed loop with {clients} clients"),
        (None, None) => c.mode.to_owned(),
    };
    writeln!(out, "{} {}  run {}", r.tool, r.version, r.run_id)?;
    writeln!(out, "command   {}", r.command_line)?;
    writeln!(out, "started   {}", r.started_at)?;
    writeln!(
        out,
        "target    {} ({} connections each; {} shards routed to their leader)",
        c.endpoints.join(", "),
        c.connections_per_endpoint,
        c.routed_shards
    )?;
    writeln!(out, "workload  {}, {load}", c.workload)?;
    writeln!(
        out,
        "window    {:.1} s measured after {:.1} s warm-up{}{}",
        s.measured_s,
        c.warmup_s,
        if s.interrupted { ", interrupted" } else { "" },
        if s.drained { "" } else { ", drain timed out" },
    )?;
    writeln!(out)?;
    writeln!(out, "throughput")?;
    writeln!(
        out,
        "  accepted starts      {:>10.1} /s",
        s.accepted_starts_per_s
    )?;
    writeln!(out, "  completed            {:>10.1} /s", s.completed_per_s)?;
    match (s.transitions.per_s, &s.transitions.note) {
        (Some(rate), _) => writeln!(out, "  committed transitions{rate:>10.1} /s")?,
        (None, Some(note)) => writeln!(out, "  committed transitions       n/a ({note})")?,
        (None, None) => writeln!(out, "  committed transitions       n/a")?,
    }
    writeln!(out)?;
    writeln!(
        out,
        "starts    offered {}, accepted {}, failed {}, backpressure {} (in-flight bound {}, tracked bound {}), unanswered {}",
        t.starts_offered,
        t.starts_accepted,
        t.start_errors,
        s.backpressure,
        t.backpressure_in_flight,
        t.backpressure_tracked,
        t.starts_unanswered,
    )?;
    writeln!(
        out,
        "ended     succeeded {}, unsuccessful {}, lost {}, unfinished {}",
        t.succeeded, t.unsuccessful, t.tracking_errors, t.unfinished,
    )?;
    if s.activity_tasks_answered > 0 {
        writeln!(
            out,
            "workers   {} activity tasks answered",
            s.activity_tasks_answered
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "latency (ms)       {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "count", "p50", "p90", "p99", "p99.9", "max", "mean"
    )?;
    latency_row(out, "start ack", &r.latency_ms.start_ack)?;
    latency_row(out, "start to complete", &r.latency_ms.start_to_complete)?;
    writeln!(out)?;
    if r.errors.is_empty() {
        writeln!(out, "errors    none")?;
    } else {
        writeln!(out, "errors")?;
        for error in &r.errors {
            writeln!(out, "  {:>8}  {}", error.count, error.kind)?;
        }
    }
    Ok(())
}

fn latency_row(out: &mut String, label: &str, p: &Percentiles) -> std::fmt::Result {
    writeln!(
        out,
        "  {label:<17}{:>8} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
        p.count, p.p50_ms, p.p90_ms, p.p99_ms, p.p99_9_ms, p.max_ms, p.mean_ms
    )
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn the_summary_names_the_command_the_start_time_and_every_figure() {
        let text = render(&sample::report());
        assert!(text.contains("command   cairn-loadtest --rate 2"));
        assert!(text.contains("started   2026-01-01T00:00:00Z"));
        assert!(text.contains("accepted starts"));
        assert!(text.contains("start to complete"));
        assert!(text.contains("committed transitions       n/a (no --metrics-url given)"));
        assert!(text.contains("1  StartExecution Unavailable"));
    }
}
