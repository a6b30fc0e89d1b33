"""``python3 -m lab``: the lab's command line (``lab.cli``)."""

import sys

from lab import cli

sys.exit(cli.main())
