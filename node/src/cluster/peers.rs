//! Connections to other nodes, one lazily connected gRPC channel per address, shared by Raft
//! traffic, forwarded requests and administration.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tonic::transport::{Channel, Endpoint};

#[derive(Clone, Debug, Default)]
pub struct Peers {
    channels: Arc<Mutex<HashMap<String, Channel>>>,
    source_address: Option<IpAddr>,
}

impl Peers {
    /// Connections that come from `source_address` when one is given.
    pub fn new(source_address: Option<IpAddr>) -> Peers {
        Peers {
            channels: Arc::default(),
            source_address,
        }
    }

    /// The channel to `address` (`HOST:PORT`), created on first use; connecting happens in the
    /// background and failures surface on the calls.
    pub fn channel(&self, address: &str) -> Channel {
        let mut channels = self
            .channels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(channel) = channels.get(address) {
            return channel.clone();
        }
        let uri = if address.contains("://") {
            address.to_owned()
        } else {
            format!("http://{address}")
        };
        let channel = match Endpoint::from_shared(uri) {
            Ok(endpoint) => endpoint
                .local_address(self.source_address)
                .connect_timeout(Duration::from_millis(500))
                .tcp_nodelay(true)
                .http2_keep_alive_interval(Duration::from_secs(10))
                .keep_alive_while_idle(true)
                .connect_lazy(),
            // An address that is not a URI: a channel to nowhere, whose calls fail clearly.
            Err(_) => Endpoint::from_static("http://invalid.invalid").connect_lazy(),
        };
        channels.insert(address.to_owned(), channel.clone());
        channel
    }
}
