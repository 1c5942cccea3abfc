"""boilerplate/: whole-line web-page chrome, doubled captions, page frames, bare bullets and
bodies of nothing else."""

from __future__ import annotations

import json

import pytest

from rules.boilerplate import (
    PackError,
    check_pattern,
    compile_pack,
    load_packs,
    normalise_line,
    shipped_packs,
)
from tests.helpers import SEEDS, VALID_BODY, check_files, fields, findings_of, markdown
from validator.app import CheckOptions, check

RFERL_FOOTER = (
    "    RFE/RL journalists report the news in 27 languages in 23 countries where a free press "
    "is banned by the government or not fully established. We provide what many people cannot "
    "get locally: uncensored news, responsible discussion, and open debate."
)
RFERL = {"name": "Radio Free Europe/Radio Liberty", "domain": "rferl.org"}
CAPTION = "CCTV cameras on a building in Moscow"


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def body_with(line: str) -> str:
    """The valid article with ``line`` as a paragraph of its own in the middle."""
    first, second = VALID_BODY.strip().split(". The ", 1)
    return f"{first}.\n\n{line}\n\nThe {second}\n"


def phrase_run(tmp_path, body, data=None, config=""):
    text = markdown(data if data is not None else fields(), body)
    run = check_files(tmp_path, {"a.md": text}, select=["boilerplate/phrase"], config=config)
    return text, findings_of(run, "boilerplate/phrase")


# --- boilerplate/phrase ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Accessibility links", "generic pack, navigation"),
        ("  • 16x9 Image", "generic pack, placeholder"),
        ("Breaking News", "generic pack, banner"),
        ("BREAKING NEWS:", "generic pack, banner"),
        ("Advertisement", "generic pack, advertising"),
        ("Skip to main content", "generic pack, navigation"),
        ("* Menu", "generic pack, navigation"),
        ("Subscribe", "generic pack, prompt"),
        ("© 2020 Example Corp. All rights reserved.", "generic pack, footer"),
        ("Copyright 2019-2021 Example Media Group", "generic pack, footer"),
        ("Terms of Use | Privacy Policy | Contact Us", "generic pack, footer"),
        ("Share on Facebook", "generic pack, share"),
        ("Facebook | Twitter | Email", "generic pack, share"),
        ("Photo: Reuters", "generic pack, credit"),
        ("Image 3 of 12", "generic pack, placeholder"),
        ("Related Articles", "generic pack, related"),
        ("We use cookies to improve your experience.", "generic pack, prompt"),
        ("Story continues below advertisement", "generic pack, advertising"),
    ],
)
def test_phrase_fires(tmp_path, line, reason):
    body = body_with(line)
    text, found = phrase_run(tmp_path, body)
    (finding,) = found
    assert finding.line == line_of(text, line)
    assert finding.pointer == ""
    assert f"boilerplate line {' '.join(line.split())!r} (phrase tier: {reason})" == finding.message


def test_phrase_rferl_footer_for_rferl_records(tmp_path):
    data = fields(provider=RFERL, webUrl="https://www.rferl.org/a/story.html")
    text, found = phrase_run(tmp_path, VALID_BODY + "\n" + RFERL_FOOTER + "\n", data)
    (finding,) = found
    assert finding.line == line_of(text, "RFE/RL journalists report")
    assert "(phrase tier: rferl pack, footer)" in finding.message
    assert "'RFE/RL journalists report the news in 27 languages in 23 co…'" in finding.message


