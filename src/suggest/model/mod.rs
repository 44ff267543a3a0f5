//! The model engine: an averaged-perceptron sequence tagger (BIO labels, first-order Viterbi
//! decoding with learned transition weights and BIO constraints) over hashed token features.
//!
//! Features (word, lowercase, prefixes and suffixes of 1-4 chars, word shape, neighbouring
//! words and shapes, gazetteer membership (with the tagger-only lists), known given names and
//! surnames, the WordNet class of nouns and their neighbours, sentence position) are hashed
//! into a fixed-size table of per-label weight rows, so featurising a token allocates nothing
//! and looks up one contiguous row per feature.
//!
//! Layout: `features` (per-token values and their hashing into buckets), `weights` (the
//! training and tagging weight tables), `decode` (BIO constraints, Viterbi, paths to spans),
//! `train` (gold labels, the averaged perceptron, the two passes); this file holds the public
//! API (`Tagger`, `TaggerEngine`, `TrainOptions`) and the `Suggester` impl.

mod decode;
mod features;
mod linear;
mod train;
mod weights;

pub(in crate::suggest) use features::{east_asian_names, is_known_given_name};
pub(in crate::suggest) use linear::{Linear, bucket, fit_platt, sigmoid};
pub(in crate::suggest) use train::{annotated_sample, spread_sample};

use super::gazetteer::{Gazetteer, tagger_entries};
use super::{Suggester, Suggestion};
use crate::model::{Document, Project};
use decode::{Pass, Scratch, decode_spans, num_labels};
use features::{
    Lexicon, TokenInfo, document_flags, name_lists, noun_classes, prepare, set_history, token_info,
};
use std::sync::{Arc, OnceLock};

/// How to train the tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Passes over the training sentences.
    pub epochs: usize,
    /// Seed of the deterministic shuffle between epochs.
    pub seed: u64,
    /// The weight table has 2^bits rows.
    pub bits: u32,
    /// Use gazetteer membership features.
    pub gazetteer: bool,
    /// Use known given-name and surname features (`assets/names/`).
    pub names: bool,
    /// Use WordNet noun-class features (`assets/tagger/noun-classes.txt`).
    pub noun_classes: bool,
    /// Two passes: a second tagger sees what a first one predicted for the other occurrences
    /// of each word nearby in the document (trained on held-out first-pass predictions).
    pub two_pass: bool,
    /// Learn from at most about this many chars of annotated text, taken from documents
    /// spread over the whole project (None: all). Features take ~160 bytes a token, so a
    /// 10,000-document project would otherwise need gigabytes and minutes to learn from.
    pub max_training_chars: Option<usize>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 10,
            seed: 0x5eed,
            bits: 20,
            gazetteer: true,
            names: true,
            noun_classes: true,
            two_pass: true,
            max_training_chars: None,
        }
    }
}

impl TrainOptions {
    /// The word lists these options turn on.
    fn lexicon(&self) -> Lexicon {
        Lexicon {
            names: self.names.then(name_lists),
            classes: self.noun_classes.then(noun_classes),
        }
    }

    /// For a project with `spans` annotations: a smaller table while they are few, and a
    /// bound on what it learns from (about 2 M chars, some 330,000 tokens: more than
    /// CoNLL-2003's training set).
    pub fn for_project(spans: usize) -> TrainOptions {
        TrainOptions {
            bits: if spans > 20_000 { 20 } else { 18 },
            max_training_chars: Some(2_000_000),
            ..TrainOptions::default()
        }
    }
}

/// A trained tagger. Cheap to clone the handle for a background thread: the weights sit
/// behind an `Arc`.
#[derive(Clone)]
pub struct Tagger {
    /// Entity types; label 0 is O, label 2k+1 is B-type k, 2k+2 is I-type k.
    types: Vec<String>,
    bits: u32,
    /// The (last or only) pass that labels the tokens.
    last: Arc<Pass>,
    /// The first pass when the tagger has two.
    first: Option<Arc<Pass>>,
    gazetteer: Option<Arc<Gazetteer>>,
    /// The word lists the tagger uses.
    lexicon: Lexicon,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("types", &self.types)
            .field("bits", &self.bits)
            .finish()
    }
}

