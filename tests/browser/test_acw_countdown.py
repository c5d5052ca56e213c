"""The after-call-work countdown arithmetic (web/static/countdown.js), run in Chromium with an
injected clock and clock skew: it never shows more than the configured length (issue 14.4)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
MODULE = Path(__file__).resolve().parents[2] / "src/agentdesk/web/static/countdown.js"
SINCE = "2026-12-01T10:00:00.000000Z"
UNTIL = "2026-12-01T10:00:02.000000Z"  # a 2 s ACW, in the server's clock
SERVER_START = 1_796_119_200_000  # Date.parse(SINCE)


@pytest.fixture
def countdown(page):
    page.set_content("<!doctype html><title>countdown</title>")
    page.evaluate(
        """async (source) => {
          window.cd = await import('data:text/javascript,' + encodeURIComponent(source));
        }""",
        MODULE.read_text(encoding="utf-8"),
    )

    def shown(skew_ms: int, received_at: int | None, now: int) -> int:
        return page.evaluate(
            """([since, until, skewMs, receivedAt, now]) => {
              const deadline = cd.acwDeadline({acwUntil: until, since, skewMs, receivedAt});
              return cd.secondsLeft(deadline, now, cd.acwLengthMs(until, since));
            }""",
            [SINCE, UNTIL, skew_ms, received_at, now],
        )

    return shown


def test_a_two_second_acw_never_shows_three_when_the_skew_includes_transit(countdown):
    # The browser clock equals the server's, but the skew was measured on a snapshot that took
    # 300 ms to arrive (skew +300 ms); the AgentState event arrived 40 ms after ACW began.
    received = SERVER_START + 40
    assert countdown(300, received, received) == 2
    assert countdown(300, received, received + 1) == 2
    # Counted from the moment the state arrived: no second is shown longer than a second.
    assert countdown(300, received, received + 999) == 2
    assert countdown(300, received, received + 1001) == 1
    assert countdown(300, received, received + 1999) == 1
    assert countdown(300, received, received + 2000) == 0
    assert countdown(300, received, received + 60_000) == 0


def test_the_browser_clock_ahead_or_behind_is_corrected_by_the_skew(countdown):
    for skew in (-3_600_000, -1500, 0, 1500, 3_600_000):
        received = SERVER_START + skew + 10  # arrived 10 ms after ACW began (browser clock)
        values = [countdown(skew, received, received + ms) for ms in range(0, 2500, 250)]
        assert values[0] == 2
        assert max(values) == 2
        assert values == sorted(values, reverse=True)
        assert values[-1] == 0


def test_without_a_reception_time_it_still_never_exceeds_the_configured_length(countdown):
    # A snapshot taken long ago with a wildly wrong skew: clamped to the 2 s configured.
    assert countdown(50_000, None, SERVER_START) == 2
    assert countdown(0, None, SERVER_START + 1500) == 1
    assert countdown(0, None, SERVER_START + 2000) == 0
