#!/usr/bin/env python3
"""Deterministic synthetic corpus of news records for newslint's performance benchmark.

    python bench/generate.py OUT_DIR [--records 10000] [--seed 1] [--jsonl] [--jobs N]

Writes OUT_DIR/txt/NNN/NNNNNN_<hex>.txt, 1000 records a folder, each shaped like
seeds/000_00413085105cbbc0.txt: YAML front matter (category, title, excerpt, an unquoted
publishedDateTime, originalUrl, webUrl, type, quality, heat, published, provider, topics,
1-5 images, 0-5 related items with correct Google AMP Cache URLs, and a `secured` blob of
random base64 ciphertext in whole 16-byte blocks plus a 16-byte IV), about 4 KB of it, then a
body of 300-1500 words of plausible sentences built from word lists (no external data).

About 10% of the records carry boilerplate lines in the body ('Accessibility links',
'Advertisement', '• 16x9 Image', ...) and about 5% one deliberate defect: a missing required
field, an image of width 0, or an unparseable date. Every other record is meant to be clean
(no finding from newslint's default rules).

With --jsonl the same records are also written as JSON lines, OUT_DIR/jsonl/NNN-K.jsonl (250
a file, about 2.5 MB; the body under "body", publishedDateTime as the same text). OUT_DIR/manifest.json
records the parameters and, per record, its defect and boilerplate lines, so a benchmark can
check that the linter found what was planted.

Record i depends only on (seed, i): the first N records of a larger corpus are the N records
of a smaller one, and the output is byte-identical from run to run and for any --jobs.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from json.encoder import encode_basestring_ascii as _json_quote
from pathlib import Path
from typing import Any

SHARD = 1000
# JSON lines per file: about 2.5 MB, so a JSON lines corpus is spread over many files, as
# the text one is (newslint reads a .jsonl file line by line, whatever its size).
JSONL_LINES = 250
GENERATOR_VERSION = 1
DEFECT_SHARE = 0.05
BOILERPLATE_SHARE = 0.10
FRONT_MATTER_TARGET = 4096  # bytes, on average
SENTENCE_POOL = 6000
PARAGRAPH_POOL = 5000

# ---------------------------------------------------------------------------------------------
# Word lists (invented publishers on reserved-looking but valid domains, plus plain English).

PROVIDERS = [
    ("The Daily Ledger", "daily-ledger.com", "www."),
    ("Northern Courier", "northerncourier.co.uk", "www."),
    ("Harbor City Times", "harborcitytimes.com", "www."),
    ("Metro Wire", "metro-wire.net", "news."),
    ("Global Dispatch", "globaldispatch.org", "www."),
    ("Valley Post-Gazette", "valley-post-gazette.com", "www."),
    ("The Evening Standard Review", "eveningstandardreview.com", ""),
    ("Civic Tech Journal", "civictechjournal.org", "www."),
    ("Riverside Herald", "riverside-herald.com", "www."),
    ("Science Frontier", "sciencefrontier.net", "www."),
    ("Market Pulse", "marketpulse.biz", "www."),
    ("Capital Bulletin", "capitalbulletin.com", "www."),
    ("Open Policy Review", "openpolicyreview.org", ""),
    ("Coastal Observer", "coastal-observer.com", "www."),
    ("The Morning Chronicle", "morningchronicle.com", "www."),
    ("Data and Society Weekly", "datasocietyweekly.com", "www."),
    ("Frontline Health News", "frontlinehealthnews.com", "www."),
    ("Sports Desk Daily", "sportsdeskdaily.com", "www."),
    ("Eastern Report", "eastern-report.org", "www."),
    ("Plains Sentinel", "plainssentinel.com", "www."),
    ("Tech Horizon", "techhorizon.io", "www."),
    ("World Affairs Monitor", "worldaffairsmonitor.org", "www."),
    ("Lakeside Tribune", "lakesidetribune.com", "www."),
    ("Human Rights Watch", "hrw.org", "www."),
    ("Radio Free Europe/Radio Liberty", "rferl.org", "www."),
]
IMAGE_HOSTS = ["img.mediacdn.net", "images.newsassets.com", "static.photowire.org", "cdn.pixhub.io"]
CATEGORIES = ["news", "business", "technology", "science", "world", "politics", "health", "sports"]
SECTIONS = ["news", "world", "business", "tech", "science", "politics", "health", "sport"]
TOPICS = [
    "AI",
    "Computer Vision",
    "Privacy",
    "Climate",
    "Energy",
    "Elections",
    "Public Health",
    "Cybersecurity",
    "Transport",
    "Housing",
    "Education",
    "Trade",
    "Space",
    "Agriculture",
    "Water",
    "Labour",
    "Courts",
    "Migration",
    "Finance",
    "Football",
]
ORGS = [
    "the city council",
    "the health ministry",
    "the central bank",
    "the transport authority",
    "the national statistics office",
    "the electoral commission",
    "the water utility",
    "the regional government",
    "the university",
    "the competition regulator",
    "the port authority",
    "the teachers' union",
    "the energy agency",
    "the environmental agency",
    "the data protection authority",
    "the supreme court",
    "the chamber of commerce",
    "the hospital trust",
]
PEOPLE = [
    "Maria Lopez",
    "James Okafor",
    "Anna Kowalski",
    "David Chen",
    "Fatima Haddad",
    "Peter Lindqvist",
    "Grace Mwangi",
    "Tomas Novak",
    "Elena Petrova",
    "Samuel Adeyemi",
    "Laura Bianchi",
    "Kenji Watanabe",
    "Sofia Andersson",
    "Omar Farouk",
    "Helen Murphy",
    "Ravi Sharma",
]
ROLES = [
    "spokeswoman",
    "spokesman",
    "senior analyst",
    "professor of economics",
    "chief executive",
    "deputy minister",
    "research fellow",
    "local resident",
    "union leader",
    "city planner",
    "public health expert",
    "lawyer",
]
PLACES = [
    "the capital",
    "the northern provinces",
    "the coastal region",
    "the river valley",
    "the old town",
    "the industrial district",
    "the southern border area",
    "the eastern suburbs",
    "rural communities",
    "the financial district",
    "the mountain villages",
    "the harbour",
]
NOUNS = [
    "budget",
    "plan",
    "report",
    "proposal",
    "project",
    "network",
    "programme",
    "policy",
    "investigation",
    "agreement",
    "system",
    "service",
    "strategy",
    "survey",
    "law",
    "contract",
    "scheme",
    "pilot",
    "framework",
    "review",
    "study",
    "dataset",
    "platform",
    "campaign",
    "inquiry",
]
PLURALS = [
    "residents",
    "officials",
    "researchers",
    "investors",
    "workers",
    "families",
    "students",
    "farmers",
    "drivers",
    "patients",
    "voters",
    "businesses",
    "engineers",
    "critics",
    "volunteers",
    "lawmakers",
]
ADJECTIVES = [
    "new",
    "controversial",
    "ambitious",
    "long-awaited",
    "revised",
    "national",
    "regional",
    "independent",
    "costly",
    "modest",
    "detailed",
    "preliminary",
    "sweeping",
    "temporary",
    "digital",
    "public",
    "private",
    "annual",
]
VERBS_PAST = [
    "approved",
    "rejected",
    "delayed",
    "announced",
    "expanded",
    "criticised",
    "published",
    "suspended",
    "reviewed",
    "welcomed",
    "questioned",
    "funded",
    "launched",
    "extended",
    "challenged",
]
VERBS_BASE = [
    "approve",
    "review",
    "expand",
    "delay",
    "fund",
    "publish",
    "extend",
    "replace",
    "simplify",
    "monitor",
    "audit",
    "reconsider",
]
VERBS_3S = [
    "approves",
    "rejects",
    "delays",
    "announces",
    "expands",
    "unveils",
    "questions",
    "funds",
    "launches",
    "extends",
    "suspends",
    "reviews",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
CONNECTORS = ["However,", "Meanwhile,", "In addition,", "At the same time,", "Still,", "Earlier,"]

SENTENCE_TEMPLATES = [
    "{Org} said on {day} that it would {vbase} the {adj} {noun} in {place}.",
    "{person}, a {role} at {org}, said the {noun} had been {vpast} after months of debate.",
    "The {adj} {noun} was {vpast} by {org} on {day}, according to documents seen by reporters.",
    "{Plural} in {place} have {vpast} the {noun}, saying it would cost more than {amount} million.",
    "{conn} {org} has not said when it will {vbase} the {noun}.",
    "According to {org}, about {percent} percent of {plural} in {place} were affected last {month}.",
    '"We need a {adj} {noun} that works for {plural}," {person} told local media.',
    "The {noun} follows a {adj} {noun2} that {org} {vpast} in {month} {year}.",
    "Critics argue that the {noun} does too little for {plural} in {place}.",
    "{conn} {plural} said they had not been consulted before the {noun} was {vpast}.",
    "{person} said the {adj} {noun} would be {vpast} again once the {noun2} is complete.",
    "Figures published by {org} show that spending on the {noun} rose by {percent} percent in {year}.",
    "The {noun} is expected to take effect in {month}, pending a {adj} {noun2}.",
    "{Org} plans to {vbase} the {noun2} before the end of the year, {person} said.",
    "Several {plural} told reporters that the {noun} had changed little in {place}.",
    "A {role} who asked not to be named said the {noun} had been {vpast} twice before.",
    "The {adj} {noun2} covers {amount} thousand {plural} across {place}.",
    "{conn} the {noun} remains popular with {plural}, a {adj} survey found in {month}.",
]
BOILERPLATE_LINES = [
    "Accessibility links",
    "Advertisement",
    "• 16x9 Image",
    "Skip to main content",
    "Share this article",
    "Story continues below advertisement",
    "Back to top",
]
DEFECT_KINDS = ("missing-field", "zero-width", "bad-date")
MISSING_FIELDS = ("title", "provider", "secured", "publishedDateTime", "originalUrl")
BAD_DATES = ("2020-02-30T10:00:00Z", "yesterday", "02/10/2020 04:30", "2019-13-01T08:00:00Z")
_PLAIN_DATE = re.compile(r"[0-9T:Z-]+")
DATE_START = datetime(2015, 1, 1, tzinfo=timezone.utc)
DATE_SPAN_MINUTES = 10 * 365 * 24 * 60  # 2015..2024: never in the future


def _fill(template: str, rng: random.Random) -> str:
    org = rng.choice(ORGS)
    plural = rng.choice(PLURALS)
    values = {
        "Org": org[0].upper() + org[1:],
        "org": org,
        "person": rng.choice(PEOPLE),
        "role": rng.choice(ROLES),
        "place": rng.choice(PLACES),
        "noun": rng.choice(NOUNS),
        "noun2": rng.choice(NOUNS),
        "Plural": plural.capitalize(),
        "plural": plural,
        "adj": rng.choice(ADJECTIVES),
        "vpast": rng.choice(VERBS_PAST),
        "vbase": rng.choice(VERBS_BASE),
        "day": rng.choice(DAYS),
        "month": rng.choice(MONTHS),
        "year": str(rng.randint(2009, 2023)),
        "amount": str(rng.randint(2, 900)),
        "percent": str(rng.randint(2, 80)),
        "conn": rng.choice(CONNECTORS),
    }
    return template.format(**values)


def _title_case(words: list[str]) -> list[str]:
    return [" ".join(w[0].upper() + w[1:] for w in phrase.split()) for phrase in words]


T_ORGS = _title_case([o.removeprefix("the ") for o in ORGS])
T_NOUNS = _title_case(NOUNS)
T_PLURALS = _title_case(PLURALS)
T_ADJECTIVES = _title_case(ADJECTIVES)
T_VERBS_3S = _title_case(VERBS_3S)
T_VERBS_PAST = _title_case(VERBS_PAST)
T_PLACES = _title_case([p.removeprefix("the ") for p in PLACES])


def _headline(rng: random.Random) -> str:
    rand = rng.random

    def pick(words: list[str]) -> str:
        return words[int(rand() * len(words))]

    shape = int(rand() * 4)
    if shape == 0:
        return f"{pick(T_ORGS)} {pick(T_VERBS_3S)} {pick(T_ADJECTIVES)} {pick(T_NOUNS)} For {pick(T_PLACES)}"
    if shape == 1:
        return f"{pick(T_PLURALS)} Question {pick(T_ADJECTIVES)} {pick(T_NOUNS)} As {pick(T_ORGS)} {pick(T_VERBS_3S)} {pick(T_NOUNS)}"
    if shape == 2:
        return f"{pick(T_ADJECTIVES)} {pick(T_NOUNS)} {pick(T_VERBS_PAST)} After {pick(T_ADJECTIVES)} {pick(T_NOUNS)} In {pick(T_PLACES)}"
    return f"Inside The {pick(T_ADJECTIVES)} {pick(T_NOUNS)} That {pick(T_ORGS)} {pick(T_VERBS_3S)}"


def _slug(text: str) -> str:
    """URL slug of a headline (its words are letters, hyphens and apostrophes)."""
    return text.lower().replace("'", "").replace(" ", "-")


class Vocabulary:
    """Sentences and paragraphs drawn once per seed; record bodies pick from them."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"newslint-bench-vocabulary:{seed}")
        self.sentences = [_fill(rng.choice(SENTENCE_TEMPLATES), rng) for _ in range(SENTENCE_POOL)]
        self.paragraphs = []
        self.paragraph_words = []
        for _ in range(PARAGRAPH_POOL):
            paragraph = " ".join(rng.choices(self.sentences, k=rng.randint(2, 6)))
            self.paragraphs.append(paragraph)
            self.paragraph_words.append(paragraph.count(" ") + 1)


