"""End to end: `newslint check --online` on a folder of records pointing at a local server."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.helpers import fields, markdown
from tests.online.helpers import png
from tests.online.server import Reply, TestServer
from validator.cli import cli

CONFIG = """\
[online]
allow-private = ["127.0.0.1"]
timeout = 3
retries = 1
backoff = 0.01
host-delay = 0
max-retry-after = 1
"""
ONLINE = {
    "link/dangling",
    "link/unreachable",
    "link/soft-404",
    "link/not-evaluated",
    "image/dimension-mismatch",
    "image/unreachable",
}


def _corpus(folder: Path, server: TestServer) -> None:
    server.routes["/ok"] = Reply(200)
    server.routes["/broken"] = Reply(500)
    server.routes["/busy"] = Reply(429, headers={"Retry-After": "3600"})
    server.routes["/old-story"] = Reply(301, headers={"Location": "/"})
    server.routes["/"] = Reply(200)
    server.routes["/a.png"] = Reply(200, png(40, 30), content_type="image/png")
    cases = {
        "ok.md": ("/ok", [{"url": server.url("/a.png"), "width": 40, "height": 30}]),
        "dead.md": ("/dead", []),
        "broken.md": ("/broken", []),
        "busy.md": ("/busy", []),
        "soft.md": ("/old-story", []),
        "image-size.md": ("/ok", [{"url": server.url("/a.png"), "width": 800, "height": 600}]),
        "image-gone.md": ("/ok", [{"url": server.url("/gone.png"), "width": 8, "height": 8}]),
    }
    (folder / "newslint.toml").write_text(CONFIG, encoding="utf-8")
    for name, (path, images) in cases.items():
        data = fields(webUrl=server.url(path), originalUrl=None, images=images or None)
        (folder / name).write_text(markdown(data), encoding="utf-8")


def _check(folder: Path, *args: str) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["check", "--format", "json", *args, str(folder)])
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    return result.exit_code, [f for f in document["findings"] if f["rule"] in ONLINE]


def test_check_online_reports_each_case(tmp_path: Path, server: TestServer) -> None:
    _corpus(tmp_path, server)
    code, found = _check(tmp_path, "--online")
    assert code == 1
    by_file = {(Path(f["path"]).name, f["rule"], f["pointer"]) for f in found}
    assert by_file == {
        ("dead.md", "link/dangling", "/webUrl"),
        ("broken.md", "link/unreachable", "/webUrl"),
        ("busy.md", "link/not-evaluated", "/webUrl"),
        ("soft.md", "link/soft-404", "/webUrl"),
        ("image-size.md", "image/dimension-mismatch", "/images/0/width"),
        ("image-gone.md", "image/unreachable", "/images/0/url"),
    }
    dangling = next(f for f in found if f["rule"] == "link/dangling")
    assert dangling["severity"] == "error" and dangling["code"] == "ON001"
    assert dangling["line"] > 1  # placed at the webUrl line of the front matter
    hits = server.count()

    # The second run reads the cache in the config's folder: only the transient answers
    # (500, 429) are asked again.
    _, again = _check(tmp_path, "--online")
    assert {f["rule"] for f in again} == {f["rule"] for f in found}
    assert {hit.path for hit in server.hits[hits:]} == {"/broken", "/busy"}
    assert any("cached result from" in f["message"] for f in again)


def test_without_online_nothing_is_fetched(tmp_path: Path, server: TestServer) -> None:
    _corpus(tmp_path, server)
    _, found = _check(tmp_path)
    assert found == [] and server.count() == 0


def test_image_dir_from_the_command_line(tmp_path: Path, server: TestServer) -> None:
    _corpus(tmp_path, server)
    images = tmp_path / "imgs"
    (images / "127.0.0.1").mkdir(parents=True)
    (images / "127.0.0.1" / "a.png").write_bytes(png(800, 600))
    (images / "gone.png").write_bytes(png(8, 8))
    _, found = _check(tmp_path, "--online", "--image-dir", str(images), "--select", "image")
    # ok.md declares the 800×600 file in the image dir as 40×30; image-size.md is right now.
    assert [(Path(f["path"]).name, f["rule"]) for f in found] == [
        ("ok.md", "image/dimension-mismatch")
    ]
    assert not [hit for hit in server.hits if hit.path.endswith(".png")]


def test_bad_online_setting_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("[online]\nper-hots = 3\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--online", str(tmp_path)])
    assert result.exit_code == 2
    assert "online.per-hots" in result.output


def test_network_absent_is_one_notice_and_the_offline_checks_still_run(tmp_path: Path) -> None:
    from tests.online.helpers import closed_port

    port = closed_port()
    (tmp_path / "newslint.toml").write_text(CONFIG, encoding="utf-8")
    for i in range(12):
        url = f"http://127.0.0.1:{port}/story-{i}"
        images = [{"url": f"http://127.0.0.1:{port}/{i}.png", "width": 8, "height": 8}]
        data = fields(webUrl=url, originalUrl=url, images=images)
        (tmp_path / f"r{i:02}.md").write_text(markdown(data, body=""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--online", "--format", "json", str(tmp_path)])
    document = json.loads(result.stdout)
    online = [f for f in document["findings"] if f["rule"] in ONLINE]
    assert len(online) == 1
    (notice,) = online
    assert notice["rule"] == "link/not-evaluated" and Path(notice["path"]).name == "r00.md"
    assert "network is unreachable" in notice["message"]
    assert "12 links and 12 images were not evaluated" in notice["message"]
    # The offline findings are all there (every body is empty).
    assert len([f for f in document["findings"] if f["rule"] == "body/missing"]) == 12
    assert result.exit_code == 1


def test_no_cache_flag_reaches_the_online_checks(tmp_path: Path, server: TestServer) -> None:
    _corpus(tmp_path, server)
    _check(tmp_path, "--online")
    hits = server.count("/dead")
    _, found = _check(tmp_path, "--online", "--no-cache")
    assert server.count("/dead") > hits
    assert not any("cached result" in f["message"] for f in found)
