"""boilerplate/: whole-line web-page chrome, doubled captions, and bodies of nothing else."""

from __future__ import annotations

import pytest

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
    assert f"boilerplate line {' '.join(line.split())!r} ({reason})" == finding.message


def test_phrase_rferl_footer_for_rferl_records(tmp_path):
    data = fields(provider=RFERL, webUrl="https://www.rferl.org/a/story.html")
    text, found = phrase_run(tmp_path, VALID_BODY + "\n" + RFERL_FOOTER + "\n", data)
    (finding,) = found
    assert finding.line == line_of(text, "RFE/RL journalists report")
    assert "(rferl pack, footer)" in finding.message
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
    assert "(house pack, promo)" in finding.message


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
    assert f"{CAPTION!r} repeats the line before it" in finding.message


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
    assert "(generic pack, navigation)" in messages[1]
    assert "(generic pack, banner)" in messages[3]
    assert "(generic pack, placeholder)" in messages[30]
    assert "(rferl pack, footer)" in messages[33]
