r"""Which operation does a black-box function compute? ``identify`` probes it and answers exactly.

A function ``fn(x, w) -> y`` that is a correlation or convolution of any kind is bilinear, so its
impulse responses :math:`T[m, i, j] = \mathrm{fn}(e_i, e_j)[m]` determine it. :func:`symconv.identify`
recovers them at several sizes and compares them, coefficient by coefficient, with symconv's own
operation

.. math:: y[n] = \sum_{k} \tilde x[s\,n + d\,k - p_{lo}]\; w[k \text{ or } K-1-k]

for the flip, stride, dilation, padding rule and boundary rule it derives; complex probes decide
the conjugation. It reports what it found (:class:`Identification`), or ``operation=None`` with
the probe that shows why not.

>>> import numpy as np
>>> from symconv.identification import identify
>>> r = identify("numpy.correlate")
>>> r.operation, r.mode, r.conjugate
('correlation', 'valid', True)
>>> print(r.text_formula())
y[n] += x[n + k]·conj(w)[k],  0 ≤ n < N - K + 1

Presets (:data:`PRESETS`) wrap numpy, scipy, PyTorch, JAX and TensorFlow functions;
:func:`library_table` runs ``identify`` on every installed one.
"""

from symconv.identification._identify import identify
from symconv.identification._presets import PRESETS, Preset, preset
from symconv.identification._result import BOUNDARY_NAMES, AxisInfo, Evidence, Identification
from symconv.identification._table import LibraryRow, library_table

__all__ = [
    "BOUNDARY_NAMES",
    "PRESETS",
    "AxisInfo",
    "Evidence",
    "Identification",
    "LibraryRow",
    "Preset",
    "identify",
    "library_table",
    "preset",
]


def __dir__() -> list[str]:
    """Only the public names (``dir()``, tab completion): no imports or helpers."""
    return sorted(__all__)
