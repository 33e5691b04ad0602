"""The ``shape`` and ``output-padding`` sub-commands."""

from __future__ import annotations

import pytest

from symconv import SymconvError, cli
from symconv.cli.shapes import register


def _run(argv, capsys):
    parser = cli._Parser(prog="symconv")
    sub = parser.add_subparsers(dest="command", parser_class=cli._Parser)
    register(sub)
    args = parser.parse_args(argv)
    status = args.handler(args)
    return status, capsys.readouterr().out


def test_shape_torch(capsys):
    status, out = _run(["shape", "torch.conv2d", "8x3x32x32", "16x3x3x3", "--stride", "2", "--padding", "1"], capsys)
    assert status == 0 and out.strip() == "8x16x16x16"


def test_shape_same_and_tuples(capsys):
    _, out = _run(["shape", "torch.conv2d", "1x2x5x6", "4x2x3x2", "--padding", "same", "--dilation", "1,2"], capsys)
    assert out.strip() == "1x4x5x6"
    _, out = _run(["shape", "numpy.correlate", "2", "5", "--mode", "same"], capsys)
    assert out.strip() == "5"


def test_per_side_padding_for_the_core_operations(capsys):
    _, out = _run(["shape", "correlate", "5", "2", "--padding", "1:2"], capsys)
    assert out.strip() == "7"
    _, out = _run(["shape", "convolve", "5x5", "2x2", "--padding", "1:2,0"], capsys)
    assert out.strip() == "7x4"
    with pytest.raises(SymconvError, match=r"conv1d: `padding` must be an integer ≥ 0; got \(1, 2\)"):
        _run(["shape", "torch.conv1d", "1x1x5", "1x1x2", "--padding", "1:2"], capsys)


def test_output_padding_choices(capsys):
    _, out = _run(["output-padding", "16", "3", "--stride", "2", "--padding", "1"], capsys)
    assert out.splitlines() == ["input size 31: output_padding=0", "input size 32: output_padding=1"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["shape", "torch.conv1d", "1x2x5", "2x2x2", "--stride", "two"], "`stride`"),
        (["shape", "torch.conv1d", "1x2x5", "2x2x9"], "must fit"),
        (["shape", "numpy.convolve", "5", "2", "--groups", "2"], "takes no parameter 'groups'"),
    ],
)
def test_bad_input(argv, needle, capsys):
    with pytest.raises(SymconvError) as info:
        _run(argv, capsys)
    assert needle in str(info.value)


def test_registered_in_the_cli(capsys):
    assert cli.main(["shape", "torch.conv_transpose1d", "1x4x16", "4x2x3", "--stride", "2", "--padding", "1"]) == 0
    assert capsys.readouterr().out.strip() == "1x2x31"
    assert cli.main(["shape", "torch.conv1d", "1x2x5", "2x2x9"]) == 2
    assert "must fit" in capsys.readouterr().err
