"""The README's 10-line signature check works against what agentdesk actually sends."""

import re
import time
from pathlib import Path

from agentdesk.config_center.screenpop.popparams import sign

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify_pop():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    source = next(block for block in blocks if "def verify_pop" in block)
    namespace: dict = {}
    exec(compile(source, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    return namespace["verify_pop"]


def test_readme_verification_accepts_fresh_signed_pops_and_refuses_the_rest():
    verify_pop = readme_verify_pop()
    secret = "integration-secret-123"
    params = [("callerNum", "+86 138&1"), ("callid", "17-1"), ("origin", "http://w:8000")]
    now = int(time.time())
    received = dict(sign(params, secret, now))
    assert verify_pop(received, secret)
    assert not verify_pop({**received, "callerNum": "139"}, secret)
    assert not verify_pop(received, "another-secret-456")
    assert not verify_pop(dict(sign(params, secret, now - 3600)), secret)
    assert not verify_pop({k: v for k, v in received.items() if k != "adk_sig"}, secret)
