"""The rule table of the README, generated from the registry (a test keeps them equal).

Run `python -m validator.docs` and paste its output between the README's rule-table markers.
"""

from __future__ import annotations

from validator.registry import Registry, default_registry

BEGIN = "<!-- rules-table:begin -->"
END = "<!-- rules-table:end -->"


def rule_table(registry: Registry) -> str:
    lines = [
        BEGIN,
        "| Rule | Code | Severity | Fixable | What it reports |",
        "| --- | --- | --- | --- | --- |",
    ]
    for slug, rule in registry.rules.items():
        fixable = "yes" if rule.fixable else ""
        lines.append(
            f"| `{slug}` | {rule.code} | {rule.severity.value} | {fixable} | {rule.summary} |"
        )
    lines.append(END)
    return "\n".join(lines)


if __name__ == "__main__":
    print(rule_table(default_registry()))
