"""Shared plumbing for tests: write records into a temporary folder and check them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from validator.app import CheckOptions, CheckRun, check
from validator.findings import Finding

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"

VALID_FIELDS: dict[str, Any] = {
    "category": "news",
    "title": "Russia Expands Facial Recognition Despite Privacy Concerns",
    "excerpt": "Russian authorities are planning to expand the use of CCTV cameras.",
    "publishedDateTime": "2020-10-02T04:30:00Z",
    "originalUrl": "https://www.hrw.org/news/2020/10/02/russia-expands-facial-recognition",
    "webUrl": "https://www.hrw.org/news/2020/10/02/russia-expands-facial-recognition",
    "type": "article",
    "quality": 39,
    "heat": 39,
    "published": False,
    "provider": {"name": "Human Rights Watch", "domain": "hrw.org"},
    "topics": ["Computer Vision", "AI"],
    "images": [
        {
            "url": "https://www.hrw.org/sites/default/files/a.JPG",
            "width": 5385,
            "height": 3400,
            "isCached": True,
        }
    ],
    "secured": "AOY/rSOv6r7rCCf5hVC7K3xnFEl0+gt5IotDn0+KtpjPsG5ZgG1NSWlXGhmkDzoPRNJyGhDnnYAdJqEroVSBPd0C9jYxuVEOpgofagAg0YtVxTbhbIYyOJVugmzJa6kfOcmdVohpm5yjb02/EalppwzxZKId+f4JZ5Wh+BYWzmsLdUWGTEmuesJX2YceGVblSOpSm7CRm9ikRS2nJoXqBKcOSFV5GcraEbwWeDBtheuUPJ4F3eDgva6I/T5gWuC6CajLJ40vGNsiu1URHAwXRLaos4sYLnrD4xrylpwCcceCe8FGhm6kbLKIdOMa4w5Xf0+2wnyJNO0+nU1RH9ELZUapsXOESF7mIDFEtZPmq2655zdRXIE5511t9dJ11vd1isMXUgn2M9VnJrKvQ8X1FDisJ6nqOnoJ+F2ljI2b/upCRGBBvo5O2NkTYKjNQP0W1FRTgtsZ1RecB5r7fbayjQ92nI1UPQVyBP48nBRYbiz6UqNnDkLFHo4rMePh9L/AmCEPT2EMHUH5Cu1EyQjtyQ==;KedbQq+O6KDZdvwZNEh7zA==",
}

VALID_BODY = (
    "Amnesty International has criticized Russia's plans to broaden the use of widespread "
    "facial-recognition systems, saying their expected deployment during public gatherings "
    "will inevitably have a chilling effect on protesters. The London-based human rights "
    "watchdog issued the call on January 31, as a Moscow court was set to hear a complaint "
    "against the use of such technologies to crack down on peaceful protests.\n"
)


def fields(**overrides: Any) -> dict[str, Any]:
    """A valid record's fields with ``overrides`` applied (a value of None removes the key)."""
    data = json.loads(json.dumps(VALID_FIELDS))
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def markdown(data: dict[str, Any] | None = None, body: str = VALID_BODY) -> str:
    """A front-matter record as newslint reads it from disk."""
    front = yaml.safe_dump(
        data if data is not None else fields(), sort_keys=False, allow_unicode=True
    )
    return f"---\n{front}---\n{body}"


def check_files(
    tmp_path: Path,
    files: dict[str, str | bytes],
    *,
    select: list[str] | None = None,
    config: str = "",
    **options: Any,
) -> CheckRun:
    """Write ``files`` (name -> content) and a newslint.toml into tmp_path and check them."""
    (tmp_path / "newslint.toml").write_text(config, encoding="utf-8")
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return check(
        CheckOptions(paths=[tmp_path / name for name in files], select=select or [], **options)
    )


def findings_of(run: CheckRun, rule: str) -> list[Finding]:
    return [f for f in run.result.findings if f.rule == rule]


def rules_fired(run: CheckRun) -> set[str]:
    return {f.rule for f in run.result.findings}
