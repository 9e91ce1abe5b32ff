//! One run from connecting to the report: prepare the workload, generate load through the
//! warm-up and the window, drain, stop every task, and gather what was recorded.

use std::sync::Arc;

use anyhow::Result;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::cli::{Args, Settings};
use crate::connections::Pool;
use crate::drive::{self, Context, Limits};
use crate::metrics::Scraper;
use crate::report::{self, Identity, Outcome, Report, RunConfig};
use crate::schedule::Schedule;
use crate::shutdown;
use crate::stats::Stats;
use crate::stats::window::Window;
use crate::tracking::Tracker;
use crate::workers::{WorkerContext, Workers};
use crate::workload::{self, Spec, Target};
use crate::{progress, run_id};

pub async fn run(args: Args, settings: Settings, command_line: String) -> Result<Report> {
    let started_at = jiff::Timestamp::now();
    let run_id = run_id::new(started_at.as_millisecond());
    let pool = Arc::new(Pool::connect(&args.endpoints, args.connections, !args.no_routing).await?);
    let spec = Spec {
        kind: args.workload,
        definition: args.definition.clone(),
        input: args.input.clone(),
    };
    let target =
        Arc::new(workload::prepare(&pool, &spec, &run_id, settings.request_timeout).await?);
    let limits = Limits::new(args.max_in_flight, args.max_tracked)?;

    let run_start = Instant::now();
    let window = Window::new(run_start, settings.warmup, settings.duration);
    let stats = Arc::new(Stats::new(window));
    // Executions stop first (after the drain), the helpers that serve and observe them last.
    let (stop_executions, executions_shutdown) = shutdown::channel();
    let (stop_helpers, helpers_shutdown) = shutdown::channel();

    let workers = Workers::spawn(
        &WorkerContext {
            pool: Arc::clone(&pool),
            stats: Arc::clone(&stats),
            request_timeout: settings.request_timeout,
            shutdown: helpers_shutdown.clone(),
        },
        &target.activity_arns,
        args.workers,
        &run_id,
    );
    let scraper = (!args.metrics_urls.is_empty()).then(|| Scraper::new(args.metrics_urls.clone()));
    let scraping = scraper
        .clone()
        .map(|scraper| tokio::spawn(scraper.run(helpers_shutdown.clone())));
    let context = Arc::new(Context::new(
        Tracker::new(
            Arc::clone(&pool),
            Arc::clone(&target),
            settings.request_timeout,
        ),
        Arc::clone(&stats),
        limits,
        settings.completion_timeout,
        executions_shutdown,
        &run_id,
    ));
    let progress = tokio::spawn(progress::show(
        Arc::clone(&context),
        window,
        helpers_shutdown,
        !args.no_progress,
    ));

    let generated = generate(&context, &args, &settings, run_start, window).await?;
    let mut interrupted = generated.interrupted;
    if interrupted {
        stats.cut_window(Instant::now());
    }
    let drained = if interrupted {
        false
    } else {
        tokio::select! {
            drained = drive::drain(&context, settings.drain_timeout) => drained,
            () = interrupt() => {
                interrupted = true;
                false
            }
        }
    };
    stop_executions.fire();
    drive::settle(&context).await;
    if let Some(clients) = generated.clients {
        // Clients return once they see the signal; a panic was already reported by tokio.
        let _ = clients.await;
    }
    stop_helpers.fire();
    workers.join().await;
    if let Some(scraping) = scraping {
        let _ = scraping.await;
    }
    let _ = progress.await;

    Ok(report::build(
        Identity {
            run_id,
            command_line,
            started_at: started_at.to_string(),
        },
        run_config(&args, &settings, &target, pool.routed_shards()),
        stats.recorded(),
        scraper.map(|scraper| scraper.scraped()),
        Outcome {
            interrupted,
            drained,
        },
    ))
}

struct Generated {
    interrupted: bool,
    /// The closed-loop clients, which may still be finishing their last execution.
    clients: Option<JoinHandle<()>>,
}

/// Runs the load generator until the end of the window (or Ctrl-C).
async fn generate(
    context: &Arc<Context>,
    args: &Args,
    settings: &Settings,
    run_start: Instant,
    window: Window,
) -> Result<Generated> {
    let span = settings.warmup + settings.duration;
    let (generation, clients) = match (args.rate, args.concurrency) {
        (Some(rate), _) => {
            let schedule = Schedule::new(rate)?;
            let open = drive::open_loop(Arc::clone(context), schedule, run_start, span);
            (tokio::spawn(open), None)
        }
        (None, Some(count)) => {
            let clients = tokio::spawn(drive::closed_loop(
                Arc::clone(context),
                count,
                window.measure_end,
            ));
            let until = tokio::spawn(tokio::time::sleep_until(window.measure_end));
            (until, Some(clients))
        }
        (None, None) => anyhow::bail!("one of --rate and --concurrency is needed"),
    };
    let interrupted = tokio::select! {
        _ = generation => false,
        () = interrupt() => true,
    };
    Ok(Generated {
        interrupted,
        clients,
    })
}

/// Completes on Ctrl-C (never, where the signal cannot be listened for).
async fn interrupt() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn run_config(
    args: &Args,
    settings: &Settings,
    target: &Target,
    routed_shards: usize,
) -> RunConfig {
    RunConfig {
        mode: args.mode_name(),
        rate: args.rate,
        concurrency: args.concurrency,
        workload: args.workload.name(),
        state_machine_arn: target.state_machine_arn.clone(),
        endpoints: args.endpoints.clone(),
        connections_per_endpoint: args.connections,
        routed_shards,
        warmup_s: settings.warmup.as_secs_f64(),
        duration_s: settings.duration.as_secs_f64(),
        max_in_flight: args.max_in_flight,
        max_tracked: args.max_tracked,
        workers: if target.activity_arns.is_empty() {
            0
        } else {
            args.workers
        },
        drain_timeout_s: settings.drain_timeout.as_secs_f64(),
        completion_timeout_s: settings.completion_timeout.as_secs_f64(),
        request_timeout_s: settings.request_timeout.as_secs_f64(),
        metrics_urls: args.metrics_urls.clone(),
    }
}