/// The tagger's gazetteer: the shipped lists and the tagger-only ones.
fn shared_gazetteer() -> Arc<Gazetteer> {
    static G: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    G.get_or_init(|| Arc::new(Gazetteer::with_entries(tagger_entries())))
        .clone()
}

impl Tagger {
    pub fn types(&self) -> &[String] {
        &self.types
    }

    fn labels(&self) -> usize {
        num_labels(self.types.len())
    }

    /// Tags tokens (with their info, history reset) sentence by sentence; labels per token.
    fn tag_info(
        &self,
        info: &mut [TokenInfo],
        sentences: &[std::ops::Range<usize>],
        mut each: impl FnMut(&std::ops::Range<usize>, &[u16], &[f32]),
    ) {
        let labels = self.labels();
        let mut s = Scratch::default();
        if let Some(first) = &self.first {
            let mut predicted = vec![0u16; info.len()];
            for range in sentences {
                first.tag(&info[range.clone()], self.bits, labels, &mut s);
                predicted[range.clone()].copy_from_slice(&s.path);
            }
            set_history(info, &predicted, labels);
        }
        for range in sentences {
            self.last
                .tag(&info[range.clone()], self.bits, labels, &mut s);
            each(range, &s.path, &s.em);
        }
    }

    /// Tags a text: entity spans as (char start, char end, type index, confidence).
    pub fn tag(&self, text: &str) -> Vec<(usize, usize, usize, f32)> {
        let mut prep = prepare(text, self.gazetteer.as_deref(), self.lexicon);
        let labels = self.labels();
        let sentences: Vec<std::ops::Range<usize>> = prep
            .analysis
            .sentences
            .iter()
            .map(|s| s.tokens.clone())
            .collect();
        let mut out = Vec::new();
        let tokens = &prep.analysis.tokens;
        self.tag_info(&mut prep.info, &sentences, |s, path, em| {
            decode_spans(path, em, labels, text, &tokens[s.clone()], &mut out);
        });
        out
    }

    /// Tags one pre-tokenised sentence (for benchmarks) and returns the number of entity
    /// tokens found.
    pub fn tag_sentence_words(&self, words: &[&str]) -> usize {
        let mut info: Vec<TokenInfo> = words
            .iter()
            .map(|w| token_info(w, 0, self.lexicon))
            .collect();
        let whole: std::ops::Range<usize> = 0..words.len();
        let sentences = std::slice::from_ref(&whole);
        document_flags(words, sentences, &mut info);
        let mut n = 0;
        self.tag_info(&mut info, sentences, |_, path, _| {
            n += path.iter().filter(|&&l| l != 0).count();
        });
        n
    }
}

/// The model engine: a tagger retrained by `learn`.
#[derive(Debug, Clone, Default)]
pub struct TaggerEngine {
    pub options: Option<TrainOptions>,
    pub tagger: Option<Tagger>,
}

impl TaggerEngine {
    pub fn with_tagger(tagger: Tagger) -> TaggerEngine {
        TaggerEngine {
            options: None,
            tagger: Some(tagger),
        }
    }
}

