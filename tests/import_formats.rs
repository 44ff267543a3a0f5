//! End-to-end tests of the document importers through the binary: e-mail, mailboxes, tables,
//! lines, DOCX and ODT give clean text and metadata (checked in the JSON export), and bad files
//! are refused with the file and the reason, importing nothing.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;
use common::*;
use std::fs;
use std::io::Write;
use std::path::Path;

fn zip_file(path: &Path, parts: &[(&str, &str)]) {
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    for (name, content) in parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn mail_tables_and_office_documents_import_with_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.ron");
    ok(&["new", p(&project)]);
    fs::write(
        d.join("talks.eml"),
        "From: Ani Hakobyan <ani@example.org>\r\nTo: desk@example.org\r\n\
         Subject: Talks in Yerevan\r\nDate: Fri, 1 Mar 2024 09:30:00 +0400\r\n\
         Message-ID: <m1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n\
         Minister Alij=C3=A9v met the delegation.\r\n",
    )
    .unwrap();
    fs::write(
        d.join("box.mbox"),
        "From a@example.org Sat Mar  2 10:00:00 2024\nFrom: a@example.org\nSubject: One\n\nConvoy crossed.\n\n\
         From b@example.org Sat Mar  2 11:00:00 2024\nFrom: b@example.org\nSubject: Two\n\
         Content-Type: text/html\n\n<p>Aid <b>arrived</b>.</p><script>x()</script>\n",
    )
    .unwrap();
    fs::write(
        d.join("news.csv"),
        "headline,text,date,publisher,link,desk\n\
         Summit opens,Leaders met in Tbilisi.,2024-03-03,Tbilisi Times,https://example.org/s,Caucasus\n",
    )
    .unwrap();
    zip_file(
        &d.join("brief.docx"),
        &[
            (
                "word/document.xml",
                "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>Ceasefire holds.</w:t></w:r></w:p>\
                 <w:tbl><w:tr><w:tc><w:p><w:r><w:t>North</w:t></w:r></w:p></w:tc>\
                 <w:tc><w:p><w:r><w:t>quiet</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>",
            ),
            (
                "docProps/core.xml",
                "<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\" xmlns:dcterms=\"t\">\
                 <dc:title>Weekly brief</dc:title><dc:creator>Desk</dc:creator>\
                 <dcterms:created>2024-03-04T08:00:00Z</dcterms:created></cp:coreProperties>",
            ),
        ],
    );
    zip_file(
        &d.join("note.odt"),
        &[(
            "content.xml",
            "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\"><office:body><office:text>\
             <text:h>Field note</text:h><text:p>Shelling stopped.</text:p></office:text></office:body>\
             </office:document-content>",
        )],
    );
    let out = ok(&[
        "import",
        p(&project),
        p(&d.join("talks.eml")),
        p(&d.join("box.mbox")),
        p(&d.join("news.csv")),
        p(&d.join("brief.docx")),
        p(&d.join("note.odt")),
    ]);
    assert!(out.contains("imported 6 documents"), "{out}");

    let json = json_export(&project, d);
    let docs = json["documents"].as_array().unwrap();
    let by_title = |t: &str| {
        docs.iter()
            .find(|d| d["title"] == t)
            .unwrap_or_else(|| panic!("no document {t}"))
    };
    let mail = by_title("Talks in Yerevan");
    assert_eq!(mail["text"], "Minister Alijév met the delegation.\n");
    assert_eq!(mail["metadata"]["author"], "Ani Hakobyan");
    assert_eq!(mail["metadata"]["date"], "2024-03-01T09:30:00+04:00");
    assert_eq!(mail["metadata"]["extra"]["to"], "desk@example.org");
    assert_eq!(mail["metadata"]["extra"]["message_id"], "m1@example.org");
    assert!(mail["metadata"]["url"].is_null());
    assert_eq!(by_title("One")["text"], "Convoy crossed.\n");
    assert_eq!(by_title("Two")["text"], "Aid arrived.\n");
    let row = by_title("Summit opens");
    assert_eq!(row["text"], "Leaders met in Tbilisi.\n");
    assert_eq!(row["metadata"]["source"], "Tbilisi Times");
    assert_eq!(row["metadata"]["url"], "https://example.org/s");
    assert_eq!(row["metadata"]["date"], "2024-03-03");
    assert_eq!(row["metadata"]["extra"]["desk"], "Caucasus");
    let brief = by_title("Weekly brief");
    assert_eq!(brief["text"], "Ceasefire holds.\n\nNorth\tquiet\n");
    assert_eq!(brief["metadata"]["author"], "Desk");
    assert_eq!(brief["metadata"]["date"], "2024-03-04T08:00:00Z");
    assert_eq!(
        by_title("Field note")["text"],
        "Field note\n\nShelling stopped.\n"
    );

    // The metadata survives saving and loading: a second export is the same.
    assert_eq!(json_export(&project, d), json);

    // One document per line.
    fs::write(d.join("wire.txt"), "Talks resumed.\nTalks stalled.\n").unwrap();
    ok(&[
        "import",
        p(&project),
        p(&d.join("wire.txt")),
        "--format",
        "lines",
    ]);
    assert_eq!(document_count(&project, d), 8);
}

