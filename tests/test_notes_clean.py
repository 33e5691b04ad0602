"""`make notes` never dirties the checkout, on any machine: regenerating the notes over the committed
docs/notes without torch, jax, tensorflow, scipy or TeX leaves every committed file byte-identical, and a
committed figure drawn by other matplotlib/fontTools/Pillow versions is kept, not redrawn."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import peers
from notes_build import GOLDEN, REPO

from symconv.writing import notes

_BLOCK = """
import sys
class _Block:
    names = {"torch", "jax", "jaxlib", "tensorflow", "keras", "scipy"}
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
        return None
sys.meta_path.insert(0, _Block())
"""


def _tracked(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_notes_without_peers_or_tex_leave_the_committed_files_unchanged(tmp_path):
    peers.module("matplotlib")
    out = tmp_path / "notes"
    shutil.copytree(GOLDEN, out, ignore=shutil.ignore_patterns("notes.pdf", "notes.log"))
    # a committed figure drawn by another matplotlib: the run must keep it as it is
    svg = out / "figures" / "sliding_window.svg"
    svg.write_bytes(svg.read_bytes().replace(b"Matplotlib v", b"Matplotlib v0.0.0-other+", 1))
    before = _tracked(out)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(_BLOCK, encoding="utf-8")
    bin_dir = tmp_path / "bin"  # PATH with this Python only: no latexmk, pdflatex, node
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = dict(
        os.environ,
        PATH=str(bin_dir),
        PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), str(REPO)]),
        SYMCONV_REQUIRE_PEERS="",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "symconv", "notes", "--out", str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "skipping the PDF" in proc.stderr  # TeX really was absent
    assert "kept 1 figure(s)" in proc.stderr and "sliding_window.svg" in proc.stderr
    after = _tracked(out)
    assert sorted(after) == sorted(before), "files added or removed"
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, changed


def test_place_keeps_other_softwares_figure_and_replaces_a_changed_one(tmp_path):
    new = tmp_path / "new.svg"
    target = tmp_path / "target.svg"
    new.write_bytes(b"<svg><!-- Matplotlib v3.11.2 --> B</svg>")
    target.write_bytes(b"<svg><!-- Matplotlib v3.9.0 --> A</svg>")
    assert notes._place(new, target) is False and b" A<" in target.read_bytes()  # other matplotlib: kept
    target.write_bytes(b"<svg><!-- Matplotlib v3.11.2 --> A</svg>")
    assert notes._place(new, target) is True and target.read_bytes() == new.read_bytes()  # same: redrawn
    assert notes._place(new, tmp_path / "absent.svg") is True  # a new figure is written


def test_gifs_name_the_software_that_drew_them(tmp_path):
    peers.module("matplotlib")
    from symconv.writing.animation import gif_producer, save_animation, stamp_animation

    gif = save_animation(stamp_animation("s", 2, 2), tmp_path / "s")[0]
    assert notes.drawn_by(gif) == gif_producer() and "Pillow v" in gif_producer()
    assert notes.drawn_by(REPO / "docs" / "notes" / "figures" / "transposed.pdf").startswith("Matplotlib pdf")