def test_phrase_provider_pack_does_not_apply_to_other_providers(tmp_path):
    # hrw.org is not an RFE/RL domain: its records are not matched against that pack.
    _, found = phrase_run(tmp_path, VALID_BODY + "\n" + RFERL_FOOTER + "\n")
    assert found == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The station interrupted its schedule with breaking news of the explosion.",
        "Breaking news coverage of the storm drew record audiences.",
        "Breaking News",  # control: the bare line is chrome (see below)
        "An advertisement for the product ran in several newspapers.",
        "Advertisement revenue fell by a third last year.",
        "Readers can subscribe to the newsletter on the paper's website.",
        "Subscribe now, the campaign urged, but few readers did.",
        "The restaurant's menu features dishes from across the region.",
        "Menu prices rose sharply after the tax increase.",
        "Share prices fell by 5 percent on Tuesday.",
        "Sign in sheets showed that only a dozen people attended.",
        "Search and rescue teams worked through the night.",
        "Live updates on the election will continue through the night.",
        "Contact us if you have information about the incident, police said.",
        "Privacy policy changes at the company drew criticism.",
        "All rights reserved, the publisher said in a statement.",
        "Terms of use were updated in March.",
        "Facebook, Twitter and Google face new EU rules.",
        "Read more about the case in the court filing.",
        "Just in time for the holidays, prices dropped.",
        "Comments from the minister were not available.",
        "Sponsored by the ministry, the program ran for a year.",
        "Print editions of the newspaper will stop next year.",
        "Photos of the protest spread quickly on social media.",
        "Reuters reported that the talks had stalled.",
        "Copyright law in the EU is changing fast.",
        "Trending topics on the platform included the election.",
        "Skip to the end: the court ruled against the city.",
        "Related reporting by the BBC found similar problems.",
    ],
)
def test_phrase_never_flags_prose(tmp_path, sentence):
    _, found = phrase_run(tmp_path, body_with(sentence))
    if sentence == "Breaking News":
        assert len(found) == 1
        return
    assert found == []


def test_phrase_copyright_subheading_is_not_a_footer(tmp_path):
    _, found = phrase_run(tmp_path, body_with("Copyright reform stalls in Brussels"))
    assert found == []


@pytest.mark.parametrize(
    ("line", "config", "fires"),
    [
        (RFERL_FOOTER.strip(), "", True),  # 39 words: within the default 40
        (RFERL_FOOTER.strip(), '[rules."boilerplate/phrase"]\nmax-line-words = 38\n', False),
        (RFERL_FOOTER.strip(), '[rules."boilerplate/phrase"]\nmax-line-words = 39\n', True),
        ("Advertisement", '[rules."boilerplate/phrase"]\nmax-line-words = 1\n', True),
        ("Breaking News", '[rules."boilerplate/phrase"]\nmax-line-words = 1\n', False),
    ],
)
def test_phrase_max_line_words(tmp_path, line, config, fires):
    data = fields(provider=RFERL, webUrl="https://www.rferl.org/a/story.html")
    text, found = phrase_run(tmp_path, body_with(line), data, config)
    assert [f.line for f in found] == ([line_of(text, line)] if fires else [])


def test_phrase_extra_pack_from_config(tmp_path):
    pack = tmp_path / "house.yaml"
    pack.write_text(
        "name: house\ncategories:\n  promo:\n    phrases:\n      - Download our app\n",
        encoding="utf-8",
    )
    body = body_with("Download our app")
    _, found = phrase_run(tmp_path, body)
    assert found == []
    _, found = phrase_run(
        tmp_path, body, config=f'[rules."boilerplate/phrase"]\npacks = ["{pack}"]\n'
    )
    (finding,) = found
    assert "(phrase tier: house pack, promo)" in finding.message


# --- boilerplate/repeated-caption --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "config"),
    [
        (f"{CAPTION}\n{CAPTION}\n\n{VALID_BODY}", ""),
        (f"{VALID_BODY}\n{CAPTION}\n\n{CAPTION}\n", ""),  # blank lines between still count
        (f"  {CAPTION}\n{CAPTION}  \n{VALID_BODY}", ""),  # surrounding spaces ignored
        (
            f"{CAPTION}\n{CAPTION}\n{VALID_BODY}",
            '[rules."boilerplate/repeated-caption"]\nmax-words = 7\n',
        ),
    ],
)
def test_repeated_caption_fires(tmp_path, body, config):
    text = markdown(body=body)
    run = check_files(
        tmp_path, {"a.md": text}, select=["boilerplate/repeated-caption"], config=config
    )
    (finding,) = findings_of(run, "boilerplate/repeated-caption")
    caption_lines = [n for n, line in enumerate(text.split("\n"), 1) if line.strip() == CAPTION]
    assert len(caption_lines) == 2
    assert finding.line == caption_lines[1]  # the second copy, not the first
    assert f"{CAPTION!r} repeats the line before it (structure tier: doubled caption)" in (
        finding.message
    )


