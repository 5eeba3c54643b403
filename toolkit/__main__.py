"""python -m toolkit → the vpcep CLI."""

import sys

from toolkit.cli import main

sys.exit(main())
