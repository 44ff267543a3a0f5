//! brat standoff: one `.txt`/`.ann` pair per document, plus `annotation.conf` and `visual.conf`
//! generated from the schema, so the folder opens in brat as it is.
//!
//! brat ids reuse Marginalia's (span 12 is `T12`, relation 15 is `R15`); entity links are `N`
//! lines (`Reference T12 Marginalia:E3`), span and relation notes `AnnotatorNotes`.

use super::one_line;
use crate::model::{Document, Project, RelationId, SpanId, parse_hex_color};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// Renders the whole folder: (file name, contents).
pub fn render(project: &Project) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "annotation.conf".to_string(),
            annotation_conf(project).into_bytes(),
        ),
        ("visual.conf".to_string(), visual_conf(project).into_bytes()),
    ];
    for (i, doc) in project.documents.iter().enumerate() {
        let stem = file_stem(i, doc);
        files.push((format!("{stem}.txt"), doc.text.clone().into_bytes()));
        files.push((format!("{stem}.ann"), ann(project, doc).into_bytes()));
    }
    files
}

/// "003-csto-summit-in-yerevan-D12": position (so the folder lists in project order), a slug
/// of the title, and the document id.
pub fn file_stem(position: usize, doc: &Document) -> String {
    format!("{:03}-{}-{}", position + 1, slug(&doc.title), doc.id)
}

/// Lowercase ASCII letters and digits joined by single '-'; at most 48 chars.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if out.len() >= 48 {
                break;
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "document".to_string()
    } else {
        out
    }
}

/// The char ranges of a span without line breaks and tabs (which a T line cannot hold):
/// brat shows a span across lines as a discontinuous one.
fn fragments(doc: &Document, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    for (i, c) in doc.slice(start, end).chars().enumerate() {
        if matches!(c, '\n' | '\r' | '\t') {
            if from < start + i {
                out.push((from, start + i));
            }
            from = start + i + 1;
        }
    }
    if from < end {
        out.push((from, end));
    }
    out
}

/// The `.ann` file of one document.
pub fn ann(project: &Project, doc: &Document) -> String {
    let names = AnnIds::of(doc);
    let (t, r) = (|id| names.span(id), |id| names.relation(id));
    let mut out = String::new();
    let mut written = BTreeSet::new();
    for s in &doc.spans {
        let parts = fragments(doc, s.start, s.end);
        if parts.is_empty() {
            continue;
        }
        let offsets: Vec<String> = parts.iter().map(|(a, b)| format!("{a} {b}")).collect();
        let texts: Vec<&str> = parts.iter().map(|&(a, b)| doc.slice(a, b)).collect();
        let _ = writeln!(
            out,
            "{}\t{} {}\t{}",
            t(s.id),
            s.entity_type,
            offsets.join(";"),
            texts.join(" ")
        );
        written.insert(s.id);
    }
    for rel in &doc.relations {
        if written.contains(&rel.source) && written.contains(&rel.target) {
            let _ = writeln!(
                out,
                "{}\t{} Arg1:{} Arg2:{}",
                r(rel.id),
                rel.relation_type,
                t(rel.source),
                t(rel.target)
            );
        }
    }
    let mut n = 0;
    for s in doc.spans.iter().filter(|s| written.contains(&s.id)) {
        if let Some(e) = s.entity {
            n += 1;
            let name = project
                .entity(e)
                .map(|e| one_line(&e.name))
                .unwrap_or_default();
            let _ = writeln!(out, "N{n}\tReference {} Marginalia:{e}\t{name}", t(s.id));
        }
    }
    let mut k = 0;
    let notes = doc
        .spans
        .iter()
        .filter(|s| written.contains(&s.id))
        .map(|s| (t(s.id), &s.note))
        .chain(doc.relations.iter().map(|x| (r(x.id), &x.note)));
    for (id, note) in notes {
        if !note.trim().is_empty() {
            k += 1;
            let _ = writeln!(out, "#{k}\tAnnotatorNotes {id}\t{}", one_line(note));
        }
    }
    out
}

/// The ids a document's annotations get in its `.ann` file: their own (`T12`, `R5`) while
/// they are small shared-counter ids, else (author-block ids run to 19 digits) `T1`, `T2`,
/// ... and `R1`, ... in the document's order, so the file stays readable.
struct AnnIds {
    spans: Option<HashMap<SpanId, usize>>,
    relations: Option<HashMap<RelationId, usize>>,
}

impl AnnIds {
    fn of(doc: &Document) -> AnnIds {
        const READABLE: u64 = 1 << 32;
        let small = doc.spans.iter().all(|s| s.id.0 < READABLE)
            && doc.relations.iter().all(|r| r.id.0 < READABLE);
        if small {
            return AnnIds {
                spans: None,
                relations: None,
            };
        }
        AnnIds {
            spans: Some(
                doc.spans
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.id, i + 1))
                    .collect(),
            ),
            relations: Some(
                doc.relations
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.id, i + 1))
                    .collect(),
            ),
        }
    }

    fn span(&self, id: SpanId) -> String {
        match self.spans.as_ref().and_then(|m| m.get(&id)) {
            Some(n) => format!("T{n}"),
            None => id.to_string(),
        }
    }

    fn relation(&self, id: RelationId) -> String {
        match self.relations.as_ref().and_then(|m| m.get(&id)) {
            Some(n) => format!("R{n}"),
            None => id.to_string(),
        }
    }
}

