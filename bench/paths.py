"""Where the benchmarks find the ``shared/`` folder (the real Pingtan pages, the references).

``GOVINSPECT_SHARED`` if set, else the first ``shared/`` beside the repository or one of its
parent folders (``/work/main`` next to ``/work/shared``).  The tests find it the same way
(``tests/conftest.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    named = os.environ.get("GOVINSPECT_SHARED")
    if named:
        return Path(named).expanduser()
    for folder in REPO.parents:
        candidate = folder / "shared"
        if (candidate / "corpus").is_dir() or (candidate / "reference").is_dir():
            return candidate
    return REPO.parent / "shared"  # absent: the scripts say so when they read it


PINGTAN = shared_dir() / "corpus" / "pingtan"