@pytest.mark.parametrize(
    ("body", "config"),
    [
        (f"{CAPTION}\n\n{VALID_BODY}", ""),
        (f"{CAPTION}\nCCTV cameras on a building in Kazan\n\n{VALID_BODY}", ""),
        (f"{CAPTION}\nOther line\n{CAPTION}\n\n{VALID_BODY}", ""),  # not adjacent
        ("Moscow\nMoscow\n\n" + VALID_BODY, ""),  # one word: not a caption
        ("* * *\n* * *\n\n" + VALID_BODY, ""),  # separators, not words
        ("2020 2021\n2020 2021\n\n" + VALID_BODY, ""),  # numbers, not words
        (
            f"{CAPTION}\n{CAPTION}\n{VALID_BODY}",
            '[rules."boilerplate/repeated-caption"]\nmax-words = 6\n',
        ),
        (f"{VALID_BODY}{VALID_BODY}", ""),  # a long repeated paragraph is not a caption
    ],
)
def test_repeated_caption_passes(tmp_path, body, config):
    run = check_files(
        tmp_path,
        {"a.md": markdown(body=body)},
        select=["boilerplate/repeated-caption"],
        config=config,
    )
    assert findings_of(run, "boilerplate/repeated-caption") == []


# --- boilerplate/only-boilerplate --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Accessibility links\nSkip to main content\nAdvertisement\n",
        "\nAccessibility links\n\nBreaking News\n\n  • 16x9 Image\n\n"
        "© 2020 Example Corp. All rights reserved.\n\n",
        "Menu\n\nSign in\n\nSubscribe\n",
    ],
)
def test_only_boilerplate_fires(tmp_path, body):
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["boilerplate/only-boilerplate"])
    (finding,) = findings_of(run, "boilerplate/only-boilerplate")
    lines = text.split("\n")
    start = lines.index("---", 1) + 2
    content = [n for n in range(start, len(lines) + 1) if lines[n - 1].strip()]
    assert finding.line == content[0]
    assert finding.end_line == content[-1]
    assert f"all {len(content)} non-blank body lines are boilerplate" in finding.message


def test_only_boilerplate_single_line(tmp_path):
    text = markdown(body="Advertisement\n")
    run = check_files(tmp_path, {"a.md": text}, select=["boilerplate/only-boilerplate"])
    (finding,) = findings_of(run, "boilerplate/only-boilerplate")
    assert finding.line == line_of(text, "Advertisement")
    assert finding.end_line is None


@pytest.mark.parametrize(
    "body",
    [
        "Accessibility links\nSkip to main content\nAdvertisement\n" + VALID_BODY,
        VALID_BODY,
        f"Menu\n{CAPTION}\n",  # the caption is not repeated: it may be article text
        # Only the second copy of a doubled caption is boilerplate; the first one stays.
        f"Menu\n{CAPTION}\n{CAPTION}\nSubscribe\n",
        "",  # empty: body/missing reports it
        "\n\n   \n",
    ],
)
def test_only_boilerplate_passes(tmp_path, body):
    run = check_files(
        tmp_path, {"a.md": markdown(body=body)}, select=["boilerplate/only-boilerplate"]
    )
    assert findings_of(run, "boilerplate/only-boilerplate") == []


# --- the body-only seed ------------------------------------------------------------------


def test_seed_004_body_only_record():
    seed = SEEDS / "004_51557f49c6b96e4e.txt"
    lines = seed.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "Accessibility links"
    assert lines[2] == "Breaking News"
    assert lines[6] == lines[7] == CAPTION
    assert lines[29] == "  • 16x9 Image"
    assert lines[32].strip().startswith("RFE/RL journalists report the news")

    run = check(CheckOptions(paths=[seed], select=["boilerplate"]))
    got = [(f.line, f.rule) for f in run.result.findings]
    assert got == [
        (1, "boilerplate/phrase"),
        (3, "boilerplate/phrase"),
        (8, "boilerplate/repeated-caption"),
        (30, "boilerplate/phrase"),
        (33, "boilerplate/phrase"),
    ]
    messages = {f.line: f.message for f in run.result.findings}
    assert "(phrase tier: generic pack, navigation)" in messages[1]
    assert "(phrase tier: generic pack, banner)" in messages[3]
    assert "(structure tier: doubled caption)" in messages[8]
    assert "(phrase tier: generic pack, placeholder)" in messages[30]
    assert "(phrase tier: rferl pack, footer)" in messages[33]
    # Every tier, the structural ones included, leaves the article prose alone.
    prose = [n for n, line in enumerate(lines, 1) if len(line.split()) > 12 and n != 33]
    assert prose and not set(prose) & set(messages)


