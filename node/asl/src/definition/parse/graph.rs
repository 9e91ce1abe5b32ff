//! Graphs (the machine, Parallel branches, Map item processors) and the fields every state
//! shares.

use std::collections::HashSet;

use serde_json::Value;

use super::{Fields, Parser, fields};
use crate::definition::diagnostic::{Code, pointer_join};
use crate::definition::limits;
use crate::definition::model::{
    ContextUse, Graph, GraphId, Io, JsonPathIo, JsonataIo, QueryLanguage, State, StateKind,
    Transition,
};

impl Parser {
    /// Parses `StartAt` and `States` of `object` into a new graph. The id is reserved before
    /// the states are parsed, so nested graphs get later ids than their parent.
    pub(super) fn graph(&mut self, object: Fields<'_>, parent: Option<GraphId>) -> Option<GraphId> {
        let id = GraphId(self.graphs.len());
        self.graphs.push(None);
        let what = if parent.is_none() {
            "a state machine"
        } else {
            "a branch or item processor"
        };
        let start_at = self
            .required_string(object, "StartAt", what)
            .map(str::to_owned);
        let states_value = self.required(object, "States", what);
        let mut states = Vec::new();
        let mut declared = HashSet::new();
        let mut complete = start_at.is_some();
        match states_value {
            Some(Value::Object(map)) => {
                if map.is_empty() {
                    self.error(
                        Code::InvalidValue,
                        object.at("States"),
                        "\"States\" must define at least one state",
                    );
                    complete = false;
                }
                let states_pointer = object.at("States");
                for (name, value) in map {
                    declared.insert(name.clone());
                    match self.state(name, value, &pointer_join(&states_pointer, name), id) {
                        Some(state) => states.push(state),
                        None => complete = false,
                    }
                }
            }
            Some(_) => {
                self.error(
                    Code::InvalidType,
                    object.at("States"),
                    "\"States\" must be a JSON object",
                );
                return None;
            }
            None => return None,
        }
        let start_at = start_at?;
        // The graph is kept even when some of its states are broken, so that transitions and
        // reachability are still checked against every declared name: one mistake must not
        // hide another.
        self.graphs[id.0] = Some(Graph {
            start_at,
            states,
            parent,
            pointer: object.pointer.to_owned(),
        });
        self.declared_states.insert(id, declared);
        complete.then_some(id)
    }

    fn state(&mut self, name: &str, value: &Value, pointer: &str, graph: GraphId) -> Option<State> {
        self.state_name(name, pointer);
        let Some(map) = value.as_object() else {
            self.error(
                Code::InvalidType,
                pointer.to_owned(),
                format!("state \"{name}\" must be a JSON object"),
            );
            return None;
        };
        let object = Fields::new(map, pointer);
        let what = format!("state \"{name}\"");
        let type_name = self.required_string(object, "Type", &what)?;
        let language = self.state_language(object);
        let Some(allowed) = fields::state_fields(type_name, language) else {
            self.error(
                Code::InvalidValue,
                object.at("Type"),
                format!(
                    "\"{type_name}\" is not a state type; use one of {}",
                    fields::STATE_TYPES.join(", ")
                ),
            );
            return None;
        };
        self.allow_fields(
            object,
            &allowed,
            &format!(
                "a {language} {type_name} state",
                language = language.as_str()
            ),
        );
        let comment = self.optional_string(object, "Comment").map(str::to_owned);
        let transition = self.transition(object, type_name);
        let io = self.io(object, language);
        let assign = if object.has("Assign") {
            self.assign(object, language)
        } else {
            None
        };
        let kind = self.state_kind(type_name, object, language, graph)?;
        let needs_transition = !matches!(type_name, "Choice" | "Succeed" | "Fail");
        if needs_transition && transition.is_none() {
            return None;
        }
        Some(State {
            name: name.to_owned(),
            comment,
            query_language: language,
            transition,
            io: io?,
            assign,
            kind,
            pointer: pointer.to_owned(),
            context_use: ContextUse::of_text(&value.to_string()),
        })
    }