def amp_cache_url(amp_url: str) -> str:
    """Google AMP Cache URL of an https URL on a plain ASCII host."""
    rest = amp_url.removeprefix("https://")
    host = rest.split("/", 1)[0]
    sub = host.replace("-", "--").replace(".", "-")
    return f"https://{sub}.cdn.ampproject.org/c/s/{rest}"


def _stamp(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:00Z"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return _json_quote(text)


def _excerpt(rng: random.Random, vocab: Vocabulary) -> str:
    return " ".join(rng.choices(vocab.sentences, k=rng.randint(1, 3)))


def _story(
    rng: random.Random, vocab: Vocabulary, provider: tuple[str, str, str], when: datetime
) -> dict[str, Any]:
    title = _headline(rng)  # per story, not from a pool: titles rarely repeat, as in real news
    slug = _slug(title)
    name, domain, prefix = provider
    section = SECTIONS[int(rng.random() * len(SECTIONS))]
    ident = 10_000_000 + int(rng.random() * 89_999_999)
    path = f"/{section}/{when.year}/{when.month:02d}/{when.day:02d}/{slug}-{ident}"
    return {
        "title": title,
        "slug": slug,
        "host": prefix + domain,
        "path": path,
        "name": name,
        "domain": domain,
    }


def make_record(index: int, seed: int, vocab: Vocabulary) -> dict[str, Any]:
    """Record `index` of the corpus for `seed`: its fields, front matter text, body and plan."""
    rng = random.Random((seed << 40) ^ (index * 0x9E3779B1) ^ 0x5EED)
    rand = rng.random
    when = DATE_START + timedelta(minutes=int(rand() * DATE_SPAN_MINUTES))
    provider = PROVIDERS[int(rand() * len(PROVIDERS))]
    story = _story(rng, vocab, provider, when)
    url = f"https://{story['host']}{story['path']}"
    sentences = vocab.sentences
    record: dict[str, Any] = {
        "category": CATEGORIES[int(rand() * len(CATEGORIES))],
        "title": story["title"],
        "excerpt": " ".join(rng.choices(sentences, k=1 + int(rand() * 3))),
        "publishedDateTime": _stamp(when),
        "originalUrl": url,
        "webUrl": url,
        "type": "article" if rand() < 0.9 else "video",
        "quality": 11 + int(rand() * 179),
        "heat": 11 + int(rand() * 179),
        "published": rand() < 0.5,
        "provider": {"name": story["name"], "domain": story["domain"]},
        "topics": rng.sample(TOPICS, 1 + int(rand() * 4)),
    }
    images = []
    stem = f"{when.year}/{when.month:02d}/{story['slug'][:40]}"
    for number in range(1 + int(rand() * 5)):
        width = 320 + int(rand() * 5680)
        height = max(200, int(width * (0.45 + rand() * 1.05)))
        host = IMAGE_HOSTS[int(rand() * len(IMAGE_HOSTS))]
        images.append(
            {
                "url": f"https://{host}/{stem}-{number}-{int(rand() * 2**32):08x}.jpg",
                "width": width,
                "height": height,
                "isCached": rand() < 0.7,
            }
        )
    record["images"] = images
    related = []
    for _ in range(int(rand() * 6)):
        later = when + timedelta(minutes=5 + int(rand() * 3 * 24 * 60))
        item = _story(rng, vocab, PROVIDERS[int(rand() * len(PROVIDERS))], later)
        amp = f"https://{item['host']}/amp{item['path']}.html"
        related.append(
            {
                "title": item["title"],
                "excerpt": " ".join(rng.choices(sentences, k=1 + int(rand() * 2))),
                "publishedDateTime": _stamp(later),
                "webUrl": f"https://{item['host']}{item['path']}.html",
                "ampWebUrl": amp,
                "cdnAmpWebUrl": amp_cache_url(amp),
                "type": "article",
                "provider": {"name": item["name"], "domain": item["domain"]},
                "quality": 11 + int(rand() * 179),
            }
        )
    if related:
        record["related"] = related

    target_words = 300 + int(rand() * 1201)
    paragraphs: list[str] = []
    words = 0
    pool = vocab.paragraphs
    counts = vocab.paragraph_words
    pick = -1
    while True:
        previous, pick = pick, int(rand() * PARAGRAPH_POOL)
        if pick == previous:  # never the same paragraph twice in a row (a doubled line)
            continue
        if words + counts[pick] > target_words and words >= 300:
            break
        paragraphs.append(pool[pick])
        words += counts[pick]
        if words >= target_words:
            break
    boilerplate: list[str] = []
    if rand() < BOILERPLATE_SHARE:
        boilerplate = rng.sample(BOILERPLATE_LINES, 1 + int(rand() * 3))
        for line in boilerplate:
            paragraphs.insert(int(rand() * (len(paragraphs) + 1)), line)

    defect = None
    secured_missing = False
    if rand() < DEFECT_SHARE:
        kind = DEFECT_KINDS[int(rand() * len(DEFECT_KINDS))]
        if kind == "missing-field":
            field = MISSING_FIELDS[int(rand() * len(MISSING_FIELDS))]
            defect = f"missing-field:{field}"
            record.pop(field, None)
            secured_missing = field == "secured"
        elif kind == "zero-width":
            which = int(rand() * len(images))
            images[which]["width"] = 0
            defect = f"zero-width:/images/{which}/width"
        else:
            record["publishedDateTime"] = bad = BAD_DATES[int(rand() * len(BAD_DATES))]
            defect = f"bad-date:{bad}"

    front = render_front_matter(record)
    if not secured_missing:
        room = FRONT_MATTER_TARGET + int(rand() * 1200) - 600 - len(front) - 40
        blocks = max(8, (room * 3 // 4) // 16)
        # Random-looking bytes, fast and deterministic: SHAKE-128 of the record's identity.
        noise = hashlib.shake_128(f"secured:{seed}:{index}".encode()).digest(16 * blocks + 16)
        record["secured"] = (
            base64.b64encode(noise[16:]).decode() + ";" + base64.b64encode(noise[:16]).decode()
        )
        front += f"secured: {_q(record['secured'])}\n"
    return {
        "name": f"{index:06d}_{hashlib.sha1(f'{seed}:{index}'.encode()).hexdigest()[:16]}.txt",
        "record": record,
        "front_matter": front,
        "body": "\n\n".join(paragraphs) + "\n",
        "defect": defect,
        "boilerplate": boilerplate,
        "words": words,
    }


def render_front_matter(record: dict[str, Any]) -> str:
    """YAML front matter in the seeds' layout: dates unquoted, free text double-quoted."""
    out = []
    for key in ("category", "title", "excerpt", "publishedDateTime", "originalUrl", "webUrl"):
        if key in record:
            value = record[key]
            if key == "category":
                out.append(f"{key}: {value}")
            elif key == "publishedDateTime":
                # A date the author wrote plainly stays unquoted; defects that are not
                # timestamp-shaped are quoted so they stay strings in any YAML reader.
                plain = _PLAIN_DATE.fullmatch(value) is not None
                out.append(f"{key}: {value if plain else _q(value)}")
            else:
                out.append(f"{key}: {_q(value)}")
    for key in ("type", "quality", "heat"):
        out.append(f"{key}: {record[key]}")
    out.append(f"published: {'true' if record['published'] else 'false'}")
    out.append("")
    if "provider" in record:
        provider = record["provider"]
        out += ["provider:", f"  name: {provider['name']}", f"  domain: {provider['domain']}", ""]
    out.append("topics:")
    out += [f"  - {topic}" for topic in record["topics"]]
    out.append("")
    out.append("images:")
    for image in record["images"]:
        out += [
            f"  - url: {_q(image['url'])}",
            f"    width: {image['width']}",
            f"    height: {image['height']}",
            f"    isCached: {'true' if image['isCached'] else 'false'}",
        ]
    out.append("")
    if "related" in record:
        out.append("related:")
        for item in record["related"]:
            out += [
                f"  - title: {_q(item['title'])}",
                f"    excerpt: {_q(item['excerpt'])}",
                f"    publishedDateTime: {item['publishedDateTime']}",
                f"    webUrl: {_q(item['webUrl'])}",
                f"    ampWebUrl: {_q(item['ampWebUrl'])}",
                f"    cdnAmpWebUrl: {_q(item['cdnAmpWebUrl'])}",
                f"    type: {item['type']}",
                "    provider:",
                f"      name: {item['provider']['name']}",
                f"      domain: {item['provider']['domain']}",
                f"    quality: {item['quality']}",
            ]
        out.append("")
    if "secured" in record:
        out.append(f"secured: {_q(record['secured'])}")
    return "\n".join(out) + "\n"


def render_text(made: dict[str, Any]) -> str:
    return "---\n" + made["front_matter"] + "---\n\n" + made["body"]


def render_json_line(made: dict[str, Any]) -> str:
    return json.dumps({**made["record"], "body": made["body"]}, ensure_ascii=False) + "\n"


_vocab_cache: dict[int, Vocabulary] = {}


def _shard(task: tuple[str, int, int, int, bool]) -> list[dict[str, Any]]:
    out_dir, seed, start, stop, jsonl = task
    vocab = _vocab_cache.get(seed)
    if vocab is None:
        vocab = _vocab_cache[seed] = Vocabulary(seed)
    shard = start // SHARD
    folder = Path(out_dir, "txt", f"{shard:03d}")
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    plan = []
    for index in range(start, stop):
        made = make_record(index, seed, vocab)
        folder.joinpath(made["name"]).write_text(render_text(made), encoding="utf-8")
        if jsonl:
            lines.append(render_json_line(made))
        plan.append(
            {
                "path": f"txt/{shard:03d}/{made['name']}",
                "defect": made["defect"],
                "boilerplate": made["boilerplate"],
                "words": made["words"],
            }
        )
    for part, first in enumerate(range(0, len(lines), JSONL_LINES)):
        Path(out_dir, "jsonl", f"{shard:03d}-{part}.jsonl").write_text(
            "".join(lines[first : first + JSONL_LINES]), encoding="utf-8"
        )
    return plan


def source_digest() -> str:
    """Changes whenever this generator's code does: a cached corpus from older code is stale."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def generate(
    out_dir: Path, records: int, seed: int = 1, jsonl: bool = False, jobs: int | None = None
) -> dict[str, Any]:
    """Write the corpus (replacing OUT_DIR's txt/, jsonl/ and manifest.json); return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for part in ("txt", "jsonl"):
        shutil.rmtree(out_dir / part, ignore_errors=True)
    (out_dir / "manifest.json").unlink(missing_ok=True)
    started = time.perf_counter()  # generation only, not the removal of an older corpus
    if jsonl:
        (out_dir / "jsonl").mkdir()
    tasks = [
        (str(out_dir), seed, start, min(start + SHARD, records), jsonl)
        for start in range(0, records, SHARD)
    ]
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    jobs = max(1, min(jobs, len(tasks)))
    if jobs == 1:
        plans = [_shard(task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            plans = list(pool.map(_shard, tasks))
    entries = [entry for plan in plans for entry in plan]
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "source_digest": source_digest(),
        "records": records,
        "seed": seed,
        "jsonl": jsonl,
        "shard_size": SHARD,
        "defects": sum(1 for e in entries if e["defect"]),
        "boilerplate_records": sum(1 for e in entries if e["boilerplate"]),
        "seconds": round(time.perf_counter() - started, 3),
        "entries": entries,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=0), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jsonl", action="store_true", help="also write OUT_DIR/jsonl/*.jsonl")
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be at least 1")
    manifest = generate(args.out_dir, args.records, args.seed, args.jsonl, args.jobs)
    size = sum(p.stat().st_size for p in (args.out_dir / "txt").rglob("*.txt"))
    print(
        f"{args.records} records in {args.out_dir / 'txt'} ({size / 1e6:.1f} MB"
        f"{', plus jsonl/' if args.jsonl else ''}) in {manifest['seconds']:.1f} s: "
        f"{manifest['defects']} with a defect, {manifest['boilerplate_records']} with boilerplate",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
