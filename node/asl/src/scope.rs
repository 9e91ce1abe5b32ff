//! What a path, an intrinsic function or a JSONata expression can see while it is evaluated.

use serde_json::{Map, Value};

/// Looks up state machine variables (`$name`) by name, innermost scope first.
pub trait VariableLookup {
    fn lookup(&self, name: &str) -> Option<&Value>;
}

impl VariableLookup for Map<String, Value> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// No variables at all (for tests and for places where none are visible).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVariables;

impl VariableLookup for NoVariables {
    fn lookup(&self, _name: &str) -> Option<&Value> {
        None
    }
}

/// A stack of variable scopes: the execution's top-level scope, then one per enclosing Parallel
/// branch or Map iteration. Lookups search from the innermost scope outwards.
#[derive(Debug, Default, Clone)]
pub struct ScopeChain<'a> {
    layers: Vec<&'a Map<String, Value>>,
}

impl<'a> ScopeChain<'a> {
    /// `layers` go from the outermost (the execution) to the innermost scope.
    pub fn new(layers: Vec<&'a Map<String, Value>>) -> Self {
        ScopeChain { layers }
    }
}

impl VariableLookup for ScopeChain<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.layers.iter().rev().find_map(|layer| layer.get(name))
    }
}

/// The data a JSONPath-mode expression reads: `$` is `input`, `$$` is `context`, `$name` is a
/// variable.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub input: &'a Value,
    pub context: &'a Value,
    pub variables: &'a dyn VariableLookup,
}

impl<'a> Scope<'a> {
    pub fn new(input: &'a Value, context: &'a Value, variables: &'a dyn VariableLookup) -> Self {
        Scope {
            input,
            context,
            variables,
        }
    }

    /// The same context and variables over another `$` document.
    pub fn with_input(&self, input: &'a Value) -> Self {
        Scope { input, ..*self }
    }
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("input", self.input)
            .field("context", self.context)
            .finish()
    }
}
