"""Hand-style arithmetic for derivations (public re-export of ``symconv.display.tree``).

>>> from symconv.display import Product, Sum
>>> print(Sum([Product([-1, 2]), Product([1, 1])]))
(-1)·2 + 1·1
"""

from symconv.display.tree import (
    NOTATIONS,
    Chain,
    Indexed,
    Leaf,
    Matrix,
    Node,
    Product,
    Raw,
    Step,
    Sum,
    Vector,
    format_index,
)

__all__ = [
    "NOTATIONS",
    "Chain",
    "Indexed",
    "Leaf",
    "Matrix",
    "Node",
    "Product",
    "Raw",
    "Step",
    "Sum",
    "Vector",
    "format_index",
]


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