# --- phrase packs: the multilingual generic entries, the schema, the pattern vetting ------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Leia também", "generic pack, related"),
        ("Publicidad", "generic pack, advertising"),
        ("À lire aussi :", "generic pack, related"),
        ("Anzeige", "generic pack, advertising"),
        ("Condividi", "generic pack, share"),
        ("Читайте также", "generic pack, related"),
        ("Baca juga", "generic pack, related"),
        ("관련기사", None),  # not in the pack: a control for the Korean entry below
        ("광고", "generic pack, advertising"),
        ("関連記事", "generic pack, related"),
        ("Follow us on Twitter", "generic pack, share"),
        ("3 hours ago", "generic pack, dateline"),
        ("Todos los derechos reservados.", "generic pack, footer"),
    ],
)
def test_phrase_multilingual_entries(tmp_path, line, reason):
    text, found = phrase_run(tmp_path, body_with(line))
    if reason is None:
        assert found == []
        return
    (finding,) = found
    assert finding.line == line_of(text, line)
    assert finding.message.endswith(f"(phrase tier: {reason})")


@pytest.mark.parametrize(
    "sentence",
    [
        "Leia também o relatório completo, disse o ministro aos jornalistas.",
        "La publicidad engañosa fue multada por el regulador.",
        "Werbung und Anzeige kosten das Blatt die Hälfte seiner Einnahmen.",
        "Реклама на телевидении подорожала на треть.",
        "Home prices rose again in the third quarter.",
        "Close to 200 people attended the hearing.",
        "Updated figures from the ministry showed a sharp rise.",
        "By the end of the year, the court had ruled.",
        "The rescue came 3 hours ago, officials said.",
    ],
)
def test_phrase_multilingual_prose_is_never_flagged(tmp_path, sentence):
    _, found = phrase_run(tmp_path, body_with(sentence))
    assert found == []


def test_normalise_line():
    assert normalise_line("  • Skip  to MAIN content: ") == "skip to main content"
    assert normalise_line("+ Menu »") == "menu"
    assert normalise_line("＊Ｍｅｎｕ") == "menu"  # NFKC folds full-width forms
    assert normalise_line("   ") == ""


def test_shipped_packs_validate_and_have_no_risky_patterns():
    packs = load_packs()
    assert [pack.name for pack in packs][:1] == ["generic"]
    assert any("rferl.org" in pack.domains for pack in packs)
    every = sorted((SEEDS.parent / "rules" / "packs").rglob("*.yaml"))
    assert sorted(shipped_packs()) == every  # each one is loaded
    for path in every:
        checked = compile_pack(path)  # raises PackError when the schema or a pattern refuses it
        # A run loads them vetted, skipping only those checks: the result is the same.
        assert compile_pack(path, vetted=True) == checked


def test_pack_schema_is_a_valid_json_schema():
    # Packs are checked by jsonschema-rs first, which does not vet the schema itself.
    from jsonschema import Draft202012Validator

    from rules.boilerplate import PACK_SCHEMA

    Draft202012Validator.check_schema(json.loads(PACK_SCHEMA.read_text(encoding="utf-8")))


def test_libyaml_reads_the_shipped_packs_as_the_pure_python_parser_does():
    import yaml

    from rules.boilerplate import PACK_DIR

    for path in PACK_DIR.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader)


def test_the_shipped_packs_take_the_fast_yaml_path_and_read_as_pyyaml_reads_them():
    # A one-file run then never imports PyYAML for them.
    import yaml

    from rules.boilerplate import PACK_DIR
    from validator.load.fast_yaml import fast_load
    from validator.load.source import YamlLimits

    for path in PACK_DIR.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        fast = fast_load(text, YamlLimits())
        assert fast is not None, f"{path} is not plain YAML: write it in block style"
        assert fast == yaml.load(text, Loader=yaml.SafeLoader)


