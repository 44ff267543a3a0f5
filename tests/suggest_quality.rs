//! Quality floors of the suggestion engines without any training (gazetteer + rules, default
//! schema) on unseen news: the brat fixtures in `tests/fixtures/news`, and the CSTO article
//! of `../shared/corpus` with gold offsets in `tests/fixtures/corpus-gold.tsv` (skipped with
//! a message when the shared corpus is absent). Misses and false alarms are printed
//! (`cargo test --test suggest_quality -- --nocapture`).

use marginalia::evaluate::{Evaluation, gold_items, hide_annotations, predicted_items, score};
use marginalia::import::{ImportFormat, plan_import};
use marginalia::model::{Document, DocumentId, Project, Span, SpanId};
use marginalia::suggest::{DEFAULT_MIN_SCORE, engines_by_name, learn_all, run_engines};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Gazetteer + rules on the gold texts (annotations hidden); prints the differences.
fn evaluate_untrained(gold: &Project) -> Evaluation {
    let names = vec!["gazetteer".to_string(), "rules".to_string()];
    let mut engines = engines_by_name(&names).unwrap_or_else(|e| panic!("{e}"));
    let hidden = hide_annotations(gold);
    learn_all(&mut engines, &hidden);
    let set = run_engines(&hidden, &engines, &[]).best(&hidden, DEFAULT_MIN_SCORE);
    let (gold_e, _) = gold_items(gold);
    let (pred_e, _) = predicted_items(&set);
    let text = |k: &(DocumentId, usize, usize)| -> String {
        gold.documents
            .iter()
            .find(|d| d.id == k.0)
            .map(|d| d.text.chars().skip(k.1).take(k.2 - k.1).collect())
            .unwrap_or_default()
    };
    let g: HashSet<_> = gold_e.iter().cloned().collect();
    let p: HashSet<_> = pred_e.iter().cloned().collect();
    let mut fp: Vec<_> = p.difference(&g).collect();
    fp.sort();
    let mut fn_: Vec<_> = g.difference(&p).collect();
    fn_.sort();
    for (k, t) in fp {
        println!("false alarm  {t:<6} {:?} ({}..{})", text(k), k.1, k.2);
    }
    for (k, t) in fn_ {
        println!("missed       {t:<6} {:?} ({}..{})", text(k), k.1, k.2);
    }
    let e = score(&gold_e, &pred_e);
    println!(
        "precision {:.3}  recall {:.3}  F1 {:.3}  (gold {}, predicted {}, correct {})",
        e.precision, e.recall, e.f1, e.gold, e.predicted, e.correct
    );
    e
}

#[test]
fn untrained_engines_on_news_fixtures() {
    let mut gold = Project::new("gold");
    let dir = root().join("tests/fixtures/news");
    let (tx, _) = plan_import(&gold, &[dir], ImportFormat::Brat).unwrap_or_else(|e| panic!("{e}"));
    tx.apply(&mut gold).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gold.documents.len(), 4);
    let e = evaluate_untrained(&gold);
    assert!(e.precision >= 0.85, "precision {:.3}", e.precision);
    assert!(e.recall >= RECALL_NEWS, "recall {:.3}", e.recall);
}

/// Recall floors, a little below what the engines reach.
const RECALL_NEWS: f64 = 0.88;
const RECALL_CSTO: f64 = 0.84;

/// The CSTO article with spans (char offsets) from a TSV of `start end type` lines.
fn csto_gold(text_path: &Path) -> Project {
    let text = std::fs::read_to_string(text_path).unwrap_or_else(|e| panic!("{e}"));
    let tsv = std::fs::read_to_string(root().join("tests/fixtures/corpus-gold.tsv"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut gold = Project::new("gold");
    let mut d = Document::new(
        DocumentId(1),
        "csto-observer-status",
        "csto-observer-status.txt",
        text,
    );
    for (i, line) in tsv.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "bad gold line {line:?}");
        let n = |s: &str| {
            s.parse::<usize>()
                .unwrap_or_else(|e| panic!("{line:?}: {e}"))
        };
        d.spans.push(Span::new(
            SpanId(i as u64 + 2),
            n(cols[0]),
            n(cols[1]),
            cols[2],
        ));
    }
    gold.next_id = d.spans.len() as u64 + 10;
    gold.documents.push(d.into());
    gold
}

#[test]
fn untrained_engines_on_csto_article() {
    let path = root().join("../shared/corpus/csto-observer-status.txt");
    if !path.exists() {
        println!("skipped: {} is absent", path.display());
        return;
    }
    let gold = csto_gold(&path);
    let e = evaluate_untrained(&gold);
    assert!(e.precision >= 0.85, "precision {:.3}", e.precision);
    assert!(e.recall >= RECALL_CSTO, "recall {:.3}", e.recall);
}
