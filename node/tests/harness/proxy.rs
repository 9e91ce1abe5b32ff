//! A TCP proxy in front of each node's peer address that can cut the links between groups of
//! nodes. Nodes connect to each other from distinct loopback addresses (`source-address`), so
//! the proxy knows which node a connection comes from.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Which links are cut: (from, to) pairs of node addresses.
#[derive(Clone)]
pub struct Links {
    cut: Arc<Mutex<HashSet<(IpAddr, IpAddr)>>>,
    changed: watch::Sender<u64>,
}

impl Default for Links {
    fn default() -> Self {
        Links {
            cut: Arc::default(),
            changed: watch::channel(0).0,
        }
    }
}

impl Links {
    pub fn is_cut(&self, from: IpAddr, to: IpAddr) -> bool {
        self.cut.lock().unwrap().contains(&(from, to))
    }

    /// Cuts every link between the two groups, both ways; open connections close at once.
    pub fn partition(&self, a: &[IpAddr], b: &[IpAddr]) {
        {
            let mut cut = self.cut.lock().unwrap();
            for x in a {
                for y in b {
                    cut.insert((*x, *y));
                    cut.insert((*y, *x));
                }
            }
        }
        self.changed.send_modify(|generation| *generation += 1);
    }

    pub fn heal(&self) {
        self.cut.lock().unwrap().clear();
        self.changed.send_modify(|generation| *generation += 1);
    }
}

/// Forwards connections accepted on `listener` to `target` (the node at `node_ip`) unless the
/// link from the connecting node is cut.
pub fn spawn(listener: TcpListener, target: SocketAddr, node_ip: IpAddr, links: Links) {
    tokio::spawn(async move {
        loop {
            let Ok((inbound, peer)) = listener.accept().await else {
                return;
            };
            let from = peer.ip();
            if links.is_cut(from, node_ip) {
                drop(inbound);
                continue;
            }
            let links = links.clone();
            tokio::spawn(async move {
                let Ok(outbound) = TcpStream::connect(target).await else {
                    return;
                };
                let _ = inbound.set_nodelay(true);
                let _ = outbound.set_nodelay(true);
                pump(inbound, outbound, from, node_ip, links).await;
            });
        }
    });
}

async fn pump(
    mut inbound: TcpStream,
    mut outbound: TcpStream,
    from: IpAddr,
    to: IpAddr,
    links: Links,
) {
    let mut changed = links.changed.subscribe();
    let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
    tokio::pin!(copy);
    loop {
        tokio::select! {
            _ = &mut copy => return,
            result = changed.changed() => {
                if result.is_err() || links.is_cut(from, to) {
                    // Dropping both ends resets the connection, as a failed link would.
                    return;
                }
            }
        }
    }
}
