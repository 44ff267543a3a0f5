//! placeholder
use super::{Suggester, Suggestion};
use crate::model::{Document, Project};
#[derive(Debug, Clone, Default)]
pub struct RelationPatterns;
impl Suggester for RelationPatterns {
    fn name(&self) -> &'static str {
        "relations"
    }
    fn learn(&mut self, _project: &Project) {}
    fn suggest(&self, _project: &Project, _doc: &Document) -> Vec<Suggestion> {
        Vec::new()
    }
}
