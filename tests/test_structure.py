"""The package keeps its shape: no module over 450 lines, no function over 80, no class over
350, no import cycle (tests/check_structure.py, which anyone can run)."""

from __future__ import annotations

from check_structure import problems


def test_package_structure():
    assert problems() == []
