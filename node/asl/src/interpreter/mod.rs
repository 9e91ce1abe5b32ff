//! Executions, one pure transition at a time.
