use super::*;
use std::fs;

fn project() -> Project {
    Project::new("t")
}

fn import(p: &mut Project, paths: &[PathBuf]) -> Result<ImportReport, ImportError> {
    let (tx, report) = plan_import(p, paths, ImportFormat::Auto)?;
    tx.apply(p)?;
    Ok(report)
}

#[test]
fn folder_import_reads_all_kinds_recursively_and_skips_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(
        dir.path().join("a.txt"),
        "Ceasefire agreed\n\nArmenia and Azerbaijan agreed.\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("sub/b.md"),
        "# Summit opens\n\nLeaders met in *Yerevan*.\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("sub/c.html"),
        "<title>Aid convoy</title><p>Trucks crossed.</p>",
    )
    .unwrap();
    fs::write(
        dir.path().join("sub/copy.txt"),
        "Ceasefire agreed\n\nArmenia and Azerbaijan agreed.\n",
    )
    .unwrap();
    fs::write(dir.path().join("notes.json"), "{}").unwrap();
    fs::write(dir.path().join(".hidden.txt"), "secret").unwrap();
    let mut p = project();
    let report = import(&mut p, &[dir.path().to_path_buf()]).unwrap();
    let titles: Vec<_> = p.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(
        titles,
        vec!["Ceasefire agreed", "Summit opens", "Aid convoy"]
    );
    assert_eq!(report.added, 3);
    assert_eq!(
        report.skipped_duplicates,
        vec![dir.path().join("sub/copy.txt")]
    );
    assert_eq!(
        p.documents[1].text,
        "Summit opens\n\nLeaders met in Yerevan.\n"
    );

    // Importing again adds nothing.
    let again = import(&mut p, &[dir.path().to_path_buf()]).unwrap();
    assert_eq!((again.added, again.skipped_duplicates.len()), (0, 4));
    assert_eq!(p.documents.len(), 3);
}

#[test]
fn encodings_decode_and_line_endings_normalise() {
    let path = Path::new("x.txt");
    let mut utf16le = vec![0xFF, 0xFE];
    utf16le.extend("Zürich\r\ntalks".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(decode_text(&utf16le, path).unwrap(), "Zürich\ntalks");
    let mut utf16be = vec![0xFE, 0xFF];
    utf16be.extend("Kyiv".encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(decode_text(&utf16be, path).unwrap(), "Kyiv");
    assert_eq!(
        decode_text("\u{feff}Baku".as_bytes(), path).unwrap(),
        "Baku"
    );
}

#[test]
fn bad_files_give_clear_errors_and_import_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    fs::write(&good, "Fine text.").unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.txt", vec![], "empty"),
        ("blank.md", b"  \n\n ".to_vec(), "empty"),
        ("image.txt", vec![0x89, b'P', b'N', b'G', 0, 0, 1], "binary"),
        (
            "latin1.txt",
            b"line one\nCaf\xe9".to_vec(),
            ":2: invalid UTF-8",
        ),
        ("odd.txt", vec![0xFF, 0xFE, b'a'], "invalid UTF-16"),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let mut p = project();
        let err = import(&mut p, &[good.clone(), path.clone()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(name) && err.contains(expected),
            "{name}: {err}"
        );
        assert!(p.documents.is_empty(), "{name}: import was half-applied");
        fs::remove_file(&path).unwrap();
    }
    let mut p = project();
    let missing = import(&mut p, &[dir.path().join("nope.txt")]).unwrap_err();
    assert!(matches!(missing, ImportError::Io { .. }));
    let empty_dir = dir.path().join("empty");
    fs::create_dir(&empty_dir).unwrap();
    fs::write(empty_dir.join("data.bin"), [1, 2, 3]).unwrap();
    let none = import(&mut p, &[empty_dir]).unwrap_err().to_string();
    assert!(none.contains("no readable documents"), "{none}");
}

#[test]
fn title_falls_back_to_the_file_name_for_long_first_lines() {
    let long = "word ".repeat(60);
    assert_eq!(
        title_from_text(&long, Path::new("/x/report-7.txt")),
        "report-7"
    );
    assert_eq!(
        title_from_text("\n  Headline  \nBody", Path::new("a.txt")),
        "Headline"
    );
}

#[test]
fn a_folder_of_webanno_or_label_studio_files_skips_only_the_other_files_and_says_its_format() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.tsv"),
        "#FORMAT=WebAnno TSV 3.3\n\
         #T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|value\n\n\n\
         #Text=Kari talks\n1-1\t0-4\tKari\tGPE\t\n1-2\t5-10\ttalks\t_\t\n",
    )
    .unwrap();
    fs::write(dir.path().join("readme.txt"), "Notes on the files.").unwrap();
    let mut p = project();
    let (tx, report) = plan_import(&p, &[dir.path().to_path_buf()], ImportFormat::Webanno).unwrap();
    tx.apply(&mut p).unwrap();
    assert_eq!(p.documents.len(), 1);
    assert_eq!(
        report.notices,
        vec![format!(
            "{}: skipped; this folder is read as WebAnno TSV annotations (import the file on its own)",
            dir.path().join("readme.txt").display()
        )]
    );

    fs::remove_file(dir.path().join("a.tsv")).unwrap();
    fs::write(
        dir.path().join("tasks.json"),
        r#"[{"data": {"text": "Kari talks"}, "annotations": []}]"#,
    )
    .unwrap();
    let (_, report) = plan_import(
        &project(),
        &[dir.path().to_path_buf()],
        ImportFormat::LabelStudio,
    )
    .unwrap();
    assert_eq!(report.notices.len(), 1, "{:?}", report.notices);
    assert!(
        report.notices[0].contains("readme.txt: skipped; this folder is read as Label Studio"),
        "{:?}",
        report.notices
    );
}
