"""The example submissions that ship with iv3ld, and loading them into a store.

``examples/`` holds the project's own realistic submissions (see the README). A
store without any submission gets them on first start, so that a fresh
``iv3ld serve`` shows a working site. The example that is invalid on purpose is
refused like any invalid delivery.
"""

from __future__ import annotations

import logging
from pathlib import Path

from iv3ld.deliveries import Intake, receipt_for_path, receive
from iv3ld.identifiers import namespace
from iv3ld.resources import resource_root
from iv3ld.state import StateDirectory
from iv3ld.store import Store

logger = logging.getLogger(__name__)


def bundled_examples() -> list[Path]:
    """The example files, sorted by name."""
    return sorted(resource_root("examples").glob("*.json"))


def has_submissions(store: Store) -> bool:
    """Whether the store holds any submission version."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"ASK {{ GRAPH ?graph {{ ?version a <{vocabulary}Aanleveringsversie> }} }}"
    )
    return result.boolean


def load_bundled_examples(store: Store, state: StateDirectory) -> list[Intake]:
    """Deliver the examples to a store that holds no submission yet.

    They go through the same intake as any file an operator loads, so they get a
    ledger entry, a placement and provenance like real deliveries.
    """
    if has_submissions(store):
        return []
    intakes = [
        receive(store, state, receipt_for_path(path)) for path in bundled_examples()
    ]
    loaded = sum(1 for intake in intakes if intake.outcome == "loaded")
    logger.info("loaded %d of %d bundled examples", loaded, len(intakes))
    return intakes
