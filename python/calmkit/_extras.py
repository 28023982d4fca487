"""Optional dependencies ("extras"): import them on first use, and when one is
missing say in one line which extra to install, instead of a traceback from
deep inside calmkit.

The extras are declared in pyproject.toml ``[project.optional-dependencies]``;
:data:`EXTRAS` must name the same ones (tests/python/test_packaging.py checks).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtraError", "require"]

#: extra name -> what it brings (the top-level modules it makes importable).
EXTRAS: dict[str, tuple[str, ...]] = {
    "parquet": ("pyarrow",),
    "dask": ("dask", "distributed", "pyarrow"),
    "stats": ("lifelines", "statsmodels"),
}


class MissingExtraError(ImportError):
    """An optional dependency of calmkit is not installed. The message is one
    line naming the extra to install, e.g. ``pip install "calmkit[dask]"``;
    ``.extra`` holds the extra's name and ``.name`` the missing module."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional dependency '{module.split('.')[0]}', which is not installed: "
            f'pip install "calmkit[{extra}]"',
            name=module,
        )


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
