//! INCEpTION / WebAnno TSV 3 (`#FORMAT=WebAnno TSV 3.3`): one document per file, a header
//! naming the layers (`#T_SP=` span layers, `#T_CH=` chains, `#T_RL=` relation layers and
//! their features), then sentences (`#Text=` lines) of token lines
//! `SENT-TOK<TAB>BEGIN-END<TAB>TOKEN<TAB>` followed by one column per feature.
//!
//! Offsets count UTF-16 units, as in Java. A cell holds `_` (no annotation), or annotations
//! separated by `|` (stacked), each a value (`*` when it has none) with an optional `[N]`
//! that ties the lines of one multi-token annotation together. A relation sits on the first
//! line of its target; its last column names the source's line (`1-3`, or `1-3[4_7]` with
//! the disambiguation ids of source and target, 0 for an annotation that has none).
//!
//! Mapping: every span annotation becomes a span whose type is its `value` (or `label`)
//! feature, else its first feature with a value, else the layer's short name; its other
//! feature values become span attributes. A relation's type is its first feature value, else
//! the layer's short name. Token-level linguistic layers (POS, lemma, morphology,
//! dependencies) and chains are not imported, with counts in a notice. The tokens are kept on
//! the document for later exports.

use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadRelation, ReadSpan};
use super::{ImportError, ReadDocument};
use crate::model::Tokenization;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The first line of every WebAnno TSV 3 file.
pub const HEADER_PREFIX: &str = "#FORMAT=WebAnno TSV 3";

/// Reads WebAnno TSV files; folders give their `.tsv` files that start with the header.
pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    let mut import = AnnotatedImport::default();
    for path in paths {
        let files = if path.is_dir() {
            let mut files = Vec::new();
            super::walk_extensions(path, &["tsv"], &mut files)?;
            files.retain(|f| sniff(f));
            if files.is_empty() {
                return Err(ImportError::NoDocuments { path: path.clone() });
            }
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let text = super::decode::read_text_file(&file)?;
            import
                .documents
                .push(parse_file(&file, &text, &mut import.notices)?);
        }
    }
    Ok(import)
}

/// Parses one file (for the fuzzer and tests: notices are dropped).
pub fn parse(path: &Path, content: &str) -> Result<Vec<AnnotatedDocument>, ImportError> {
    Ok(vec![parse_file(path, content, &mut Vec::new())?])
}

/// Whether a file starts like WebAnno TSV 3 (so a `.tsv` file is not read as a table).
pub fn sniff(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 32];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let n = file.read(&mut head).unwrap_or(0);
    let head = &head[..n];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.starts_with(HEADER_PREFIX.as_bytes())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum LayerKind {
    Span,
    Chain,
    Relation,
}

#[derive(Debug)]
struct Layer {
    kind: LayerKind,
    name: String,
    features: Vec<String>,
    /// First column of the layer (0 = the first column after the token text).
    column: usize,
    /// For relation layers, the span layer of the ends.
    base: Option<String>,
}

impl Layer {
    fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }

    /// Token-level linguistic layers that would put a span on every token.
    fn is_linguistic(&self) -> bool {
        let n = &self.name;
        n.contains(".lexmorph.")
            || n.contains(".syntax.")
            || n.contains(".segmentation.")
            || n.ends_with(".Lemma")
            || n.ends_with(".Stem")
    }

    fn width(&self) -> usize {
        match self.kind {
            LayerKind::Span => self.features.len().max(1),
            LayerKind::Chain => 2,
            LayerKind::Relation => self.features.len() + 1,
        }
    }

    /// The feature that names the span type: `value` or `label`, else the first.
    fn label_feature(&self) -> usize {
        self.features
            .iter()
            .position(|f| f == "value" || f == "label")
            .unwrap_or(0)
    }
}

/// One token (or sub-token) line.
struct Unit {
    /// Char offsets in the document text.
    start: usize,
    end: usize,
    /// The layer columns, unescaping left to the cell reader.
    cells: Vec<String>,
    line: usize,
    /// A sub-token line (`1-3.1`): addressable, but not a token of the document.
    subtoken: bool,
}

