//! CoNLL-2003 style files: one token per line (token first, the tag last, any columns
//! between them such as POS and chunk), blank lines between sentences, optional
//! `-DOCSTART-` lines between documents. Columns are split on tabs when the line has any,
//! else on spaces. Tags may be IOB1, IOB2 or BIOES/BILOU, read as conlleval and seqeval's
//! default mode read them: `B-X` and `S-X`/`U-X` always start a mention, `I-X` and
//! `E-X`/`L-X` continue an open mention of type X (and start one otherwise), `E-X`/`L-X` and
//! `S-X`/`U-X` close it.
//!
//! The text is rebuilt by joining tokens with single spaces and sentences with '\n'. The
//! tokens themselves and the middle columns are kept on the document
//! (`Document::tokens`), so a CoNLL export writes back exactly the same tokens and columns.

use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadSpan};
use super::{ImportError, ReadDocument};
use crate::model::Tokenization;
use std::path::{Path, PathBuf};

/// Extensions read as CoNLL in automatic mode.
pub const EXTENSIONS: &[&str] = &["conll", "iob", "bio", "conll03", "bioes", "bilou"];

/// Reads CoNLL files; folders give their CoNLL files (recursively, in name order).
pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    super::annotated::read_files(paths, EXTENSIONS, parse)
}

struct Builder {
    text: String,
    chars: usize,
    spans: Vec<ReadSpan>,
    /// Type of the open mention the previous token belongs to (None after O, E-, S-).
    open: Option<String>,
    sentence_tokens: usize,
    tokens: Tokenization,
    /// Whether any token had middle columns.
    columns: bool,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            text: String::new(),
            chars: 0,
            spans: Vec::new(),
            open: None,
            sentence_tokens: 0,
            tokens: Tokenization::default(),
            columns: false,
        }
    }

    fn end_sentence(&mut self) {
        if self.sentence_tokens > 0 {
            self.text.push('\n');
            self.chars += 1;
        }
        self.sentence_tokens = 0;
        self.open = None;
    }

    fn token(
        &mut self,
        token: &str,
        middle: &[&str],
        tag: &str,
        path: &Path,
        line: usize,
    ) -> Result<(), ImportError> {
        let (prefix, ty) = match tag.split_once('-') {
            _ if tag == "O" => ("O", ""),
            Some((p @ ("B" | "I" | "E" | "S" | "L" | "U"), ty)) if !ty.is_empty() => (p, ty),
            _ => {
                return Err(ImportError::Malformed {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "'{tag}' is not an IOB or BIOES tag (expected O, or B-, I-, E-, S-, L- or U- and a type)"
                    ),
                });
            }
        };
        if self.sentence_tokens > 0 {
            self.text.push(' ');
            self.chars += 1;
        }
        let start = self.chars;
        self.text.push_str(token);
        self.chars += token.chars().count();
        self.sentence_tokens += 1;
        let end = self.chars;
        self.tokens.tokens.push((start, end));
        self.columns |= !middle.is_empty();
        self.tokens.columns.push(middle.join("\t"));
        let continues = matches!(prefix, "I" | "E" | "L") && self.open.as_deref() == Some(ty);
        match prefix {
            "O" => {}
            _ if continues => {
                if let Some(last) = self.spans.last_mut() {
                    last.end = end;
                }
            }
            _ => self.spans.push(ReadSpan {
                start,
                end,
                entity_type: ty.to_string(),
                ..ReadSpan::default()
            }),
        }
        self.open = match prefix {
            "B" | "I" => Some(ty.to_string()),
            _ => None,
        };
        Ok(())
    }

    fn finish(mut self, title: String, path: &Path) -> Option<AnnotatedDocument> {
        // No trailing newline after the last sentence.
        if self.text.ends_with('\n') {
            self.text.pop();
        }
        if self.text.is_empty() {
            return None;
        }
        if !self.columns {
            self.tokens.columns.clear();
        }
        let doc = ReadDocument {
            title,
            source: path.to_path_buf(),
            text: self.text,
            metadata: Default::default(),
        };
        let mut read = AnnotatedDocument::new("conll", doc, self.spans, Vec::new());
        read.tokens = Some(self.tokens);
        Some(read)
    }
}

