//! End to end: `suggest` (report and --accept) and `evaluate` (brat folder and CoNLL file).

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{fails, marginalia, ok, p};
use std::fs;

fn project_with_article(dir: &std::path::Path) -> std::path::PathBuf {
    let proj = dir.join("p.ron");
    let art = dir.join("a.txt");
    fs::write(
        &art,
        "Talks in Yerevan\n\nPrime Minister Nikol Pashinyan met NATO envoys in Yerevan on Monday. At least 12 soldiers were killed last week.",
    )
    .unwrap();
    ok(&["new", p(&proj)]);
    ok(&["import", p(&proj), p(&art)]);
    proj
}

#[test]
fn suggest_reports_without_changing_and_accept_saves() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project_with_article(dir.path());
    let before = fs::read(&proj).unwrap();
    let out = ok(&["suggest", p(&proj), "--engines", "gazetteer,rules"]);
    assert!(out.contains("gazetteer"), "{out}");
    assert!(out.contains("GPE"), "{out}");
    assert!(out.contains("has_role"), "{out}");
    assert_eq!(
        fs::read(&proj).unwrap(),
        before,
        "suggest without --accept changed the project"
    );

    let out = ok(&["suggest", p(&proj), "--accept"]);
    assert!(out.contains("Accepted"), "{out}");
    let stats = ok(&["stats", p(&proj), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert!(v["spans"].as_u64().unwrap() >= 6, "{stats}");
    assert!(v["relations"].as_u64().unwrap() >= 1, "{stats}");
    // Accepting again adds nothing new.
    let again = ok(&["suggest", p(&proj), "--engines", "gazetteer,rules"]);
    assert!(
        !again.contains("GPE") && !again.contains("has_role"),
        "{again}"
    );
}

#[test]
fn unknown_engine_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let proj = project_with_article(dir.path());
    let err = fails(&["suggest", p(&proj), "--engines", "gazetteer,oracle"]);
    assert!(
        err.contains("oracle") && err.contains("gazetteer, rules, memory, model, relations"),
        "{err}"
    );
}

fn check_json(out: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    for k in ["entities", "relations"] {
        for f in ["precision", "recall", "f1", "per_type"] {
            assert!(v[k].get(f).is_some(), "{k}.{f} missing in {out}");
        }
    }
    assert!(v["documents"].is_u64() && v["seconds"].is_f64(), "{out}");
    v
}

#[test]
fn evaluate_json_on_a_brat_folder() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold");
    fs::create_dir(&gold).unwrap();
    let text = "Foreign Minister Ara Grigoryan arrived in Tbilisi on Monday.";
    fs::write(gold.join("a.txt"), text).unwrap();
    fs::write(
        gold.join("a.ann"),
        "T1\tROLE 0 16\tForeign Minister\nT2\tPER 17 30\tAra Grigoryan\nT3\tGPE 42 49\tTbilisi\nT4\tDATE 53 59\tMonday\nR1\thas_role Arg1:T2 Arg2:T1\n",
    )
    .unwrap();
    let out = ok(&[
        "evaluate",
        "--gold",
        p(&gold),
        "--engines",
        "gazetteer,rules",
        "--json",
    ]);
    let v = check_json(&out);
    assert_eq!(v["documents"], 1);
    assert_eq!(v["entities"]["per_type"]["GPE"]["correct"], 1, "{out}");
    assert_eq!(v["entities"]["f1"], 1.0, "{out}");
    assert_eq!(v["relations"]["recall"], 1.0, "{out}");
    let text_out = ok(&["evaluate", "--gold", p(&gold), "--engines", "rules"]);
    assert!(
        text_out.contains("entities: precision") && text_out.contains("documents: 1"),
        "{text_out}"
    );
}

