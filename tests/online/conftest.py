"""Fixtures of the online tests: real HTTP servers on loopback addresses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.online.server import TestServer


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as running:
        yield running


@pytest.fixture
def other_server() -> Iterator[TestServer]:
    """A second server on another loopback address (127.0.0.2), which FAST does not allow."""
    try:
        running = TestServer("127.0.0.2")
    except OSError as error:  # pragma: no cover - every Linux routes 127/8 to lo
        pytest.skip(f"cannot bind 127.0.0.2: {error}")
    with running:
        yield running
