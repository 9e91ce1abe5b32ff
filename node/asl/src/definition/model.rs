//! The typed model of a state machine definition.
//!
//! A definition is parsed once ([`super::parse`]) into these types; the interpreter never looks
//! at the raw JSON again. Field names follow the States Language in snake_case
//! (`result_path`, `max_attempts`) so code traces back to the spec.

use serde_json::Value;

use crate::intrinsic::Intrinsic;
use crate::jsonata::Expression;
use crate::path::Path;
use crate::template::Template;

/// `QueryLanguage`: how a state's dynamic fields are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryLanguage {
    #[default]
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }
}

/// STANDARD or EXPRESS: what a definition is validated for and how it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum MachineType {
    #[default]
    Standard,
    Express,
}

impl MachineType {
    pub fn as_str(self) -> &'static str {
        match self {
            MachineType::Standard => "STANDARD",
            MachineType::Express => "EXPRESS",
        }
    }

    pub fn parse(text: &str) -> Option<MachineType> {
        match text {
            "STANDARD" => Some(MachineType::Standard),
            "EXPRESS" => Some(MachineType::Express),
            _ => None,
        }
    }
}

/// Index of a [`Graph`] in [`StateMachine::graphs`]. The top-level graph is `GraphId::ROOT`;
/// every Parallel branch and Map item processor has its own.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct GraphId(pub usize);

impl GraphId {
    pub const ROOT: GraphId = GraphId(0);
}

/// A parsed, validated state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub comment: Option<String>,
    pub query_language: QueryLanguage,
    /// Execution timeout; `None` means the service maximum.
    pub timeout_seconds: Option<u64>,
    /// All state graphs: `[0]` is the top level, then branches and item processors.
    pub graphs: Vec<Graph>,
}

impl StateMachine {
    pub fn root(&self) -> &Graph {
        &self.graphs[GraphId::ROOT.0]
    }

    pub fn graph(&self, id: GraphId) -> &Graph {
        &self.graphs[id.0]
    }
}

/// A set of states with a start state: the machine itself, a Parallel branch or a Map's
/// item processor. `Next` may only name a state of the same graph.
#[derive(Debug, Clone)]
pub struct Graph {
    pub start_at: String,
    pub states: Vec<State>,
    /// The graph that contains the Parallel or Map state owning this one (`None` at the root).
    pub parent: Option<GraphId>,
    /// JSON pointer of this graph's object in the definition (`""`, `/States/P/Branches/0`).
    pub pointer: String,
}

impl Graph {
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    pub fn state_index(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| s.name == name)
    }
}

/// Where control goes after a state that is neither terminal nor a Choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Next(String),
    End,
}

/// One state: the fields all states share, and its type-specific part.
#[derive(Debug, Clone)]
pub struct State {
    pub name: String,
    pub comment: Option<String>,
    /// The effective query language (the state's own, or the machine's).
    pub query_language: QueryLanguage,
    /// `None` for Choice, Succeed and Fail.
    pub transition: Option<Transition>,
    pub io: Io,
    pub assign: Option<Assign>,
    pub kind: StateKind,
    /// JSON pointer of the state in the definition, for messages.
    pub pointer: String,
    /// How much of the context object the state's fields can read; the interpreter builds
    /// only that much (the execution input can be large, and Map iterations build a context
    /// per item).
    pub context_use: ContextUse,
}

/// What a state reads of the context object (`$$`, `$states.context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum ContextUse {
    /// Nothing: the state never mentions the context.
    #[default]
    None,
    /// Everything but `Execution.Input`.
    WithoutInput,
    /// All of it.
    Full,
}

impl ContextUse {
    /// Judged from the state's JSON text: any mention of the context needs it, and the input
    /// is included unless every mention names another member.
    pub fn of_text(text: &str) -> ContextUse {
        if text.contains("$states")
            || text.contains("\"$$\"")
            || text.contains("$$.Execution.Input")
        {
            return ContextUse::Full;
        }
        let mentions = text.matches("$$").count();
        if mentions == 0 {
            return ContextUse::None;
        }
        // `$$.Execution` alone (not `$$.Execution.Id` and the like) includes the input.
        let whole_execution = text
            .match_indices("$$.Execution")
            .any(|(i, m)| !text[i + m.len()..].starts_with('.'));
        if whole_execution {
            ContextUse::Full
        } else {
            ContextUse::WithoutInput
        }
    }
}

impl State {
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}

/// A path field that may be absent (defaults to `$`) or explicitly `null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PathField {
    #[default]
    Default,
    Null,
    Path(Path),
}

/// Input and output processing of a state.
// One per state, built once at parse time: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Io {
    JsonPath(JsonPathIo),
    Jsonata(JsonataIo),
}

/// InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath.
#[derive(Debug, Clone, Default)]
pub struct JsonPathIo {
    pub input_path: PathField,
    /// `Parameters` (or a Map's `ItemSelector`, which lives in [`Map`] instead).
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: PathField,
    pub output_path: PathField,
}

/// `Arguments` and `Output`.
#[derive(Debug, Clone, Default)]
pub struct JsonataIo {
    pub arguments: Option<JsonataValue>,
    pub output: Option<JsonataValue>,
}

/// A JSON value in a JSONata state: literals, with `{% … %}` strings at any depth evaluated.
#[derive(Debug, Clone)]
pub enum JsonataValue {
    Literal(Value),
    /// A `{% expression %}` string.
    Expression(Box<Expression>),
    Object(Vec<(String, JsonataValue)>),
    Array(Vec<JsonataValue>),
}

/// The variables a state assigns.
#[derive(Debug, Clone)]
pub enum Assign {
    /// A payload template (keys ending in `.$` read paths, variables or intrinsics).
    JsonPath(Template),
    /// Each variable's value (JSONata expressions at any depth).
    Jsonata(Vec<(String, JsonataValue)>),
}