/// brat type names cannot hold spaces; anything else passes through.
fn type_name(t: &str) -> String {
    t.replace(char::is_whitespace, "_")
}

fn annotation_conf(project: &Project) -> String {
    let schema = &project.schema;
    let mut out =
        String::from("# Generated by Marginalia from the project's schema.\n[entities]\n");
    for t in &schema.entity_types {
        let _ = writeln!(out, "{}", type_name(&t.id));
    }
    out.push_str("\n[relations]\n");
    out.push_str("# Spans may overlap and nest, as in Marginalia.\n");
    out.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n");
    for r in &schema.relation_types {
        // Marginalia does not enforce the allowed types; widen them by what the data uses so
        // brat shows no errors on relations the analyst made anyway.
        let mut sources: BTreeSet<String> = r.source_types.iter().cloned().collect();
        let mut targets: BTreeSet<String> = r.target_types.iter().cloned().collect();
        if !sources.is_empty() || !targets.is_empty() {
            for d in &project.documents {
                for rel in d.relations.iter().filter(|x| x.relation_type == r.id) {
                    if let (Some(s), Some(t)) = (d.span(rel.source), d.span(rel.target)) {
                        if !sources.is_empty() {
                            sources.insert(s.entity_type.to_string());
                        }
                        if !targets.is_empty() {
                            targets.insert(t.entity_type.to_string());
                        }
                        if r.symmetric {
                            sources.insert(t.entity_type.to_string());
                            targets.insert(s.entity_type.to_string());
                        }
                    }
                }
            }
        }
        let list = |set: &BTreeSet<String>| {
            if set.is_empty() {
                "<ENTITY>".to_string()
            } else {
                set.iter()
                    .map(|t| type_name(t))
                    .collect::<Vec<_>>()
                    .join("|")
            }
        };
        let _ = write!(
            out,
            "{}\tArg1:{}, Arg2:{}",
            type_name(&r.id),
            list(&sources),
            list(&targets)
        );
        if r.symmetric {
            out.push_str(", <REL-TYPE>:symmetric");
        }
        out.push('\n');
    }
    out.push_str("\n[events]\n\n[attributes]\n");
    out
}

fn visual_conf(project: &Project) -> String {
    let schema = &project.schema;
    let label = |l: &str| one_line(l).replace('|', "/");
    let mut out = String::from("# Generated by Marginalia from the project's schema.\n[labels]\n");
    for t in &schema.entity_types {
        let _ = writeln!(
            out,
            "{} | {} | {}",
            type_name(&t.id),
            label(&t.label),
            type_name(&t.id)
        );
    }
    for r in &schema.relation_types {
        let _ = writeln!(out, "{} | {}", type_name(&r.id), label(&r.label));
    }
    out.push_str("\n[drawing]\n");
    out.push_str("SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken\n");
    out.push_str("ARC_DEFAULT\tcolor:black, arrowHead:triangle-5\n");
    for t in &schema.entity_types {
        if parse_hex_color(&t.color).is_some() {
            let _ = writeln!(out, "{}\tbgColor:{}", type_name(&t.id), t.color);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Relation, Span};

    #[test]
    fn slugs_are_plain_and_bounded() {
        assert_eq!(
            slug("CSTO summit in Yerevan: no statement"),
            "csto-summit-in-yerevan-no-statement"
        );
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("Ərdoğan"), "rdo-an");
        assert_eq!(slug("???"), "document");
        assert!(slug(&"word ".repeat(40)).len() <= 48);
    }

    #[test]
    fn ann_lines_for_spans_relations_links_and_notes() {
        let mut p = Project::new("t");
        let id = p.new_document_id();
        let mut d = Document::new(id, "t", "", "CSTO met\nin Yerevan".to_string());
        let a = p.new_span_id();
        let b = p.new_span_id();
        let c = p.new_span_id();
        let mut s = Span::new(a, 0, 4, "ORG");
        s.note = "the\talliance".into();
        d.spans.push(s);
        d.spans.push(Span::new(b, 12, 19, "GPE"));
        d.spans.push(Span::new(c, 5, 11, "EVENT"));
        let r = p.new_relation_id();
        d.relations.push(Relation {
            id: r,
            relation_type: "located_in".into(),
            source: a,
            target: b,
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        p.documents.push(d.into());
        let text = ann(&p, &p.documents[0]);
        assert!(text.contains(&format!("{a}\tORG 0 4\tCSTO\n")), "{text}");
        assert!(
            text.contains(&format!("{c}\tEVENT 5 8;9 11\tmet in\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("{r}\tlocated_in Arg1:{a} Arg2:{b}\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("#1\tAnnotatorNotes {a}\tthe alliance\n")),
            "{text}"
        );
    }
}
