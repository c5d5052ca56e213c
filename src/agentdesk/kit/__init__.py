"""Small shared helpers: errors, clock, ids. Imports nothing else from agentdesk."""