impl Suggester for TaggerEngine {
    fn name(&self) -> &'static str {
        "model"
    }

    fn learn(&mut self, project: &Project) {
        let options = self
            .options
            .clone()
            .unwrap_or_else(|| TrainOptions::for_project(project.span_count()));
        self.tagger = Tagger::train(project, &options);
    }

    fn suggest(&self, _project: &Project, doc: &Document) -> Vec<Suggestion> {
        let Some(t) = &self.tagger else {
            return Vec::new();
        };
        t.tag(&doc.text)
            .into_iter()
            .map(|(start, end, ty, score)| Suggestion {
                document: doc.id,
                start,
                end,
                entity_type: t.types[ty].clone(),
                score,
                engine: "model".to_string(),
                explanation: format!("tagger trained on the project's {}", t.types[ty]),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Span, SpanId};

    fn annotated(id: u64, text: &str, spans: &[(&str, &str)]) -> Document {
        let mut d = Document::new(DocumentId(id), "t", "t.txt", text.to_string());
        for (next, (s, ty)) in (id * 100..).zip(spans) {
            let b = text.find(s).unwrap_or(0);
            let start = text[..b].chars().count();
            let end = start + s.chars().count();
            d.spans.push(Span::new(SpanId(next), start, end, ty));
        }
        d
    }

    #[test]
    fn large_projects_train_on_documents_spread_over_the_project() {
        let docs: Vec<Document> = (0..10)
            .map(|i| annotated(i + 1, &"x".repeat(100), &[]))
            .collect();
        let refs: Vec<&Document> = docs.iter().collect();
        let ids = |chosen: Vec<&Document>| chosen.iter().map(|d| d.id.0).collect::<Vec<_>>();
        assert_eq!(ids(spread_sample(refs.clone(), Some(300))), vec![1, 5, 9]);
        assert_eq!(ids(spread_sample(refs.clone(), Some(5_000))).len(), 10);
        assert_eq!(ids(spread_sample(refs, None)).len(), 10);
    }

    #[test]
    fn learns_names_and_generalises_to_new_sentences() {
        let mut p = Project::new("p");
        let names = [
            ("Anna Petrova", "Sofia"),
            ("Ivan Markov", "Riga"),
            ("Lena Orlova", "Baku"),
            ("Oleg Sidorov", "Minsk"),
            ("Nina Volkova", "Tbilisi"),
            ("Pavel Gromov", "Astana"),
        ];
        for (i, (per, city)) in names.iter().enumerate() {
            let text =
                format!("Minister {per} arrived in {city} on Monday. Talks with {per} went on.");
            p.documents
                .push(annotated(i as u64 + 1, &text, &[(per, "PER"), (city, "GPE")]).into());
        }
        let opts = TrainOptions {
            bits: 16,
            ..TrainOptions::default()
        };
        let Some(t) = Tagger::train(&p, &opts) else {
            panic!("no tagger")
        };
        let text = "Minister Boris Kuznetsov arrived in Vilnius on Friday.";
        let found: Vec<(&str, &str)> = t
            .tag(text)
            .into_iter()
            .map(|(s, e, ty, _)| (&text[s..e], t.types()[ty].as_str()))
            .collect();
        assert!(found.contains(&("Boris Kuznetsov", "PER")), "{found:?}");
        assert!(found.contains(&("Vilnius", "GPE")), "{found:?}");
        // Learning does not change the project, and a clone tags the same.
        let clone = t.clone();
        assert_eq!(clone.tag(text), t.tag(text));
    }

    #[test]
    fn noun_classes_carry_tags_over_to_words_of_the_same_kind() {
        // The analyst tags groups of people (re3d's convention: as organisations), not the
        // places and things in the same sentences; nothing but the kind of noun tells them
        // apart (no tagged word shares a suffix with "mourners"; "rivers", untagged, does).
        let mut p = Project::new("p");
        let groups = [
            "civilians",
            "refugees",
            "children",
            "women",
            "pilgrims",
            "residents",
            "students",
            "citizens",
            "migrants",
            "victims",
        ];
        let things = [
            "towns",
            "storms",
            "bridges",
            "rivers",
            "markets",
            "schools",
            "roads",
            "houses",
            "fields",
            "mountains",
        ];
        for (i, (group, thing)) in groups.iter().zip(things).enumerate() {
            let text = if i % 2 == 0 {
                format!("The {group} were quiet. The {thing} were quiet.")
            } else {
                format!("The {thing} were quiet. The {group} were quiet.")
            };
            p.documents
                .push(annotated(i as u64 + 1, &text, &[(group, "Organisation")]).into());
        }
        let text = "The mosques were quiet. The mourners were quiet.";
        let found = |noun_classes: bool| -> Vec<String> {
            let opts = TrainOptions {
                bits: 16,
                noun_classes,
                ..TrainOptions::default()
            };
            let Some(t) = Tagger::train(&p, &opts) else {
                panic!("no tagger")
            };
            t.tag(text)
                .into_iter()
                .map(|(s, e, _, _)| text[s..e].to_string())
                .collect()
        };
        assert_eq!(found(true), ["mourners"]);
        // Without the classes nothing says a mourner is a person.
        assert!(found(false).is_empty(), "{:?}", found(false));
    }

    #[test]
    fn no_annotations_no_model() {
        let mut p = Project::new("p");
        p.documents.push(annotated(1, "Nothing here.", &[]).into());
        let mut e = TaggerEngine::default();
        e.learn(&p);
        assert!(e.tagger.is_none());
        assert!(e.suggest(&p, &p.documents[0]).is_empty());
    }
}
