use super::{ExportFormatArg, JsonlShapeArg, Separator, TagScheme, load, note, print};
use crate::export::{self, ExportFormat, ExportOptions};
use anyhow::Result;
use std::path::Path;

pub(super) fn run(
    path: &Path,
    format: ExportFormatArg,
    out: &Path,
    force: bool,
    (scheme, separator, jsonl_shape): (TagScheme, Separator, JsonlShapeArg),
    docs: &[String],
    types: &[String],
) -> Result<()> {
    let project = load(path)?;
    let format = match format {
        ExportFormatArg::Ron => ExportFormat::Ron,
        ExportFormatArg::Json => ExportFormat::Json,
        ExportFormatArg::Brat => ExportFormat::Brat,
        ExportFormatArg::Conll => ExportFormat::Conll,
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
        ExportFormatArg::Csv => ExportFormat::Csv,
        ExportFormatArg::Graphml => ExportFormat::Graphml,
        ExportFormatArg::Html => ExportFormat::Html,
        ExportFormatArg::Webanno => ExportFormat::Webanno,
        ExportFormatArg::LabelStudio => ExportFormat::LabelStudio,
        ExportFormatArg::Spacy => ExportFormat::Spacy,
    };
    let options = ExportOptions {
        force,
        scheme: match scheme {
            TagScheme::Iob1 => export::TagScheme::Iob1,
            TagScheme::Iob2 => export::TagScheme::Iob2,
            TagScheme::Bioes => export::TagScheme::Bioes,
            TagScheme::Bilou => export::TagScheme::Bilou,
        },
        separator: match separator {
            Separator::Space => export::Separator::Space,
            Separator::Tab => export::Separator::Tab,
        },
        documents: docs.to_vec(),
        types: types.to_vec(),
        jsonl_shape: match jsonl_shape {
            JsonlShapeArg::Seq => export::JsonlShape::Seq,
            JsonlShapeArg::Relation => export::JsonlShape::Relation,
        },
    };
    export::guard_output(path, out)?;
    // The command line's own wording for an existing output (the core's is the window's).
    super::check_output(out, force)?;
    let report = export::export(&project, format, &options, out)?;
    for notice in &report.notices {
        note(format!("note: {notice}"));
    }
    print(report.summary())
}
