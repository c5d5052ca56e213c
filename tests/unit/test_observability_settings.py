"""Settings and pure helpers of the operability features."""

import json
import logging

import pytest

from agentdesk.config import Settings
from agentdesk.observability.logs import JsonFormatter, _request_id, log_config

BASE = {"AGENTDESK_SECRET_KEY": "k" * 40, "AGENTDESK_SIM_TOKEN": "t"}


def test_settings_read_metrics_token_and_log_format(tmp_path):
    env = {**BASE, "AGENTDESK_DATA_DIR": str(tmp_path)}
    default = Settings.from_env(env)
    assert (default.metrics_token, default.log_format, default.log_level) == ("", "json", "INFO")
    chosen = Settings.from_env(
        {
            **env,
            "AGENTDESK_METRICS_TOKEN": "m-secret-91",
            "AGENTDESK_LOG_FORMAT": "TEXT",
            "AGENTDESK_LOG_LEVEL": "debug",
        }
    )
    assert (chosen.metrics_token, chosen.log_format, chosen.log_level) == (
        "m-secret-91",
        "text",
        "DEBUG",
    )
    assert "m-secret-91" not in repr(chosen)


def test_an_unknown_log_format_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="AGENTDESK_LOG_FORMAT must be json or text"):
        Settings.from_env(
            {**BASE, "AGENTDESK_DATA_DIR": str(tmp_path), "AGENTDESK_LOG_FORMAT": "xml"}
        )


def test_a_request_id_is_kept_only_when_it_is_a_sane_token():
    assert _request_id({"headers": [(b"x-request-id", b"abc-123")]}) == "abc-123"
    for bad in (b"a b", b"x" * 65, b'"}{', "\u00e9".encode()):
        replaced = _request_id({"headers": [(b"x-request-id", bad)]})
        assert replaced != bad.decode("latin-1") and len(replaced) == 16


def test_a_json_line_is_one_object_with_the_exception_text():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("job",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line.replace("\\n", "")
    parsed = json.loads(line)
    assert parsed["msg"] == "failed job" and parsed["level"] == "error"
    assert "RuntimeError: boom" in parsed["exc"]


def test_log_config_silences_uvicorns_access_log_and_httpx():
    config = log_config("json")
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
    assert config["loggers"]["httpx"]["level"] == "WARNING"
    assert log_config("text")["formatters"]["default"]["()"].endswith("TextFormatter")
