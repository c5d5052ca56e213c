"""ASGI entry point for uvicorn workers: settings come from the environment."""

import gc

from agentdesk.app import create_app
from agentdesk.config import Settings


def tune_garbage_collector() -> None:
    """Fewer, cheaper collections for a long-running server holding thousands of connections.

    Everything loaded at start-up (modules, the app) is frozen out of the collector's view, and
    the youngest generation is collected less often: a full collection over every workbench's
    objects would otherwise stall the event loop for tens of milliseconds now and then."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def build_app():
    tune_garbage_collector()
    return create_app(Settings.from_env())
