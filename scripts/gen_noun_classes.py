#!/usr/bin/env python3
"""Generates assets/tagger/noun-classes.txt: the WordNet lexicographer class (person, group,
location, artifact, time, communication, ...) of English nouns, a tagger feature that lets
the model generalise from a few annotated words to their kind ("civilians" and "mourners" are
both people, "helicopter" and "rifle" both artifacts).

Source: WordNet 3.0 (Princeton University; the WordNet 3.0 licence, which permits
redistribution with its notice: see assets/README.md), as Debian's `wordnet-base` package
installs it in /usr/share/wordnet.  Run from the repository root:

  apt-get install wordnet-base
  python3 scripts/gen_noun_classes.py [--wordnet /usr/share/wordnet]

Rules (general, nothing picked by hand beyond the closed class of English function words):
- one-word noun lemmas only (no spaces or underscores), letters with inner hyphens,
  apostrophes or periods;
- a word's class is the class of its first sense in WordNet's index (senses are ordered by
  how often they were tagged in the semantic concordance), counting only the senses whose
  lemma is written in the same case: "turkey" is an animal, "Turkey" a location;
- a capitalised form is listed only when its class differs from the lowercase word's (or
  there is no lowercase word), since the tagger falls back to the lowercase form;
- irregular plurals of WordNet's exception list ("children", "mice") are listed with the
  class of their singular, unless they are lemmas themselves; the tagger reads regular
  plurals ("-s", "-es", "-ies", "-men") itself;
- English function words (pronouns, determiners, prepositions, conjunctions, auxiliaries)
  are left out: WordNet has nouns spelled like them ("IT", "He" for helium, "US").
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "assets", "tagger", "noun-classes.txt")

# The lexicographer files of WordNet 3.0, by number (lexnames(5WN)).
LEXNAMES = [
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal",
    "noun.artifact", "noun.attribute", "noun.body", "noun.cognition", "noun.communication",
    "noun.event", "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive",
    "noun.object", "noun.person", "noun.phenomenon", "noun.plant", "noun.possession",
    "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state",
    "noun.substance", "noun.time",
]

FUNCTION_WORDS = set(
    """
    i me my mine myself we us our ours ourselves you your yours yourself yourselves he him
    his himself she her hers herself it its itself they them their theirs themselves one
    ones who whom whose which what that this these those there here whoever whatever
    a an the some any no every each either neither both all few many much more most less
    least several other another such own same
    in on at by for from to of off out over under up down into onto upon with within without
    about above across after against along among around before behind below beneath beside
    besides between beyond during except inside near outside past since through throughout
    till toward towards until via per than as like unlike
    and or but nor so yet if then else when where while whether because although though
    unless once
    be am is are was were been being have has had having do does did done doing will would
    shall should can could may might must ought
    not yes oh ok
    """.split()
)

WORD = re.compile(r"^[A-Za-z][A-Za-z'.-]*[A-Za-z.]$|^[A-Za-z]$")


def read_synsets(wordnet):
    """Synset offset -> (lexname, lemmas as written)."""
    out = {}
    with open(os.path.join(wordnet, "data.noun"), encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):  # the licence header
                continue
            fields = line.split()
            count = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i] for i in range(count)]
            out[fields[0]] = (LEXNAMES[int(fields[1])], lemmas)
    return out


def first_classes(wordnet, synsets):
    """(word as written -> class) for one-word lemmas, first sense per spelling."""
    classes = {}
    with open(os.path.join(wordnet, "index.noun"), encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):
                continue
            fields = line.split()
            key = fields[0]
            if "_" in key or not WORD.match(key):
                continue
            pointers = int(fields[3])
            offsets = fields[6 + pointers:]
            for offset in offsets:  # in sense order
                lexname, lemmas = synsets[offset]
                for lemma in lemmas:
                    if lemma.lower() == key and lemma not in classes:
                        classes[lemma] = lexname.split(".", 1)[1].lower()
    return classes


def exceptions(wordnet, classes):
    """Irregular plurals (WordNet's `noun.exc`) with the class of their singular."""
    out = {}
    with open(os.path.join(wordnet, "noun.exc"), encoding="latin-1") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2 or not WORD.match(fields[0]) or fields[0] in classes:
                continue
            cls = classes.get(fields[1])
            if cls is not None:
                out.setdefault(fields[0], cls)
    return out


def write(classes, wordnet):
    keep = {}
    for word, cls in {**exceptions(wordnet, classes), **classes}.items():
        if word.lower() in FUNCTION_WORDS:
            continue
        if word != word.lower() and classes.get(word.lower()) == cls:
            continue
        keep[word] = cls
    by_class = {}
    for word, cls in keep.items():
        by_class.setdefault(cls, []).append(word)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            "# WordNet lexicographer class of the first sense of English one-word nouns "
            "(a lowercase word, or a capitalised form whose class differs): tagger features only.\n"
        )
        f.write(
            "# Generated by scripts/gen_noun_classes.py from WordNet 3.0 "
            "(Copyright 2006 by Princeton University, WordNet 3.0 licence: assets/README.md); "
            "do not edit by hand.\n"
        )
        for cls in sorted(by_class):
            f.write(f"# --- {cls} ---\n")
            for word in sorted(by_class[cls]):
                f.write(word + "\n")
    print(f"wrote {len(keep)} nouns in {len(by_class)} classes to {OUT}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.wordnet, "index.noun")):
        sys.exit(f"no WordNet database in {args.wordnet} (apt-get install wordnet-base)")
    write(first_classes(args.wordnet, read_synsets(args.wordnet)), args.wordnet)


if __name__ == "__main__":
    main()
