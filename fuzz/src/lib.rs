//! The bodies of the fuzz targets: each takes the raw input, feeds it to the entry point the
//! CLI uses, and panics on a broken invariant. `tests/fuzz_regressions.rs` in the main crate
//! includes this file, so a saved crashing input is replayed through exactly the same code.

use marginalia::edit::Transaction;
use marginalia::import::annotated::{AnnotatedImport, annotated_transaction};
use marginalia::import::{
    self, ImportError, ImportFormat, brat, conll, decode_text, document_from_text, jsonl,
    label_studio, webanno,
};
use marginalia::model::Project;
use marginalia::store;
use std::path::Path;

/// A target's body: the raw fuzz input in, a panic on a finding.
pub type Target = fn(&[u8]);

/// Every target by name (the folder names under `fuzz/seeds/` and the regression fixtures).
pub const TARGETS: &[(&str, Target)] = &[
    ("ron_loader", ron_loader),
    ("import_text", import_text),
    ("import_markdown", import_markdown),
    ("import_html", import_html),
    ("import_brat", import_brat),
    ("import_conll", import_conll),
    ("import_jsonl", import_jsonl),
    ("import_email", import_email),
    ("import_mbox", import_mbox),
    ("import_table", import_table),
    ("import_xlsx", import_xlsx),
    ("import_docx", import_docx),
    ("import_odt", import_odt),
    ("import_pdf", import_pdf),
    ("import_label_studio", import_label_studio),
    ("import_webanno", import_webanno),
];

/// The project loader: whatever it accepts validates, saves, and loads back to a project that
/// saves to the same text (text, not `==`: a NaN suggestion score is never equal to itself).
pub fn ron_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.ron");
    let Ok(project) = store::from_ron_str(text, path) else {
        return;
    };
    if let Err(e) = project.validate() {
        panic!("the loader accepted a project that does not validate: {e}");
    }
    let saved = store::to_ron_string(&project).expect("a loaded project saves");
    match store::from_ron_str(&saved, path) {
        Ok(again) => {
            let resaved = store::to_ron_string(&again).expect("a loaded project saves");
            assert_eq!(resaved, saved, "save, load and save again changed the file");
        }
        Err(e) => panic!("a saved project does not load again: {e}\n{saved}"),
    }
}

pub fn import_text(data: &[u8]) {
    plain(data, "fuzz.txt", ImportFormat::Text);
}

pub fn import_markdown(data: &[u8]) {
    plain(data, "fuzz.md", ImportFormat::Markdown);
}

pub fn import_html(data: &[u8]) {
    plain(data, "fuzz.html", ImportFormat::Html);
}

/// brat: the input is the `.txt` file, a 0 byte, then the `.ann` file.
pub fn import_brat(data: &[u8]) {
    let (txt, ann) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    // brat files are read as exact UTF-8 without NUL bytes.
    let (Ok(txt), Ok(ann)) = (std::str::from_utf8(txt), std::str::from_utf8(ann)) else {
        return;
    };
    if ann.contains('\0') {
        return;
    }
    let mut read = AnnotatedImport::default();
    if let Ok(doc) = brat::parse_pair(Path::new("fuzz.txt"), txt.to_string(), ann, &mut read) {
        read.documents.push(doc);
        annotated(read);
    }
}

pub fn import_conll(data: &[u8]) {
    let path = Path::new("fuzz.conll");
    parsed(conll::parse, path, data);
}

/// doccano JSONL in every shape, with the entity records and statuses a line can carry.
pub fn import_jsonl(data: &[u8]) {
    let path = Path::new("fuzz.jsonl");
    let Ok(text) = decode_text(data, path) else {
        return;
    };
    let mut read = AnnotatedImport::default();
    if jsonl::parse_into(path, &text, &mut read).is_ok() {
        annotated(read);
    }
}

pub fn import_label_studio(data: &[u8]) {
    let path = Path::new("fuzz.json");
    let Ok(text) = decode_text(data, path) else {
        return;
    };
    let mut read = AnnotatedImport::default();
    if label_studio::parse_into(path, &text, &mut read).is_ok() {
        annotated(read);
    }
}

/// INCEpTION/WebAnno TSV 3: one file, one document.
pub fn import_webanno(data: &[u8]) {
    parsed(webanno::parse, Path::new("fuzz.tsv"), data);
}

pub fn import_email(data: &[u8]) {
    from_bytes(data, "fuzz.eml", ImportFormat::Email);
}

pub fn import_mbox(data: &[u8]) {
    from_bytes(data, "fuzz.mbox", ImportFormat::Email);
}

/// CSV; an input starting with a tab is read as TSV.
pub fn import_table(data: &[u8]) {
    let name = if data.first() == Some(&b'\t') {
        "fuzz.tsv"
    } else {
        "fuzz.csv"
    };
    from_bytes(data, name, ImportFormat::Table);
}

pub fn import_xlsx(data: &[u8]) {
    from_bytes(data, "fuzz.xlsx", ImportFormat::Xlsx);
}

pub fn import_docx(data: &[u8]) {
    from_bytes(data, "fuzz.docx", ImportFormat::Docx);
}

pub fn import_odt(data: &[u8]) {
    from_bytes(data, "fuzz.odt", ImportFormat::Odt);
}

pub fn import_pdf(data: &[u8]) {
    from_bytes(data, "fuzz.pdf", ImportFormat::Pdf);
}

/// A file read as the CLI reads it from its bytes (binary and container formats).
fn from_bytes(data: &[u8], name: &str, format: ImportFormat) {
    let path = Path::new(name);
    let options = import::ImportOptions::default();
    let Ok(docs) = import::documents_from_bytes(data, path, format, &options, &mut Vec::new())
    else {
        return;
    };
    let project = Project::new("fuzz");
    let (tx, _) = import::documents_transaction(&project, docs);
    apply(project, tx);
}

/// A plain document: decoded as the CLI decodes a file, then converted from its format.
fn plain(data: &[u8], name: &str, format: ImportFormat) {
    let path = Path::new(name);
    let Ok(text) = decode_text(data, path) else {
        return;
    };
    let Ok(doc) = document_from_text(text, path, format) else {
        return;
    };
    let project = Project::new("fuzz");
    let (tx, _) = import::documents_transaction(&project, vec![doc]);
    apply(project, tx);
}

type Parse = fn(&Path, &str) -> Result<Vec<import::annotated::AnnotatedDocument>, ImportError>;

/// An annotated format read from one decoded file.
fn parsed(parse: Parse, path: &Path, data: &[u8]) {
    let Ok(text) = decode_text(data, path) else {
        return;
    };
    if let Ok(documents) = parse(path, &text) {
        annotated(AnnotatedImport {
            documents,
            ..AnnotatedImport::default()
        });
    }
}

fn annotated(read: AnnotatedImport) {
    let project = Project::new("fuzz");
    let (tx, _) = annotated_transaction(&project, read);
    apply(project, tx);
}

/// An accepted import must apply to an empty project and leave it valid.
fn apply(mut project: Project, tx: Transaction) {
    if let Err(e) = tx.apply(&mut project) {
        panic!("the importer accepted input that does not fit an empty project: {e}");
    }
    if let Err(e) = project.validate() {
        panic!("an accepted import leaves a project that does not validate: {e}");
    }
}
