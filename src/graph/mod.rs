//! The entity graph: entities (and unlinked mentions grouped by type and normalised text) as
//! nodes, relations aggregated across documents as edges, each edge keeping the sentences
//! that state it. Pure data: the GUI draws it, `layout::ForceLayout` places it.

pub mod layout;

pub use layout::ForceLayout;

use crate::kb::{clean_surface, enclosing, normalize_name, sentence_bounds};
use crate::model::{DocumentId, EntityId, Project, RelationId, SpanId};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What a node stands for; stable across rebuilds, so layouts and selections can follow it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKey {
    /// A knowledge-base entity.
    Entity(EntityId),
    /// Unlinked spans of one type with the same normalised text.
    Unlinked { entity_type: String, name: String },
}

impl NodeKey {
    /// A stable text form (for hashing into initial positions).
    pub fn stable_string(&self) -> String {
        match self {
            NodeKey::Entity(id) => format!("{id}"),
            NodeKey::Unlinked { entity_type, name } => format!("{entity_type}:{name}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub key: NodeKey,
    /// The entity's name, or the most frequent surface form of an unlinked group.
    pub label: String,
    pub entity_type: String,
    /// Spans counted (within the filter's documents).
    pub mentions: usize,
    /// Documents with at least one of those spans.
    pub documents: usize,
}

/// A sentence (or run of sentences) stating a relation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub doc: DocumentId,
    pub relation: RelationId,
    /// Char range from the sentence of the relation's first end to that of its last end.
    pub sentence_start: usize,
    pub sentence_end: usize,
    pub sentence: String,
}

/// All relations of one type between two nodes. For symmetric relation types `source` is
/// the lower node index and direction is meaningless.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Index into `EntityGraph::nodes`.
    pub source: usize,
    pub target: usize,
    pub relation_type: String,
    pub symmetric: bool,
    /// In document order, then relation id.
    pub evidence: Vec<Evidence>,
}

/// Which part of the project the graph shows. `None` means no restriction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphFilter {
    pub entity_types: Option<BTreeSet<String>>,
    pub relation_types: Option<BTreeSet<String>>,
    pub documents: Option<BTreeSet<DocumentId>>,
    /// Leave out nodes without edges.
    pub hide_isolated: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntityGraph {
    /// Sorted by key.
    pub nodes: Vec<Node>,
    /// Sorted by (source, target, relation type).
    pub edges: Vec<Edge>,
    /// Per node, the indices of its edges.
    adjacency: Vec<Vec<usize>>,
}

impl EntityGraph {
    /// Builds the graph of the project as seen through `filter`.
    pub fn build(project: &Project, filter: &GraphFilter) -> EntityGraph {
        let type_ok = |t: &str| {
            filter
                .entity_types
                .as_ref()
                .is_none_or(|set| set.contains(t))
        };
        let rel_ok = |t: &str| {
            filter
                .relation_types
                .as_ref()
                .is_none_or(|set| set.contains(t))
        };

        struct Acc {
            label_counts: HashMap<String, (usize, usize)>,
            entity_type: String,
            mentions: usize,
            documents: HashSet<DocumentId>,
        }
        let mut acc: BTreeMap<NodeKey, Acc> = BTreeMap::new();
        let mut span_node: HashMap<(DocumentId, SpanId), NodeKey> = HashMap::new();
        let mut order = 0usize;
        let docs = project.documents.iter().filter(|d| {
            filter
                .documents
                .as_ref()
                .is_none_or(|set| set.contains(&d.id))
        });
        for d in docs.clone() {
            for s in &d.spans {
                let entity = s.entity.and_then(|e| project.entity(e));
                let (key, ty) = match entity {
                    Some(e) => (NodeKey::Entity(e.id), e.entity_type.as_str()),
                    None => {
                        let name = normalize_name(d.span_text(s));
                        let ty = s.entity_type.as_str();
                        (
                            NodeKey::Unlinked {
                                entity_type: ty.to_string(),
                                name,
                            },
                            ty,
                        )
                    }
                };
                if !type_ok(ty) {
                    continue;
                }
                let a = acc.entry(key.clone()).or_insert_with(|| Acc {
                    label_counts: HashMap::new(),
                    entity_type: ty.to_string(),
                    mentions: 0,
                    documents: HashSet::new(),
                });
                a.mentions += 1;
                a.documents.insert(d.id);
                if entity.is_none() {
                    let c = a
                        .label_counts
                        .entry(clean_surface(d.span_text(s)))
                        .or_insert((0, order));
                    c.0 += 1;
                    order += 1;
                }
                span_node.insert((d.id, s.id), key);
            }
        }
        let index: HashMap<NodeKey, usize> = acc
            .keys()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let nodes: Vec<Node> = acc
            .into_iter()
            .map(|(key, a)| {
                let label = match &key {
                    NodeKey::Entity(id) => project
                        .entity(*id)
                        .map(|e| e.name.clone())
                        .unwrap_or_default(),
                    NodeKey::Unlinked { name, .. } => a
                        .label_counts
                        .iter()
                        .max_by_key(|(_, (count, first))| (*count, std::cmp::Reverse(*first)))
                        .map_or_else(|| name.clone(), |(l, _)| l.clone()),
                };
                Node {
                    key,
                    label,
                    entity_type: a.entity_type,
                    mentions: a.mentions,
                    documents: a.documents.len(),
                }
            })
            .collect();

        let mut edges: BTreeMap<(usize, usize, String), Edge> = BTreeMap::new();
        for d in docs {
            let rels: Vec<_> = d
                .relations
                .iter()
                .filter(|r| rel_ok(&r.relation_type))
                .filter_map(|r| {
                    let s = index.get(span_node.get(&(d.id, r.source))?)?;
                    let t = index.get(span_node.get(&(d.id, r.target))?)?;
                    Some((r, *s, *t))
                })
                .collect();
            if rels.is_empty() {
                continue;
            }
            let bounds = sentence_bounds(d);
            for (r, s, t) in rels {
                let symmetric = project
                    .schema
                    .relation_type(&r.relation_type)
                    .is_some_and(|t| t.symmetric);
                let (s, t) = if symmetric {
                    (s.min(t), s.max(t))
                } else {
                    (s, t)
                };
                let (Some(a), Some(b)) = (d.span(r.source), d.span(r.target)) else {
                    continue;
                };
                let (start, end) = enclosing(&bounds, a.start.min(b.start), a.end.max(b.end));
                edges
                    .entry((s, t, r.relation_type.to_string()))
                    .or_insert_with(|| Edge {
                        source: s,
                        target: t,
                        relation_type: r.relation_type.to_string(),
                        symmetric,
                        evidence: Vec::new(),
                    })
                    .evidence
                    .push(Evidence {
                        doc: d.id,
                        relation: r.id,
                        sentence_start: start,
                        sentence_end: end,
                        sentence: d.slice(start, end).replace(['\n', '\r'], " "),
                    });
            }
        }
        let mut graph = EntityGraph {
            nodes,
            edges: edges.into_values().collect(),
            adjacency: Vec::new(),
        };
        if filter.hide_isolated {
            graph.drop_isolated();
        }
        graph.adjacency = vec![Vec::new(); graph.nodes.len()];
        for (i, e) in graph.edges.iter().enumerate() {
            graph.adjacency[e.source].push(i);
            if e.target != e.source {
                graph.adjacency[e.target].push(i);
            }
        }
        graph
    }

