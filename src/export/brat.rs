//! brat standoff: one `.txt`/`.ann` pair per document, plus `annotation.conf` and `visual.conf`
//! generated from the schema, so the folder opens in brat as it is.
//!
//! brat ids reuse Marginalia's (span 12 is `T12`, relation 15 is `R15`, and an event whose
//! trigger is span 12 is `E12`); entity links are `N` lines (`Reference T12 Marginalia:E3`,
//! or the entity's outside references such as `Reference T12 MESH:D015032`), span and
//! relation notes `AnnotatorNotes`, span attributes `A` lines, discontinuous spans fragments.
//! What brat has no place for (titles, statuses, metadata, entity aliases and notes) goes
//! into the sidecar `marginalia.json`, which brat ignores and the brat import reads.

use super::one_line;
use crate::import::brat::{SIDECAR, Sidecar, SidecarDocument, SidecarEntity};
use crate::model::{Document, Entity, Project, Relation, Span, SpanId, parse_hex_color};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// Renders the whole folder: (file name, contents). What brat cannot hold is said in
/// `notices`, with counts.
pub fn render(project: &Project, notices: &mut Vec<String>) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "annotation.conf".to_string(),
            annotation_conf(project).into_bytes(),
        ),
        ("visual.conf".to_string(), visual_conf(project).into_bytes()),
    ];
    let mut sidecar = Sidecar::default();
    let mut losses = Losses::default();
    let mut linked = BTreeSet::new();
    for (i, doc) in project.documents.iter().enumerate() {
        let stem = file_stem(i, doc);
        files.push((format!("{stem}.txt"), doc.text.clone().into_bytes()));
        files.push((
            format!("{stem}.ann"),
            ann_counting(project, doc, &mut losses).into_bytes(),
        ));
        sidecar.documents.insert(
            format!("{stem}.txt"),
            SidecarDocument {
                title: doc.title.clone(),
                status: doc.status,
                metadata: doc.metadata.clone(),
            },
        );
        linked.extend(doc.spans.iter().filter_map(|s| s.entity));
    }
    for e in project.entities.iter().filter(|e| linked.contains(&e.id)) {
        sidecar.entities.insert(
            entity_key(e),
            SidecarEntity {
                name: e.name.clone(),
                aliases: e.aliases.clone(),
                note: e.note.clone(),
            },
        );
    }
    let unlinked = project.entities.len() - sidecar.entities.len();
    let decisions = project.decisions.len() + project.relation_decisions.len();
    let said = [
        (
            unlinked,
            "knowledge-base entity",
            "knowledge-base entities",
            "with no mention in the exported documents not written (brat records entities only through their mentions)",
        ),
        (
            decisions,
            "rejected-suggestion decision",
            "rejected-suggestion decisions",
            "not written (brat has no place for them; the project file keeps them)",
        ),
        (
            losses.argument_notes,
            "note on an event argument",
            "notes on event arguments",
            "dropped (an argument has no id to hang a note on)",
        ),
        (
            losses.split_spans,
            "span crossing a line break or tab",
            "spans crossing a line break or tab",
            "written as fragments (brat cannot show a line break inside a fragment)",
        ),
    ];
    crate::text::push_counts("brat", &said, notices);
    // serde_json cannot fail on these plain maps of strings.
    let json = serde_json::to_string_pretty(&sidecar).unwrap_or_default();
    files.push((SIDECAR.to_string(), json.into_bytes()));
    files
}

/// What the `.ann` files could not hold, counted over the export.
#[derive(Default)]
struct Losses {
    argument_notes: usize,
    split_spans: usize,
}

/// The key the brat import gives an entity: `Marginalia:E3`, or by its first outside
/// reference and its type (`MESH:D015032|Protein`), matching the `N` lines written.
fn entity_key(e: &Entity) -> String {
    match e.references.first() {
        Some(r) => format!("{r}|{}", e.entity_type),
        None => format!("Marginalia:{}", e.id),
    }
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
/// its fragments, each cut where it crosses one.
fn fragments(doc: &Document, span: &Span) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, end) in span.pieces() {
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
    }
    out
}

/// Whether a relation is an argument of the event its source triggers.
fn is_argument(project: &Project, doc: &Document, r: &Relation) -> bool {
    doc.span(r.source).is_some_and(|s| s.event)
        && project
            .schema
            .relation_type(&r.relation_type)
            .is_some_and(|t| t.event_role)
}

/// The brat id a span is referred to by: its event's when it triggers one.
fn brat_id(span: &Span) -> String {
    if span.event {
        format!("E{}", span.id.0)
    } else {
        span.id.to_string()
    }
}

