"""image/: declared image sizes that cannot be right, and repeated images.

Every image list of a record is checked: images, provider.images, and those of related items.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import Field

from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule, RuleOptions


def iter_image_lists(record: Record) -> Iterator[tuple[str, Any]]:
    """(pointer, value) of every image list of the record (found once per record)."""
    found: list[tuple[str, Any]] = record.remember(
        "image.lists", lambda: list(_find_image_lists(record))
    )
    return iter(found)


def _find_image_lists(record: Record) -> Iterator[tuple[str, Any]]:
    data = record.data or {}
    yield "/images", data.get("images")
    provider = data.get("provider")
    if isinstance(provider, dict):
        yield "/provider/images", provider.get("images")
    related = data.get("related")
    if isinstance(related, list):
        for index, item in enumerate(related):
            if isinstance(item, dict):
                yield f"/related/{index}/images", item.get("images")
                provider = item.get("provider")
                if isinstance(provider, dict):
                    yield f"/related/{index}/provider/images", provider.get("images")


def iter_images(record: Record) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, image) of every image of the record (found once per record)."""
    found: list[tuple[str, dict[str, Any]]] = record.remember(
        "image.images", lambda: list(_find_images(record))
    )
    return iter(found)


def _find_images(record: Record) -> Iterator[tuple[str, dict[str, Any]]]:
    for pointer, images in iter_image_lists(record):
        if isinstance(images, list):
            for index, image in enumerate(images):
                if isinstance(image, dict):
                    yield f"{pointer}/{index}", image


def dimensions(image: dict[str, Any]) -> tuple[int, int] | None:
    """(width, height) when both are positive integers, else None."""
    width, height = image.get("width"), image.get("height")
    if _positive_int(width) and _positive_int(height):
        assert isinstance(width, int) and isinstance(height, int)
        return width, height
    return None


def sized_images(record: Record) -> list[tuple[str, dict[str, Any], tuple[int, int] | None]]:
    """(pointer, image, dimensions) of every image of the record (found once per record)."""
    found: list[tuple[str, dict[str, Any], tuple[int, int] | None]] = record.remember(
        "image.sized",
        lambda: [(pointer, image, dimensions(image)) for pointer, image in iter_images(record)],
    )
    return found


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class MissingDimensions(Rule):
    slug = "image/missing-dimensions"
    code = "IM001"
    severity = Severity.ERROR
    summary = "Image without a positive width and height"
    what = "Reports an image whose width or height is missing, zero, negative or not a number."
    why = "Layouts reserve space from the declared size; without it pages jump or crop badly."
    bad = 'images:\n  - url: "https://example.org/a.jpg"\n    width: 0'
    good = 'images:\n  - url: "https://example.org/a.jpg"\n    width: 1200\n    height: 675'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, image in iter_images(record):
            for side in ("width", "height"):
                value = image.get(side)
                if side not in image or value is None:
                    yield Problem(f"image has no {side}", pointer=pointer)
                elif isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue  # wrong type: schema/violation reports it
                elif value <= 0:
                    yield Problem(
                        f"image {side} is {value}: must be positive", pointer=f"{pointer}/{side}"
                    )


class TooLargeOptions(RuleOptions):
    max_side: int = Field(20_000, gt=0, description="largest width or height, in pixels")
    max_megapixels: float = Field(100.0, gt=0, description="largest width × height, in millions")


