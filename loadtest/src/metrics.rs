//! Committed transitions per second, read from the nodes' Prometheus endpoints.
//!
//! Optional and forgiving: an endpoint that is down, answers 404 or lacks the counter only
//! leaves the figure out of the report, with the reason.

mod parse;
mod rate;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::time::{Instant, MissedTickBehavior};

use crate::shutdown::Shutdown;

pub use rate::{Sample, per_second, window_rate};

/// The counter each node exports: transitions committed through Raft and applied.
pub const TRANSITIONS_COUNTER: &str = "cairn_transitions_committed_total";
const SCRAPE_INTERVAL: Duration = Duration::from_secs(1);
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the scraper saw: the cluster-wide counter over time, and why it is missing if it is.
#[derive(Debug, Default, Clone)]
pub struct Scraped {
    pub samples: Vec<Sample>,
    /// The latest reason a scrape gave no value.
    pub problem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Scraper {
    urls: Vec<String>,
    client: Client<HttpConnector, Empty<Bytes>>,
    scraped: Arc<Mutex<Scraped>>,
}

impl Scraper {
    pub fn new(urls: Vec<String>) -> Scraper {
        Scraper {
            urls,
            client: Client::builder(TokioExecutor::new()).build_http(),
            scraped: Arc::default(),
        }
    }

    /// Scrapes every second until `shutdown`, then once more so the window's end is covered.
    pub async fn run(self, shutdown: Shutdown) {
        let mut ticks = tokio::time::interval(SCRAPE_INTERVAL);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                biased;
                () = shutdown.wait() => break,
                _ = ticks.tick() => self.scrape_once().await,
            }
        }
        self.scrape_once().await;
    }

    /// What was scraped so far (the scraper keeps running).
    pub fn scraped(&self) -> Scraped {
        self.scraped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn scrape_once(&self) {
        let at = Instant::now();
        let result = self.total().await;
        let mut scraped = self.scraped.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(value) => scraped.samples.push(Sample { at, value }),
            Err(problem) => scraped.problem = Some(format!("{problem:#}")),
        }
    }

    /// The counter summed over every node; an error if any node gave no value, since a
    /// partial sum would look like a drop in throughput.
    async fn total(&self) -> Result<f64> {
        let mut total = 0.0;
        for url in &self.urls {
            let text = tokio::time::timeout(SCRAPE_TIMEOUT, self.fetch(url))
                .await
                .with_context(|| format!("{url} did not answer within {SCRAPE_TIMEOUT:?}"))??;
            total += parse::counter_sum(&text, TRANSITIONS_COUNTER)
                .with_context(|| format!("{url} does not export {TRANSITIONS_COUNTER}"))?;
        }
        Ok(total)
    }

    async fn fetch(&self, url: &str) -> Result<String> {
        let uri: hyper::Uri = url
            .parse()
            .with_context(|| format!("{url:?} is not a metrics URL (http://HOST:PORT/metrics)"))?;
        let response = self
            .client
            .get(uri)
            .await
            .with_context(|| format!("cannot reach {url}"))?;
        if !response.status().is_success() {
            bail!("{url} answered {}", response.status());
        }
        let body = response
            .into_body()
            .collect()
            .await
            .with_context(|| format!("reading {url}"))?
            .to_bytes();
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}