    /// Names are unique across the whole machine and follow the naming rules.
    fn state_name(&mut self, name: &str, pointer: &str) {
        if let Some(first) = self.state_names.get(name) {
            let message = format!(
                "the state name \"{name}\" is already used at {first}; state names must be unique \
                 across the whole state machine, including branches and item processors"
            );
            self.error(Code::DuplicateStateName, pointer.to_owned(), message);
        } else {
            self.state_names.insert(name.to_owned(), pointer.to_owned());
        }
        let chars = name.chars().count();
        if chars == 0 || chars > limits::NAME_CHARS_MAX {
            self.error(
                Code::InvalidName,
                pointer.to_owned(),
                format!(
                    "state names must be 1 to {} characters long",
                    limits::NAME_CHARS_MAX
                ),
            );
        }
    }

    /// The state's effective query language. A JSONata machine cannot contain JSONPath states.
    fn state_language(&mut self, object: Fields<'_>) -> QueryLanguage {
        match self.query_language(object) {
            Some(QueryLanguage::JsonPath) if self.machine_language == QueryLanguage::Jsonata => {
                self.error(
                    Code::QueryLanguageMismatch,
                    object.at("QueryLanguage"),
                    "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state \
                     machine; remove the state's QueryLanguage or convert it to JSONata",
                );
                QueryLanguage::Jsonata
            }
            Some(language) => language,
            None => self.machine_language,
        }
    }

    /// `Next` / `End`: exactly one for states that continue; `None` (and no error) for Choice,
    /// Succeed and Fail, whose fields are checked by `allow_fields`.
    fn transition(&mut self, object: Fields<'_>, type_name: &str) -> Option<Transition> {
        if matches!(type_name, "Choice" | "Succeed" | "Fail") {
            return None;
        }
        let next = self.optional_string(object, "Next");
        let end = self.optional_bool(object, "End");
        match (next, end) {
            (Some(_), Some(true)) => {
                self.error(
                    Code::ConflictingFields,
                    object.at("End"),
                    "a state has either \"Next\" or \"End\": true, not both",
                );
                None
            }
            (Some(next), _) => Some(Transition::Next(next.to_owned())),
            (None, Some(true)) => Some(Transition::End),
            (None, _) if object.has("Next") => None,
            (None, _) => {
                self.error(
                    Code::MissingField,
                    object.pointer.to_owned(),
                    format!(
                        "a {type_name} state needs \"Next\" (the state to go to) or \"End\": true"
                    ),
                );
                None
            }
        }
    }

    fn io(&mut self, object: Fields<'_>, language: QueryLanguage) -> Option<Io> {
        Some(match language {
            QueryLanguage::JsonPath => {
                let parameters = if object.has("Parameters") && !is_map(object) {
                    Some(self.template(object, "Parameters")?)
                } else {
                    None
                };
                let result_selector = match object.has("ResultSelector") {
                    true => Some(self.template(object, "ResultSelector")?),
                    false => None,
                };
                Io::JsonPath(JsonPathIo {
                    input_path: self.path_field(object, "InputPath"),
                    parameters,
                    result_selector,
                    result_path: self.result_path_field(object, "ResultPath"),
                    output_path: self.path_field(object, "OutputPath"),
                })
            }
            QueryLanguage::Jsonata => Io::Jsonata(JsonataIo {
                arguments: match object.has("Arguments") {
                    true => Some(self.jsonata_field(object, "Arguments")?),
                    false => None,
                },
                output: match object.has("Output") {
                    true => Some(self.jsonata_field(object, "Output")?),
                    false => None,
                },
            }),
        })
    }

    fn state_kind(
        &mut self,
        type_name: &str,
        object: Fields<'_>,
        language: QueryLanguage,
        graph: GraphId,
    ) -> Option<StateKind> {
        match type_name {
            "Pass" => Some(StateKind::Pass(self.pass(object))),
            "Task" => self
                .task(object, language)
                .map(|t| StateKind::Task(Box::new(t))),
            "Choice" => self.choice(object, language).map(StateKind::Choice),
            "Wait" => self.wait(object, language).map(StateKind::Wait),
            "Succeed" => Some(StateKind::Succeed),
            "Fail" => self.fail(object, language).map(StateKind::Fail),
            "Parallel" => self
                .parallel(object, language, graph)
                .map(StateKind::Parallel),
            "Map" => self
                .map(object, language, graph)
                .map(|m| StateKind::Map(Box::new(m))),
            _ => None,
        }
    }
}

/// A Map's `Parameters` is its deprecated `ItemSelector`, parsed with the Map.
fn is_map(object: Fields<'_>) -> bool {
    object.get("Type").and_then(Value::as_str) == Some("Map")
}
