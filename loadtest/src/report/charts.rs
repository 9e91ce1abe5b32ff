//! The two charts of the HTML report, drawn with plotters as SVG text.

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::stats::series::Point;

pub const THROUGHPUT_TITLE: &str = "Throughput over time";
pub const LATENCY_TITLE: &str = "Latency over time";

const SIZE: (u32, u32) = (960, 380);
const X_LABEL: &str = "seconds since the measurement window began";

/// One line of a chart; `None` values leave a gap (a second with no sample).
struct Line {
    name: &'static str,
    color: RGBColor,
    values: Vec<Option<f64>>,
}

/// Accepted starts/s and completions/s per second (and committed transitions/s when the nodes'
/// metrics gave them). `window_s` marks where the measurement window ends and the drain begins.
pub fn throughput(points: &[Point], window_s: f64) -> Result<String> {
    let mut lines = vec![
        Line {
            name: "accepted starts/s",
            color: RGBColor(31, 119, 180),
            values: points
                .iter()
                .map(|p| Some(p.counts.accepted as f64))
                .collect(),
        },
        Line {
            name: "completions/s",
            color: RGBColor(44, 160, 44),
            values: points
                .iter()
                .map(|p| Some(p.counts.completions as f64))
                .collect(),
        },
    ];
    if points.iter().any(|p| p.transitions_per_s.is_some()) {
        lines.push(Line {
            name: "committed transitions/s",
            color: RGBColor(148, 103, 189),
            values: points.iter().map(|p| p.transitions_per_s).collect(),
        });
    }
    chart(THROUGHPUT_TITLE, "per second", &lines, window_s)
}

/// Start-to-complete p50 and p99 per second.
pub fn latency(points: &[Point], window_s: f64) -> Result<String> {
    let lines = [
        Line {
            name: "start to complete p50 (ms)",
            color: RGBColor(31, 119, 180),
            values: points.iter().map(|p| p.start_to_complete_p50_ms).collect(),
        },
        Line {
            name: "start to complete p99 (ms)",
            color: RGBColor(214, 39, 40),
            values: points.iter().map(|p| p.start_to_complete_p99_ms).collect(),
        },
    ];
    chart(LATENCY_TITLE, "milliseconds", &lines, window_s)
}

fn chart(title: &str, y_label: &str, lines: &[Line], window_s: f64) -> Result<String> {
    let seconds = lines.iter().map(|l| l.values.len()).max().unwrap_or(0);
    let x_max = (seconds.max(2) - 1) as f64;
    let y_top = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .fold(0.0_f64, |top, &v| top.max(v));
    let y_max = if y_top > 0.0 { y_top * 1.1 } else { 1.0 };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(14)
            .x_label_area_size(42)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .x_desc(X_LABEL)
            .y_desc(y_label)
            .draw()
            .map_err(drawing)?;
        for line in lines {
            let color = line.color;
            let mut labelled = false;
            for segment in segments(&line.values) {
                let drawn = chart
                    .draw_series(LineSeries::new(segment, color.stroke_width(2)))
                    .map_err(drawing)?;
                if !labelled {
                    drawn.label(line.name).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
                    labelled = true;
                }
            }
        }
        // Seconds after the window are the drain: only executions already started finish.
        if window_s > 0.0 && window_s <= x_max {
            let end = vec![(window_s, 0.0), (window_s, y_max)];
            let grey = RGBColor(120, 120, 120);
            chart
                .draw_series(DashedLineSeries::new(end, 6, 4, grey.stroke_width(1)))
                .map_err(drawing)?
                .label("end of window (drain after)")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], grey));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(drawing)?;
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

/// Runs of consecutive values as (second, value) points, split where a value is missing.
fn segments(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for (second, value) in values.iter().enumerate() {
        match value {
            Some(v) => current.push((second as f64, *v)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn drawing(error: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing a chart: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_split_a_line() {
        let runs = segments(&[Some(1.0), None, Some(3.0), Some(4.0), None]);
        assert_eq!(runs, vec![vec![(0.0, 1.0)], vec![(2.0, 3.0), (3.0, 4.0)]]);
        assert!(segments(&[None, None]).is_empty());
    }

    #[test]
    fn an_empty_series_still_draws_a_chart() {
        let svg = throughput(&[], 0.0).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(THROUGHPUT_TITLE));
    }
}