def test_an_extra_pack_in_flow_style_is_read_by_pyyaml(tmp_path):
    path = tmp_path / "house.yaml"
    path.write_text(
        "name: house\ndomains: [example-herald.org]\n"
        "categories: {footer: {phrases: [All rights reserved by the Herald]}}\n",
        encoding="utf-8",
    )
    pack = compile_pack(path)
    assert pack.domains == ("example-herald.org",)
    assert pack.match(normalise_line("All rights reserved by the Herald")) == "footer"


def test_a_pack_yaml_error_is_worded_by_the_pure_python_parser(tmp_path):
    import yaml

    text = "name: [unclosed\n"
    path = tmp_path / "house.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.load(text, Loader=yaml.SafeLoader)
    with pytest.raises(PackError) as raised:
        compile_pack(path)
    assert str(raised.value) == f"boilerplate pack {path}: {expected.value}"


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+", r"(?: [^.]{0,120}\.?){0,2}", r"(?:\w+\s?)*", r"(x|y)\1"],
)
def test_risky_patterns_are_refused(pattern):
    assert check_pattern(pattern) is not None


@pytest.mark.parametrize(
    "pattern",
    [r"\d{1,2}x\d{1,2} image", r"copyright \d{4}(?: ?- ?\d{4})?[^.]{0,80}", r"(?:a ?[|/] ?b){1,8}"],
)
def test_safe_patterns_pass(pattern):
    assert check_pattern(pattern) is None


@pytest.mark.parametrize(
    ("pack", "error"),
    [
        ("name: house\n", "'categories' is a required property"),
        ("name: house\ncategories: {}\n", "categories"),
        ("name: House Pack\ncategories:\n  x:\n    phrases: [a]\n", "name"),
        ("name: h\nsize: 3\ncategories:\n  x:\n    phrases: [a]\n", "Additional properties"),
        ("name: h\ndomains: [www.example.com]\ncategories:\n  x:\n    phrases: [a]\n", "domains/0"),
        ("name: h\ncategories:\n  x:\n    phrase: [a]\n", "categories/x"),
        ("name: h\ncategories:\n  x:\n    patterns: ['(a+)+']\n", "backtrack catastrophically"),
        ("name: h\ncategories:\n  x:\n    patterns: ['(unclosed']\n", "missing )"),
        ("name: [unclosed\n", "boilerplate pack"),
    ],
)
def test_bad_packs_are_refused_with_a_reason(tmp_path, pack, error):
    path = tmp_path / "house.yaml"
    path.write_text(pack, encoding="utf-8")
    with pytest.raises(PackError) as raised:
        compile_pack(path)
    assert str(path) in str(raised.value)
    assert error in str(raised.value)


def test_bad_extra_pack_is_reported_as_a_rule_crash(tmp_path):
    pack = tmp_path / "house.yaml"
    pack.write_text("name: house\n", encoding="utf-8")
    run = check_files(
        tmp_path,
        {"a.md": markdown()},
        select=["boilerplate/phrase"],
        config=f'[rules."boilerplate/phrase"]\npacks = ["{pack}"]\n',
    )
    (crash,) = findings_of(run, "internal/rule-crash")
    assert "'categories' is a required property" in crash.message


# --- boilerplate/only-boilerplate in JSON bodies -------------------------------------------


def test_only_boilerplate_json_body_with_article_text(tmp_path):
    # All lines of a JSON body sit on one file line: the rule must compare body lines.
    body = "Accessibility links\n\n" + VALID_BODY
    run = check_files(
        tmp_path,
        {
            "a.json": json.dumps(fields(body=body), indent=2),
            "b.jsonl": json.dumps(fields(body=body)) + "\n",
        },
        select=["boilerplate"],
    )
    assert len(findings_of(run, "boilerplate/phrase")) == 2
    assert findings_of(run, "boilerplate/only-boilerplate") == []


def test_only_boilerplate_json_body_of_nothing_else(tmp_path):
    text = json.dumps(fields(body="Accessibility links\n\nAdvertisement\n*\n"), indent=2)
    run = check_files(tmp_path, {"a.json": text}, select=["boilerplate/only-boilerplate"])
    (finding,) = findings_of(run, "boilerplate/only-boilerplate")
    assert finding.line == line_of(text, '"body"')
    assert finding.end_line is None
    assert "all 3 non-blank body lines are boilerplate" in finding.message


