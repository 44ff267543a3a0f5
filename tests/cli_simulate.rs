//! End to end: `evaluate --simulate` replays a small brat folder through the simulated
//! analyst (the memory engine learns from the documents already done).

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;
use common::*;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/simulate")
}

#[test]
fn simulate_json_learning_curve_and_effort() {
    let gold = fixture();
    let out = ok(&[
        "evaluate",
        "--gold",
        p(&gold),
        "--simulate",
        "--engines",
        "memory",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let docs = v["documents"].as_array().unwrap();
    let names: Vec<&str> = docs.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "01-harbour-talks.txt",
            "02-council-vote.txt",
            "03-port-lyre-again.txt"
        ]
    );
    let counts = |d: &serde_json::Value| {
        (
            d["accept"].as_u64().unwrap(),
            d["reject"].as_u64().unwrap(),
            d["manual"].as_u64().unwrap(),
        )
    };
    // Nothing to learn from before the first document.
    assert_eq!(counts(&docs[0]), (0, 0, 5));
    assert_eq!(docs[0]["recall"].as_f64().unwrap(), 0.0);
    // Then what the analyst tagged comes back as suggestions.
    assert_eq!(counts(&docs[1]), (3, 0, 1), "{out}");
    assert_eq!(counts(&docs[2]), (4, 0, 0), "{out}");
    assert_eq!(docs[2]["f1"].as_f64().unwrap(), 1.0);
    let a = &v["actions"];
    assert_eq!(a["accept"], 7);
    assert_eq!(a["reject"], 0);
    assert_eq!(a["manual"], 6);
    assert_eq!(a["from_scratch"], 13);
    let ratio = v["effort_ratio"].as_f64().unwrap();
    assert!((ratio - (0.25 * 7.0 + 6.0) / 13.0).abs() < 1e-9, "{ratio}");
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["actions", "documents", "effort_ratio"]);
}

#[test]
fn simulate_text_output_and_bad_engine() {
    let gold = fixture();
    let out = ok(&["evaluate", "--gold", p(&gold), "--simulate"]);
    assert!(out.contains("03-port-lyre-again.txt"), "{out}");
    assert!(out.contains("effort ratio:"), "{out}");
    assert!(out.contains("from scratch: 13"), "{out}");
    let err = fails(&[
        "evaluate",
        "--gold",
        p(&gold),
        "--simulate",
        "--engines",
        "nope",
    ]);
    assert!(err.contains("unknown engine 'nope'"), "{err}");
}
