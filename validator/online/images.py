"""Image sizes from the first bytes of an image, and the ``--image-dir`` mapping.

Sizes come from the header (``imagesize``: PNG, JPEG, GIF, WebP and more), never from
decoding pixels, so a decompression bomb costs nothing. The EXIF orientation is applied: a
JPEG stored 4000×3000 with orientation 6 (rotated 90°) is shown, and measured, 3000×4000.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import imagesize  # type: ignore[import-untyped]

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"RIFF", "WebP"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


@dataclass(frozen=True)
class ImageSize:
    width: int  # as displayed: EXIF orientation applied
    height: int
    orientation: int | None = None  # the EXIF orientation (1-8) when the file carries one
    format: str | None = None

    @property
    def rotated(self) -> bool:
        return self.orientation in (5, 6, 7, 8)


def sniff_format(data: bytes) -> str | None:
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            if name == "WebP" and data[8:12] != b"WEBP":
                return None
            return name
    return None


def image_size(data: bytes) -> ImageSize | None:
    """The displayed size of the image whose first bytes are ``data``, or None when the
    header is not (entirely) in them or the format is unknown."""
    if not data:
        return None
    try:
        # A file object, never a str or bytes: imagesize would open those as a path or URL.
        info = imagesize.get_info(io.BytesIO(data), dpi=False, colors=False, channels=False)
        # Inside the try: an SVG's width="999…9" (400 digits) comes back as float infinity,
        # which int() refuses with OverflowError.
        width, height, rotation = int(info.width), int(info.height), int(info.rotation)
    except Exception:  # a truncated or hostile header: no size
        return None
    if width <= 0 or height <= 0:
        return None
    return ImageSize(width, height, rotation if 1 <= rotation <= 8 else None, sniff_format(data))


def image_dir_candidates(url: str, image_dir: Path) -> list[Path]:
    """The files that may hold the image at ``url``, in the order tried:
    ``<image-dir>/<host>/<path>``, then ``<image-dir>/<basename of the path>``.

    The host is lower-case, without port; the path is percent-decoded, without query or
    fragment. Paths that would leave ``image-dir`` (``..``) are never tried."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return []
    segments = [segment for segment in unquote(parts.path).split("/") if segment]
    if any(segment in (".", "..") or "\\" in segment or "\x00" in segment for segment in segments):
        return []
    root = image_dir.resolve()
    candidates: list[Path] = []
    if host and segments and host not in (".", ".."):
        candidates.append(root / host / PurePosixPath(*segments))
    if segments:
        candidates.append(root / segments[-1])
    inside = []
    for candidate in candidates:
        try:
            if candidate.resolve().is_relative_to(root):
                inside.append(candidate)
        except (OSError, RuntimeError):
            continue
    return inside


@dataclass(frozen=True)
class LocalImage:
    path: Path | None  # the file read, None when no candidate exists
    tried: tuple[Path, ...]
    data: bytes = b""
    error: str | None = None


def read_local_image(url: str, image_dir: Path, max_bytes: int) -> LocalImage:
    """The first ``max_bytes`` bytes of the file ``url`` maps to under ``image_dir``."""
    tried = tuple(image_dir_candidates(url, image_dir))
    for candidate in tried:
        if not _is_file(candidate):
            continue
        try:
            with candidate.open("rb") as handle:
                return LocalImage(candidate, tried, handle.read(max_bytes))
        except OSError as error:
            return LocalImage(candidate, tried, error=f"cannot read {candidate}: {error.strerror}")
    return LocalImage(None, tried)


def _is_file(path: Path) -> bool:
    """Path.is_file(), False instead of an error: a name longer than the file system allows
    (ENAMETOOLONG, from a record's URL) or an unreadable folder is simply no file."""
    try:
        return path.is_file()
    except OSError:
        return False
