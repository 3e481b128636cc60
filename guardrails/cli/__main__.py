"""``python -m guardrails.cli``."""

import sys

from guardrails.cli import main

sys.exit(main())
