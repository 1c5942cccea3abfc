"""schemas/config.schema.json is generated from the Config model; a test keeps them equal.

Run `python -m validator.config_schema > schemas/config.schema.json` after changing Config.
"""

from __future__ import annotations

import json
from typing import Any

from validator.config import Config


def config_schema() -> dict[str, Any]:
    schema = Config.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://newslint.dev/schemas/config.schema.json",
        "title": "newslint configuration ([tool.newslint] in pyproject.toml, or newslint.toml)",
        **{k: v for k, v in schema.items() if k != "title"},
    }


if __name__ == "__main__":
    print(json.dumps(config_schema(), indent=2))
