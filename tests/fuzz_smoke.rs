//! Every fuzz target's body (`fuzz/src/lib.rs`) run on stable in every `cargo test`: its
//! seeds, then a fixed number of mutations of them (truncations, byte flips, inserted and
//! deleted runs, repeated runs, pieces of the target's other seeds, bytes that matter to the
//! formats: tabs, brackets, quotes, long digit runs), from a fixed-seed generator so a failure
//! replays. No panic, and whatever is accepted applies to a project that validates (the
//! bodies check that). This is a bounded smoke run (well under 2 s in a release build), not
//! coverage-guided fuzzing: that is `cargo fuzz run TARGET` (see RELIABILITY.md).

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_targets;

use std::path::{Path, PathBuf};

/// Mutations per seed file; `FUZZ_SMOKE_MUTATIONS=20000 cargo test --release --test
/// fuzz_smoke` runs a longer search by hand.
fn mutations() -> usize {
    std::env::var("FUZZ_SMOKE_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400)
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn seeds_of(name: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(fuzz_dir().join("seeds").join(name))
        .unwrap_or_else(|e| panic!("fuzz/seeds/{name}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// A small linear congruential generator: the same inputs on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// Bytes and tokens that mean something to one of the formats.
const TOKENS: &[&[u8]] = &[
    b"\0",
    b"\n",
    b"\r\n",
    b"\t",
    b" ",
    b"\xff",
    b"\xc3",
    b"\xf0\x9f\x98\x8a",
    b"[",
    b"]",
    b"|",
    b"_",
    b"*",
    b";",
    b"-",
    b":",
    b"\"",
    b"{",
    b"}",
    b",",
    b"<",
    b">",
    b"=",
    b"\\",
    b"#",
    b"99999999999999999999999",
    b"-1",
    b"0",
    b"1-1",
    b"\n\n",
];

/// One mutation of `seed`, sometimes with a piece of `other` (another seed of the target).
fn mutate(seed: &[u8], other: &[u8], rng: &mut Lcg) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 => out.truncate(at),
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + 1 + rng.below(16)).min(len);
                out.drain(at.min(end)..end);
            }
            4 => {
                let end = (at + 1 + rng.below(64)).min(len);
                let run = out[at.min(end)..end].to_vec();
                out.splice(at..at, run);
            }
            5 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(256)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let n = 1 + rng.below(8);
                let random: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, random);
            }
        }
    }
    out
}

/// The fuzz targets `fuzz/Cargo.toml` declares.
fn declared_targets() -> Vec<String> {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    manifest
        .split("[[bin]]")
        .skip(1)
        .map(|bin| {
            let name = bin
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .unwrap_or_else(|| panic!("a [[bin]] without a name: {bin}"));
            name.trim_matches('"').to_string()
        })
        .collect()
}

#[test]
fn every_fuzz_target_has_a_body_a_main_and_seeds() {
    let declared = declared_targets();
    let bodies: Vec<&str> = fuzz_targets::TARGETS.iter().map(|(n, _)| *n).collect();
    let mut sorted = declared.clone();
    sorted.sort();
    let mut sorted_bodies: Vec<String> = bodies.iter().map(|b| b.to_string()).collect();
    sorted_bodies.sort();
    assert_eq!(
        sorted, sorted_bodies,
        "fuzz/Cargo.toml and fuzz/src/lib.rs TARGETS"
    );
    assert!(declared.contains(&"import_webanno".to_string()));
    for name in &declared {
        let main = std::fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{name}.rs")))
            .unwrap_or_else(|e| panic!("fuzz_targets/{name}.rs: {e}"));
        assert!(
            main.contains(&format!("marginalia_fuzz::{name}(data)")),
            "fuzz_targets/{name}.rs does not call its body: {main}"
        );
        assert!(!seeds_of(name).is_empty(), "{name} has no seeds");
    }
}

#[test]
fn mutated_seeds_never_panic_in_any_fuzz_target() {
    let mutations = mutations();
    let mut runs = 0;
    for (name, target) in fuzz_targets::TARGETS {
        let seeds = seeds_of(name);
        for (i, seed) in seeds.iter().enumerate() {
            target(seed);
            let other = &seeds[(i + 1) % seeds.len()];
            let mut rng = Lcg(seed.len() as u64 ^ 0x9E37_79B9_7F4A_7C15 ^ ((i as u64) << 32));
            for _ in 0..mutations {
                target(&mutate(seed, other, &mut rng));
                runs += 1;
            }
        }
    }
    assert!(runs >= 16 * mutations, "{runs}");
}
