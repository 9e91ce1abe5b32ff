//! Variable scopes: a block, a function call or a path step with bound variables each get a
//! [`Frame`] whose parent is the scope the code was written in.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use super::teardown;
use super::value::Value;

#[derive(Debug, Default)]
pub(crate) struct Frame {
    // Scopes hold a handful of names: a list beats hashing.
    vars: RefCell<Vec<(Arc<str>, Value)>>,
    parent: Option<Rc<Frame>>,
}

impl Frame {
    pub fn root() -> Rc<Frame> {
        Rc::new(Frame::default())
    }

    pub fn child(parent: &Rc<Frame>) -> Rc<Frame> {
        Rc::new(Frame {
            vars: RefCell::new(Vec::new()),
            parent: Some(parent.clone()),
        })
    }

    pub fn bind(&self, name: &Arc<str>, value: Value) {
        let mut vars = self.vars.borrow_mut();
        match vars.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => vars.push((name.clone(), value)),
        }
    }

    /// The innermost binding of `name`, if any scope binds it.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        let mut frame = self;
        loop {
            if let Some((_, value)) = frame.vars.borrow().iter().find(|(n, _)| &**n == name) {
                return Some(value.clone());
            }
            frame = frame.parent.as_deref()?;
        }
    }

    /// Forgets every binding of this scope and its parents. Closures stored in the scopes
    /// they capture form reference cycles; clearing at the end of an evaluation frees them.
    pub fn clear_chain(&self) {
        let mut frame = self;
        loop {
            let vars = std::mem::take(&mut *frame.vars.borrow_mut());
            teardown::defer_values(vars.into_iter().map(|(_, v)| v).collect());
            match frame.parent.as_deref() {
                Some(parent) => frame = parent,
                None => return,
            }
        }
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        let vars = std::mem::take(self.vars.get_mut());
        if vars.iter().any(|(_, v)| v.owns_container()) {
            teardown::defer_values(vars.into_iter().map(|(_, v)| v).collect());
        }
        if let Some(parent) = self.parent.take()
            && Rc::strong_count(&parent) == 1
        {
            teardown::defer_frame(parent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_bindings_shadow_outer_ones() {
        let root = Frame::root();
        root.bind(&"x".into(), Value::Number(1.0));
        let inner = Frame::child(&root);
        assert!(matches!(inner.lookup("x"), Some(Value::Number(n)) if n == 1.0));
        inner.bind(&"x".into(), Value::Number(2.0));
        assert!(matches!(inner.lookup("x"), Some(Value::Number(n)) if n == 2.0));
        assert!(matches!(root.lookup("x"), Some(Value::Number(n)) if n == 1.0));
        assert!(inner.lookup("y").is_none());
    }

    #[test]
    fn dropping_a_long_chain_of_scopes_does_not_overflow_the_stack() {
        let mut frame = Frame::root();
        for _ in 0..200_000 {
            frame = Frame::child(&frame);
        }
        drop(frame);
    }
}
