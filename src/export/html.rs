//! One self-contained HTML report to mail to a colleague: inline CSS, no scripts, no remote
//! assets, every piece of project text escaped. Each document shows its annotations
//! highlighted in their type colours (nested spans too), followed by its relations with the
//! evidence sentence; a legend and an entity index with links to every mention come first.

use super::escape_xml as esc;
use crate::model::{Document, Project, Span, parse_hex_color};
use crate::text::{count, sentences, tokenize};
use std::collections::BTreeMap;
use std::fmt::Write;

const CSS: &str = r#"
:root { --ink:#1f2328; --muted:#656d76; --line:#d8dee4; --paper:#ffffff; --wash:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--wash); color:var(--ink);
  font:16px/1.55 Georgia, "Iowan Old Style", "Times New Roman", serif; }
header, main { max-width: 56rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 2rem; }
h1, h2, h3, th, .meta, .legend, .tag, nav, .index { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 0 0 .25rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .5rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.meta { color: var(--muted); font-size: .85rem; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; margin: 1.25rem 0; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem .9rem; font-size: .85rem; }
.chip { display: inline-block; padding: 0 .45em; border-radius: 4px; border: 1px solid rgba(0,0,0,.15); font-family: system-ui, sans-serif; font-size: .8rem; }
nav ol { margin: .25rem 0 0; padding-left: 1.5rem; font-size: .9rem; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
.text { white-space: pre-wrap; line-height: 2.1; font-size: 1.02rem; }
.ann { border-radius: 3px; padding: .1em .15em; border-bottom: 2px solid rgba(0,0,0,.25); }
.ann .ann { padding: 0 .1em; }
.tag { font-size: .62rem; font-weight: 600; vertical-align: super; margin-left: .15em; color: rgba(0,0,0,.65); letter-spacing: .02em; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-top: 1px solid var(--line); }
th { font-size: .75rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; border-top: none; }
td.rel { white-space: nowrap; font-family: system-ui, sans-serif; }
td.evidence { color: #3d444d; }
mark { background: #fff3b0; padding: 0 .1em; }
.index { font-size: .9rem; }
.index dt { margin-top: .6rem; font-weight: 600; }
.index dd { margin: .1rem 0 0 1rem; color: var(--muted); }
.index dd a { margin-right: .5rem; }
footer { max-width: 56rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; color: var(--muted); font: .8rem system-ui, sans-serif; }
@media print { body { background: #fff; } .card { border: none; padding: 0; } }
"#;

/// A CSS colour from the schema, or a neutral grey when it is not a plain "#rrggbb".
fn colour(project: &Project, ty: &str) -> String {
    project
        .schema
        .entity_type(ty)
        .and_then(|t| parse_hex_color(&t.color))
        .map(|[r, g, b]| format!("#{r:02x}{g:02x}{b:02x}"))
        .unwrap_or_else(|| "#dddddd".to_string())
}

fn type_label(project: &Project, ty: &str) -> String {
    project
        .schema
        .entity_type(ty)
        .map(|t| t.label.clone())
        .unwrap_or_else(|| ty.to_string())
}

fn anchor(span: &Span) -> String {
    format!("m-{}", span.id)
}

pub fn render(project: &Project) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"meta\">{} · {} · {} · {}. Exported from Marginalia.</p>\n</header>\n<main>\n",
        esc(&project.name),
        esc(&project.name),
        count(project.documents.len(), "document", "documents"),
        count(project.span_count(), "annotation", "annotations"),
        count(project.relation_count(), "relation", "relations"),
        count(project.entities.len(), "linked entity", "linked entities")
    );
    legend(project, &mut out);
    contents(project, &mut out);
    for doc in &project.documents {
        document(project, doc, &mut out);
    }
    index(project, &mut out);
    out.push_str("</main>\n<footer>Annotations: each highlight is one mention, labelled with its type; nested highlights are mentions inside mentions.</footer>\n</body>\n</html>\n");
    out
}

fn legend(project: &Project, out: &mut String) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in project.documents.iter().flat_map(|d| &d.spans) {
        *counts.entry(s.entity_type.as_str()).or_insert(0) += 1;
    }
    out.push_str(
        "<section class=\"card\" id=\"legend\">\n<h3>Legend</h3>\n<div class=\"legend\">\n",
    );
    for t in &project.schema.entity_types {
        let n = counts.get(t.id.as_str()).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "<span><span class=\"chip\" style=\"background:{}\">{}</span> {} ({n})</span>",
            colour(project, &t.id),
            esc(&t.id),
            esc(&t.label)
        );
    }
    out.push_str("</div>\n</section>\n");
}

fn contents(project: &Project, out: &mut String) {
    out.push_str("<nav class=\"card\">\n<h3>Documents</h3>\n<ol>\n");
    for d in &project.documents {
        let _ = writeln!(
            out,
            "<li><a href=\"#doc-{}\">{}</a> <span class=\"meta\">({}, {})</span></li>",
            d.id,
            esc(&d.title),
            count(d.spans.len(), "annotation", "annotations"),
            count(d.relations.len(), "relation", "relations")
        );
    }
    out.push_str("</ol>\n<p class=\"meta\"><a href=\"#entities\">Entity index</a> (after the documents)</p>\n</nav>\n");
}

/// Linked entities with their mentions, then unlinked mentions grouped by type and text.
fn index(project: &Project, out: &mut String) {
    out.push_str("<section class=\"card index\" id=\"entities\">\n<h3>Entity index</h3>\n<dl>\n");
    // A mention links by its document's number; the tooltip gives the title and the words.
    let number: BTreeMap<_, usize> = project
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id, i + 1))
        .collect();
    let link = |d: &Document, s: &Span| {
        format!(
            "<a href=\"#{}\" title=\"{}: {}\">{}</a>",
            anchor(s),
            esc(&d.title),
            esc(d.span_text(s)),
            number.get(&d.id).copied().unwrap_or(0)
        )
    };
    for e in &project.entities {
        let mentions: Vec<String> = project.mentions_of(e.id).map(|(d, s)| link(d, s)).collect();
        let _ = writeln!(
            out,
            "<dt id=\"entity-{}\"><span class=\"chip\" style=\"background:{}\">{}</span> {}</dt>\n<dd>{}{}: {}</dd>",
            e.id,
            colour(project, &e.entity_type),
            esc(&e.entity_type),
            esc(&e.name),
            also(project, e),
            count(mentions.len(), "mention", "mentions"),
            mentions.join(" ")
        );
    }
    let mut groups: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for d in &project.documents {
        for s in d.spans.iter().filter(|s| s.entity.is_none()) {
            groups
                .entry((s.entity_type.as_str(), d.span_text(s)))
                .or_default()
                .push(link(d, s));
        }
    }
    for ((ty, text), links) in groups {
        let _ = writeln!(
            out,
            "<dt><span class=\"chip\" style=\"background:{}\">{}</span> {} <span class=\"meta\">(not linked)</span></dt>\n<dd>{}: {}</dd>",
            colour(project, ty),
            esc(ty),
            esc(text),
            count(links.len(), "mention", "mentions"),
            links.join(" ")
        );
    }
    out.push_str("</dl>\n</section>\n");
}

