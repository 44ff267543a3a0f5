//! The entity graph as GraphML (Gephi, yEd, NetworkX): a node per knowledge-base entity and per
//! group of unlinked mentions with the same type and text; an edge per (source node, target
//! node, relation type) with the number of statements behind it.

use super::escape_xml;
use crate::model::{Document, Project, Span};
use std::collections::BTreeMap;
use std::fmt::Write;

struct Node {
    label: String,
    entity_type: String,
    kind: &'static str,
    mentions: usize,
}

fn node_key(span: &Span, doc: &Document) -> String {
    match span.entity {
        Some(e) => e.to_string(),
        None => format!("{}\u{1f}{}", span.entity_type, doc.span_text(span)),
    }
}

pub fn render(project: &Project) -> String {
    // Node key -> node; BTreeMap keeps the output stable.
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    for e in &project.entities {
        nodes.insert(
            e.id.to_string(),
            Node {
                label: e.name.clone(),
                entity_type: e.entity_type.clone(),
                kind: "entity",
                mentions: 0,
            },
        );
    }
    let mut edges: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for d in &project.documents {
        for s in &d.spans {
            let node = nodes.entry(node_key(s, d)).or_insert_with(|| Node {
                label: d.span_text(s).to_string(),
                entity_type: s.entity_type.to_string(),
                kind: "mention",
                mentions: 0,
            });
            node.mentions += 1;
        }
        for r in &d.relations {
            if let (Some(a), Some(b)) = (d.span(r.source), d.span(r.target)) {
                *edges
                    .entry((node_key(a, d), node_key(b, d), r.relation_type.to_string()))
                    .or_insert(0) += 1;
            }
        }
    }
    let ids: BTreeMap<&str, String> = nodes
        .keys()
        .enumerate()
        .map(|(i, k)| {
            let id = if k.contains('\u{1f}') {
                format!("m{i}")
            } else {
                k.clone()
            };
            (k.as_str(), id)
        })
        .collect();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n\
         \x20 <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n\
         \x20 <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n\
         \x20 <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n\
         \x20 <key id=\"mentions\" for=\"node\" attr.name=\"mentions\" attr.type=\"int\"/>\n\
         \x20 <key id=\"color\" for=\"node\" attr.name=\"color\" attr.type=\"string\"/>\n\
         \x20 <key id=\"relation\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n\
         \x20 <key id=\"elabel\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n\
         \x20 <key id=\"count\" for=\"edge\" attr.name=\"count\" attr.type=\"int\"/>\n\
         \x20 <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n",
    );
    let _ = writeln!(
        out,
        "  <graph id=\"{}\" edgedefault=\"directed\">",
        nmtoken(&project.name)
    );
    for (key, n) in &nodes {
        let color = project
            .schema
            .entity_type(&n.entity_type)
            .map(|t| t.color.as_str())
            .unwrap_or("#cccccc");
        let _ = writeln!(
            out,
            "    <node id=\"{}\">\n      <data key=\"label\">{}</data>\n      <data key=\"type\">{}</data>\n      <data key=\"kind\">{}</data>\n      <data key=\"mentions\">{}</data>\n      <data key=\"color\">{}</data>\n    </node>",
            escape_xml(&ids[key.as_str()]),
            escape_xml(&n.label),
            escape_xml(&n.entity_type),
            n.kind,
            n.mentions,
            escape_xml(color)
        );
    }
    for (i, ((a, b, ty), count)) in edges.iter().enumerate() {
        let label = project
            .schema
            .relation_type(ty)
            .map(|t| t.label.as_str())
            .unwrap_or(ty);
        let _ = writeln!(
            out,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\">\n      <data key=\"relation\">{}</data>\n      <data key=\"elabel\">{}</data>\n      <data key=\"count\">{count}</data>\n      <data key=\"weight\">{count}.0</data>\n    </edge>",
            escape_xml(&ids[a.as_str()]),
            escape_xml(&ids[b.as_str()]),
            escape_xml(ty),
            escape_xml(label),
        );
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// The project name as an XML NMTOKEN (what GraphML's schema wants for a graph id): letters,
/// digits, `.`, `-` and `_`; anything else becomes `_`.
fn nmtoken(name: &str) -> String {
    let token: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if token.is_empty() {
        "G".to_string()
    } else {
        token
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn graph_ids_are_nmtokens() {
        assert_eq!(
            super::nmtoken("Caucasus desk: 2024 (draft)"),
            "Caucasus_desk__2024__draft_"
        );
        assert_eq!(super::nmtoken(""), "G");
        assert_eq!(super::nmtoken("Ереван.v2"), "Ереван.v2");
    }
}
