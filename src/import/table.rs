//! Tables of texts: CSV or TSV with a header row, one document per row. Columns are mapped by
//! name (case-insensitive): text/body/content/article -> the text; title/headline -> title;
//! date, source/publisher/outlet, url/link, author/byline, language/lang -> metadata; any
//! other column -> `metadata.extra`. A `ColumnMap` (`import --columns text=Nachricht`) names
//! the columns of any other header. Also one document per line of a text file (`lines`).

use super::{ImportError, ReadDocument};
use crate::model::DocumentMetadata;
use std::path::Path;

pub(super) const EXTENSIONS: &[&str] = &["csv", "tsv", "tab"];
pub(super) const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods"];

/// What a column of a table gives a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Text,
    Title,
    Date,
    Source,
    Url,
    Author,
    Language,
    Extra,
}

impl Column {
    /// The fields a `ColumnMap` can name, as written on the command line.
    pub const FIELDS: [(&'static str, Column); 7] = [
        ("text", Column::Text),
        ("title", Column::Title),
        ("date", Column::Date),
        ("source", Column::Source),
        ("url", Column::Url),
        ("author", Column::Author),
        ("language", Column::Language),
    ];

    /// The field's name as the window shows it.
    pub fn label(self) -> &'static str {
        match self {
            Column::Text => "Text",
            Column::Title => "Title",
            Column::Date => "Date",
            Column::Source => "Source",
            Column::Url => "URL",
            Column::Author => "Author",
            Column::Language => "Language",
            Column::Extra => "Other details",
        }
    }
}

/// Which header gives which field, when the headers do not say it themselves
/// (`text=Nachricht,title=Überschrift`). Headers are matched case-insensitively; a field
/// named here is taken from that column only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    columns: Vec<(Column, String)>,
}

impl ColumnMap {
    /// Reads `FIELD=HEADER` pairs; a bad pair is an error saying what is wrong.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<ColumnMap, String> {
        let fields = || {
            Column::FIELDS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut columns: Vec<(Column, String)> = Vec::new();
        for pair in pairs {
            let Some((field, header)) = pair.split_once('=') else {
                return Err(format!(
                    "'{pair}' is not FIELD=COLUMN (fields: {})",
                    fields()
                ));
            };
            let field = field.trim().to_lowercase();
            let Some(&(_, column)) = Column::FIELDS.iter().find(|(n, _)| *n == field) else {
                return Err(format!("'{field}' is not a field (fields: {})", fields()));
            };
            let header = header.trim();
            if header.is_empty() {
                return Err(format!("'{pair}' names no column"));
            }
            if columns.iter().any(|(c, _)| *c == column) {
                return Err(format!("the {field} column is named twice"));
            }
            columns.push((column, header.to_string()));
        }
        Ok(ColumnMap { columns })
    }

    /// What the column headed `name` gives: as mapped, else by its name, unless its name
    /// means a field the map takes from another column (then it is kept as metadata).
    fn column_of(&self, name: &str) -> Column {
        let name = name.trim();
        if let Some((c, _)) = self.columns.iter().find(|(_, h)| same_header(h, name)) {
            return *c;
        }
        match column_of(name) {
            c if self.columns.iter().any(|(m, _)| *m == c) => Column::Extra,
            c => c,
        }
    }

    /// Takes `field` from the column headed `header` (the window's column dialog).
    pub fn set(&mut self, field: Column, header: &str) {
        self.columns.retain(|(c, _)| *c != field);
        self.columns.push((field, header.to_string()));
    }

    /// The mapped headers a table does not have.
    fn missing<'a>(&'a self, headers: &[String]) -> Vec<&'a str> {
        self.columns
            .iter()
            .filter(|(_, h)| !headers.iter().any(|x| same_header(h, x)))
            .map(|(_, h)| h.as_str())
            .collect()
    }
}

