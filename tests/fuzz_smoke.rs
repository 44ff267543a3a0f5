//! A few hundred deterministic mutations (truncations, byte flips) of the seed files of the
//! newer importers' fuzz targets, run through the fuzz targets' own bodies (`fuzz/src/lib.rs`):
//! no panic, and whatever is accepted applies to a project that validates. The real fuzzing is
//! `cargo fuzz run TARGET fuzz/seeds/TARGET` (see RELIABILITY.md); this keeps the targets
//! compiling and catches the easy crashes in every `cargo test`.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_targets;

use std::path::Path;

const TARGETS: &[&str] = &[
    "import_email",
    "import_mbox",
    "import_table",
    "import_xlsx",
    "import_docx",
    "import_odt",
    "import_pdf",
    "import_label_studio",
    "import_jsonl",
];

#[test]
fn mutated_seeds_of_the_document_importers_never_panic() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut runs = 0;
    for name in TARGETS {
        let (_, target) = fuzz_targets::TARGETS
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is a fuzz target"));
        let mut files: Vec<_> = std::fs::read_dir(seeds.join(name))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name} has seeds");
        for file in files {
            let seed = std::fs::read(&file).unwrap();
            target(&seed);
            // A small linear congruential generator: the same mutations on every run.
            let mut state = seed.len() as u64 ^ 0x9E37_79B9_7F4A_7C15;
            let mut next = || {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 33) as usize
            };
            for i in 1..=12 {
                target(&seed[..seed.len() * i / 13]);
                let mut flipped = seed.clone();
                for _ in 0..(1 + i % 3) {
                    let at = next() % flipped.len();
                    flipped[at] = (next() % 256) as u8;
                }
                target(&flipped);
                runs += 2;
            }
        }
    }
    assert!(runs > 200, "{runs}");
}
