"""Every docstring example in the package runs and gives what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import shebao

MODULES = [m.name for m in pkgutil.iter_modules(shebao.__path__, "shebao.") if m.name not in ("shebao.__main__",)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