/// Headers are compared without case and surrounding spaces.
fn same_header(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn column_of(name: &str) -> Column {
    match name.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
        "text" | "body" | "content" | "article" | "full_text" => Column::Text,
        "title" | "headline" => Column::Title,
        "date" | "published" | "published_at" | "pubdate" => Column::Date,
        "source" | "publisher" | "outlet" => Column::Source,
        "url" | "link" => Column::Url,
        "author" | "byline" | "authors" => Column::Author,
        "language" | "lang" => Column::Language,
        _ => Column::Extra,
    }
}

/// Sets the date when it reads as ISO 8601; otherwise keeps it as is in `extra["date"]`.
pub(super) fn set_date(metadata: &mut DocumentMetadata, raw: &str) {
    let raw = raw.trim();
    if raw.is_empty() {
    } else if super::is_iso_date(raw) {
        DocumentMetadata::fill(&mut metadata.date, Some(raw));
    } else {
        metadata
            .extra
            .entry("date".into())
            .or_insert_with(|| raw.to_string());
    }
}

pub(super) fn read_table(
    text: String,
    path: &Path,
    map: &ColumnMap,
) -> Result<Vec<ReadDocument>, ImportError> {
    let delimiter = if super::extension(path) == "csv" {
        let header = text.lines().next().unwrap_or("");
        // A semicolon-separated export (common with a decimal comma) says so in its header.
        if !header.contains(',') && header.contains(';') {
            b';'
        } else {
            b','
        }
    } else {
        b'\t'
    };
    let malformed = |line: u64, message: String| ImportError::Malformed {
        path: path.to_path_buf(),
        line: line as usize,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| malformed(1, format!("unreadable header row: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader.records().map(|record| {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("{len} fields where the header has {expected_len}"),
                _ => e.to_string(),
            };
            malformed(line, message)
        })?;
        let line = record.position().map_or(0, |p| p.line()) as usize;
        Ok((
            line,
            record.iter().map(str::to_string).enumerate().collect(),
        ))
    });
    let missing = map.missing(&headers);
    if !missing.is_empty() {
        return Err(malformed(
            1,
            format!(
                "no column {} (the columns are: {})",
                missing.join(", "),
                headers.join(", ")
            ),
        ));
    }
    let docs = documents_from_rows(path, "", &headers, map, rows)?;
    if docs.is_empty() {
        return Err(malformed(1, "a header row and no rows of text".to_string()));
    }
    Ok(docs)
}

/// A row: its line (or spreadsheet row number) and its cells as (column, value); a
/// spreadsheet row holds only the cells it has, so a lone far-away cell costs nothing.
type Row = Result<Cells, ImportError>;
type Cells = (usize, Vec<(usize, String)>);

