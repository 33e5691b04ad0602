"""The figure cache (issue 11): an unchanged figure is copied, byte for byte, instead of drawn again."""

from __future__ import annotations

from pathlib import Path

import peers
import pytest

from symconv.writing import figcache, figures


@pytest.fixture(autouse=True)
def _matplotlib():
    """The figures are drawn with matplotlib (required in CI, not skipped)."""
    peers.module("matplotlib")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMCONV_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "figures"


@pytest.fixture
def drawings(monkeypatch):
    """How many figures were really drawn (not copied from the cache)."""
    calls: list[str] = []
    real = figures._draw_and_save

    def counted(draw, size, stem):
        calls.append(stem.name)
        return real(draw, size, stem)

    monkeypatch.setattr(figures, "_draw_and_save", counted)
    return calls


def _save(tmp_path: Path, sub: str, draw, size=(6.0, 2.0)) -> list[bytes]:
    (tmp_path / sub).mkdir()
    return [p.read_bytes() for p in figures.save_figure(draw, size, tmp_path / sub / "fig")]


def test_a_cached_figure_is_byte_identical_to_a_fresh_drawing(tmp_path, cache, monkeypatch, drawings):
    draw = figures.sliding_window([2, 1, 3, 5, 4], [1, -1], 1)
    monkeypatch.setenv("SYMCONV_CACHE_DIR", "")  # off: the fresh drawing
    fresh = _save(tmp_path, "fresh", draw)
    monkeypatch.setenv("SYMCONV_CACHE_DIR", str(cache.parent))
    first = _save(tmp_path, "first", draw)  # drawn, and stored
    again = _save(tmp_path, "again", figures.sliding_window([2, 1, 3, 5, 4], [1, -1], 1))  # copied
    assert len(drawings) == 2
    assert fresh == first == again
    assert fresh[0].startswith(b"<?xml") and fresh[1].startswith(b"%PDF")
    assert sorted(p.suffix for p in cache.iterdir()) == [".pdf", ".svg"]


def test_other_data_or_size_is_another_figure(tmp_path, cache):
    a = _save(tmp_path, "a", figures.stride_dilation(7, 3, 2, 1))
    b = _save(tmp_path, "b", figures.stride_dilation(7, 3, 1, 2))
    c = _save(tmp_path, "c", figures.stride_dilation(7, 3, 2, 1), size=(6.0, 3.0))
    assert a != b and a != c and len(list(cache.iterdir())) == 6
    # the grid figures close over a function and a table: they key by both
    assert figcache.fingerprint(figures.backward_dx(5, 2), (4, 3)) != figcache.fingerprint(
        figures.backward_dx(5, 3), (4, 3)
    )
    assert figcache.fingerprint(figures.backward_dx(5, 2), (4, 3)) != figcache.fingerprint(
        figures.backward_dw(5, 2), (4, 3)
    )


def test_the_code_that_draws_is_part_of_the_key():
    def make(word):
        def draw(fig):
            fig.text(0, 0, word)

        return draw

    def other(word):
        def draw(fig):
            fig.text(0, 1, word)

        return draw

    assert figcache.fingerprint(make("a"), (1, 1)) == figcache.fingerprint(make("a"), (1, 1))
    assert figcache.fingerprint(make("a"), (1, 1)) != figcache.fingerprint(other("a"), (1, 1))


def test_data_it_cannot_vouch_for_are_drawn_every_time(tmp_path, cache, drawings):
    class Opaque:  # content could change while nothing the key sees does
        text = "x"

    box = Opaque()

    def draw(fig):
        fig.text(0.5, 0.5, box.text)

    assert figcache.fingerprint(draw, (2, 1)) is None
    _save(tmp_path, "one", draw, size=(2.0, 1.0))
    _save(tmp_path, "two", draw, size=(2.0, 1.0))
    assert len(drawings) == 2 and not cache.exists()


def test_the_cache_lives_outside_the_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("SYMCONV_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert figcache.cache_dir() == tmp_path / "xdg" / "symconv" / "figures"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert figcache.cache_dir() == tmp_path / "home" / ".cache" / "symconv" / "figures"
    monkeypatch.setenv("SYMCONV_CACHE_DIR", "")
    assert figcache.cache_dir() is None


def test_an_unwritable_cache_still_draws(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SYMCONV_CACHE_DIR", str(blocker))
    out = _save(tmp_path, "out", figures.transposed(3, 2, 2))
    assert out[1].startswith(b"%PDF")
