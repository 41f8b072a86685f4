"""``python -m clusterkit``: see :mod:`clusterkit._cli`."""
import sys

from ._cli import main

sys.exit(main())
