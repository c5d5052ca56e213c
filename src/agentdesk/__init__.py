"""agentdesk: an open contact-center agent workbench that integrates third-party web pages."""

__version__ = "0.1.0"
