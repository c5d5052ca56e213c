"""Every setting is read once, in config.py: the key material and the simulator's server URL
come from `Settings.from_env`, and nothing else in the source reads the environment."""

import base64
import re
from pathlib import Path

from agentdesk.cli.main import build_parser
from agentdesk.cli.sim_cmd import server_url
from agentdesk.config import Settings
from agentdesk.kit.crypto import data_keyring

SRC = Path(__file__).resolve().parents[2] / "src" / "agentdesk"
KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
BLIND = base64.urlsafe_b64encode(b"b" * 16).decode()
# Allowed: config.py itself; the Prometheus multiprocess folder (a library's own variable,
# set for the worker processes); the CLI setting HOST/PORT for the server it starts; the
# migration 0003 (migrations that landed do not change).
ALLOWED = {
    "config.py",
    "multiproc.py",
    "metrics.py",
    "serve_cmd.py",
    "0003_blind_index_per_table.py",
}


def _env(tmp_path, **more) -> dict[str, str]:
    return {"AGENTDESK_DATA_DIR": str(tmp_path), "AGENTDESK_SECRET_KEY": "s" * 40, **more}


def test_key_material_is_read_by_from_env_and_builds_the_key_ring(tmp_path):
    env = _env(tmp_path, AGENTDESK_DATA_KEYS=f"k2:{KEY}", AGENTDESK_BLIND_INDEX_KEY=BLIND)
    settings = Settings.from_env(env)
    assert (settings.data_keys, settings.blind_index_key) == (f"k2:{KEY}", BLIND)
    assert KEY not in repr(settings) and BLIND not in repr(settings)
    ring = data_keyring(settings.secret_key, settings.key_material)
    assert ring.active_id == "k2"
    assert ring.blind_index("x", scope="s") == data_keyring(settings.secret_key, env).blind_index(
        "x", scope="s"
    )


def test_the_simulator_server_comes_from_the_settings(tmp_path):
    args = build_parser().parse_args(["sim", "show", "X"])
    explicit = Settings.from_env(_env(tmp_path, AGENTDESK_URL="http://desk:9000/"))
    assert server_url(args, explicit) == ("http://desk:9000", "AGENTDESK_URL")
    port = Settings.from_env(_env(tmp_path, PORT="9100"))
    assert server_url(args, port) == ("http://127.0.0.1:9100", "PORT")


def test_nothing_outside_config_reads_the_environment():
    readers = re.compile(r"os\.environ|os\.getenv|getenv\(")
    found = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name not in ALLOWED and readers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