#[test]
fn evaluate_trains_on_conll() {
    let dir = tempfile::tempdir().unwrap();
    let mut train = String::new();
    for (per, city) in [
        ("Anna Petrova", "Sofia"),
        ("Ivan Markov", "Riga"),
        ("Lena Orlova", "Baku"),
        ("Oleg Sidorov", "Minsk"),
    ] {
        let mut words: Vec<(String, &str)> = vec![("Minister".into(), "O")];
        for (i, w) in per.split(' ').enumerate() {
            words.push((w.into(), if i == 0 { "B-PER" } else { "I-PER" }));
        }
        words.extend([
            ("visited".into(), "O"),
            (city.into(), "B-LOC"),
            (".".into(), "O"),
        ]);
        for (w, t) in words {
            train.push_str(&format!("{w} {t}\n"));
        }
        train.push('\n');
    }
    let gold = "Minister B-PER\n".replace("B-PER", "O")
        + "Pavel B-PER\nGromov I-PER\nvisited O\nRiga B-LOC\n. O\n";
    let (tp, gp) = (
        dir.path().join("train.conll"),
        dir.path().join("gold.conll"),
    );
    fs::write(&tp, train).unwrap();
    fs::write(&gp, gold).unwrap();
    let out = ok(&[
        "evaluate",
        "--train",
        p(&tp),
        "--gold",
        p(&gp),
        "--engines",
        "model",
        "--json",
    ]);
    let v = check_json(&out);
    assert_eq!(v["entities"]["gold"], 2, "{out}");
    assert!(v["entities"]["per_type"]["LOC"]["correct"] == 1, "{out}");
}

#[test]
fn evaluate_bad_input_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = fails(&["evaluate", "--gold", p(&missing)]);
    assert!(err.contains("nope"), "{err}");
    let o = marginalia(&["evaluate"]);
    assert_eq!(o.status.code(), Some(2));
}

/// The sample project, a new article naming some of its entities, and `suggest --accept`:
/// every accepted span whose text names a known entity of its type is linked to it (the
/// auto-link rule of manual tagging, applied to bulk accepts too).
#[test]
fn accepted_suggestions_link_to_the_projects_known_entities() {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("p.ron");
    fs::copy("projects/sample.ron", &proj).unwrap();
    let art = dir.path().join("talks.txt");
    fs::write(
        &art,
        "New round of talks in Brussels\n\nArmenia and Azerbaijan sent delegations to Brussels \
         on Tuesday. Irina Volkova said the European Union would host the next round in \
         Geneva, while Russia and Kazakhstan asked the Collective Security Treaty Organization \
         to observe. NATO officials met Armenian diplomats in Tbilisi.",
    )
    .unwrap();
    ok(&["import", p(&proj), p(&art)]);
    let before = marginalia::store::load(&proj).unwrap();
    ok(&["suggest", p(&proj), "--accept"]);
    let after = marginalia::store::load(&proj).unwrap();
    let doc = after.documents.last().unwrap();
    assert_eq!(doc.title, "New round of talks in Brussels");
    let mut linked = 0;
    for s in &doc.spans {
        let text = doc.span_text(s);
        match marginalia::kb::find_entity(&before, text, &s.entity_type) {
            Some(e) => {
                assert_eq!(
                    s.entity,
                    Some(e),
                    "“{text}” ({}) is not linked",
                    s.entity_type
                );
                linked += 1;
            }
            None => assert_eq!(s.entity, None, "“{text}” linked to an unknown entity"),
        }
    }
    // Brussels x2, Armenia, Azerbaijan, European Union, Geneva, Russia, Kazakhstan, the CSTO,
    // NATO, Tbilisi (and Irina Volkova, Armenian, if suggested).
    assert!(linked >= 8, "only {linked} spans linked: {:?}", doc.spans);
    // One bulk accept: never two spans on the same range.
    let mut ranges: Vec<(usize, usize)> = doc.spans.iter().map(|s| (s.start, s.end)).collect();
    let n = ranges.len();
    ranges.dedup();
    assert_eq!(ranges.len(), n, "two types on one range: {:?}", doc.spans);
}
