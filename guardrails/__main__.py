"""``python -m guardrails``."""

import sys

from guardrails.cli import main

sys.exit(main())
