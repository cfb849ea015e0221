"""`python -m voice` and the `goodenough` command: see voice/cli/main.py."""

import sys

from voice.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
