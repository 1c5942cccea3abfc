from __future__ import annotations

from validator.engine import FileOutcome, RunResult, file_spool, finding_spool
from validator.findings import Finding, Severity
from validator.spool import Spool


def _finding(n: int, path: str = "a.txt") -> Finding:
    return Finding(
        "body/missing", "BD001", Severity.ERROR, f"m{n} é \\x00", path, n, 1, None, "/x", 0, "f"
    )


def test_items_beyond_the_limit_come_back_in_order_and_equal() -> None:
    spool: Spool[list[int]] = Spool(lambda item: item, list, limit=3)
    for n in range(10):
        spool.append([n, n * n])
    assert len(spool) == 10
    assert list(spool) == [[n, n * n] for n in range(10)]
    assert list(spool) == list(spool)  # iterable more than once


def test_appends_during_an_iteration_do_not_disturb_it() -> None:
    spool: Spool[int] = Spool(lambda item: item, int, range(5), limit=2)
    seen = []
    for item in spool:
        seen.append(item)
        spool.append(100 + item)
    assert seen == [0, 1, 2, 3, 4]
    assert list(spool) == [0, 1, 2, 3, 4, 100, 101, 102, 103, 104]


def test_findings_and_files_survive_the_round_trip() -> None:
    findings = finding_spool()
    findings._limit = 2
    expected = [_finding(n) for n in range(5)]
    findings.extend(expected)
    assert list(findings) == expected
    files = file_spool()
    assert not files


def test_run_result_drop_and_replace_keep_file_status_right() -> None:
    result = RunResult()
    result.findings._limit = result.files._limit = 2
    for n, path in enumerate(["a.txt", "b.txt", "c.txt"]):
        findings = [_finding(n, path)] if path != "c.txt" else []
        status = "findings" if findings else "clean"
        result.add(FileOutcome(path, 1, status, 1, findings))
    result.drop([_finding(0, "a.txt")])
    assert [f.path for f in result.findings] == ["b.txt"]
    assert [(f.path, f.status) for f in result.files] == [
        ("a.txt", "clean"),
        ("b.txt", "findings"),
        ("c.txt", "clean"),
    ]
    result.replace_findings([*result.findings, _finding(9, "c.txt")])
    assert [f.status for f in result.files] == ["clean", "findings", "findings"]
    assert result.records == 3
