use super::Transaction;
use crate::model::{ModelError, Project};

/// Undo and redo stacks of applied transactions (session state: never saved).
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Transaction>,
    redo: Vec<Transaction>,
}

impl History {
    /// Applies a transaction and records its inverse for undo; clears the redo stack.
    pub fn apply(&mut self, project: &mut Project, tx: Transaction) -> Result<(), ModelError> {
        if tx.is_empty() {
            return Ok(());
        }
        let inverse = tx.apply(project)?;
        self.undo.push(inverse);
        self.redo.clear();
        Ok(())
    }

    /// Undoes the last transaction. Returns its label, or None when there is nothing to undo.
    pub fn undo(&mut self, project: &mut Project) -> Result<Option<String>, ModelError> {
        step(project, &mut self.undo, &mut self.redo)
    }

    pub fn redo(&mut self, project: &mut Project) -> Result<Option<String>, ModelError> {
        step(project, &mut self.redo, &mut self.undo)
    }

    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|t| t.label.as_str())
    }

    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|t| t.label.as_str())
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

fn step(
    project: &mut Project,
    from: &mut Vec<Transaction>,
    to: &mut Vec<Transaction>,
) -> Result<Option<String>, ModelError> {
    let Some(tx) = from.pop() else {
        return Ok(None);
    };
    let label = tx.label.clone();
    match tx.clone().apply(project) {
        Ok(inverse) => {
            to.push(inverse);
            Ok(Some(label))
        }
        Err(e) => {
            from.push(tx);
            Err(e)
        }
    }
}