def test_only_boilerplate_counts_bare_bullets(tmp_path):
    run = check_files(
        tmp_path,
        {"a.md": markdown(body="Menu\n  *\n×\nSubscribe\n")},
        select=["boilerplate/only-boilerplate"],
    )
    assert len(findings_of(run, "boilerplate/only-boilerplate")) == 1


# --- boilerplate/menu-run ----------------------------------------------------------------

TOP_MENU = (
    "Home\nWorld\nPolitics\nBusiness\nTechnology\nScience\nHealth\nSports\nOpinion\n"
    "Video\nPodcasts\nNewsletters\n"
)
FOOTER = (
    "About Us\nContact Us\nCareers\nAdvertise With Us\nPrivacy Policy\nTerms of Use\nSite Map\n"
)
HEADLINE = "Watchdog Warns About Chilling Effect Of Russia's Use Of Facial Recognition"
ARTICLE = (
    VALID_BODY
    + "\nFacial-recognition technology is by nature deeply intrusive, Natalia Zviagina, Amnesty "
    "International Russia's director, said in a statement.\n\nIn recent years, Russia has "
    "emerged as a leading force in the development of facial-recognition technology, amid what "
    "Kremlin critics called persistent efforts to silence civil society.\n"
)


def menu_run(tmp_path, body, config="", name="a.md", data=None):
    text = markdown(data if data is not None else fields(), body) if name.endswith(".md") else body
    run = check_files(tmp_path, {name: text}, select=["boilerplate/menu-run"], config=config)
    return text, findings_of(run, "boilerplate/menu-run")


def test_menu_run_fires_before_and_after_the_article(tmp_path):
    body = f"{TOP_MENU}\n{HEADLINE}\n\n{ARTICLE}\nMost Popular\n{FOOTER}"
    text, found = menu_run(tmp_path, body)
    start, end = found
    lines = text.split("\n")
    assert (start.line, start.end_line) == (line_of(text, "Home"), line_of(text, "Newsletters"))
    assert start.message == (
        "12 lines of page frame at the start of the body, before the article text, 12 of them "
        "menu items (structure tier: menu run)"
    )
    assert end.line == line_of(text, "Most Popular")
    assert end.end_line == len(lines) - 1  # the last line, 'Site Map' ('' follows the newline)
    assert "at the end of the body, after the article text" in end.message
    for finding in found:  # neither the headline nor the article is inside a finding
        for needle in (HEADLINE, "Amnesty International", "In recent years"):
            assert not finding.line <= line_of(text, needle) <= finding.end_line


def test_menu_run_takes_teasers_and_prose_beyond_the_innermost_run(tmp_path):
    # Past the first footer run everything is frame: teasers, a newsletter blurb, more links.
    tail = (
        "Related Coverage\nRussia Expands Surveillance\nMoscow Court Hears Complaint\n"
        "Activists Sue The City\n\nGet our newsletter. It is free, and it arrives every morning "
        "with the day's top stories.\n\n" + FOOTER
    )
    body = f"{TOP_MENU}\n{ARTICLE}\n{tail}"
    text, found = menu_run(tmp_path, body)
    end = found[-1]
    assert end.line == line_of(text, "Related Coverage")
    assert line_of(text, "Get our newsletter") < end.end_line


def test_menu_run_multilingual_menu(tmp_path):
    menu = "Главная\nНовости\nПолитика\nЭкономика\nОбщество\nСпорт\nКультура\nНаука\nВидео\n"
    article = (
        "Суд в Москве начал рассматривать жалобу на использование системы распознавания лиц, "
        "которую правозащитники называют угрозой для участников мирных акций протеста.\n\n"
        "Власти утверждают, что система помогает искать преступников, однако критики считают, "
        "что она используется для преследования активистов и журналистов.\n"
    )
    text, found = menu_run(tmp_path, f"{menu}\n{article}")
    (start,) = found
    assert (start.line, start.end_line) == (line_of(text, "Главная"), line_of(text, "Видео"))