/// The `.ann` file of one document.
pub fn ann(project: &Project, doc: &Document) -> String {
    ann_counting(project, doc, &mut Losses::default())
}

fn ann_counting(project: &Project, doc: &Document, losses: &mut Losses) -> String {
    let mut out = String::new();
    let mut written: HashMap<SpanId, &Span> = HashMap::new();
    for s in &doc.spans {
        let parts = fragments(doc, s);
        if parts.is_empty() {
            continue;
        }
        if parts.len() > s.pieces().len() {
            losses.split_spans += 1;
        }
        let offsets: Vec<String> = parts.iter().map(|(a, b)| format!("{a} {b}")).collect();
        let texts: Vec<&str> = parts.iter().map(|&(a, b)| doc.slice(a, b)).collect();
        let _ = writeln!(
            out,
            "{}\t{} {}\t{}",
            s.id,
            type_name(&s.entity_type),
            offsets.join(";"),
            texts.join(" ")
        );
        written.insert(s.id, s);
    }
    let id_of = |id: SpanId| written.get(&id).map(|s| brat_id(s));
    // Events: the trigger and the arguments in relation order; a role repeated is numbered
    // as brat does (Theme, Theme2, ...).
    for s in doc
        .spans
        .iter()
        .filter(|s| s.event && written.contains_key(&s.id))
    {
        let mut line = format!("{}\t{}:{}", brat_id(s), type_name(&s.entity_type), s.id);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in doc
            .relations
            .iter()
            .filter(|r| r.source == s.id && is_argument(project, doc, r))
        {
            let Some(target) = id_of(r.target) else {
                continue;
            };
            let n = seen.entry(r.relation_type.as_str()).or_insert(0);
            *n += 1;
            let number = if *n > 1 { n.to_string() } else { String::new() };
            let _ = write!(line, " {}{number}:{target}", type_name(&r.relation_type));
        }
        let _ = writeln!(out, "{line}");
    }
    for r in &doc.relations {
        if is_argument(project, doc, r) {
            continue;
        }
        if let (Some(a), Some(b)) = (id_of(r.source), id_of(r.target)) {
            let _ = writeln!(
                out,
                "{}\t{} Arg1:{a} Arg2:{b}",
                r.id,
                type_name(&r.relation_type)
            );
        }
    }
    let mut k = 0;
    for s in doc.spans.iter().filter(|s| written.contains_key(&s.id)) {
        for (name, value) in &s.attributes {
            k += 1;
            let value = if value.is_empty() {
                String::new()
            } else {
                format!(" {}", type_name(value))
            };
            let _ = writeln!(out, "A{k}\t{} {}{value}", type_name(name), brat_id(s));
        }
    }
    let mut n = 0;
    let mut mentions: BTreeMap<_, Vec<&Span>> = BTreeMap::new();
    for s in doc.spans.iter().filter(|s| written.contains_key(&s.id)) {
        let Some(e) = s.entity else {
            continue;
        };
        let entity = project.entity(e);
        let name = entity.map(|e| one_line(&e.name)).unwrap_or_default();
        let keys: Vec<String> = match entity {
            Some(x) if !x.references.is_empty() => x.references.clone(),
            _ => vec![format!("Marginalia:{e}")],
        };
        for key in keys {
            n += 1;
            let _ = writeln!(out, "N{n}\tReference {} {key}\t{name}", brat_id(s));
        }
        if !s.event && entity.is_some_and(|x| x.references.is_empty()) {
            mentions.entry(e).or_default().push(s);
        }
    }
    // brat shows mentions of one entity as an equivalence set.
    for group in mentions.values().filter(|g| g.len() > 1) {
        let ids: Vec<String> = group.iter().map(|s| s.id.to_string()).collect();
        let _ = writeln!(out, "*\tEquiv {}", ids.join(" "));
    }
    let mut k = 0;
    let notes = doc
        .spans
        .iter()
        .filter(|s| written.contains_key(&s.id))
        .map(|s| (brat_id(s), &s.note))
        .chain(doc.relations.iter().filter_map(|r| {
            if is_argument(project, doc, r) {
                if !r.note.trim().is_empty() {
                    losses.argument_notes += 1;
                }
                None
            } else {
                Some((r.id.to_string(), &r.note))
            }
        }))
        .collect::<Vec<_>>();
    for (id, note) in notes {
        if !note.trim().is_empty() {
            k += 1;
            let _ = writeln!(out, "#{k}\tAnnotatorNotes {id}\t{}", one_line(note));
        }
    }
    out
}

