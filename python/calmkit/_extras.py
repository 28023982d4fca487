"""Optional dependencies ("extras"): import them on first use, and when one is
missing say in one line which extra to install, instead of a traceback from
deep inside calmkit.

The extras are declared in pyproject.toml ``[project.optional-dependencies]``;
:data:`EXTRAS` and :data:`REQUIREMENTS` must name the same ones
(tests/python/test_packaging.py checks). calmkit is installed from a source
checkout (it is not on PyPI), so a hint names the packages to install and the
extra to use from the checkout, never ``pip install "calmkit[...]"``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable

from ._errors import restored

__all__ = ["EXTRAS", "REQUIREMENTS", "MissingExtraError", "install_hint", "require"]

#: extra name -> what it brings (the top-level modules it makes importable).
EXTRAS: dict[str, tuple[str, ...]] = {
    "parquet": ("pyarrow",),
    "dask": ("dask", "distributed", "pyarrow"),
    "stats": ("lifelines",),
}

#: extra name -> its pip requirements, as pyproject.toml declares them.
REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "parquet": ("pyarrow>=12",),
    "dask": ("dask[dataframe]>=2024.1", "distributed>=2024.1", "pyarrow>=12"),
    "stats": ("lifelines>=0.27",),
}


def install_hint(extra: str) -> str:
    """What to run to get the optional ``extra``, fit for an install from a
    source checkout (calmkit is not on PyPI), e.g. for ``"stats"``:
    ``pip install "lifelines>=0.27" (or, in a calmkit
    source checkout: pip install ".[stats]")``."""
    packages = " ".join(f'"{r}"' for r in REQUIREMENTS[extra])
    return f'pip install {packages} (or, in a calmkit source checkout: pip install ".[{extra}]")'


class MissingExtraError(ImportError):
    """An optional dependency of calmkit is not installed. The message is one
    line naming what to install (:func:`install_hint`);
    ``.extra`` holds the extra's name and ``.name`` the missing module."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional dependency '{module.split('.')[0]}', which is not installed: "
            f"{install_hint(extra)}",
            name=module,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # ImportError keeps name, path and msg outside __dict__; pickled with them (_errors.restored).
        state = {**vars(self), "name": self.name, "path": self.path, "msg": self.msg}
        return restored, (type(self), self.args, state)


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Imports and returns ``module`` (e.g. ``"pyarrow.parquet"``), which the
    optional ``extra`` of calmkit provides. ``feature`` names what needs it,
    for the message. Raises :class:`MissingExtraError` (an ``ImportError``)
    when the module cannot be imported, with the original error chained
    away so only the one-line message shows."""
    if extra not in EXTRAS or module.split(".")[0] not in EXTRAS[extra]:
        raise ValueError(f"calmkit extra {extra!r} does not provide {module!r}")
    try:
        return importlib.import_module(module)
    except ImportError:
        pass
    raise MissingExtraError(module, extra, feature)


class LazySchemas(dict):  # type: ignore[type-arg]
    """A dict of pyarrow schemas filled by ``build()`` on first use, so that
    importing calmkit does not import pyarrow (an optional extra)."""

    def __init__(self, build: Callable[[], dict[str, Any]]) -> None:
        super().__init__()
        self._build = build

    def _load(self) -> None:
        if not dict.__len__(self):
            self.update(self._build())

    def __getitem__(self, k: str) -> Any:
        self._load()
        return dict.__getitem__(self, k)

    def __iter__(self) -> Any:
        self._load()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._load()
        return dict.__len__(self)

    def items(self) -> Any:
        self._load()
        return dict.items(self)
