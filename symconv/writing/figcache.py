r"""A cache of drawn figures, keyed by the hash of their data and of the code that draws them.

Saving a figure is mostly matplotlib's PDF font subsetting; the course notes
draw the same figures on every run. :func:`cached_save` looks the figure up by

.. math:: \mathrm{key} = \mathrm{sha256}(\text{draw's code and data},\ \text{size},\
          \text{the sources that draw},\ \text{matplotlib and fontTools versions})

and copies the stored files when the key is known, so the output is
byte-identical to a fresh drawing (the drawing is deterministic: the SVG hash
salt is fixed and the PDF carries no dates). The data are what the drawing
function closes over (numbers, strings, lists, dicts, further functions,
recursively); a value of any other kind makes the figure uncacheable, and it is
drawn every time. The code is the function's bytecode and constants, the source
file that defines it, and every source file of the ``symconv`` package (the
formula the figures read their windows from): a change to any of them is a new key.

The cache lives OUTSIDE the checkout: ``$SYMCONV_CACHE_DIR`` if set (empty:
no cache), else ``$XDG_CACHE_HOME/symconv`` or ``~/.cache/symconv``, in
``figures/``. Entries are written atomically (a temporary file, then a rename).

>>> fingerprint(lambda fig: None, (1.0, 2.0)) == fingerprint(lambda fig: None, (1.0, 2.0))
True
>>> def picture(n):
...     return lambda fig: n
>>> fingerprint(picture(1), (1, 1)) == fingerprint(picture(2), (1, 1))
False
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import shutil
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cached_save", "fingerprint"]

#: Bump when the layout of the cache or the meaning of a key changes.
FORMAT = "symconv-figcache-1"
SUFFIXES = (".svg", ".pdf")


def cache_dir() -> Path | None:
    """The figure cache folder (``$SYMCONV_CACHE_DIR``, ``$XDG_CACHE_HOME/symconv``, ``~/.cache/symconv``), or
    ``None`` when ``SYMCONV_CACHE_DIR`` is set empty (caching off)."""
    env = os.environ.get("SYMCONV_CACHE_DIR")
    if env is not None:
        return Path(env) / "figures" if env.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "symconv" / "figures"


class _UncacheableError(Exception):
    """A value the fingerprint cannot vouch for (its content might change without its description changing)."""


def _feed(h: Any, value: Any, seen: set[int], depth: int = 0) -> None:
    if depth > 50:
        raise _UncacheableError("too deep")
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, (tuple, list)):
        h.update(f"{type(value).__name__}[{len(value)}](".encode())
        for v in value:
            _feed(h, v, seen, depth + 1)
        h.update(b")")
    elif isinstance(value, dict):
        h.update(f"dict[{len(value)}](".encode())
        for k, v in value.items():
            _feed(h, k, seen, depth + 1)
            _feed(h, v, seen, depth + 1)
        h.update(b")")
    elif isinstance(value, (set, frozenset)):
        h.update(f"{type(value).__name__}[{len(value)}](".encode())
        for r in sorted(repr(v) for v in value):
            h.update(r.encode() + b";")
        h.update(b")")
    elif isinstance(value, types.FunctionType):
        if id(value) in seen:
            h.update(b"<recursion>")
            return
        seen.add(id(value))
        h.update(f"function {value.__module__}.{value.__qualname__}(".encode())
        _feed_code(h, value.__code__)
        _feed(h, value.__defaults__, seen, depth + 1)
        _feed(h, value.__kwdefaults__, seen, depth + 1)
        for cell in value.__closure__ or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                contents = None
            _feed(h, contents, seen, depth + 1)
        h.update(_source_digest(value).encode())
        h.update(b")")
    elif isinstance(value, (types.BuiltinFunctionType, type)):
        h.update(f"{type(value).__name__} {getattr(value, '__module__', '')}.{value.__qualname__};".encode())
    else:
        raise _UncacheableError(type(value).__name__)


def _feed_code(h: Any, code: types.CodeType) -> None:
    h.update(code.co_code)
    h.update(repr(code.co_names).encode())
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _feed_code(h, c)
        else:
            h.update(repr(c).encode())


def _source_digest(fn: Any) -> str:
    try:
        path = inspect.getsourcefile(fn)
    except TypeError:
        return "no source"
    return _file_digest(path) if path else "no source"


@functools.lru_cache(maxsize=256)
def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


@functools.lru_cache(maxsize=1)
def _package_digest() -> str:
    """The sources of the ``symconv`` package (the formula and the engines the figures read their windows from)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    """The drawing software's versions, read from the installed distributions (importing matplotlib costs
    more than a cached figure)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"matplotlib {version('matplotlib')}; fontTools {version('fonttools')}"
    except PackageNotFoundError:  # pragma: no cover - matplotlib is then missing: save() says so
        return "matplotlib or fontTools not installed"


def fingerprint(draw: Callable[[Any], None], size: tuple[float, float]) -> str | None:
    """The cache key of a figure: its drawing code and data, size and the software; ``None`` if uncacheable."""
    h = hashlib.sha256(FORMAT.encode())
    try:
        _feed(h, tuple(float(s) for s in size), set())
        _feed(h, draw, set())
    except _UncacheableError:
        return None
    h.update(_package_digest().encode())
    return h.hexdigest()


def cached_save(
    draw: Callable[[Any], None],
    size: tuple[float, float],
    path_stem: Path,
    save: Callable[[Callable[[Any], None], tuple[float, float], Path], list[Path]],
) -> list[Path]:
    """``save(draw, size, path_stem)``, or a copy of the files it saved for the same key before."""
    folder = cache_dir()
    key = fingerprint(draw, size) if folder is not None else None
    if folder is None or key is None:
        return save(draw, size, path_stem)
    key = hashlib.sha256(f"{key};{_versions()}".encode()).hexdigest()
    stored = [folder / f"{key}{s}" for s in SUFFIXES]
    targets = [path_stem.with_suffix(s) for s in SUFFIXES]
    if all(p.is_file() for p in stored):
        for src, dst in zip(stored, targets):
            shutil.copyfile(src, dst)
        return targets
    written = save(draw, size, path_stem)
    if [p.suffix for p in written] == list(SUFFIXES):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for src, dst in zip(written, stored):
                _store(src, dst)
        except OSError:  # a read-only or full cache: the figure is drawn, just not kept
            pass
    return written


def _store(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` atomically: a reader sees the whole file or none."""
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".tmp-", suffix=dst.suffix)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