/// brat type names cannot hold spaces; anything else passes through.
fn type_name(t: &str) -> String {
    t.replace(char::is_whitespace, "_")
}

/// How the project's spans use each type: as plain entities, as event triggers (with the
/// roles and argument types seen), and the attributes with their values.
#[derive(Default)]
struct Usage {
    entity_types: BTreeSet<String>,
    event_types: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// Attribute -> (values, on entities, on events).
    attributes: BTreeMap<String, (BTreeSet<String>, bool, bool)>,
    equiv: bool,
}

fn usage(project: &Project) -> Usage {
    let mut u = Usage::default();
    for d in &project.documents {
        let mut linked: HashMap<_, usize> = HashMap::new();
        for s in &d.spans {
            if s.event {
                u.event_types.entry(s.entity_type.to_string()).or_default();
            } else {
                u.entity_types.insert(s.entity_type.to_string());
                if let Some(e) = s.entity {
                    *linked.entry(e).or_default() += 1;
                }
            }
            for (name, value) in &s.attributes {
                let a = u.attributes.entry(name.clone()).or_default();
                if !value.is_empty() {
                    a.0.insert(value.clone());
                }
                if s.event {
                    a.2 = true;
                } else {
                    a.1 = true;
                }
            }
        }
        u.equiv |= linked
            .iter()
            .any(|(e, n)| *n > 1 && project.entity(*e).is_some_and(|x| x.references.is_empty()));
        for r in d.relations.iter().filter(|r| is_argument(project, d, r)) {
            if let (Some(s), Some(t)) = (d.span(r.source), d.span(r.target)) {
                u.event_types
                    .entry(s.entity_type.to_string())
                    .or_default()
                    .entry(r.relation_type.to_string())
                    .or_default()
                    .insert(t.entity_type.to_string());
            }
        }
    }
    u
}

fn annotation_conf(project: &Project) -> String {
    let schema = &project.schema;
    let u = usage(project);
    let mut out =
        String::from("# Generated by Marginalia from the project's schema.\n[entities]\n");
    for t in &schema.entity_types {
        // A type used only by event triggers is an event type in brat.
        if u.event_types.contains_key(&t.id) && !u.entity_types.contains(&t.id) {
            continue;
        }
        let _ = writeln!(out, "{}", type_name(&t.id));
    }
    out.push_str("\n[relations]\n");
    out.push_str("# Spans may overlap and nest, as in Marginalia.\n");
    out.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n");
    if u.equiv {
        out.push_str("Equiv\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive\n");
    }
    for r in schema.relation_types.iter().filter(|r| !r.event_role) {
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
    out.push_str("\n[events]\n");
    for (ty, roles) in &u.event_types {
        let args: Vec<String> = roles
            .iter()
            .map(|(role, types)| {
                let types: Vec<String> = types.iter().map(|t| type_name(t)).collect();
                format!("{}*:{}", type_name(role), types.join("|"))
            })
            .collect();
        let _ = writeln!(out, "{}\t{}", type_name(ty), args.join(", "));
    }
    out.push_str("\n[attributes]\n");
    for (name, (values, on_entities, on_events)) in &u.attributes {
        let on: Vec<&str> = [(*on_entities, "<ENTITY>"), (*on_events, "<EVENT>")]
            .into_iter()
            .filter_map(|(used, m)| used.then_some(m))
            .collect();
        let _ = write!(out, "{}\tArg:{}", type_name(name), on.join("|"));
        if !values.is_empty() {
            let values: Vec<String> = values.iter().map(|v| type_name(v)).collect();
            let _ = write!(out, ", Value:{}", values.join("|"));
        }
        out.push('\n');
    }
    out
}

fn visual_conf(project: &Project) -> String {
    let schema = &project.schema;
    let label = |l: &str| one_line(l).replace('|', "/");
    let mut out = String::from("# Generated by Marginalia from the project's schema.\n[labels]\n");
    for t in &schema.entity_types {
        let short = if t.short_label.is_empty() {
            type_name(&t.id)
        } else {
            label(&t.short_label)
        };
        let _ = writeln!(
            out,
            "{} | {} | {}",
            type_name(&t.id),
            label(&t.label),
            short
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
    for r in schema
        .relation_types
        .iter()
        .filter(|r| !r.arc_style.is_empty())
    {
        let _ = writeln!(out, "{}\t{}", type_name(&r.id), one_line(&r.arc_style));
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
