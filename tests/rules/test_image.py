"""image/: missing or impossible sizes, tracking pixels, extreme ratios and repeats."""

from __future__ import annotations

import pytest

from tests.helpers import check_files, fields, findings_of, markdown

URL = "https://www.hrw.org/sites/default/files/a.JPG"
OTHER = "https://www.hrw.org/sites/default/files/b.JPG"


def image(url: str = URL, **overrides):
    data = {"url": url, "width": 1200, "height": 675, "isCached": True}
    for key, value in overrides.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first line at or after ``start`` (0-based) containing needle."""
    lines = text.split("\n")
    return next(n for n in range(start, len(lines)) if needle in lines[n]) + 1


def run_images(tmp_path, images, slug, config="", **extra):
    text = markdown(fields(images=images, **extra))
    run = check_files(tmp_path, {"a.md": text}, select=[slug], config=config)
    return text, findings_of(run, slug)


# --- image/missing-dimensions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_fields", "pointer", "message"),
    [
        ({"height": None}, "/images/0", "image has no height"),
        ({"width": None}, "/images/0", "image has no width"),
        ({"width": 0}, "/images/0/width", "image width is 0: must be positive"),
        ({"height": -5}, "/images/0/height", "image height is -5: must be positive"),
    ],
)
def test_missing_dimensions_fires(tmp_path, image_fields, pointer, message):
    text, found = run_images(tmp_path, [image(**image_fields)], "image/missing-dimensions")
    assert len(found) == 1
    assert found[0].pointer == pointer
    assert message in found[0].message
    key = pointer.rsplit("/", 1)[-1]
    expected_line = line_of(text, "- url:") if key == "0" else line_of(text, f"  {key}:")
    assert found[0].line == expected_line


def test_missing_dimensions_reports_both_sides(tmp_path):
    _, found = run_images(tmp_path, [image(width=None, height=None)], "image/missing-dimensions")
    assert sorted(f.message for f in found) == ["image has no height", "image has no width"]


@pytest.mark.parametrize(
    "image_fields",
    [
        {},
        {"width": 1, "height": 1},
        {"width": "1200"},  # wrong type: schema/violation's business, not this rule's
    ],
)
def test_missing_dimensions_passes(tmp_path, image_fields):
    _, found = run_images(tmp_path, [image(**image_fields)], "image/missing-dimensions")
    assert found == []


def test_missing_dimensions_in_provider_and_related_images(tmp_path):
    provider = {"name": "Human Rights Watch", "domain": "hrw.org", "images": [image(height=None)]}
    related = [
        {
            "title": "Other",
            "webUrl": "https://www.hrw.org/b",
            "images": [image(), image(OTHER, width=None)],
        }
    ]
    _, found = run_images(
        tmp_path, [image()], "image/missing-dimensions", provider=provider, related=related
    )
    assert sorted(f.pointer for f in found) == ["/provider/images/0", "/related/0/images/1"]


# --- image/implausibly-large -------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "config", "pointer", "message"),
    [
        ((54000, 3400), "", "/images/0/width", "image is 54000×3400 px: a side over 20,000 px"),
        ((3400, 54000), "", "/images/0/height", "a side over 20,000 px"),
        ((15000, 8000), "", "/images/0", "= 120.0 MP, over 100 MP"),
        (
            (5385, 3400),
            '[rules."image/implausibly-large"]\nmax-side = 5000\n',
            "/images/0/width",
            "a side over 5,000 px",
        ),
        (
            (5385, 3400),
            '[rules."image/implausibly-large"]\nmax-megapixels = 10\n',
            "/images/0",
            "over 10 MP",
        ),
    ],
)
def test_implausibly_large_fires(tmp_path, size, config, pointer, message):
    width, height = size
    _, found = run_images(
        tmp_path, [image(width=width, height=height)], "image/implausibly-large", config
    )
    assert len(found) == 1
    assert found[0].pointer == pointer
    assert message in found[0].message


@pytest.mark.parametrize(
    ("size", "config"),
    [
        ((5385, 3400), ""),
        ((20000, 5000), ""),  # exactly at max-side, 100 MP
        (
            (54000, 3400),
            '[rules."image/implausibly-large"]\nmax-side = 60000\nmax-megapixels = 500\n',
        ),
    ],
)
def test_implausibly_large_passes(tmp_path, size, config):
    width, height = size
    _, found = run_images(
        tmp_path, [image(width=width, height=height)], "image/implausibly-large", config
    )
    assert found == []


def test_implausibly_large_line_is_the_width_key(tmp_path):
    text, found = run_images(
        tmp_path, [image(), image(OTHER, width=54000)], "image/implausibly-large"
    )
    (finding,) = found
    assert finding.pointer == "/images/1/width"
    assert finding.line == line_of(text, "width: 54000")


# --- image/extreme-aspect-ratio ----------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "config", "message"),
    [
        ((1200, 20), "", "image is 1200×20 px, aspect ratio 60.0:1 (over 8:1)"),
        ((20, 1200), "", "aspect ratio 60.0:1"),
        ((900, 100), "", "aspect ratio 9.0:1"),
        (
            (5385, 3400),
            '[rules."image/extreme-aspect-ratio"]\nmax-ratio = 1.5\n',
            "1.6:1 (over 1.5:1)",
        ),
    ],
)
def test_extreme_aspect_ratio_fires(tmp_path, size, config, message):
    width, height = size
    text, found = run_images(
        tmp_path, [image(width=width, height=height)], "image/extreme-aspect-ratio", config
    )
    assert len(found) == 1
    assert found[0].pointer == "/images/0"
    assert found[0].line == line_of(text, "- url:")
    assert message in found[0].message


@pytest.mark.parametrize(
    ("size", "config"),
    [
        ((1200, 675), ""),
        ((800, 100), ""),  # exactly 8:1
        ((1, 3), ""),  # a tracking pixel is image/tracking-pixel's business
        ((1200, 20), '[rules."image/extreme-aspect-ratio"]\nmax-ratio = 100\n'),
    ],
)
def test_extreme_aspect_ratio_passes(tmp_path, size, config):
    width, height = size
    _, found = run_images(
        tmp_path, [image(width=width, height=height)], "image/extreme-aspect-ratio", config
    )
    assert found == []


# --- image/tracking-pixel ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "config", "fires"),
    [
        ((1, 1), "", True),
        ((3, 3), "", True),
        ((3, 1), "", True),
        ((4, 4), "", False),
        ((1, 4), "", False),
        ((1200, 675), "", False),
        ((3, 3), '[rules."image/tracking-pixel"]\nmax-side = 1\n', False),
        ((10, 10), '[rules."image/tracking-pixel"]\nmax-side = 10\n', True),
    ],
)
def test_tracking_pixel(tmp_path, size, config, fires):
    width, height = size
    pixel = image("https://tracker.example/p.gif", width=width, height=height)
    text, found = run_images(tmp_path, [image(), pixel], "image/tracking-pixel", config)
    if not fires:
        assert found == []
        return
    (finding,) = found
    assert finding.pointer == "/images/1"
    assert finding.line == line_of(text, "p.gif")
    assert f"image is {width}×{height} px: a tracking pixel" in finding.message


# --- image/duplicate-url -----------------------------------------------------------------


def test_duplicate_url_fires(tmp_path):
    text, found = run_images(tmp_path, [image(), image(OTHER), image()], "image/duplicate-url")
    (finding,) = found
    assert finding.pointer == "/images/2/url"
    assert finding.message == "image URL repeats /images/0"
    assert finding.line == line_of(text, "a.JPG", start=line_of(text, "b.JPG"))


def test_duplicate_url_in_related_list(tmp_path):
    related = [
        {
            "title": "Other",
            "webUrl": "https://www.hrw.org/b",
            "images": [image(OTHER), image(OTHER)],
        }
    ]
    _, found = run_images(tmp_path, [image()], "image/duplicate-url", related=related)
    (finding,) = found
    assert finding.pointer == "/related/0/images/1/url"
    assert "repeats /related/0/images/0" in finding.message


@pytest.mark.parametrize(
    "images",
    [
        [image(), image(OTHER)],
        [image(), image(URL.lower())],  # URLs differ in case: not the same string
        [image()],
    ],
)
def test_duplicate_url_passes(tmp_path, images):
    _, found = run_images(tmp_path, images, "image/duplicate-url")
    assert found == []


def test_duplicate_url_across_lists_passes(tmp_path):
    provider = {"name": "Human Rights Watch", "domain": "hrw.org", "images": [image()]}
    _, found = run_images(tmp_path, [image()], "image/duplicate-url", provider=provider)
    assert found == []