/// The documents of a table: `headers` name the columns, each row is (line, cells). `sheet`
/// names the worksheet in messages (empty for CSV).
fn documents_from_rows(
    path: &Path,
    sheet: &str,
    headers: &[String],
    map: &ColumnMap,
    rows: impl Iterator<Item = Row>,
) -> Result<Vec<ReadDocument>, ImportError> {
    let malformed = |line: usize, message: String| ImportError::Malformed {
        path: path.to_path_buf(),
        line,
        message: format!("{sheet}{message}"),
    };
    let columns: Vec<Column> = headers.iter().map(|h| map.column_of(h)).collect();
    let names: Vec<&str> = headers.iter().map(String::as_str).collect();
    let Some(text_column) = columns.iter().position(|c| *c == Column::Text) else {
        return Err(ImportError::NoTextColumn {
            path: path.to_path_buf(),
            columns: headers.to_vec(),
        });
    };
    if let Some(dup) = columns
        .iter()
        .enumerate()
        .find(|(i, c)| **c != Column::Extra && columns[..*i].contains(c))
    {
        return Err(malformed(
            1,
            format!(
                "two columns give the {:?} of a document (\"{}\" and \"{}\")",
                dup.1,
                names[columns.iter().position(|c| c == dup.1).unwrap_or(0)],
                names[dup.0]
            )
            .to_lowercase(),
        ));
    }
    let mut docs = Vec::new();
    for row in rows {
        let (line, record) = row?;
        let body = record
            .iter()
            .find(|(c, _)| *c == text_column)
            .map_or("", |(_, s)| s.trim());
        if body.is_empty() {
            if record.iter().all(|(_, c)| c.trim().is_empty()) {
                // A blank row (spreadsheets have them) is no document.
                continue;
            }
            return Err(malformed(
                line,
                format!("the text column \"{}\" is empty", names[text_column]),
            ));
        }
        let mut metadata = DocumentMetadata::default();
        let mut title = None;
        for (index, value) in &record {
            let (Some(column), Some(name)) = (columns.get(*index), names.get(*index)) else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match column {
                Column::Text => {}
                Column::Title => title = Some(value.to_string()),
                Column::Date => set_date(&mut metadata, value),
                Column::Source => metadata.source = Some(value.to_string()),
                Column::Url => metadata.url = Some(value.to_string()),
                Column::Author => metadata.author = Some(value.to_string()),
                Column::Language => metadata.language = Some(value.to_string()),
                Column::Extra => {
                    metadata
                        .extra
                        .insert(name.trim().to_string(), value.to_string());
                }
            }
        }
        let mut text = body.replace("\r\n", "\n");
        text.push('\n');
        docs.push(ReadDocument::new(title, path, text, metadata));
    }
    Ok(docs)
}

/// A spreadsheet (XLSX, XLSM, XLS, ODS) read with `calamine`: every worksheet whose first row
/// names a text column, mapped like a CSV; a date cell becomes an ISO 8601 date. Worksheets
/// without a text column are named in a notice.
pub(super) fn read_spreadsheet(
    bytes: &[u8],
    path: &Path,
    map: &ColumnMap,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    // The reader is not ours and has panicked on damaged files (an overflow on a huge cell
    // reference): a panic becomes an error naming the file.
    super::quiet::quietly(|| read_workbook(bytes, path, map, notices)).unwrap_or_else(|_| {
        Err(ImportError::Invalid {
            path: path.to_path_buf(),
            message: "damaged spreadsheet (the spreadsheet reader failed on it)".into(),
        })
    })
}

