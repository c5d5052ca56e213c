"""Where the settings say the sample pages of examples/ are (what `make run` passes)."""

from agentdesk.config import Settings

SECRETS = {"AGENTDESK_SECRET_KEY": "k" * 48, "AGENTDESK_SIM_TOKEN": "t" * 32}


def test_the_examples_origin_follows_examples_port():
    assert Settings.from_env(SECRETS).examples_origin == "http://127.0.0.1:8001"
    moved = Settings.from_env({**SECRETS, "EXAMPLES_PORT": "9001"})
    assert moved.examples_origin == "http://127.0.0.1:9001"


def test_an_explicit_examples_origin_wins_over_the_port():
    env = {
        **SECRETS,
        "EXAMPLES_PORT": "9001",
        "AGENTDESK_EXAMPLES_ORIGIN": "https://samples.example.com/",
    }
    assert Settings.from_env(env).examples_origin == "https://samples.example.com"
