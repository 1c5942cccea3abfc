"""Precision of the offline rules on cases found in real data (smartable, the extraction benchmark).

Each test is a small synthetic record shaped like a real case the rule got wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.boilerplate_structure import MenuRunOptions, page_chrome
from rules.meta import find_mojibake
from tests.helpers import VALID_BODY, check_files, findings_of, markdown

MENU_LINES = "\n".join(
    ["Home", "World", "Politics", "Business", "Markets", "Tech", "Science", "Sports", "Opinion"]
)
# Written for these tests: a short market report, then the page's closing lines as a scraper
# leaves them (a sentence of the article between two upper-case 'read more' prompts).
ARTICLE = "\n\n".join(
    [
        "The garden-tools chain reported quarterly earnings that beat forecasts on Tuesday, "
        "although its sales fell short and it trimmed its outlook for the rest of the year.",
        "Profit rose to $1.4 billion, or $1.21 a share, while revenue grew to $12.9 billion "
        "from $12.5 billion a year earlier, helped by a warm spring in the northern states.",
        "The company now expects sales to grow by about two percent this year, down from the "
        "three percent it forecast in May, citing cautious shoppers and higher freight costs.",
    ]
)
SENTENCE = "The chain's shares have gained 21 percent this year while the index is up 14 percent."
FOLLOW_PROMPT = "FOLLOW OUR MARKETS DESK FOR MORE STORIES LIKE THIS"
APP_PROMPT = "GET OUR APP FOR THE LATEST BUSINESS NEWS"


def test_menu_run_end_frame_does_not_start_on_an_article_sentence() -> None:
    """The frame after the article must start at the frame, never on a sentence of the article
    that sat between two headline-like prompts (Fox Business in the extraction benchmark, page
    51374560...: its closing sentence on the company's shares was reported as page frame,
    because trimming the run's inner edge skipped headline lines only, not the prose the run
    bridged between them)."""
    body = "\n\n".join([MENU_LINES, ARTICLE, APP_PROMPT, SENTENCE, FOLLOW_PROMPT, MENU_LINES])
    lines = body.split("\n")
    frames = page_chrome(body, MenuRunOptions())
    end = [frame for frame in frames if frame.where == "end"]
    assert end, frames
    assert end[0].first > lines.index(SENTENCE)
    assert lines[end[0].first] == "Home"


def test_menu_run_start_frame_does_not_end_on_an_article_sentence() -> None:
    """The same on the other side: the frame before the article ends at the frame, not on a
    sentence bridged between headline-like prompts."""
    body = "\n\n".join([MENU_LINES, FOLLOW_PROMPT, SENTENCE, APP_PROMPT, ARTICLE])
    lines = body.split("\n")
    frames = page_chrome(body, MenuRunOptions())
    start = [frame for frame in frames if frame.where == "start"]
    assert start, frames
    assert start[0].last < lines.index(SENTENCE)
    assert lines[start[0].last] == "Opinion"


@pytest.mark.parametrize(
    "text",
    [
        "„Das macht Spaß“, sagte die Ministerin.",
        "»Spaß« ist das Wort des Jahres.",
        "The crowd chanted “OLÉ” all night.",
        "Air strike near the border with PERÚ—officials deny it.",
    ],
)
def test_mojibake_passes_a_letter_before_a_quote_or_dash(text: str) -> None:
    """Correct German, Spanish and French text puts a closing quote or a dash right after a
    word's last letter ('ß“', 'É”', 'Ú—'). Read as Windows-1252 bytes these pairs decode as UTF-8
    to NKo, IPA or Arabic characters, so meta/mojibake reported them although its card says
    proper text with quotes and dashes passes."""
    assert find_mojibake(text) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [("Ã–sterreich wählt", "Ã–"), ("Å“uvre", "Å“"), ("Russiaâ€™s plans", "â€™")],
)
def test_mojibake_still_finds_a_letter_read_as_a_quote_or_dash(text: str, found: str) -> None:
    """Real mojibake of that shape decodes to a Latin letter ('Ã–' is 'Ö', 'Å“' is 'œ') and
    is still reported."""
    assert find_mojibake(text) == found


# A short but complete Japanese news item, written for this test: eight sentences, about 280
# characters (some 140 words), whose \w+ runs number fewer than 50 because Japanese puts no
# spaces between words.
JAPANESE_ARTICLE = "\n\n".join(
    [
        "東京都は十五日、首都直下地震に備えた新しい防災計画を発表した。",
        "計画では、二〇三〇年までに避難所の数を現在の一・五倍に増やすことを目標としている。",
        "また、高齢者や障害のある人が安全に避難できるよう、地域ごとに支援担当者を置く。",
        "都の担当者は記者会見で「住民一人ひとりが日頃から備えることが大切だ」と述べた。",
        "新しい計画には、非常食や飲料水の備蓄を三日分から七日分に増やすことも盛り込まれた。",
        "専門家は、計画の方向性を評価しつつも、財源の確保が課題になると指摘している。",
        "都は来月から区市町村との協議を始め、年内に具体的な実施方法をまとめる方針だ。",
        "住民向けの説明会は、来月以降に各地で順次開かれる予定となっている。",
    ]
)


def test_too_short_counts_japanese_characters_not_clauses(tmp_path: Path) -> None:
    """body/too-short counts words; Japanese and Chinese have no spaces, so a \\w+ run is a
    whole clause and a complete article of several hundred characters counted under 50 'words'
    (the benchmark's Japanese trademark article, 865 characters, counted 66 and any article
    half its length would have been called truncated). Their characters count two to a word."""
    run = check_files(
        tmp_path, {"a.md": markdown(body=JAPANESE_ARTICLE)}, select=["body/too-short"]
    )
    assert findings_of(run, "body/too-short") == []


def test_too_short_still_reports_a_one_sentence_japanese_teaser(tmp_path: Path) -> None:
    """A single Japanese sentence is still a teaser, not the article."""
    body = "東京都は十五日、新しい防災計画を発表した。\n"
    run = check_files(tmp_path, {"a.md": markdown(body=body)}, select=["body/too-short"])
    (finding,) = findings_of(run, "body/too-short")
    assert "fewer than 50" in finding.message


@pytest.mark.parametrize(
    "line",
    ["Facebook Twitter Email LinkedIn Reddit Pinterest", "Terms of Service Privacy Notice"],
)
def test_phrase_finds_rows_whose_items_only_a_space_separates(tmp_path: Path, line: str) -> None:
    """boilerplate/phrase promises share rows and terms footers. A scraper that joins the
    buttons' labels with a space (the benchmark's html-text output of a Times Union share bar
    and of USA Today network footers) left rows the pack's patterns missed: they wanted '|',
    '/', '·' or ','."""
    body = f"{VALID_BODY}\n\n{line}\n"
    run = check_files(tmp_path, {"a.md": markdown(body=body)}, select=["boilerplate/phrase"])
    (finding,) = findings_of(run, "boilerplate/phrase")
    assert line in finding.message


def test_phrase_passes_a_sentence_naming_share_buttons(tmp_path: Path) -> None:
    """A sentence that merely names the services is article text."""
    body = f"{VALID_BODY}\n\nShare your photos on Facebook or Twitter with the hashtag.\n"
    run = check_files(tmp_path, {"a.md": markdown(body=body)}, select=["boilerplate/phrase"])
    assert findings_of(run, "boilerplate/phrase") == []
