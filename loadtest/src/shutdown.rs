//! One signal that tells every task of the run to stop.

use tokio::sync::watch;

/// Cloneable; [`Shutdown::wait`] completes once [`Trigger::fire`] was called (or the trigger
/// was dropped, which only happens when the run is over).
#[derive(Debug, Clone)]
pub struct Shutdown {
    receiver: watch::Receiver<bool>,
}

#[derive(Debug)]
pub struct Trigger {
    sender: watch::Sender<bool>,
}

pub fn channel() -> (Trigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (Trigger { sender }, Shutdown { receiver })
}

impl Trigger {
    pub fn fire(&self) {
        self.sender.send_replace(true);
    }
}

impl Shutdown {
    pub async fn wait(&self) {
        let mut receiver = self.receiver.clone();
        // An error means the trigger is gone: stop as well.
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }

    pub fn is_fired(&self) -> bool {
        *self.receiver.borrow()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_clone_sees_the_signal() {
        let (trigger, shutdown) = channel();
        let other = shutdown.clone();
        assert!(!other.is_fired());
        trigger.fire();
        shutdown.wait().await;
        other.wait().await;
        assert!(other.is_fired());
    }
}
