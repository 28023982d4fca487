"""Importers from the exports of apps people already use: Daylio, Bearable,
Apple Health and mindLAMP. Each returns ``ImportResult(journal, report)``;
see docs/importing.md for every field mapping."""
from .apple_health import import_apple_health
from .bearable import import_bearable
from .daylio import import_daylio
from .detect import detect_format
from .mindlamp import import_mindlamp
from . import report
from .report import *  # noqa: F403  (the names of report.__all__, listed there once)

__all__ = [
    *report.__all__,
    "detect_format",
    "import_apple_health",
    "import_bearable",
    "import_daylio",
    "import_mindlamp",
]
