//! How long the client waits for the server.

use std::time::Duration;

use super::Error;

/// The longest a server holds a `GetActivityTask` long poll open (as in AWS).
pub const ACTIVITY_LONG_POLL: Duration = Duration::from_secs(60);

/// Connection and request deadlines.
///
/// Every unary call carries its deadline to the server as `grpc-timeout` and is also cut off
/// locally when it passes, so a call never hangs on a silent server. Streams
/// ([`Client::watch_execution`](crate::Client::watch_execution)) have no overall deadline:
/// they last as long as the execution runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Deadline for opening the TCP connection. Default 5 s.
    pub connect_timeout: Duration,
    /// Deadline for every unary call except `GetActivityTask`. Default 30 s.
    pub request_timeout: Duration,
    /// Deadline for `GetActivityTask`. The server holds the poll for up to 60 s before it
    /// answers "no task", so this must be at least 65 s (AWS gives the same advice for its
    /// SDK's socket timeout). Default 70 s.
    pub long_poll_timeout: Duration,
    /// Interval of HTTP/2 keep-alive pings, which keep long polls and watch streams alive
    /// through proxies and notice a dead server. Default 30 s.
    pub keep_alive_interval: Duration,
    /// Send calls about one execution (start with a name, describe, history, stop, watch)
    /// straight to the node that leads its shard, learning the shard map from the cluster.
    /// Off, every call goes to the endpoint given, which forwards it. Default on.
    pub route_to_leaders: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            long_poll_timeout: Duration::from_secs(70),
            keep_alive_interval: Duration::from_secs(30),
            route_to_leaders: true,
        }
    }
}

impl ClientOptions {
    /// The smallest `long_poll_timeout` accepted: the server's poll plus time for the answer.
    pub const LONG_POLL_TIMEOUT_MIN: Duration = Duration::from_secs(65);

    /// Checks the options; [`Client::connect_with`](crate::Client::connect_with) calls this.
    pub fn validate(&self) -> Result<(), Error> {
        if self.long_poll_timeout < Self::LONG_POLL_TIMEOUT_MIN {
            return Err(Error::LongPollTimeoutTooShort {
                long_poll_timeout: self.long_poll_timeout,
                minimum: Self::LONG_POLL_TIMEOUT_MIN,
            });
        }
        Ok(())
    }
}
