"""The directory where the workers of one `agentdesk serve` share their metric values.

Kept apart from `metrics` on purpose: prometheus_client picks its value storage when it is
first imported, so the directory must be in the environment before that import, in the
serving process and in every worker it starts (they inherit the environment).
"""

import os
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_prepared: set[str] = set()


def prepare(default_dir: Path) -> str:
    """Use `$PROMETHEUS_MULTIPROC_DIR` or `default_dir`, emptied of a previous run's values."""
    path = os.environ.get(MULTIPROC_ENV) or str(default_dir)
    if path in _prepared:  # once per process: our own open files must not be deleted
        return path
    os.makedirs(path, mode=0o700, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))
    os.environ[MULTIPROC_ENV] = path
    _prepared.add(path)
    return path
