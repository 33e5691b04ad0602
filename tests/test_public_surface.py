"""The public surface: every public module has an ``__all__``, and ``dir()`` shows exactly it.

A user's tab completion and ``dir()`` should list what to call — not ``dataclass``, ``Any`` or the
helpers a module imports for itself (``symconv.compat.torch`` once exported ``check_int``).
"""

from __future__ import annotations

import importlib

import pytest

#: The public modules (docs/guide/layout.md, "Where things are"); the layers' folders are internal.
PUBLIC = {
    "symconv": {"compat", "display", "proofs", "testing", "__version__"},
    "symconv.compat": set(),
    "symconv.compat.numpy": set(),
    "symconv.compat.scipy": set(),
    "symconv.compat.torch": set(),
    "symconv.proofs": set(),
    "symconv.display": set(),
    "symconv.testing": set(),
    "symconv.identification": set(),
    "symconv.cli": set(),
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_dir_of_a_public_module_is_its_all(name):
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list) and module.__all__, name
    shown = {n for n in dir(module) if not n.startswith("_")} | ({"__version__"} & set(dir(module)))
    assert shown == set(module.__all__) | PUBLIC[name], name


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_name_in_all_exists(name):
    module = importlib.import_module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names {missing}, which the module does not define"


def test_symconv_names_load_on_first_use_and_stay():
    import symconv

    assert symconv.correlate is symconv.correlate
    assert symconv.proofs.theorem is symconv.theorem
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = symconv.nope  # type: ignore[attr-defined]


def test_the_layer_folders_are_not_part_of_the_public_surface():
    import symconv

    for layer in ("core", "engines", "arrays", "gradients", "writing", "identification", "cli"):
        assert layer not in dir(symconv), layer