/// Parses a whole CoNLL file into documents.
pub fn parse(path: &Path, content: &str) -> Result<Vec<AnnotatedDocument>, ImportError> {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "conll".to_string());
    let split = content.lines().any(|l| l.starts_with("-DOCSTART-"));
    let mut docs = Vec::new();
    let mut builder = Builder::new();
    let title = |n: usize| {
        if split {
            format!("{name} #{n}")
        } else {
            name.clone()
        }
    };
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let cols: Vec<&str> = if line.contains('\t') {
            line.split('\t').map(str::trim).collect()
        } else {
            line.split_whitespace().collect()
        };
        if cols.iter().all(|c| c.is_empty()) {
            builder.end_sentence();
            continue;
        }
        if cols[0] == "-DOCSTART-" {
            let done = std::mem::replace(&mut builder, Builder::new());
            if let Some(doc) = done.finish(title(docs.len() + 1), path) {
                docs.push(doc);
            }
            continue;
        }
        if cols.len() < 2 || cols.iter().any(|c| c.is_empty()) {
            return Err(ImportError::Malformed {
                path: path.to_path_buf(),
                line: n,
                message: format!(
                    "expected a token and a tag (and any columns between them), found {}: '{line}'",
                    crate::text::count(
                        cols.iter().filter(|c| !c.is_empty()).count(),
                        "column",
                        "columns"
                    )
                ),
            });
        }
        let last = cols.len() - 1;
        builder.token(cols[0], &cols[1..last], cols[last], path, n)?;
    }
    if let Some(doc) = builder.finish(title(docs.len() + 1), path) {
        docs.push(doc);
    }
    if docs.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(doc: &AnnotatedDocument) -> Vec<(String, String)> {
        doc.spans
            .iter()
            .map(|s| {
                let t: String = doc
                    .doc
                    .text
                    .chars()
                    .skip(s.start)
                    .take(s.end - s.start)
                    .collect();
                (t, s.entity_type.clone())
            })
            .collect()
    }

    #[test]
    fn reads_iob2_with_docstart_into_documents() {
        let input = "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n. . O O\n\nPeter B-PER\nBlackburn I-PER\n\n-DOCSTART- O\n\nBRUSSELS B-LOC\n";
        let docs = parse(Path::new("news.conll"), input).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].doc.text, "EU rejects German .\nPeter Blackburn");
        assert_eq!(docs[0].doc.title, "news #1");
        assert_eq!(docs[1].doc.title, "news #2");
        assert_eq!(
            spans(&docs[0]),
            vec![
                ("EU".into(), "ORG".into()),
                ("German".into(), "MISC".into()),
                ("Peter Blackburn".into(), "PER".into())
            ]
        );
    }

    #[test]
    fn reads_iob1_where_b_only_separates_adjacent_mentions() {
        let input = "In O\nBosnia I-LOC\nHerzegovina I-LOC\nAlpha I-ORG\nBeta B-ORG\nGamma I-ORG\n";
        let docs = parse(Path::new("x.iob"), input).unwrap();
        assert_eq!(docs[0].doc.title, "x");
        assert_eq!(
            spans(&docs[0]),
            vec![
                ("Bosnia Herzegovina".into(), "LOC".into()),
                ("Alpha".into(), "ORG".into()),
                ("Beta Gamma".into(), "ORG".into())
            ]
        );
    }

    #[test]
    fn keeps_tokens_and_middle_columns() {
        let input =
            "-DOCSTART- -X- -X- O\n\nU.S. NNP I-NP I-LOC\nsaid VBD I-VP O\n\nOK UH I-INTJ O\n";
        let docs = parse(Path::new("a.conll"), input).unwrap();
        let t = docs[0].tokens.as_ref().unwrap();
        assert_eq!(t.tokens, vec![(0, 4), (5, 9), (10, 12)]);
        assert_eq!(t.columns, vec!["NNP\tI-NP", "VBD\tI-VP", "UH\tI-INTJ"]);
        // Two columns: no middle columns kept.
        let docs = parse(Path::new("a.conll"), "EU B-ORG\nsaid O\n").unwrap();
        assert!(docs[0].tokens.as_ref().unwrap().columns.is_empty());
    }

    #[test]
    fn reads_bioes_and_bilou() {
        let input = "The O\nUnited B-ORG\nNations E-ORG\nin O\nGeneva S-LOC\nand O\nNew B-LOC\nYork L-LOC\nParis U-LOC\nRome U-LOC\n";
        let docs = parse(Path::new("x.bioes"), input).unwrap();
        assert_eq!(
            spans(&docs[0]),
            vec![
                ("United Nations".into(), "ORG".into()),
                ("Geneva".into(), "LOC".into()),
                ("New York".into(), "LOC".into()),
                ("Paris".into(), "LOC".into()),
                ("Rome".into(), "LOC".into()),
            ]
        );
        // An E- closes: the I- after it starts a new mention, as conlleval reads it.
        let docs = parse(Path::new("x.bioes"), "A B-ORG\nB E-ORG\nC I-ORG\n").unwrap();
        assert_eq!(docs[0].spans.len(), 2);
    }

    #[test]
    fn tab_separated_columns_may_hold_spaces() {
        let docs = parse(Path::new("x.conll"), "New York\tB-LOC\ncity\tO\n").unwrap();
        assert_eq!(docs[0].doc.text, "New York city");
        assert_eq!(spans(&docs[0]), vec![("New York".into(), "LOC".into())]);
    }

    #[test]
    fn bad_tags_and_columns_name_the_line() {
        let err = parse(Path::new("x.conll"), "EU B-ORG\nrejects X-FOO\n").unwrap_err();
        assert!(err.to_string().starts_with("x.conll:2:"), "{err}");
        let err = parse(Path::new("x.conll"), "EU\n").unwrap_err();
        assert!(err.to_string().starts_with("x.conll:1:"), "{err}");
        let err = parse(Path::new("x.conll"), "a b c d e\n").unwrap_err();
        assert!(err.to_string().starts_with("x.conll:1:"), "{err}");
    }
}