/// "written as CSTO, the alliance; " when mentions use other words than the entity's name.
fn also(project: &Project, e: &crate::model::Entity) -> String {
    let mut forms: Vec<&str> = project
        .mentions_of(e.id)
        .map(|(d, s)| d.span_text(s))
        .filter(|t| *t != e.name)
        .collect();
    forms.sort_unstable();
    forms.dedup();
    if forms.is_empty() {
        return String::new();
    }
    let forms: Vec<String> = forms.iter().map(|f| esc(f)).collect();
    format!("written as {}; ", forms.join(", "))
}

fn document(project: &Project, doc: &Document, out: &mut String) {
    let _ = writeln!(
        out,
        "<article class=\"card\" id=\"doc-{}\">\n<h2>{}</h2>\n<p class=\"meta\">{} · {} · {} annotations · {} relations{}</p>",
        doc.id,
        esc(&doc.title),
        doc.id,
        doc.status.label(),
        doc.spans.len(),
        doc.relations.len(),
        if doc.source.is_empty() {
            String::new()
        } else {
            format!(" · {}", esc(&doc.source))
        }
    );
    out.push_str("<div class=\"text\">");
    annotated_text(project, doc, out);
    out.push_str("</div>\n");
    if !doc.relations.is_empty() {
        relations(project, doc, out);
    }
    out.push_str("</article>\n");
}

/// The text with nested `<span>`s. Spans that cross (neither nests in the other) are closed
/// and reopened around the crossing point so the markup stays well formed.
fn annotated_text(project: &Project, doc: &Document, out: &mut String) {
    let mut spans: Vec<&Span> = doc.spans.iter().collect();
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end), s.id));
    let mut bounds: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
    bounds.push(0);
    bounds.push(doc.char_len());
    bounds.sort_unstable();
    bounds.dedup();
    let mut stack: Vec<&Span> = Vec::new();
    let mut next = 0;
    let open = |s: &Span, first: bool, out: &mut String| {
        let id = if first {
            format!(" id=\"{}\"", anchor(s))
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<span class=\"ann\"{id} style=\"background:{}\" title=\"{} · {}{}\">",
            colour(project, &s.entity_type),
            esc(&s.entity_type),
            esc(&type_label(project, &s.entity_type)),
            if s.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", esc(&s.note))
            }
        );
    };
    for w in bounds.windows(2) {
        let (at, to) = (w[0], w[1]);
        // Close what ends here; anything opened inside a closing span closes and reopens.
        if let Some(pos) = stack.iter().position(|s| s.end <= at) {
            let reopen: Vec<&Span> = stack[pos..]
                .iter()
                .copied()
                .filter(|s| s.end > at)
                .collect();
            for s in stack.drain(pos..).rev() {
                if s.end <= at {
                    let _ = write!(out, "<span class=\"tag\">{}</span>", esc(&s.entity_type));
                }
                out.push_str("</span>");
            }
            for s in reopen {
                open(s, false, out);
                stack.push(s);
            }
        }
        while next < spans.len() && spans[next].start == at {
            open(spans[next], true, out);
            stack.push(spans[next]);
            next += 1;
        }
        out.push_str(&esc(doc.slice(at, to)));
    }
    for s in stack.drain(..).rev() {
        let _ = write!(
            out,
            "<span class=\"tag\">{}</span></span>",
            esc(&s.entity_type)
        );
    }
}

