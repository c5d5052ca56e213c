"""ASGI entry point for uvicorn workers: settings come from the environment."""

from agentdesk.app import create_app
from agentdesk.config import Settings


def build_app():
    return create_app(Settings.from_env())