fn malformed(path: &Path, line: usize, message: impl Into<String>) -> ImportError {
    ImportError::Malformed {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Undoes the format's backslash escapes.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('b') => out.push('\u{8}'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Splits a cell on unescaped `|` into its stacked items.
fn stacked(cell: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut escaped = false;
    for (i, c) in cell.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '|' {
            out.push(&cell[from..i]);
            from = i + 1;
        }
    }
    out.push(&cell[from..]);
    out
}

/// `PER[3]` -> ("PER", Some(3)); `*` -> ("", None).
fn label_and_id(item: &str) -> (String, Option<u32>) {
    let (label, id) = match item.strip_suffix(']').and_then(|s| s.rsplit_once('[')) {
        Some((label, id)) if !label.ends_with('\\') => match id.parse() {
            Ok(id) => (label, Some(id)),
            Err(_) => (item, None),
        },
        _ => (item, None),
    };
    let label = if label == "*" || label == "_" {
        String::new()
    } else {
        unescape(label)
    };
    (label, id)
}

/// Parses one WebAnno TSV 3 file into its document; what is not imported is counted in
/// `notices`.
pub fn parse_file(
    path: &Path,
    content: &str,
    notices: &mut Vec<String>,
) -> Result<AnnotatedDocument, ImportError> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut lines = content.lines().enumerate().peekable();
    match lines.next() {
        Some((_, first)) if first.trim_end().starts_with(HEADER_PREFIX) => {}
        _ => {
            return Err(malformed(
                path,
                1,
                "not WebAnno TSV 3: the first line must be '#FORMAT=WebAnno TSV 3.x'",
            ));
        }
    }
    let mut layers: Vec<Layer> = Vec::new();
    let mut column = 0;
    while let Some(&(_, line)) = lines.peek() {
        let line = line.trim_end_matches('\r');
        let (kind, rest) = if let Some(rest) = line.strip_prefix("#T_SP=") {
            (LayerKind::Span, rest)
        } else if let Some(rest) = line.strip_prefix("#T_CH=") {
            (LayerKind::Chain, rest)
        } else if let Some(rest) = line.strip_prefix("#T_RL=") {
            (LayerKind::Relation, rest)
        } else {
            break;
        };
        lines.next();
        let mut parts = rest.split('|');
        let name = parts.next().unwrap_or("").to_string();
        let mut features: Vec<String> = parts
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        let base = if kind == LayerKind::Relation {
            match features.pop() {
                Some(b) if b.starts_with("BT_") => Some(b["BT_".len()..].to_string()),
                _ => None,
            }
        } else {
            None
        };
        let layer = Layer {
            kind,
            name,
            features,
            column,
            base,
        };
        column += layer.width();
        layers.push(layer);
    }

    // Body: sentences of token lines. The text is rebuilt from the #Text lines, placed at
    // their first token's offset (UTF-16 units until the text is complete).
    let mut text = String::new();
    let mut utf16_len = 0usize;
    // (utf16 start, utf16 end, cells, line, address, token text)
    let mut raw: Vec<(usize, usize, Vec<String>, usize, String, String)> = Vec::new();
    let mut sentence_text: Vec<String> = Vec::new();
    let mut sentence_placed = true;
    for (i, line) in lines {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        if let Some(t) = line.strip_prefix("#Text=") {
            if sentence_placed {
                sentence_text.clear();
                sentence_placed = false;
            }
            sentence_text.push(unescape(t));
            continue;
        }
        if line.starts_with('#') {
            continue; // #Sentence.id= and other comments
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() < 3 {
            return Err(malformed(
                path,
                n,
                "expected 'SENT-TOK<TAB>BEGIN-END<TAB>TOKEN' and the layer columns",
            ));
        }
        let offsets = cells[1]
            .split_once('-')
            .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
        let Some((begin, end)) = offsets.filter(|(a, b)| a <= b) else {
            return Err(malformed(
                path,
                n,
                format!("'{}' is not BEGIN-END offsets", cells[1]),
            ));
        };
        if !sentence_placed {
            // The sentence starts at its first token: pad the text up to there.
            if begin < utf16_len {
                return Err(malformed(
                    path,
                    n,
                    format!(
                        "the sentence starts at {begin}, before the end of the one before ({utf16_len})"
                    ),
                ));
            }
            if begin > utf16_len && !text.is_empty() {
                text.push('\n');
                utf16_len += 1;
            }
            while utf16_len < begin {
                text.push(' ');
                utf16_len += 1;
            }
            let joined = sentence_text.join("\n");
            utf16_len += joined.encode_utf16().count();
            text.push_str(&joined);
            sentence_placed = true;
        }
        let mut layer_cells: Vec<String> = cells[3..].iter().map(|c| c.to_string()).collect();
        // Lines end with a tab: drop the empty cell it leaves.
        if layer_cells.len() > column && layer_cells.last().is_some_and(String::is_empty) {
            layer_cells.pop();
        }
        if layer_cells.len() != column {
            return Err(malformed(
                path,
                n,
                format!(
                    "{} layer columns, but the header declares {column}",
                    layer_cells.len()
                ),
            ));
        }
        raw.push((
            begin,
            end,
            layer_cells,
            n,
            cells[0].to_string(),
            unescape(cells[2]),
        ));
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    // UTF-16 offset -> char offset.
    let mut char_at = vec![usize::MAX; utf16_len + 1];
    let mut u = 0;
    for (ci, c) in text.chars().enumerate() {
        char_at[u] = ci;
        u += c.len_utf16();
    }
    char_at[u] = text.chars().count();
    let index = crate::text::CharIndex::new(&text);
    let mut units = Vec::with_capacity(raw.len());
    let mut address: HashMap<String, usize> = HashMap::new();
    for (begin, end, cells, n, addr, token) in raw {
        let (Some(&start), Some(&stop)) = (char_at.get(begin), char_at.get(end)) else {
            return Err(malformed(
                path,
                n,
                format!("offsets {begin}-{end} are past the end of the sentence text"),
            ));
        };
        if start == usize::MAX || stop == usize::MAX || start >= stop {
            return Err(malformed(
                path,
                n,
                format!("offsets {begin}-{end} do not fall on characters of the text"),
            ));
        }
        let found = index.slice(&text, start, stop);
        if found != token {
            return Err(malformed(
                path,
                n,
                format!("the text at {begin}-{end} is '{found}', but the line says '{token}'"),
            ));
        }
        let subtoken = addr.contains('.');
        // Tokens (not sub-tokens) follow each other through the text without overlapping.
        if let Some(before) = units.iter().rev().find(|u: &&Unit| !u.subtoken)
            && !subtoken
            && start < before.end
        {
            return Err(malformed(
                path,
                n,
                format!(
                    "the token at {begin}-{end} overlaps the token on line {} (tokens go in text order)",
                    before.line
                ),
            ));
        }
        address.insert(addr, units.len());
        units.push(Unit {
            start,
            end: stop,
            cells,
            line: n,
            subtoken,
        });
    }

    let mut notes = Notes::default();
    let mut spans: Vec<ReadSpan> = Vec::new();
    // (layer index, disambiguation id) -> span; (layer, unit) -> spans on it in stack order.
    let mut by_id: HashMap<(usize, u32), usize> = HashMap::new();
    let mut on_unit: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (li, layer) in layers.iter().enumerate() {
        match layer.kind {
            LayerKind::Chain => {
                notes.skipped(layer, &units);
                continue;
            }
            LayerKind::Relation => continue,
            LayerKind::Span if layer.is_linguistic() => {
                notes.skipped(layer, &units);
                continue;
            }
            LayerKind::Span => {}
        }
        let label = layer.label_feature();
        for (ui, unit) in units.iter().enumerate() {
            let width = layer.features.len().max(1);
            let columns: Vec<Vec<&str>> = (0..width)
                .map(|f| {
                    let cell = unit.cells[layer.column + f].as_str();
                    if cell == "_" {
                        Vec::new()
                    } else {
                        stacked(cell)
                    }
                })
                .collect();
            let count = columns.iter().map(Vec::len).max().unwrap_or(0);
            for k in 0..count {
                let mut values = Vec::with_capacity(width);
                let mut id = None;
                for col in &columns {
                    let (value, item_id) = col.get(k).map(|i| label_and_id(i)).unwrap_or_default();
                    id = id.or(item_id);
                    values.push(value);
                }
                let s = match id.and_then(|id| by_id.get(&(li, id)).copied()) {
                    Some(s) => {
                        spans[s].start = spans[s].start.min(unit.start);
                        spans[s].end = spans[s].end.max(unit.end);
                        s
                    }
                    None => {
                        let ty = [values.get(label)]
                            .into_iter()
                            .flatten()
                            .chain(values.iter())
                            .find(|v| !v.is_empty())
                            .cloned()
                            .unwrap_or_else(|| layer.short_name().to_string());
                        let mut attributes = BTreeMap::new();
                        for (f, v) in layer.features.iter().zip(&values) {
                            if !v.is_empty() && *v != ty {
                                attributes.insert(f.clone(), v.clone());
                            }
                        }
                        spans.push(ReadSpan {
                            start: unit.start,
                            end: unit.end,
                            entity_type: ty,
                            attributes,
                            ..ReadSpan::default()
                        });
                        if let Some(id) = id {
                            by_id.insert((li, id), spans.len() - 1);
                        }
                        spans.len() - 1
                    }
                };
                on_unit.entry((li, ui)).or_default().push(s);
            }
        }
    }

    let mut relations = Vec::new();
    let layer_index = |name: &str| layers.iter().position(|l| l.name == name);
    for layer in layers.iter().filter(|l| l.kind == LayerKind::Relation) {
        let Some(base) = layer.base.as_deref().and_then(layer_index) else {
            notes.skipped(layer, &units);
            continue;
        };
        let bt = layer.column + layer.features.len();
        for (ui, unit) in units.iter().enumerate() {
            let cell = &unit.cells[bt];
            if cell == "_" {
                continue;
            }
            let labels: Vec<&str> = match layer.features.first() {
                Some(_) => stacked(&unit.cells[layer.column]),
                None => Vec::new(),
            };
            for (k, source) in stacked(cell).into_iter().enumerate() {
                let (addr, ids) = match source.split_once('[') {
                    Some((a, rest)) => {
                        let ids = rest
                            .trim_end_matches(']')
                            .split_once('_')
                            .and_then(|(s, t)| {
                                Some((s.parse::<u32>().ok()?, t.parse::<u32>().ok()?))
                            });
                        (a, ids)
                    }
                    None => (source, None),
                };
                let bad = |what: String| malformed(path, unit.line, what);
                let &from = address.get(addr).ok_or_else(|| {
                    bad(format!(
                        "the relation's source {addr} is not a token of this file"
                    ))
                })?;
                let pick = |unit: usize, id: Option<u32>| match id.filter(|&i| i != 0) {
                    Some(i) => by_id.get(&(base, i)).copied(),
                    None => on_unit.get(&(base, unit)).and_then(|v| v.first().copied()),
                };
                let (Some(s), Some(t)) = (pick(from, ids.map(|x| x.0)), pick(ui, ids.map(|x| x.1)))
                else {
                    return Err(bad(format!(
                        "the relation from {source} has no {} annotation at one of its ends",
                        layer.base.as_deref().unwrap_or("")
                    )));
                };
                let (label, _) = labels.get(k).map(|l| label_and_id(l)).unwrap_or_default();
                if layer.features.len() > 1 {
                    notes.relation_features += 1;
                }
                relations.push(ReadRelation {
                    relation_type: if label.is_empty() {
                        layer.short_name().to_string()
                    } else {
                        label
                    },
                    source: s,
                    target: t,
                    note: String::new(),
                });
            }
        }
    }

    let tokens = Tokenization {
        tokens: units
            .iter()
            .filter(|u| !u.subtoken)
            .map(|u| (u.start, u.end))
            .collect(),
        columns: Vec::new(),
    };
    let title = super::title_from_text(&text, path);
    let doc = ReadDocument {
        title,
        source: path.to_path_buf(),
        text,
        metadata: Default::default(),
    };
    let mut read = AnnotatedDocument::new("webanno", doc, spans, relations);
    read.tokens = Some(tokens);
    notices.extend(notes.say(path));
    Ok(read)
}

/// What a file held that is not imported, counted.
#[derive(Default)]
struct Notes {
    skipped: BTreeMap<String, usize>,
    relation_features: usize,
}

impl Notes {
    /// Counts the lines a layer that is not imported annotates.
    fn skipped(&mut self, layer: &Layer, units: &[Unit]) {
        let n = units
            .iter()
            .filter(|u| u.cells[layer.column] != "_")
            .count();
        *self.skipped.entry(layer.name.clone()).or_default() += n;
    }

    fn say(&self, path: &Path) -> Option<String> {
        let mut parts: Vec<String> = self
            .skipped
            .iter()
            .map(|(l, n)| {
                let lines = crate::text::counted(*n, "line", "lines", "annotated");
                format!("layer {l} not imported ({lines})")
            })
            .collect();
        if self.relation_features > 0 {
            parts.push(crate::text::counted(
                self.relation_features,
                "relation",
                "relations",
                "kept with their first feature only",
            ));
        }
        (!parts.is_empty()).then(|| format!("{}: {}", path.display(), parts.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Span|label\n#T_RL=webanno.custom.Link|BT_webanno.custom.Span\n\n\n";

    #[test]
    fn spans_without_values_take_the_layer_name_and_relations_without_features_too() {
        let tsv =
            format!("{HEAD}#Text=Alpha beta\n1-1\t0-5\tAlpha\t*\t_\t\n1-2\t6-10\tbeta\t*\t1-1\t\n");
        let doc = parse(Path::new("a.tsv"), &tsv).unwrap().remove(0);
        assert_eq!(doc.doc.text, "Alpha beta");
        let types: Vec<&str> = doc.spans.iter().map(|s| s.entity_type.as_str()).collect();
        assert_eq!(types, vec!["Span", "Span"]);
        assert_eq!(doc.relations[0].relation_type, "Link");
        assert_eq!((doc.relations[0].source, doc.relations[0].target), (0, 1));
    }

    #[test]
    fn escapes_are_undone() {
        assert_eq!(unescape(r"a\_b\|c\\d\->e"), r"a_b|c\d->e");
        assert_eq!(stacked(r"A\|B[1]|C[2]"), vec![r"A\|B[1]", "C[2]"]);
        assert_eq!(label_and_id("PER[12]"), ("PER".to_string(), Some(12)));
        assert_eq!(label_and_id("*"), (String::new(), None));
    }

    #[test]
    fn bad_files_name_the_line() {
        for (tsv, want) in [
            ("#FORMAT=WebAnno TSV 2\n".to_string(), "a.tsv:1:"),
            (
                format!("{HEAD}#Text=Alpha\n1-1\t0-5\tAlpha\t*\n"),
                "a.tsv:7:",
            ),
            (
                format!("{HEAD}#Text=Alpha\n1-1\t0-5\tAlphx\t*\t_\t\n"),
                "a.tsv:7:",
            ),
            (
                format!("{HEAD}#Text=Alpha\n1-1\t0-9\tAlpha\t*\t_\t\n"),
                "a.tsv:7:",
            ),
            (
                format!("{HEAD}#Text=Alpha\n1-1\t0-5\tAlpha\t*\t1-7\t\n"),
                "a.tsv:7:",
            ),
            // A token line repeated: found by the fuzz smoke run (the import was accepted
            // and then failed to apply with a broken token list).
            (
                format!("{HEAD}#Text=Alpha\n1-1\t0-5\tAlpha\t*\t_\t\n1-2\t0-5\tAlpha\t*\t_\t\n"),
                "a.tsv:8: the token at 0-5 overlaps the token on line 7",
            ),
        ] {
            let err = parse(Path::new("a.tsv"), &tsv).unwrap_err().to_string();
            assert!(err.starts_with(want), "{tsv:?}: {err}");
        }
    }
}
