import sys

from lab import cli

sys.exit(cli.main())
