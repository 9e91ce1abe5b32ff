//! Checks across a whole graph: transition targets, reachability and termination.

use std::collections::HashSet;

use super::Parser;
use crate::definition::diagnostic::{Code, pointer_join};
use crate::definition::model::{Graph, GraphId, State, StateKind, Transition};

impl Parser {
    pub(super) fn check_graphs(&mut self) {
        let graphs: Vec<(GraphId, Graph)> = self
            .graphs
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.clone().map(|g| (GraphId(i), g)))
            .collect();
        for (id, graph) in &graphs {
            let declared = self.declared_states.get(id).cloned().unwrap_or_default();
            self.check_graph(graph, &declared);
        }
    }

    fn check_graph(&mut self, graph: &Graph, declared: &HashSet<String>) {
        let names: HashSet<&str> = declared.iter().map(String::as_str).collect();
        let complete = graph.states.len() == declared.len();
        if !names.contains(graph.start_at.as_str()) {
            self.error(
                Code::MissingTransitionTarget,
                pointer_join(&graph.pointer, "StartAt"),
                format!(
                    "\"StartAt\" names \"{}\", which is not a state of this {}",
                    graph.start_at,
                    scope_word(graph)
                ),
            );
        }
        for state in &graph.states {
            for (pointer, target) in targets(state) {
                if !names.contains(target) {
                    self.error(
                        Code::MissingTransitionTarget,
                        pointer,
                        format!(
                            "\"{target}\" is not a state of this {}; transitions cannot jump into \
                             or out of a Parallel branch or Map item processor",
                            scope_word(graph)
                        ),
                    );
                }
            }
        }
        if !complete {
            // Reachability and termination are judged only once every state parses.
            return;
        }
        self.check_reachability(graph);
        let has_terminal = graph.states.iter().any(|s| {
            matches!(s.transition, Some(Transition::End))
                || matches!(s.kind, StateKind::Succeed | StateKind::Fail(_))
        });
        if !has_terminal {
            self.error(
                Code::NoTerminalState,
                pointer_join(&graph.pointer, "States"),
                "no state ends this scope: add \"End\": true to a state, or a Succeed or Fail state",
            );
        }
    }

    fn check_reachability(&mut self, graph: &Graph) {
        let mut reached: HashSet<&str> = HashSet::new();
        let mut stack = vec![graph.start_at.as_str()];
        while let Some(name) = stack.pop() {
            if !reached.insert(name) {
                continue;
            }
            if let Some(state) = graph.state(name) {
                stack.extend(targets(state).into_iter().map(|(_, t)| t));
            }
        }
        for state in &graph.states {
            if !reached.contains(state.name.as_str()) {
                self.warning(
                    Code::UnreachableState,
                    state.pointer.clone(),
                    format!(
                        "state \"{}\" can never run: no transition from \"StartAt\" leads to it",
                        state.name
                    ),
                );
            }
        }
    }
}

/// Every state name `state` can transition to, with the pointer of the field naming it.
fn targets(state: &State) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    if let Some(Transition::Next(next)) = &state.transition {
        out.push((pointer_join(&state.pointer, "Next"), next.as_str()));
    }
    let catchers = match &state.kind {
        StateKind::Task(t) => t.catch.as_slice(),
        StateKind::Parallel(p) => p.catch.as_slice(),
        StateKind::Map(m) => m.catch.as_slice(),
        _ => &[],
    };
    for (i, catcher) in catchers.iter().enumerate() {
        let at = pointer_join(
            &pointer_join(&pointer_join(&state.pointer, "Catch"), &i.to_string()),
            "Next",
        );
        out.push((at, catcher.next.as_str()));
    }
    if let StateKind::Choice(choice) = &state.kind {
        for (i, rule) in choice.choices.iter().enumerate() {
            let at = pointer_join(
                &pointer_join(&pointer_join(&state.pointer, "Choices"), &i.to_string()),
                "Next",
            );
            out.push((at, rule.next.as_str()));
        }
        if let Some(default) = &choice.default {
            out.push((pointer_join(&state.pointer, "Default"), default.as_str()));
        }
    }
    out
}

fn scope_word(graph: &Graph) -> &'static str {
    if graph.parent.is_none() {
        "state machine"
    } else {
        "branch or item processor"
    }
}
