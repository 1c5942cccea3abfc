"""The image rules: sizes read from the first bytes, against a real HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.online.helpers import (
    gif,
    jpeg_with_big_header,
    pillow_image,
    png,
    run_online,
    summary,
)
from tests.online.server import Reply, TestServer
from validator.online.images import image_dir_candidates, image_size


def images(*items: tuple[str, int | None, int | None]) -> list:  # type: ignore[type-arg]
    return [
        summary(
            "img.md", images=[(f"/images/{i}", url, w, h) for i, (url, w, h) in enumerate(items)]
        )
    ]


def serve(server: TestServer, path: str, data: bytes, content_type: str = "image/png") -> str:
    server.routes[path] = Reply(200, data, content_type=content_type)
    return server.url(path)


def test_true_and_false_dimensions(server: TestServer, tmp_path: Path) -> None:
    true_png = serve(server, "/true.png", png(40, 30))
    false_png = serve(server, "/false.png", png(40, 30))
    true_gif = serve(server, "/true.gif", gif(320, 200), "image/gif")
    jpeg = serve(server, "/photo.jpg", pillow_image("JPEG", 64, 48), "image/jpeg")
    webp = serve(server, "/photo.webp", pillow_image("WEBP", 50, 20), "image/webp")
    found = run_online(
        images(
            (true_png, 40, 30),
            (false_png, 400, 300),
            (true_gif, 320, 200),
            (jpeg, 64, 48),
            (webp, 50, 21),
        ),
        tmp_path,
    )
    assert [(f.rule, f.pointer) for f in found] == [
        ("image/dimension-mismatch", "/images/1/width"),
        ("image/dimension-mismatch", "/images/4/height"),
    ]
    assert "image is 40×30 pixels, but the record declares 400×300" in found[0].message
    assert "50×20" in found[1].message
    # Images are never HEADed: one ranged GET each, for the first image-bytes only.
    assert {hit.method for hit in server.hits} == {"GET"}
    assert {hit.headers["range"] for hit in server.hits} == {"bytes=0-65535"}


def test_tolerance_option(server: TestServer, tmp_path: Path) -> None:
    from rules.online import DimensionMismatch, DimensionOptions
    from tests.online.helpers import FAST
    from validator.online.settings import parse_online_settings
    from validator.rule import CheckContext

    url = serve(server, "/a.png", png(100, 50))
    settings = parse_online_settings(dict(FAST), "newslint.toml", tmp_path, None, False)
    context = CheckContext(online=settings)
    summaries = images((url, 102, 50))
    strict = list(DimensionMismatch().check_corpus(summaries, context))
    lenient = list(
        DimensionMismatch(DimensionOptions(tolerance=0.05)).check_corpus(summaries, context)
    )
    assert len(strict) == 1 and lenient == []


def test_exif_rotated_jpeg_counts_as_shown(server: TestServer, tmp_path: Path) -> None:
    # Stored 40×20 with EXIF orientation 6: shown (and declared) 20×40.
    url = serve(server, "/rotated.jpg", pillow_image("JPEG", 40, 20, orientation=6), "image/jpeg")
    assert run_online(images((url, 20, 40)), tmp_path) == []
    (finding,) = run_online(images((url, 40, 20)), tmp_path)
    assert finding.rule == "image/dimension-mismatch"
    assert "image is 20×40 pixels" in finding.message
    assert "EXIF orientation 6" in finding.message


def test_large_image_reads_only_the_byte_cap(server: TestServer, tmp_path: Path) -> None:
    big = png(30, 10, padding=300_000)  # the header comes first; the file is far over the cap
    url = serve(server, "/big.png", big)
    assert run_online(images((url, 30, 10)), tmp_path, image_bytes=4096) == []
    (hit,) = server.hits
    assert hit.headers["range"] == "bytes=0-4095"


def test_server_ignoring_range_is_read_up_to_the_cap_only(
    server: TestServer, tmp_path: Path
) -> None:
    server.routes["/norange.png"] = Reply(
        200, png(30, 10, padding=500_000), content_type="image/png", ranges=False
    )
    found = run_online(images((server.url("/norange.png"), 31, 10)), tmp_path, image_bytes=4096)
    assert [f.rule for f in found] == ["image/dimension-mismatch"]


def test_header_beyond_the_byte_cap_is_not_evaluated(server: TestServer, tmp_path: Path) -> None:
    url = serve(server, "/exif-heavy.jpg", jpeg_with_big_header(64, 48, 100_000), "image/jpeg")
    (finding,) = run_online(images((url, 64, 48)), tmp_path)
    assert finding.rule == "link/not-evaluated" and finding.pointer == "/images/0/url"
    assert "not in the first 65536 bytes" in finding.message
    assert "raise image-bytes" in finding.message
    assert run_online(images((url, 64, 48)), tmp_path, image_bytes=200_000) == []


def test_unreachable_and_non_image(server: TestServer, tmp_path: Path) -> None:
    html = serve(server, "/page.jpg", b"<html><body>not here</body></html>", "text/html")
    server.routes["/broken.png"] = Reply(500)
    found = run_online(
        images(
            (server.url("/missing.png"), 1, 1), (html, 10, 10), (server.url("/broken.png"), 1, 1)
        ),
        tmp_path,
    )
    assert [(f.rule, f.pointer) for f in found] == [
        ("image/unreachable", "/images/0/url"),
        ("image/unreachable", "/images/1/url"),
        ("image/unreachable", "/images/2/url"),
    ]
    assert "404" in found[0].message
    assert "text/html, not an image" in found[1].message
    assert "500" in found[2].message and "after 2 attempts" in found[2].message


def test_unknown_format_is_not_evaluated(server: TestServer, tmp_path: Path) -> None:
    url = serve(server, "/blob.png", b"\x00" * 200, "image/png")
    (finding,) = run_online(images((url, 10, 10)), tmp_path)
    assert finding.rule == "link/not-evaluated" and "no PNG, JPEG" in finding.message


def test_image_dir_mapping(tmp_path: Path, server: TestServer) -> None:
    folder = tmp_path / "images"
    (folder / "img.example.org" / "2024" / "05").mkdir(parents=True)
    (folder / "img.example.org" / "2024" / "05" / "a b.png").write_bytes(png(40, 30))
    (folder / "flat.gif").write_bytes(gif(8, 8))
    found = run_online(
        images(
            ("https://img.example.org/2024/05/a%20b.png?w=1", 40, 30),  # <host>/<path>
            ("https://cdn.example.net/any/where/flat.gif", 9, 8),  # the basename
            ("https://img.example.org/none.png", 1, 1),
            (server.url("/elsewhere.png"), 1, 1),
        ),
        tmp_path,
        image_dir=folder,
    )
    found.sort(key=lambda f: f.pointer)
    assert [(f.rule, f.pointer) for f in found] == [
        ("image/dimension-mismatch", "/images/1/width"),
        ("link/not-evaluated", "/images/2/url"),
        ("link/not-evaluated", "/images/3/url"),
    ]
    assert "in --image-dir" in found[0].message
    assert "img.example.org/none.png" in found[1].message
    assert server.count() == 0  # with an image dir, images are never fetched


def test_image_dir_config_key_is_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "imgs").mkdir()
    (tmp_path / "imgs" / "x.png").write_bytes(png(5, 5))
    found = run_online(images(("https://a.example/x.png", 6, 5)), tmp_path, **{"image-dir": "imgs"})
    assert [f.rule for f in found] == ["image/dimension-mismatch"]


def test_image_dir_never_leaves_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    assert image_dir_candidates("https://h.example/../../etc/passwd", folder) == []
    assert image_dir_candidates("https://h.example/%2e%2e/secret.png", folder) == []
    assert image_dir_candidates("https://h.example/a/b.png", folder) == [
        folder.resolve() / "h.example" / "a" / "b.png",
        folder.resolve() / "b.png",
    ]


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (png(3, 7), (3, 7)),
        (gif(640, 480), (640, 480)),
        (b"", None),
        (b"\x89PNG\r\n\x1a\n\x00", None),  # truncated header
        (b"<svg", None),
    ],
)
def test_image_size_from_bytes(data: bytes, size: tuple[int, int] | None) -> None:
    found = image_size(data)
    assert (None if found is None else (found.width, found.height)) == size


def test_image_size_never_opens_a_path_or_url() -> None:
    # imagesize opens str and bytes as a file name or URL; image_size only hands it bytes.
    assert image_size(b"/etc/passwd") is None
    assert image_size(b"http://127.0.0.1:9/x.png") is None