class ImplausiblyLarge(Rule):
    slug = "image/implausibly-large"
    code = "IM002"
    severity = Severity.WARNING
    summary = "Image larger than max-side pixels or max-megapixels"
    Options = TooLargeOptions
    what = "Reports an image declared wider or taller than `max-side`, or over `max-megapixels`."
    why = "Such sizes are typos (an extra digit) or originals nobody should serve to readers."
    bad = "    width: 54000\n    height: 3400"
    good = "    width: 5400\n    height: 3400"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, TooLargeOptions)
        limit = self.options
        for pointer, _, size in sized_images(record):
            if size is None:
                continue
            width, height = size
            if max(width, height) > limit.max_side:
                side = "width" if width >= height else "height"
                yield Problem(
                    f"image is {width}×{height} px: a side over {limit.max_side:,} px",
                    pointer=f"{pointer}/{side}",
                )
            elif width * height > limit.max_megapixels * 1_000_000:
                yield Problem(
                    f"image is {width}×{height} px = {width * height / 1e6:.1f} MP, over "
                    f"{limit.max_megapixels:g} MP",
                    pointer=pointer,
                )


class AspectOptions(RuleOptions):
    max_ratio: float = Field(8.0, gt=1, description="largest long-side : short-side ratio")


class ExtremeAspectRatio(Rule):
    slug = "image/extreme-aspect-ratio"
    code = "IM003"
    severity = Severity.WARNING
    summary = "Image far wider than tall, or the reverse"
    Options = AspectOptions
    what = "Reports an image whose long side exceeds `max-ratio` times its short side (default 8)."
    why = "Banners, spacers and swapped dimensions end up as article images; none crop well."
    bad = "    width: 1200\n    height: 20"
    good = "    width: 1200\n    height: 675"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, AspectOptions)
        for pointer, _, size in sized_images(record):
            if size is None or _is_tracking_pixel(*size):
                continue
            width, height = size
            long_side, short_side = max(width, height), min(width, height)
            if long_side > self.options.max_ratio * short_side:  # no division: sides may be huge
                ratio = long_side / short_side
                yield Problem(
                    f"image is {width}×{height} px, aspect ratio {ratio:.1f}:1 (over "
                    f"{self.options.max_ratio:g}:1)",
                    pointer=pointer,
                )


def _is_tracking_pixel(width: int, height: int, max_side: int = 3) -> bool:
    return width <= max_side and height <= max_side


class PixelOptions(RuleOptions):
    max_side: int = Field(3, ge=1, description="images this small or smaller on both sides")


class TrackingPixel(Rule):
    slug = "image/tracking-pixel"
    code = "IM004"
    severity = Severity.WARNING
    summary = "Image of tracking-pixel size (1×1 and the like)"
    Options = PixelOptions
    what = "Reports an image no larger than `max-side` on both sides (default 3 px)."
    why = "A 1×1 image is a web beacon or spacer scraped with the page, not an illustration."
    bad = '  - url: "https://tracker.example/p.gif"\n    width: 1\n    height: 1'
    good = "Remove the entry; keep real illustrations only."

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, PixelOptions)
        for pointer, _, size in sized_images(record):
            if size is not None and _is_tracking_pixel(*size, self.options.max_side):
                yield Problem(
                    f"image is {size[0]}×{size[1]} px: a tracking pixel or spacer", pointer=pointer
                )


class DuplicateUrl(Rule):
    slug = "image/duplicate-url"
    code = "IM005"
    severity = Severity.WARNING
    summary = "The same image URL listed twice in one image list"
    what = "Reports an image whose URL already appears earlier in the same list."
    why = "Galleries then show the same picture twice; usually a scraping slip."
    bad = '  - url: "https://example.org/a.jpg"\n  - url: "https://example.org/a.jpg"'
    good = '  - url: "https://example.org/a.jpg"'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, images in iter_image_lists(record):
            if not isinstance(images, list):
                continue
            first_seen: dict[str, int] = {}
            for index, image in enumerate(images):
                url = image.get("url") if isinstance(image, dict) else None
                if not isinstance(url, str):
                    continue
                if url in first_seen:
                    yield Problem(
                        f"image URL repeats {pointer}/{first_seen[url]}",
                        pointer=f"{pointer}/{index}/url",
                    )
                else:
                    first_seen[url] = index


RULES = (MissingDimensions, ImplausiblyLarge, ExtremeAspectRatio, TrackingPixel, DuplicateUrl)
