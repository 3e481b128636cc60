"""Python's cyclic garbage collector held off while a parse builds its values."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (restored after, also on error).

    A parse allocates millions of dicts, lists and resources and frees almost none: each
    full collection walks everything built so far, which made parsing superlinear (three
    full walks of a 10k plan, a third of the parse stage; 100k objects much worse). Parsed
    values hold no reference cycles, so nothing is left uncollected for longer than the parse.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
