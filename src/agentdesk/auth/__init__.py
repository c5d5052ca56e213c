"""Users (business accounts [业务账号]), roles and permissions, sessions, API tokens, CSRF."""
