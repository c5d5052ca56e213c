"""Users (business accounts [业务帐号]), roles and permissions, sessions, API tokens, CSRF."""