fn relations(project: &Project, doc: &Document, out: &mut String) {
    let tokens = tokenize(&doc.text);
    let sents = sentences(&doc.text, &tokens);
    let sentence_of = |pos: usize| {
        sents
            .iter()
            .find(|s| s.start <= pos && pos < s.end)
            .map(|s| (s.start, s.end))
            .unwrap_or((pos, pos))
    };
    out.push_str("<h3>Relations</h3>\n<table>\n<tr><th>Source</th><th>Relation</th><th>Target</th><th>Evidence</th></tr>\n");
    for r in &doc.relations {
        let (Some(a), Some(b)) = (doc.span(r.source), doc.span(r.target)) else {
            continue;
        };
        let label = project
            .schema
            .relation_type(&r.relation_type)
            .map(|t| t.label.clone())
            .unwrap_or_else(|| r.relation_type.to_string());
        let (s1, e1) = sentence_of(a.start);
        let (s2, e2) = sentence_of(b.start);
        // Ends in different sentences: each end's sentence, with an ellipsis between them.
        let text = if (s1, e1) == (s2, e2) {
            let (from, to) = (s1.min(a.start).min(b.start), e1.max(a.end).max(b.end));
            evidence(doc, from, to, a, b)
        } else {
            let (first, second) = if s1 <= s2 { (a, b) } else { (b, a) };
            let part = |s: &Span| {
                let (from, to) = sentence_of(s.start);
                evidence(doc, from.min(s.start), to.max(s.end), s, s)
            };
            format!("{} … {}", part(first), part(second))
        };
        let cell = |s: &Span| {
            format!(
                "<a href=\"#{}\">{}</a> <span class=\"chip\" style=\"background:{}\">{}</span>",
                anchor(s),
                esc(doc.span_text(s)),
                colour(project, &s.entity_type),
                esc(&s.entity_type)
            )
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"rel\">{}{}</td><td>{}</td><td class=\"evidence\">{}</td></tr>",
            cell(a),
            esc(&label),
            if r.note.is_empty() {
                String::new()
            } else {
                format!("<br><span class=\"meta\">{}</span>", esc(&r.note))
            },
            cell(b),
            text
        );
    }
    out.push_str("</table>\n");
}

/// The evidence text with both ends marked (when they do not overlap).
fn evidence(doc: &Document, from: usize, to: usize, a: &Span, b: &Span) -> String {
    let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
    if first.id == second.id {
        return format!(
            "{}<mark>{}</mark>{}",
            esc(doc.slice(from, first.start).trim_start()),
            esc(doc.slice(first.start, first.end)),
            esc(doc.slice(first.end, to).trim_end())
        );
    }
    if first.end > second.start {
        return esc(doc.slice(from, to).trim());
    }
    format!(
        "{}<mark>{}</mark>{}<mark>{}</mark>{}",
        esc(doc.slice(from, first.start).trim_start()),
        esc(doc.slice(first.start, first.end)),
        esc(doc.slice(first.end, second.start)),
        esc(doc.slice(second.start, second.end)),
        esc(doc.slice(second.end, to).trim_end())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Relation;

    #[test]
    fn nested_and_crossing_spans_stay_well_formed_and_text_is_escaped() {
        let mut p = Project::new("<Desk>");
        let id = p.new_document_id();
        let mut d = Document::new(
            id,
            "A & B",
            "",
            "the Armenian National Assembly <met> here".to_string(),
        );
        let ids: Vec<_> = (0..3).map(|_| p.new_span_id()).collect();
        d.spans.push(Span::new(ids[0], 4, 30, "ORG"));
        d.spans.push(Span::new(ids[1], 4, 12, "NORP"));
        d.spans.push(Span::new(ids[2], 22, 35, "EVENT")); // crosses the ORG span
        d.spans.sort_by_key(|s| s.sort_key());
        d.relations.push(Relation {
            id: p.new_relation_id(),
            relation_type: "part_of".into(),
            source: ids[1],
            target: ids[0],
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        p.documents.push(d.into());
        let html = render(&p);
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;Desk&gt;") && html.contains("A &amp; B"));
        assert!(html.contains("&lt;met"));
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count()
        );
        for s in &ids {
            assert!(html.contains(&format!("id=\"m-{s}\"")), "{s}");
        }
        // The text reads the same with the markup taken out.
        let text_div = html
            .split("<div class=\"text\">")
            .nth(1)
            .unwrap()
            .split("</div>")
            .next()
            .unwrap();
        let mut plain = String::new();
        let mut in_tag = false;
        for c in text_div.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        let without_labels = plain
            .replace("NORP", "")
            .replace("ORG", "")
            .replace("EVENT", "");
        assert_eq!(
            without_labels,
            "the Armenian National Assembly &lt;met&gt; here"
        );
    }
}
