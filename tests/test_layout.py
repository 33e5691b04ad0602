"""The layout is the architecture: the layer contracts cover every module, and no module is a grab-bag."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "symconv"


def _contracts() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / ".importlinter", encoding="utf-8")
    return cfg


def _listed(section: str, key: str) -> set[str]:
    return {line.strip() for line in _contracts()[section][key].splitlines() if line.strip()}


def test_every_proof_module_but_the_library_is_machinery_the_contract_names():
    machinery = {f"symconv.proofs.{p.stem}" for p in (PACKAGE / "proofs").glob("_*.py") if p.stem != "__init__"}
    assert machinery == _listed("importlinter:contract:library", "source_modules")


def test_every_folder_of_the_package_is_a_layer():
    layers: set[str] = set()
    for row in _listed("importlinter:contract:layers", "layers"):
        layers |= {name.strip() for name in row.split("|")}
    folders = {f"symconv.{p.name}" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    modules = {f"symconv.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert folders | modules == layers


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_is_over_about_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 650, "split it by responsibility"
