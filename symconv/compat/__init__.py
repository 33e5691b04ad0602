"""Convention adapters: NumPy, SciPy and PyTorch reproduced exactly, symbolically.

Each submodule mirrors one library's names and signatures and returns the
closed-form :class:`~symconv.Array` that the library computes numerically:

* :mod:`symconv.compat.numpy` — ``convolve``, ``correlate``;
* :mod:`symconv.compat.scipy` — ``convolve``, ``correlate``, ``convolve2d``,
  ``correlate2d`` (``scipy.signal``);
* :mod:`symconv.compat.torch` — ``conv1d/2d/3d`` and
  ``conv_transpose1d/2d/3d`` (``torch.nn.functional``).

None of them imports its library: they only choose the
:class:`~symconv.core.formula.ConvSpec` that matches the library's convention.

>>> from symconv.compat import numpy as snp
>>> snp.convolve([1, 2], [1, 10]).tolist()
[1, 12, 20]
"""

from symconv.compat import numpy as numpy
from symconv.compat import scipy as scipy
from symconv.compat import torch as torch

__all__ = ["numpy", "scipy", "torch"]


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