fn read_workbook(
    bytes: &[u8],
    path: &Path,
    map: &ColumnMap,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    use calamine::Reader;
    let bad = |message: String| ImportError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    check_ods_grid(bytes, path)?;
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not a spreadsheet (XLSX, XLS or ODS): {e}")))?;
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    // Mapped headers no worksheet that was read has.
    let mut missing = map.missing(&[]);
    let names = workbook.sheet_names();
    let several = names.len() > 1;
    for name in names {
        let mut rows = sheet_rows(&mut workbook, &name)
            .map_err(|e| bad(format!("worksheet \"{name}\": {e}")))?
            .into_iter();
        let Some((_, header)) = rows.next() else {
            continue;
        };
        // Columns count from the header row's first cell; cells left of it or past its
        // last have no header and are not read.
        let first_column = header.first().map_or(0, |(c, _)| *c);
        let width = header.last().map_or(0, |(c, _)| c + 1 - first_column);
        let mut headers = vec![String::new(); width];
        for (c, h) in header {
            headers[c - first_column] = h;
        }
        if !headers.iter().any(|h| map.column_of(h) == Column::Text) {
            skipped.push((name.clone(), headers));
            continue;
        }
        let label = if several {
            format!("worksheet \"{name}\": ")
        } else {
            String::new()
        };
        let rows = rows.map(|(line, cells)| {
            let cells = cells
                .into_iter()
                .filter(|(c, _)| (first_column..first_column + width).contains(c))
                .map(|(c, v)| (c - first_column, v))
                .collect();
            Ok((line, cells))
        });
        let here = map.missing(&headers);
        missing.retain(|h| here.contains(h));
        docs.extend(documents_from_rows(path, &label, &headers, map, rows)?);
    }
    if docs.is_empty()
        && let Some((_, headers)) = skipped.first()
    {
        // Asked about the first worksheet's columns, as about a CSV's.
        return Err(ImportError::NoTextColumn {
            path: path.to_path_buf(),
            columns: headers.clone(),
        });
    }
    if docs.is_empty() {
        return Err(ImportError::Malformed {
            path: path.to_path_buf(),
            line: 1,
            message: "no worksheet has rows of text under a text column".to_string(),
        });
    }
    if !missing.is_empty() {
        return Err(ImportError::Malformed {
            path: path.to_path_buf(),
            line: 1,
            message: format!("no worksheet has the column {}", missing.join(", ")),
        });
    }
    if !skipped.is_empty() {
        notices.push(format!(
            "{}: worksheets without a text column not imported: {}",
            path.display(),
            skipped
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(docs)
}

/// A worksheet's non-empty cells by row: (row number counting from 1, [(column, value)]),
/// rows in order, cells in column order. An XLSX sheet is read cell by cell, never as a
/// rectangle: a lone cell at XFD1048576 would make that rectangle 17 billion cells.
fn sheet_rows<RS: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Sheets<RS>,
    name: &str,
) -> Result<Vec<Cells>, String> {
    use calamine::{Data, Reader};
    let text = |d: &Data| match d {
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        other => other.to_string(),
    };
    let mut rows: std::collections::BTreeMap<usize, Vec<(usize, String)>> = Default::default();
    let mut put = |(row, column): (u32, u32), value: String| {
        if !value.trim().is_empty() {
            rows.entry(row as usize + 1)
                .or_default()
                .push((column as usize, value));
        }
    };
    match workbook {
        calamine::Sheets::Xlsx(xlsx) => {
            let mut cells = xlsx
                .worksheet_cells_reader(name)
                .map_err(|e| e.to_string())?;
            while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                put(
                    cell.get_position(),
                    text(&Data::from(cell.get_value().clone())),
                );
            }
        }
        other => {
            let range = other.worksheet_range(name).map_err(|e| e.to_string())?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (row, column, value) in range.used_cells() {
                put((r0 + row as u32, c0 + column as u32), text(value));
            }
        }
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    for (_, cells) in &mut rows {
        cells.sort_by_key(|(c, _)| *c);
        cells.dedup_by_key(|(c, _)| *c);
    }
    Ok(rows)
}

/// The largest worksheet rectangle an ODS may make `calamine` build.
const MAX_GRID_CELLS: u64 = 10_000_000;

/// `calamine` reads an ODS worksheet as the rectangle from its first to its last non-empty
/// cell, with repeated rows and columns written out: a few cells far apart, or one repeated
/// a million times, make billions (out of memory, the program aborted). The rectangles are
/// measured from `content.xml` first and a file past `MAX_GRID_CELLS` is refused. Anything
/// that is not an ODS passes (its reader says what is wrong with it).
fn check_ods_grid(bytes: &[u8], path: &Path) -> Result<(), ImportError> {
    use quick_xml::events::Event;
    let Ok(mut archive) = super::office::Archive::open(bytes, path, "an ODS") else {
        return Ok(());
    };
    let Some(xml) = archive.part("content.xml")? else {
        return Ok(());
    };
    let repeat = |e: &quick_xml::events::BytesStart, name: &[u8]| -> u64 {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .and_then(|a| std::str::from_utf8(&a.value).ok()?.trim().parse().ok())
            .unwrap_or(1)
    };
    let too_big = |(rows, columns): (u64, u64)| {
        (rows.saturating_mul(columns) > MAX_GRID_CELLS).then(|| ImportError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "a worksheet spans {rows} rows by {columns} columns from its first to its last cell, more than {MAX_GRID_CELLS} cells; save the texts as CSV or XLSX"
            ),
        })
    };
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut row, mut column, mut rows_here) = (0u64, 0u64, 1u64);
    // (first row, last row, first column, last column) of the worksheet's filled cells.
    let mut span: Option<(u64, u64, u64, u64)> = None;
    let size = |span: Option<(u64, u64, u64, u64)>| {
        span.map_or((0, 0), |(r0, r1, c0, c1)| (r1 - r0 + 1, c1 - c0 + 1))
    };
    loop {
        let (e, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) if e.name().as_ref() == b"table:table-row" => {
                row = row.saturating_add(rows_here);
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        match e.name().as_ref() {
            b"table:table" => {
                if let Some(err) = too_big(size(span)) {
                    return Err(err);
                }
                (row, span) = (0, None);
            }
            b"table:table-row" => {
                rows_here = repeat(&e, b"table:number-rows-repeated").max(1);
                column = 0;
                if empty {
                    row = row.saturating_add(rows_here);
                }
            }
            b"table:table-cell" | b"table:covered-table-cell" => {
                let columns = repeat(&e, b"table:number-columns-repeated").max(1);
                let filled = !empty
                    || e.try_get_attribute(b"office:value-type")
                        .ok()
                        .flatten()
                        .is_some();
                if filled {
                    let (r1, c1) = (
                        row.saturating_add(rows_here - 1),
                        column.saturating_add(columns - 1),
                    );
                    span = Some(match span {
                        None => (row, r1, column, c1),
                        Some((a, b, c, d)) => (a.min(row), b.max(r1), c.min(column), d.max(c1)),
                    });
                }
                column = column.saturating_add(columns);
            }
            _ => {}
        }
    }
    too_big(size(span)).map_or(Ok(()), Err)
}

