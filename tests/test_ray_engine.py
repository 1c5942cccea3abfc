"""The Ray engine (`--engine ray`) on a real local Ray instance: 2 CPUs, loopback only.

The instance is started once for the module, with a secured key in its environment; in-process
runs reuse its connection, command line runs connect to it by address (--ray-address,
RAY_ADDRESS) as separate Ray jobs.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import REPO, SEEDS, VALID_BODY, fields, markdown
from validator.app import CheckOptions, check, prepare
from validator.cli import cli
from validator.config import ConfigError
from validator.engine import CRASH_SLUG, CheckRequest, run_check

# Ray reads these when it is imported and when it starts: keep every address on 127.0.0.1
# (otherwise it swaps loopback for this machine's network address) and send nothing out.
LOOPBACK_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_AUTH_MODE": "token",
}
PATHS = ["gen/txt", "seeds", "bad"]
KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """A local Ray with 2 CPUs for the module; yields its address (host:port)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LOOPBACK_ENV.items():
            patch.setenv(name, value)
        patch.delenv("RAY_ADDRESS", raising=False)
        # The cluster's workers inherit it: a driver without it prepares another check.
        patch.setenv("NEWSLINT_SECURED_KEY", KEY)
        ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'newslint[ray]'")
        context = ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            logging_level=logging.WARNING,
        )
        try:
            yield str(context.address_info["gcs_address"])
        finally:
            ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated records, the seeds, and inputs that cannot be read as records."""
    root = tmp_path_factory.mktemp("ray-corpus")
    (root / "newslint.toml").write_text("")
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "generate.py"),
            str(root / "gen"),
            "--records",
            "200",
        ],
        check=True,
        capture_output=True,
    )
    shutil.copytree(SEEDS, root / "seeds")
    bad = root / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (bad / "broken-yaml.md").write_text("---\ntitle: [unclosed\nquality: : 3\n---\nBody.\n")
    (bad / "half.jsonl").write_text(json.dumps(fields()) + "\n{not json\n")
    (bad / "short.md").write_text(markdown(fields(), "Too short."))
    return root


def report(paths: list[str], **options: Any) -> dict[str, Any]:
    run = check(CheckOptions(paths=[Path(p) for p in paths], use_cache=False, **options))
    document: dict[str, Any] = json.loads(run.render("json"))
    return document


def same(ray_report: dict[str, Any], local_report: dict[str, Any]) -> None:
    assert ray_report["findings"] == local_report["findings"]
    assert ray_report["files"] == local_report["files"]
    assert ray_report["summary"] == local_report["summary"]


@pytest.fixture(scope="module")
def local_report(ray_cluster: str, corpus: Path) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(corpus)
        return report(PATHS, jobs=1)


def newslint(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    variables = {**os.environ, **LOOPBACK_ENV, **env}
    if "RAY_ADDRESS" not in env:
        variables.pop("RAY_ADDRESS", None)
    return subprocess.run(
        [sys.executable, "-m", "validator", *args],
        cwd=cwd,
        env=variables,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_findings_are_identical_to_the_local_engine(
    ray_cluster: str, corpus: Path, local_report: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus)  # relative paths: the workers resolve them from here too
    ray_report = report(PATHS, engine="ray")
    same(ray_report, local_report)
    assert ray_report["summary"]["files"] == 200 + 2 + 4
    rules = {finding["rule"] for finding in ray_report["findings"]}
    assert {"input/binary", "boilerplate/phrase", "schema/violation"} <= rules


@pytest.mark.slow
def test_ray_address_flag_connects_to_the_cluster(
    ray_cluster: str, corpus: Path, local_report: dict[str, Any]
) -> None:
    done = newslint(
        "check", "--engine", "ray", "--ray-address", ray_cluster, "--no-cache", "--format",
        "json", *PATHS, cwd=corpus,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    same(json.loads(done.stdout), local_report)


@pytest.mark.slow
def test_ray_address_environment_variable_is_the_default(ray_cluster: str, corpus: Path) -> None:
    done = newslint(
        "check", "--engine", "ray", "--no-cache", "--format", "json", "seeds",
        cwd=corpus, RAY_ADDRESS=ray_cluster,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["files"] == 2


@pytest.mark.slow
def test_workers_that_would_report_other_findings_stop_the_run(
    ray_cluster: str, corpus: Path
) -> None:
    done = newslint(
        "check", "--engine", "ray", "--ray-address", ray_cluster, "--no-cache", "seeds",
        cwd=corpus, NEWSLINT_SECURED_KEY="",
    )  # fmt: skip
    assert done.returncode == 2
    assert "prepared a different check from this machine's" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_unreachable_address_is_a_usage_error(ray_cluster: str, corpus: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    done = newslint(
        "check", "--engine", "ray", "--no-cache", "seeds", cwd=corpus, RAY_ADDRESS=address
    )
    assert done.returncode == 2
    assert f"cannot reach the Ray cluster at {address}" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
    result = CliRunner().invoke(cli, ["check", "--engine", "ray", str(SEEDS)])
    assert result.exit_code == 2
    assert "--engine ray needs Ray, which is not installed: pip install 'newslint[ray]'" in (
        result.output
    )


def _request(tmp_path: Path, files: dict[str, str]) -> CheckRequest:
    (tmp_path / "newslint.toml").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    options = CheckOptions(paths=[tmp_path], use_cache=False, engine="ray")
    return prepare(options)[0]


@pytest.mark.slow
def test_a_worker_that_dies_costs_only_its_file(ray_cluster: str, tmp_path: Path) -> None:
    files = {f"r{n}.md": markdown(fields(title=f"Story {n}"), VALID_BODY) for n in range(6)}
    files["kill-me.md"] = markdown(fields(), VALID_BODY)

    def killing_factory(spec: CheckOptions) -> CheckRequest:
        # Defined here so that Ray ships it by value; the patch stays in the worker, so it
        # acts on this test's file name only.
        import signal

        from rules.body import BodyTooShort
        from validator.app import build_worker_request

        original = BodyTooShort.check

        def check(self: Any, record: Any, context: Any) -> Any:
            if record.path.endswith("kill-me.md"):
                os.kill(os.getpid(), signal.SIGKILL)
            return original(self, record, context)

        BodyTooShort.check = check  # type: ignore[method-assign]
        return build_worker_request(spec)

    request = replace(_request(tmp_path, files), worker_factory=killing_factory)
    result = run_check(request)
    paths = [file.path for file in result.files]
    assert sorted(Path(p).name for p in paths) == sorted(files)
    crashed = [f for f in result.findings if f.rule == CRASH_SLUG]
    assert [Path(f.path).name for f in crashed] == ["kill-me.md"]
    assert "Ray worker checking this file died" in crashed[0].message
    assert result.crashed


@pytest.mark.slow
def test_a_worker_that_cannot_prepare_stops_the_run(ray_cluster: str, tmp_path: Path) -> None:
    def failing_factory(spec: CheckOptions) -> CheckRequest:
        raise ConfigError("newslint.toml: not found on this node")

    request = replace(_request(tmp_path, {"a.md": markdown()}), worker_factory=failing_factory)
    with pytest.raises(ConfigError, match=r"could not prepare the check .* not found on this"):
        run_check(request)


def _unreachable_address() -> str:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.skipif(
    importlib.util.find_spec("ray") is None,
    reason="Ray is not installed: pip install 'newslint[ray]'",
)
def test_a_run_served_from_the_cache_never_contacts_ray(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text(markdown(fields(), VALID_BODY), encoding="utf-8")
    # An error of its own, whether or not an earlier test left a secured key in the environment.
    (tmp_path / "empty.md").write_text(markdown(fields(), ""), encoding="utf-8")
    report = ("--format", "json", ".")
    local = newslint("check", *report, cwd=tmp_path)
    assert local.returncode == 1, local.stderr

    # Ray would be asked for its cluster at this address, and fail to reach it.
    on_ray = ("check", "--engine", "ray", "--ray-address", _unreachable_address(), *report)
    cached = newslint(*on_ray, cwd=tmp_path)
    assert (cached.returncode, cached.stderr) == (1, "")
    assert json.loads(cached.stdout) == json.loads(local.stdout)

    (tmp_path / "b.md").write_text(markdown(fields(), "Changed, and too short."))
    needs_ray = newslint(*on_ray, cwd=tmp_path)  # one file to check: now Ray is needed
    assert needs_ray.returncode == 2
    assert "cannot reach the Ray cluster" in needs_ray.stderr
