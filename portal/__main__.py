"""python -m portal …: the same as the `portal` command."""

import sys

from .cli import main

sys.exit(main())
