//! CoNLL-2003 style IOB files: one token per line (token first, NER tag last, 2 to 4
//! whitespace-separated columns), blank lines between sentences, optional `-DOCSTART-` lines
//! between documents. IOB1 and IOB2 are both read: `B-X` always starts a mention, `I-X`
//! continues a mention of type X and starts one otherwise.
//!
//! The text is rebuilt by joining tokens with single spaces and sentences with '\n', so every
//! token maps exactly onto a char range.

use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadSpan};
use super::{ImportError, ReadDocument};
use std::path::{Path, PathBuf};

/// Extensions read as CoNLL in automatic mode.
pub const EXTENSIONS: &[&str] = &["conll", "iob", "bio", "conll03", "bioes"];

/// Reads CoNLL files; folders give their CoNLL files (recursively, in name order).
pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    super::annotated::read_files(paths, EXTENSIONS, parse)
}

struct Builder {
    text: String,
    chars: usize,
    spans: Vec<ReadSpan>,
    /// Type of the mention the previous token belongs to.
    open: Option<String>,
    sentence_tokens: usize,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            text: String::new(),
            chars: 0,
            spans: Vec::new(),
            open: None,
            sentence_tokens: 0,
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
        tag: &str,
        path: &Path,
        line: usize,
    ) -> Result<(), ImportError> {
        if self.sentence_tokens > 0 {
            self.text.push(' ');
            self.chars += 1;
        }
        let start = self.chars;
        self.text.push_str(token);
        self.chars += token.chars().count();
        self.sentence_tokens += 1;
        let end = self.chars;
        if tag == "O" {
            self.open = None;
            return Ok(());
        }
        let (prefix, ty) = match tag.split_once('-') {
            Some((p @ ("B" | "I"), ty)) if !ty.is_empty() => (p, ty),
            _ => {
                return Err(ImportError::Malformed {
                    path: path.to_path_buf(),
                    line,
                    message: format!("'{tag}' is not an IOB tag (expected O, B-TYPE or I-TYPE)"),
                });
            }
        };
        if prefix == "I" && self.open.as_deref() == Some(ty) {
            if let Some(last) = self.spans.last_mut() {
                last.end = end;
            }
        } else {
            self.spans.push(ReadSpan {
                start,
                end,
                entity_type: ty.to_string(),
                ..ReadSpan::default()
            });
            self.open = Some(ty.to_string());
        }
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
        Some(AnnotatedDocument {
            format: "conll",
            doc: ReadDocument {
                title,
                source: path.to_path_buf(),
                text: self.text,
                metadata: Default::default(),
            },
            spans: self.spans,
            relations: Vec::new(),
        })
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
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
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
        if !(2..=4).contains(&cols.len()) {
            return Err(ImportError::Malformed {
                path: path.to_path_buf(),
                line: n,
                message: format!(
                    "expected 2 to 4 columns (token ... tag), found {}: '{line}'",
                    cols.len()
                ),
            });
        }
        builder.token(cols[0], cols[cols.len() - 1], path, n)?;
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
    fn bad_tags_and_columns_name_the_line() {
        let err = parse(Path::new("x.conll"), "EU B-ORG\nrejects X-FOO\n").unwrap_err();
        assert!(err.to_string().starts_with("x.conll:2:"), "{err}");
        let err = parse(Path::new("x.conll"), "EU\n").unwrap_err();
        assert!(err.to_string().starts_with("x.conll:1:"), "{err}");
        let err = parse(Path::new("x.conll"), "a b c d e\n").unwrap_err();
        assert!(err.to_string().starts_with("x.conll:1:"), "{err}");
    }
}
