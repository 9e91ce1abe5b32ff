//! Canned task results for local runs, in the vocabulary of Step Functions Local's mock
//! configuration: each invocation of a state returns a value (`Return`) or raises an error
//! (`Throw`).

use std::collections::HashMap;

use serde_json::Value;

use crate::error::Failure;
use crate::interpreter::TaskRequest;

/// One invocation's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    Return(Value),
    Throw(Failure),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MockError {
    #[error("no mocked responses are configured for this state")]
    NotConfigured,
    #[error("it was invoked {invocation} times and only {available} responses are mocked")]
    Exhausted { invocation: usize, available: usize },
    #[error("the mock file is not valid: {0}")]
    Invalid(String),
}

/// Answers tasks during a local run.
pub trait Mocks {
    fn respond(&mut self, request: &TaskRequest) -> Result<MockResponse, MockError>;
}

/// Responses per state name, handed out in invocation order (retries included).
#[derive(Debug, Clone, Default)]
pub struct StateMocks {
    responses: HashMap<String, Vec<MockResponse>>,
    invocations: HashMap<String, usize>,
}

impl StateMocks {
    pub fn new(responses: HashMap<String, Vec<MockResponse>>) -> Self {
        StateMocks {
            responses,
            invocations: HashMap::new(),
        }
    }

    /// Reads `{"State": [{"Return": …} | {"Throw": {"Error": …, "Cause": …}}, …], …}`.
    pub fn from_json(value: &Value) -> Result<Self, MockError> {
        let Some(states) = value.as_object() else {
            return Err(MockError::Invalid(
                "expected an object of state names".into(),
            ));
        };
        let mut responses = HashMap::new();
        for (state, list) in states {
            let Some(list) = list.as_array() else {
                return Err(MockError::Invalid(format!(
                    "the responses of \"{state}\" must be an array"
                )));
            };
            let parsed: Result<Vec<_>, _> = list.iter().map(parse_response).collect();
            responses.insert(state.clone(), parsed?);
        }
        Ok(StateMocks::new(responses))
    }

    /// Reads Step Functions Local's format: `MockedResponses` keyed by name, each mapping
    /// invocation ranges (`"0"`, `"1-2"`) to a response; `StateMachines.<machine>.TestCases.
    /// <case>` maps state names to response names.
    pub fn from_sfn_local(
        value: &Value,
        machine: Option<&str>,
        test_case: &str,
    ) -> Result<Self, MockError> {
        let machines = value
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError::Invalid("\"StateMachines\" must be an object".into()))?;
        let machine_config = match machine {
            Some(name) => machines.get(name),
            None if machines.len() == 1 => machines.values().next(),
            None => None,
        }
        .ok_or_else(|| {
            MockError::Invalid("name the state machine to use from \"StateMachines\"".into())
        })?;
        let case = machine_config
            .get("TestCases")
            .and_then(|c| c.get(test_case))
            .and_then(Value::as_object)
            .ok_or_else(|| MockError::Invalid(format!("no test case \"{test_case}\"")))?;
        let mocked = value
            .get("MockedResponses")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError::Invalid("\"MockedResponses\" must be an object".into()))?;
        let mut responses = HashMap::new();
        for (state, response_name) in case {
            let name = response_name.as_str().unwrap_or_default();
            let ranges = mocked
                .get(name)
                .and_then(Value::as_object)
                .ok_or_else(|| MockError::Invalid(format!("no mocked response \"{name}\"")))?;
            let mut list: Vec<(usize, MockResponse)> = Vec::new();
            for (range, response) in ranges {
                let (first, last) = match range.split_once('-') {
                    Some((a, b)) => (a.trim().parse::<usize>(), b.trim().parse::<usize>()),
                    None => (range.trim().parse::<usize>(), range.trim().parse::<usize>()),
                };
                let (Ok(first), Ok(last)) = (first, last) else {
                    return Err(MockError::Invalid(format!(
                        "\"{range}\" is not an invocation range like \"0\" or \"1-3\""
                    )));
                };
                let parsed = parse_response(response)?;
                for i in first..=last.min(first + 10_000) {
                    list.push((i, parsed.clone()));
                }
            }
            list.sort_by_key(|(i, _)| *i);
            responses.insert(state.clone(), list.into_iter().map(|(_, r)| r).collect());
        }
        Ok(StateMocks::new(responses))
    }
}

fn parse_response(value: &Value) -> Result<MockResponse, MockError> {
    if let Some(result) = value.get("Return") {
        return Ok(MockResponse::Return(result.clone()));
    }
    if let Some(throw) = value.get("Throw") {
        let text = |key: &str| throw.get(key).and_then(Value::as_str).map(str::to_owned);
        return Ok(MockResponse::Throw(Failure {
            error: text("Error").unwrap_or_default(),
            cause: text("Cause"),
        }));
    }
    Err(MockError::Invalid(format!(
        "a response needs \"Return\" or \"Throw\": {value}"
    )))
}

impl Mocks for StateMocks {
    fn respond(&mut self, request: &TaskRequest) -> Result<MockResponse, MockError> {
        let list = self
            .responses
            .get(&request.state)
            .ok_or(MockError::NotConfigured)?;
        let count = self.invocations.entry(request.state.clone()).or_insert(0);
        let response = list.get(*count).cloned().ok_or(MockError::Exhausted {
            invocation: *count + 1,
            available: list.len(),
        })?;
        *count += 1;
        Ok(response)
    }
}

/// No task can run: every Task state fails the run with a clear message.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMocks;

impl Mocks for NoMocks {
    fn respond(&mut self, _request: &TaskRequest) -> Result<MockResponse, MockError> {
        Err(MockError::NotConfigured)
    }
}
