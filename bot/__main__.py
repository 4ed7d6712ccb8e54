"""``python -m bot`` is the ``signalbot`` command."""

import sys

from bot.cli import main

sys.exit(main())