@pytest.mark.parametrize(
    "body",
    [
        ARTICLE,
        # A clean article with a list of short items at its end: no page frame around it.
        ARTICLE
        + "\nThe Doobie Brothers Tour Dates\n"
        + "".join(f"June {n} – City {n}, Venue {n}\n" for n in range(1, 20)),
        # A changelog at the start: short sentence-case items, separated by blank lines.
        "\n\n".join(
            [
                "New tasks for the game",
                "Better Android support",
                "Bugs fixed",
                "More questions",
                "Challenges coming soon",
                "Faster start",
                "Fewer ads",
                "Dark mode",
            ]
        )
        + "\n\n"
        + ARTICLE,
        # A table inside the article.
        ARTICLE
        + "\n| Pos | Player | Plays |\n"
        + "".join(f"| DL | Player Name{n} | {n} |\n" for n in range(12))
        + "\n"
        + ARTICLE,
        # A short menu (fewer than min-run lines) is left to the phrase tier.
        "Home\nWorld\nPolitics\nSports\n\n" + ARTICLE,
        "Accessibility links\n\nBreaking News\n\n" + ARTICLE,
        "",
    ],
)
def test_menu_run_leaves_clean_articles_alone(tmp_path, body):
    _, found = menu_run(tmp_path, body)
    assert found == []


def test_menu_run_min_run_option(tmp_path):
    body = f"Home\nWorld\nPolitics\nSports\nVideo\n\n{ARTICLE}"
    assert menu_run(tmp_path, body)[1] == []
    config = '[rules."boilerplate/menu-run"]\nmin-run = 5\n'
    _, found = menu_run(tmp_path, body, config)
    (start,) = found
    assert start.message.startswith("5 lines of page frame at the start")


def test_menu_run_json_body_points_at_the_body(tmp_path):
    body = f"{TOP_MENU}\n{ARTICLE}"
    text = json.dumps(fields(body=body), indent=2)
    _, found = menu_run(tmp_path, text, name="a.json")
    (start,) = found
    assert start.line == line_of(text, '"body"')
    assert start.end_line is None


def test_menu_run_is_not_fixable_and_phrase_tier_rules_are():
    from validator.registry import default_registry

    rules = default_registry().rules
    assert not rules["boilerplate/menu-run"].fixable
    assert not rules["boilerplate/only-boilerplate"].fixable
    for slug in ("phrase", "repeated-caption", "link-line", "learned-line"):
        assert rules[f"boilerplate/{slug}"].fixable
    codes = [rule.code for slug, rule in rules.items() if slug.startswith("boilerplate/")]
    assert sorted(codes) == ["BP001", "BP002", "BP003", "BP004", "BP005", "BP006"]


# --- boilerplate/link-line ---------------------------------------------------------------


def link_run(tmp_path, body, config=""):
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["boilerplate/link-line"], config=config)
    return text, findings_of(run, "boilerplate/link-line")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("  *", "a bullet or symbol with no text"),
        ("* __", "a bullet or symbol with no text"),
        ("+", "a bullet or symbol with no text"),
        ("×", "a bullet or symbol with no text"),
        ("  •  ", "a bullet or symbol with no text"),
        ("[Home](https://example.com/) | [World](https://example.com/world)", "a row of 2 links"),
        ("https://example.com/a https://example.com/b", "a row of 2 links"),
    ],
)
def test_link_line_fires(tmp_path, line, reason):
    text, found = link_run(tmp_path, body_with(line))
    (finding,) = found
    assert finding.line == text.split("\n").index(line) + 1
    assert finding.message.endswith(f"is {reason} (structure tier: link line)")


@pytest.mark.parametrize(
    "line",
    [
        "* * *",  # a section break
        "---",
        "___",
        "| --- | --- |",  # a table's rule row
        "\u200b",  # invisible: a blank line
        ".",  # a fragment of a sentence, not a control
        "The report is at [the ministry's site](https://example.com/report).",
        "[Read the full report](https://example.com/report)",  # a single link may be the article's
        "See https://example.com/a and https://example.com/b for the two rulings.",
        "* * * * * * * * * * * * * * *",
    ],
)
def test_link_line_passes(tmp_path, line):
    _, found = link_run(tmp_path, body_with(line))
    assert found == []


def test_link_line_max_chars(tmp_path):
    line = "» » » » » » »"  # 13 characters
    assert link_run(tmp_path, body_with(line))[1] == []
    config = '[rules."boilerplate/link-line"]\nmax-chars = 13\n'
    assert len(link_run(tmp_path, body_with(line), config)[1]) == 1
