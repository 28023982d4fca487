"""``python -m calmkit``: the command-line interface (see calmkit.cli)."""

import sys

from .cli import main

sys.exit(main())
