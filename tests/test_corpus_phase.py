"""The corpus phase places each corpus finding at its record, read again from its file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import VALID_BODY, fields
from validator.app import CheckOptions
from validator.audit import audit


def test_corpus_findings_in_a_large_jsonl_file_land_on_their_lines(tmp_path: Path) -> None:
    lines = [
        fields(
            title=f"Story number {n}",
            webUrl=f"https://www.hrw.org/news/{n % 3 if n in (1, 4) else n}",
            originalUrl=f"https://www.hrw.org/news/{n}",
            body=f"{VALID_BODY}Unique line {n}.\n",
        )
        for n in range(6)
    ]
    (tmp_path / "newslint.toml").write_text("[limits]\nmax-file-bytes = 2000\n")
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = audit(
        CheckOptions(paths=[tmp_path], select=["corpus/duplicate-url"], use_cache=False, jobs=1)
    )
    found = [(f.line, f.record, f.pointer) for f in result.run.result.findings]
    assert sorted(found) == [(2, 1, "/webUrl"), (5, 4, "/webUrl")]
