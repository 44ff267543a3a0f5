//! Tagging speed of the perceptron tagger on tokenised text (trained on a small synthetic
//! corpus: speed does not depend on what the weights say). With `MARGINALIA_CONLL_TRAIN`
//! set to a CoNLL-2003 train file, the tagger is trained on it instead.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use marginalia::model::{Document, DocumentId, Project, Span, SpanId};
use marginalia::suggest::{Gazetteer, Tagger, TrainOptions};
use std::hint::black_box;

fn synthetic_project() -> Project {
    let mut p = Project::new("bench");
    let names = [
        "Anna Petrova",
        "Ivan Markov",
        "Lena Orlova",
        "Oleg Sidorov",
        "Nina Volkova",
    ];
    let cities = ["Sofia", "Riga", "Baku", "Minsk", "Tbilisi"];
    for (i, (per, city)) in names.iter().zip(cities).enumerate() {
        let text = format!("Minister {per} arrived in {city} on Monday for talks with officials.");
        let mut d = Document::new(DocumentId(i as u64 * 10 + 1), "t", "t.txt", text.clone());
        let s = text.find(per).unwrap_or(0);
        d.spans.push(Span::new(
            SpanId(i as u64 * 10 + 2),
            s,
            s + per.len(),
            "PER",
        ));
        let c = text.find(city).unwrap_or(0);
        d.spans.push(Span::new(
            SpanId(i as u64 * 10 + 3),
            c,
            c + city.len(),
            "GPE",
        ));
        p.documents.push(d.into());
    }
    p.next_id = 1000;
    p
}

fn bench(c: &mut Criterion) {
    let project = match std::env::var("MARGINALIA_CONLL_TRAIN") {
        Ok(path) => {
            let mut p = Project::new("train");
            let (tx, _) = marginalia::import::plan_import(
                &p,
                &[path.into()],
                marginalia::import::ImportFormat::Conll,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            tx.apply(&mut p).unwrap_or_else(|e| panic!("{e}"));
            p
        }
        Err(_) => synthetic_project(),
    };
    let tagger =
        Tagger::train(&project, &TrainOptions::default()).unwrap_or_else(|| panic!("no tagger"));
    let sentence = "The European Commission said on Thursday it disagreed with German advice to consumers to shun British lamb until scientists determine whether mad cow disease can be transmitted to sheep .";
    let words: Vec<&str> = sentence.split(' ').collect();
    let sentences: Vec<Vec<&str>> = (0..100).map(|_| words.clone()).collect();
    let tokens: usize = sentences.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("tagger");
    g.throughput(Throughput::Elements(tokens as u64));
    g.bench_function("tag_tokenised_sentences", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in &sentences {
                n += tagger.tag_sentence_words(black_box(s));
            }
            n
        })
    });
    let text = sentences
        .iter()
        .map(|s| s.join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    g.bench_function("tag_raw_text_with_tokenizer_and_gazetteer", |b| {
        b.iter(|| tagger.tag(black_box(&text)).len())
    });
    g.finish();
}

/// Building the shipped gazetteer and matching it, with and without the generated world lists
/// (`scripts/gen_knowledge.py`): what the larger automaton costs at startup and per text.
fn gazetteer(c: &mut Criterion) {
    use marginalia::suggest::gazetteer::{shipped_entries, tagger_entries};
    let paragraph = "Officials in Kirkuk and Mosul said on Monday that convoys from Erbil reached \
        Diyala Province after talks in Ankara, Tehran and Moscow. The governor of Aleppo met \
        envoys from Geneva, Brussels and Washington, while residents of Hasakah, Raqqa and \
        al-Hilla waited for aid from the United Nations and the Red Crescent. ";
    let text = paragraph.repeat(50);
    let starts: Vec<usize> = Vec::new();
    let tokens = text.split_whitespace().count();
    let all = tagger_entries();
    let hand: Vec<_> = all
        .iter()
        .filter(|e| !e.list.starts_with("world-"))
        .cloned()
        .collect();
    let mut g = c.benchmark_group("gazetteer");
    g.sample_size(10);
    g.bench_function("build_shipped_engine_lists", |b| {
        b.iter(|| Gazetteer::with_entries(black_box(shipped_entries())).len())
    });
    g.bench_function("build_tagger_lists", |b| {
        b.iter(|| Gazetteer::with_entries(black_box(tagger_entries())).len())
    });
    g.throughput(Throughput::Elements(tokens as u64));
    for (name, entries) in [("find_hand_lists", hand), ("find_with_world_lists", all)] {
        let gz = Gazetteer::with_entries(entries);
        g.bench_function(name, |b| {
            b.iter(|| gz.find(black_box(&text), &starts).len())
        });
    }
    g.finish();
}

criterion_group!(benches, bench, gazetteer);
criterion_main!(benches);