#[test]
fn bad_documents_are_refused_naming_the_file_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.ron");
    ok(&["new", p(&project)]);
    let before = fs::read(&project).unwrap();
    fs::write(d.join("good.txt"), "A good text.\n").unwrap();
    fs::write(d.join("fake.docx"), "not a zip").unwrap();
    fs::write(d.join("names.csv"), "name,comment\na,b\n").unwrap();
    fs::write(d.join("empty.eml"), "From: a@example.org\nSubject: x\n\n").unwrap();
    fs::write(d.join("short.tsv"), "text\ttitle\nok\tOne\nshort\n").unwrap();
    for (file, message) in [
        ("fake.docx", "fake.docx: not a DOCX file (not a ZIP archive"),
        ("names.csv", "names.csv:1: no text column"),
        ("empty.eml", "empty.eml: the message has no text body"),
        ("short.tsv", "short.tsv:3: 1 fields where the header has 2"),
    ] {
        let err = fails(&[
            "import",
            p(&project),
            p(&d.join("good.txt")),
            p(&d.join(file)),
        ]);
        assert!(err.contains(message), "{file}: {err}");
        assert_eq!(
            fs::read(&project).unwrap(),
            before,
            "{file} changed the project"
        );
    }
}

/// How many documents the project holds (read through the JSON export).
fn document_count(project: &Path, dir: &Path) -> usize {
    json_export(project, dir)["documents"]
        .as_array()
        .map_or(0, Vec::len)
}

/// A spreadsheet with one worksheet whose first row is `headers`, then `rows` (strings).
fn xlsx_file(path: &Path, rows: &[&[&str]]) {
    let refs: Vec<(String, &str)> = rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(move |(c, v)| (format!("{}{}", (b'A' + c as u8) as char, r + 1), *v))
        })
        .collect();
    let cells: Vec<(&str, &str)> = refs.iter().map(|(r, v)| (r.as_str(), *v)).collect();
    xlsx_cells(path, &cells);
}

/// A spreadsheet with one worksheet holding `cells` (reference like "B2", text), in order.
fn xlsx_cells(path: &Path, cells: &[(&str, &str)]) {
    let mut sheet = String::new();
    let mut open_row = None;
    for (reference, value) in cells {
        let row = reference.trim_start_matches(|c: char| c.is_ascii_uppercase());
        if open_row != Some(row) {
            if open_row.is_some() {
                sheet.push_str("</row>");
            }
            sheet.push_str(&format!("<row r=\"{row}\">"));
            open_row = Some(row);
        }
        sheet.push_str(&format!(
            "<c r=\"{reference}\" t=\"inlineStr\"><is><t>{value}</t></is></c>"
        ));
    }
    if open_row.is_some() {
        sheet.push_str("</row>");
    }
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    zip_file(
        path,
        &[
            (
                "[Content_Types].xml",
                "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
            ),
            (
                "_rels/.rels",
                &format!(
                    "<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
                ),
            ),
            (
                "xl/workbook.xml",
                &format!(
                    "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets><sheet name=\"Feed\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                &format!(
                    "<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
                ),
            ),
            (
                "xl/worksheets/sheet1.xml",
                &format!("<worksheet xmlns=\"{MAIN}\"><sheetData>{sheet}</sheetData></worksheet>"),
            ),
        ],
    );
}

#[test]
fn a_spreadsheet_with_a_lone_far_cell_imports_without_a_giant_grid() {
    // A 1 KB file whose cells span A1:XFD1048576: read as a rectangle that is 17 billion
    // cells (the import aborted, out of memory). Cells without a header are not read.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = new_project(d, "p.ron");
    xlsx_cells(
        &d.join("far.xlsx"),
        &[
            ("B2", "text"),
            ("C2", "title"),
            ("B3", "Aid reached Gori."),
            ("C3", "Aid"),
            ("A4", "no header"),
            ("XFD1048576", "far away"),
        ],
    );
    let out = ok(&["import", p(&project), p(&d.join("far.xlsx"))]);
    assert!(out.contains("imported 1 document"), "{out}");
    let json = json_export(&project, d);
    let doc = &json["documents"][0];
    assert_eq!(doc["title"], "Aid");
    assert_eq!(doc["text"], "Aid reached Gori.\n");
    assert_eq!(doc["metadata"]["extra"], serde_json::json!({}), "{doc}");
}

