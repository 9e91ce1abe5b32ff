//! Parsed definitions, shared by every execution that runs them and keyed by content hash.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use asl::definition::{Definition, Diagnostic, MachineType, ParseOptions, StateMachine};
use sha2::{Digest, Sha256};

/// The content hash a definition is stored and shared under (SHA-256, hex).
pub fn definition_hash(text: &str, machine_type: MachineType) -> String {
    let mut hasher = Sha256::new();
    hasher.update(machine_type.as_str().as_bytes());
    hasher.update([0u8]);
    hasher.update(text.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Definitions parsed once and kept while the node runs. Bounded: past `capacity` entries the
/// cache is cleared (definitions are few and cheap to re-parse).
#[derive(Debug, Default)]
pub struct DefinitionCache {
    parsed: Mutex<HashMap<String, Arc<StateMachine>>>,
    capacity: usize,
}

impl DefinitionCache {
    pub fn new(capacity: usize) -> Self {
        DefinitionCache {
            parsed: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The parsed machine for `text`, parsing it on first use.
    pub fn get(
        &self,
        hash: &str,
        text: &str,
        machine_type: MachineType,
    ) -> Result<Arc<StateMachine>, Vec<Diagnostic>> {
        if let Some(machine) = self.lock().get(hash) {
            return Ok(machine.clone());
        }
        let parsed = Arc::new(Definition::parse(text, &ParseOptions { machine_type })?.machine);
        let mut cache = self.lock();
        if cache.len() >= self.capacity {
            cache.clear();
        }
        cache.insert(hash.to_owned(), parsed.clone());
        Ok(parsed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<StateMachine>>> {
        // A panic while holding this lock leaves only a cache behind: keep using it.
        self.parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_text_and_type() {
        let a = definition_hash("{}", MachineType::Standard);
        assert_eq!(a.len(), 64);
        assert_eq!(a, definition_hash("{}", MachineType::Standard));
        assert_ne!(a, definition_hash("{}", MachineType::Express));
        assert_ne!(a, definition_hash("{ }", MachineType::Standard));
    }

    #[test]
    fn cache_parses_once_and_reports_invalid_definitions() {
        let cache = DefinitionCache::new(8);
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#;
        let hash = definition_hash(text, MachineType::Standard);
        let first = cache.get(&hash, text, MachineType::Standard).unwrap();
        let second = cache.get(&hash, text, MachineType::Standard).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(cache.get("x", "{", MachineType::Standard).is_err());
    }
}
