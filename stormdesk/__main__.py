"""`python -m stormdesk`: see ``stormdesk.cli``."""

import sys

from stormdesk.cli import main

sys.exit(main())