/// One document per non-empty line of a text file.
pub(super) fn read_lines(text: String, path: &Path) -> Result<Vec<ReadDocument>, ImportError> {
    let docs: Vec<ReadDocument> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let title = if line.chars().count() <= 100 {
                line.to_string()
            } else {
                let mut t: String = line.chars().take(100).collect();
                t.push('…');
                t
            };
            ReadDocument {
                title,
                source: path.to_path_buf(),
                text: format!("{line}\n"),
                metadata: DocumentMetadata::default(),
            }
        })
        .collect();
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

    /// Reads a table with the columns mapped by name only.
    fn read_default(path: &Path) -> Result<Vec<ReadDocument>, ImportError> {
        read_table(
            std::fs::read_to_string(path).unwrap(),
            path,
            &ColumnMap::default(),
        )
    }

    fn write(name: &str, content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    #[test]
    fn columns_map_to_text_title_and_metadata() {
        let (_d, path) = write(
            "news.csv",
            "Headline,Body,Date,Publisher,Link,Author,Lang,Desk\n\
             Talks resume,\"Armenia and Azerbaijan met.\nAgain.\",2024-03-01,Yerevan Daily,https://example.org/1,Ani,en,Caucasus\n\
             Convoy,Trucks crossed.,1 March 2024,,,,,\n",
        );
        let docs = read_default(&path).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].title, "Talks resume");
        assert_eq!(docs[0].text, "Armenia and Azerbaijan met.\nAgain.\n");
        let m = &docs[0].metadata;
        assert_eq!(m.date.as_deref(), Some("2024-03-01"));
        assert_eq!(m.source.as_deref(), Some("Yerevan Daily"));
        assert_eq!(m.url.as_deref(), Some("https://example.org/1"));
        assert_eq!(m.author.as_deref(), Some("Ani"));
        assert_eq!(m.language.as_deref(), Some("en"));
        assert_eq!(m.extra["Desk"], "Caucasus");
        assert_eq!(docs[1].metadata.date, None);
        assert_eq!(docs[1].metadata.extra["date"], "1 March 2024");
        assert!(!docs[1].metadata.extra.contains_key("Desk"));
    }

    #[test]
    fn tsv_and_semicolon_csv() {
        let (_d, path) = write("a.tsv", "title\ttext\nOne\tFirst, with a comma.\n");
        assert_eq!(
            read_table(
                std::fs::read_to_string(&path).unwrap(),
                &path,
                &ColumnMap::default(),
            )
            .unwrap()[0]
                .text,
            "First, with a comma.\n"
        );
        let (_d, path) = write("b.csv", "content;source\nZweiter Text;Zeitung\n");
        let docs = read_default(&path).unwrap();
        assert_eq!(docs[0].metadata.source.as_deref(), Some("Zeitung"));
    }

    #[test]
    fn bad_tables_name_the_line_and_the_problem() {
        let (_d, path) = write("n.csv", "name,comment\na,b\n");
        let err = read_default(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("n.csv:1: no text column: name one text, body or content, or say which it is with --columns text=NAME (the columns are: name, comment)"),
            "{err}"
        );
        let (_d, path) = write("r.csv", "text,title\nok,One\nshort\n");
        let err = read_default(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("r.csv:3: 1 fields where the header has 2"),
            "{err}"
        );
        let (_d, path) = write("e.csv", "text,title\nok,One\n  ,Two\n");
        let err = read_default(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("e.csv:3: the text column \"text\" is empty"),
            "{err}"
        );
        let (_d, path) = write("h.csv", "text,title\n");
        let err = read_default(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("h.csv:1: a header row and no rows of text"),
            "{err}"
        );
        let (_d, path) = write("d.csv", "text,body\na,b\n");
        let err = read_default(&path).unwrap_err().to_string();
        assert!(err.contains("two columns give the text"), "{err}");
    }

    #[test]
    fn lines_gives_one_document_per_line() {
        let (_d, path) = write("l.txt", "First report.\n\n  Second report.  \n");
        let docs = read_lines(std::fs::read_to_string(&path).unwrap(), &path).unwrap();
        let texts: Vec<_> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["First report.\n", "Second report.\n"]);
        let (_d, path) = write("b.txt", "\n \n");
        assert!(read_lines(std::fs::read_to_string(&path).unwrap(), &path).is_err());
    }

    #[test]
    fn a_column_map_names_the_columns_the_headers_do_not() {
        let (_d, path) = write(
            "de.csv",
            "Überschrift,Nachricht,Datum,Text,Ressort\n\
             Gespräche,Die Gespräche gingen weiter.,2024-03-01,kurz,Ausland\n",
        );
        let map = ColumnMap::parse(["text=nachricht", "title=Überschrift", "date=Datum"]).unwrap();
        let docs = read_table(std::fs::read_to_string(&path).unwrap(), &path, &map).unwrap();
        assert_eq!(docs[0].text, "Die Gespräche gingen weiter.\n");
        assert_eq!(docs[0].title, "Gespräche");
        let m = &docs[0].metadata;
        assert_eq!(m.date.as_deref(), Some("2024-03-01"));
        // "Text" is no longer the text (the map says which is): it is kept as metadata.
        assert_eq!(m.extra.get("Text").map(String::as_str), Some("kurz"));
        assert_eq!(m.extra.get("Ressort").map(String::as_str), Some("Ausland"));

        let typo = ColumnMap::parse(["text=Nachricht", "title=Headline"]).unwrap();
        let err = read_table(std::fs::read_to_string(&path).unwrap(), &path, &typo)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("de.csv:1: no column Headline (the columns are: Überschrift, Nachricht"),
            "{err}"
        );
        for (bad, says) in [
            ("text", "is not FIELD=COLUMN"),
            ("body=Nachricht", "'body' is not a field"),
            ("text=", "names no column"),
        ] {
            let err = ColumnMap::parse([bad]).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
        let twice = ColumnMap::parse(["text=A", "TEXT=B"]).unwrap_err();
        assert!(twice.contains("named twice"), "{twice}");
    }
}