/// A value that is fixed in the definition or computed at run time: the `X` / `XPath` pairs
/// of JSONPath states and JSONata-capable fields.
#[derive(Debug, Clone)]
pub enum Dynamic {
    Literal(Value),
    /// `XPath` (a reference path) in a JSONPath state.
    Path(Path),
    /// Fail's `ErrorPath`/`CausePath` may also be an intrinsic call.
    Intrinsic(Intrinsic),
    /// A `{% … %}` value in a JSONata state.
    Jsonata(JsonataValue),
}

#[derive(Debug, Clone)]
pub enum StateKind {
    Pass(Pass),
    Task(Box<Task>),
    Choice(Choice),
    Wait(Wait),
    Succeed,
    Fail(Fail),
    Parallel(Parallel),
    Map(Box<Map>),
}

impl StateKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Pass(_) => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// JSONPath `Result`: the state's virtual task result.
    pub result: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub resource: String,
    pub timeout_seconds: Option<Dynamic>,
    pub heartbeat_seconds: Option<Dynamic>,
    /// `Credentials`, kept as given (a template or JSONata value), resolved into TaskScheduled.
    pub credentials: Option<Value>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub choices: Vec<ChoiceRule>,
    pub default: Option<String>,
}

/// A top-level Choice rule: a condition and where to go when it holds.
#[derive(Debug, Clone)]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: String,
    pub assign: Option<Assign>,
    /// JSONata `Output` of the rule.
    pub output: Option<JsonataValue>,
}

#[derive(Debug, Clone)]
pub enum Condition {
    /// A JSONata `Condition` (a boolean or a `{% … %}` expression).
    Jsonata(JsonataValue),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    /// `Variable` compared with one operator.
    Compare {
        variable: Path,
        comparison: Comparison,
    },
}

/// A data-test operator and its operand.
#[derive(Debug, Clone)]
pub enum Comparison {
    /// `StringEquals`, `NumericLessThan`, … against a literal or (for `…Path`) another path.
    Binary {
        kind: ValueKind,
        op: Ordering,
        operand: Operand,
    },
    /// `StringMatches` with its pattern.
    StringMatches(String),
    /// `IsNull`, `IsPresent`, … with the expected truth value.
    TypeTest { test: TypeTest, expected: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

#[derive(Debug, Clone)]
pub enum Operand {
    Literal(Value),
    Path(Path),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeTest {
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

#[derive(Debug, Clone)]
pub enum Wait {
    Seconds(Dynamic),
    Timestamp(Dynamic),
}

#[derive(Debug, Clone, Default)]
pub struct Fail {
    pub error: Option<Dynamic>,
    pub cause: Option<Dynamic>,
}

#[derive(Debug, Clone)]
pub struct Parallel {
    pub branches: Vec<GraphId>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessorMode {
    Inline,
    Distributed,
}

#[derive(Debug, Clone)]
pub struct Map {
    pub processor: GraphId,
    pub mode: ProcessorMode,
    /// `ProcessorConfig.ExecutionType` of a Distributed Map's children.
    pub execution_type: Option<MachineType>,
    /// JSONPath `ItemsPath` or JSONata `Items`; `None` means the whole effective input.
    pub items: Option<Dynamic>,
    pub item_selector: Option<ItemSelector>,
    pub max_concurrency: Option<Dynamic>,
    pub tolerated_failure_count: Option<Dynamic>,
    pub tolerated_failure_percentage: Option<Dynamic>,
    pub label: Option<String>,
    /// Distributed Map's `ItemReader`, `ItemBatcher` and `ResultWriter`, kept as written.
    pub item_reader: Option<Value>,
    pub item_batcher: Option<Value>,
    pub result_writer: Option<Value>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

/// How each item becomes an iteration's input.
#[derive(Debug, Clone)]
pub enum ItemSelector {
    JsonPath(Template),
    Jsonata(JsonataValue),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JitterStrategy {
    #[default]
    None,
    Full,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u64,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub jitter_strategy: JitterStrategy,
}

impl Retrier {
    pub const DEFAULT_INTERVAL_SECONDS: u64 = 1;
    pub const DEFAULT_MAX_ATTEMPTS: u64 = 3;
    pub const DEFAULT_BACKOFF_RATE: f64 = 2.0;
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    /// JSONPath `ResultPath` (default `$`).
    pub result_path: PathField,
    /// JSONata `Output` (default: the error output).
    pub output: Option<JsonataValue>,
    pub assign: Option<Assign>,
}

#[cfg(test)]
mod tests {
    use super::ContextUse;

    #[test]
    fn context_use_is_judged_conservatively() {
        assert_eq!(
            ContextUse::of_text(r#"{"Type":"Pass","Result":1}"#),
            ContextUse::None
        );
        assert_eq!(
            ContextUse::of_text(r#"{"a.$":"$$.State.Name"}"#),
            ContextUse::WithoutInput
        );
        assert_eq!(
            ContextUse::of_text(r#"{"a.$":"$$.Execution.Id"}"#),
            ContextUse::WithoutInput
        );
        assert_eq!(
            ContextUse::of_text(r#"{"a.$":"$$.Execution.Input.x"}"#),
            ContextUse::Full
        );
        assert_eq!(
            ContextUse::of_text(r#"{"a.$":"$$.Execution"}"#),
            ContextUse::Full
        );
        assert_eq!(
            ContextUse::of_text(r#"{"InputPath":"$$"}"#),
            ContextUse::Full
        );
        assert_eq!(
            ContextUse::of_text(r#"{"Output":"{% $states.input %}"}"#),
            ContextUse::Full
        );
    }
}