    fn drop_isolated(&mut self) {
        let mut used = vec![false; self.nodes.len()];
        for e in &self.edges {
            used[e.source] = true;
            used[e.target] = true;
        }
        let mut new_index = vec![usize::MAX; self.nodes.len()];
        let mut next = 0;
        for (i, u) in used.iter().enumerate() {
            if *u {
                new_index[i] = next;
                next += 1;
            }
        }
        let mut i = 0;
        self.nodes.retain(|_| {
            i += 1;
            used[i - 1]
        });
        for e in &mut self.edges {
            e.source = new_index[e.source];
            e.target = new_index[e.target];
        }
    }

    /// The index of the node with this key.
    pub fn node_index(&self, key: &NodeKey) -> Option<usize> {
        self.nodes.binary_search_by(|n| n.key.cmp(key)).ok()
    }

    /// Indices of the edges touching a node.
    pub fn edges_of(&self, node: usize) -> &[usize] {
        self.adjacency.get(node).map_or(&[], Vec::as_slice)
    }

    /// Indices of the nodes sharing an edge with `node` (for hover highlight), sorted, without
    /// `node` itself.
    pub fn neighbours(&self, node: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .edges_of(node)
            .iter()
            .map(|&e| {
                let e = &self.edges[e];
                if e.source == node { e.target } else { e.source }
            })
            .filter(|&n| n != node)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
