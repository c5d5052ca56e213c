"""Content-Security-Policy of our own pages, and the fallback every other response gets.

Every page is rendered with a fresh nonce: its inline `<style>` elements carry it (and an
inline `<script>` would have to), so an injected script (which cannot know the nonce) never
runs, and no policy of ours needs 'unsafe-inline'. Our templates carry no inline JavaScript at
all (tests/unit/test_template_scripts.py): page code is in web/static. `frame-ancestors 'self'` keeps other sites from framing the workbench
and the consoles (clickjacking); `X-Frame-Options` says the same to older browsers.

Pages that open third-party pages (pop pages in the workbench, "Try it" in the screen-pop
configuration) let frames, and forms posted into them (URL POST pops), go to any http(s)
address: which addresses open is decided by the server's whitelist when it hands out the pop
instructions, and a policy naming the whitelist's hosts would also block the redirects these
pages make on their own (single sign-on, moved pages).
"""

import secrets

FRAME_OPTIONS = "SAMEORIGIN"
THIRD_PARTY_PAGES = "http: https:"

# For anything not rendered as one of our pages (JSON, files, redirects): nothing inline runs
# and nobody else frames it.
FALLBACK_POLICY = "default-src 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def page_policy(nonce: str, *, third_party_frames: bool = False) -> str:
    """The policy of one rendered page; `nonce` is the one its inline elements carry."""
    frames = f"'self' {THIRD_PARTY_PAGES}" if third_party_frames else "'self'"
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "img-src": "'self' data:",
        "connect-src": "'self'",  # includes this origin's ws:/wss: stream
        "frame-src": frames,
        "child-src": frames,
        "form-action": frames,
        "frame-ancestors": "'self'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())