/// An ODS with one worksheet of `rows` (already XML).
fn ods_file(path: &Path, rows: &str) {
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Feed\">{rows}</table:table>\
         </office:spreadsheet></office:body></office:document-content>"
    );
    zip_file(
        path,
        &[
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", &content),
            (
                "META-INF/manifest.xml",
                "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
                 <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
                 <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>",
            ),
        ],
    );
}

fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|t| format!("<table:table-cell office:value-type=\"string\"><text:p>{t}</text:p></table:table-cell>"))
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

#[test]
fn an_ods_whose_cells_span_billions_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = new_project(d, "p.ron");
    // As LibreOffice writes every sheet: the rest of the grid as empty repeated cells.
    let rows = format!(
        "{}{}<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>",
        ods_row(&["text", "title"]),
        ods_row(&["Aid reached Gori.", "Aid"])
    );
    ods_file(&d.join("feed.ods"), &rows);
    let out = ok(&["import", p(&project), p(&d.join("feed.ods"))]);
    assert!(out.contains("imported 1 document"), "{out}");
    // 40 KB whose reading took 9 s and 4 GB per 3,000 rows (out of memory, an abort, at a
    // few times that): each row a cell 16,000 columns out.
    let far = "<table:table-row><table:table-cell table:number-columns-repeated=\"16000\"></table:table-cell><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>";
    ods_file(
        &d.join("far.ods"),
        &format!("{}{}", ods_row(&["text"]), far.repeat(1000)),
    );
    let err = fails(&["import", p(&project), p(&d.join("far.ods"))]);
    assert!(
        err.contains("far.ods: a worksheet spans 1001 rows by 16001 columns"),
        "{err}"
    );
    assert_eq!(document_count(&project, d), 1);
}

#[test]
fn tables_with_other_headers_import_with_a_column_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = new_project(d, "p.ron");
    fs::write(
        d.join("de.csv"),
        "Überschrift,Nachricht,Quelle,Ressort\nGespräche,Die Gespräche gingen weiter.,Agentur,Ausland\n",
    )
    .unwrap();
    xlsx_file(
        &d.join("feed.xlsx"),
        &[
            &["Schlagzeile", "Meldung", "Verweis"],
            &[
                "Konvoi",
                "Ein Konvoi verließ Gori.",
                "https://example.org/k",
            ],
        ],
    );
    // Without a mapping the headers say nothing: refused, naming the columns and the way out.
    let err = fails(&["import", p(&project), p(&d.join("de.csv"))]);
    assert!(
        err.contains("de.csv:1: no text column") && err.contains("--columns text=NAME"),
        "{err}"
    );
    // A workbook is asked about the same way, with its first worksheet's columns.
    let err = fails(&["import", p(&project), p(&d.join("feed.xlsx"))]);
    assert!(
        err.contains(
            "feed.xlsx:1: no text column: name one text, body or content, or say which it is with --columns text=NAME (the columns are: Schlagzeile, Meldung, Verweis)"
        ),
        "{err}"
    );
    let out = ok(&[
        "import",
        p(&project),
        p(&d.join("de.csv")),
        "--columns",
        "text=Nachricht,title=Überschrift",
        "--columns",
        "source=Quelle",
    ]);
    assert!(out.contains("imported 1 document"), "{out}");
    ok(&[
        "import",
        p(&project),
        p(&d.join("feed.xlsx")),
        "--columns=text=Meldung,title=Schlagzeile,url=Verweis",
    ]);
    let json = json_export(&project, d);
    let docs = json["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["title"], "Gespräche");
    assert_eq!(docs[0]["text"], "Die Gespräche gingen weiter.\n");
    assert_eq!(docs[0]["metadata"]["source"], "Agentur");
    assert_eq!(docs[0]["metadata"]["extra"]["Ressort"], "Ausland");
    assert_eq!(docs[1]["title"], "Konvoi");
    assert_eq!(docs[1]["text"], "Ein Konvoi verließ Gori.\n");
    assert_eq!(docs[1]["metadata"]["url"], "https://example.org/k");

    // A bad pair is a usage error (exit 2); a field named twice, or a column the table does
    // not have, is bad input (exit 1); nothing is imported either way.
    let o = marginalia(&[
        "import",
        p(&project),
        p(&d.join("de.csv")),
        "--columns",
        "body=Nachricht",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("'body' is not a field"),
        "{}",
        stderr(&o)
    );
    let err = fails(&[
        "import",
        p(&project),
        p(&d.join("de.csv")),
        "--columns",
        "text=Nachricht,text=Quelle",
    ]);
    assert!(err.contains("named twice"), "{err}");
    let err = fails(&[
        "import",
        p(&project),
        p(&d.join("feed.xlsx")),
        "--columns",
        "text=Meldung,date=Datum",
    ]);
    assert!(err.contains("no worksheet has the column Datum"), "{err}");
    assert_eq!(document_count(&project, d), 2);
}
