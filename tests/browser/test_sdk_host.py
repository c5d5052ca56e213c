"""The SDK host module (web/static/sdk-host.js) in real Chromium, on its own: the one module the
workbench and "Try it" both use for the workbench side of the AICCSupport.js protocol.

The host page and the pop pages are on three origins (three local sites serving one folder),
so every origin and source check is the browser's real one. The module file is the package's
own, copied next to the host page unchanged."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page

import agentdesk.web
from agentdesk.telephony.numbers import PHONE_NUMBER
from tests.support.agents import PASSWORDS, seed_demo
from tests.support.sites import StaticSite

pytestmark = pytest.mark.browser
STATIC = Path(agentdesk.web.__file__).parent / "static"

HOST_PAGE = """<!doctype html><meta charset="utf-8"><title>SDK host</title>
<div id="rule" data-phone-pattern="%(pattern)s"></div>
<script type="module">
import { SdkHost, refuseHello } from "./sdk-host.js";
import { phoneNumberRule } from "./phone-rule.js";
window.traffic = [];
window.handled = [];
window.calls = [];
window.refuseHello = refuseHello;
window.host = new SdkHost({
  workbench: "audio_video",
  workNo: () => "101",
  phoneNumber: phoneNumberRule(),
  placeCall: async (number, mediaType) => {
    window.calls.push([number, mediaType]);
    if (number === "99999999") throw new Error("the agent is on a call");
    return { ok: true, callid: "c-" + number };
  },
  onTraffic: (direction, message) => window.traffic.push([direction, message]),
});
window.addEventListener("message", (event) => {
  const name = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source)?.id;
  window.handled.push([name ?? "other", window.host.receive(event)]);
});
window.frame = (id, src) => new Promise((done) => {
  const el = document.createElement("iframe");
  el.id = id; el.src = src; el.onload = () => done(); document.body.append(el);
});
window.ready = true;
</script>"""

# A pop page: records what reaches it; `say` posts to the host page with a target origin.
POP_PAGE = """<!doctype html><meta charset="utf-8"><title>pop</title><script>
window.got = [];
addEventListener("message", (e) => window.got.push({origin: e.origin, data: e.data}));
window.say = (message, target) => parent.postMessage(message, target);
</script>"""

HELLO = {"protocol": "agentdesk-sdk/1", "type": "hello", "version": "test"}


@pytest.fixture
def sites(tmp_path):
    """The host page's site and two pop sites, each its own origin, serving one folder."""
    for module in ("sdk-host.js", "phone-rule.js"):
        shutil.copy(STATIC / module, tmp_path / module)
    (tmp_path / "host.html").write_text(HOST_PAGE % {"pattern": PHONE_NUMBER.pattern})
    (tmp_path / "pop.html").write_text(POP_PAGE)
    with StaticSite(tmp_path) as host, StaticSite(tmp_path) as pop, StaticSite(tmp_path) as other:
        yield host, pop, other


def host_page(page: Page, host: StaticSite) -> Page:
    page.goto(f"{host.origin}/host.html")
    page.wait_for_function("window.ready === true")
    return page


def add_frame(page: Page, name: str, site: StaticSite, adopt_as: str | None = None):
    page.evaluate("([id, src]) => window.frame(id, src)", [name, f"{site.origin}/pop.html"])
    if adopt_as:
        page.evaluate(
            "([id, origin]) => host.adopt(document.getElementById(id).contentWindow, origin)",
            [name, adopt_as],
        )
    return page.locator(f"#{name}").element_handle().content_frame()


def say(frame, message: dict, target: str) -> None:
    frame.evaluate("([m, t]) => window.say(m, t)", [message, target])


def got(frame, count: int, page: Page) -> list[dict]:
    frame.wait_for_function(f"window.got.length >= {count}", polling=50)
    page.wait_for_timeout(200)  # and nothing more arrives
    return [item["data"] for item in frame.evaluate("window.got")]


def test_only_adopted_frames_with_their_origin_are_heard(page, sites):
    host, pop, other = sites
    page = host_page(page, host)
    adopted = add_frame(page, "adopted", pop, adopt_as=pop.origin)
    stranger = add_frame(page, "stranger", pop)  # right origin, never adopted: wrong source
    moved = add_frame(page, "moved", other, adopt_as=pop.origin)  # adopted, wrong origin

    say(stranger, HELLO, host.origin)
    say(moved, HELLO, host.origin)
    say(adopted, {"type": "hello"}, host.origin)  # not of this protocol
    page.evaluate("(m) => window.postMessage(m, location.origin)", HELLO)  # the host itself
    say(adopted, HELLO, host.origin)

    answers = got(adopted, 2, page)
    assert answers == [
        {"protocol": "agentdesk-sdk/1", "type": "welcome", "workbench": "audio_video"},
        {
            "protocol": "agentdesk-sdk/1",
            "type": "event",
            "name": "Init",
            "seq": 0,
            "data": {"workNo": "101"},
        },
    ]
    assert [item["origin"] for item in adopted.evaluate("window.got")] == [host.origin] * 2
    assert stranger.evaluate("window.got") == [] and moved.evaluate("window.got") == []
    handled = page.evaluate("window.handled")
    # A stranger's message and the host's own are not the host's; the adopted frames' are,
    # even when refused for their origin or protocol.
    assert handled == [
        ["stranger", False],
        ["moved", True],
        ["adopted", True],
        ["other", False],
        ["adopted", True],
    ]
    inbound = [
        message for direction, message in page.evaluate("window.traffic") if direction == "in"
    ]
    assert inbound == [HELLO]


def test_click_to_outbound_needs_hello_and_the_servers_phone_rule(page, sites):
    host, pop, _other = sites
    page = host_page(page, host)
    frame = add_frame(page, "sdk", pop, adopt_as=pop.origin)

    def ask(request_id: int, media: str, number: str) -> None:
        message = {
            "protocol": "agentdesk-sdk/1",
            "type": "clickToOutbound",
            "id": request_id,
            "mediaType": media,
            "calledNum": number,
        }
        say(frame, message, host.origin)

    ask(1, "audio", "88880523")  # before hello: ignored
    say(frame, HELLO, host.origin)
    got(frame, 2, page)
    requests = [
        (2, "audio", "123*#"),  # the old browser-only rule accepted * and #
        (3, "audio", "1" * 25),  # the server allows 3 to 24 digits
        (4, "fax", "88880523"),
        (5, "email", "a@b.c"),
        (6, "video", " +8613800000001 "),
        (7, "audio", "99999999"),
    ]
    for request in requests:
        ask(*request)
    results = got(frame, 2 + len(requests), page)[2:]
    outcomes = {item["id"]: item["outcome"] for item in results}
    assert {item["type"] for item in results} == {"result"}
    assert set(outcomes) == {2, 3, 4, 5, 6, 7}
    assert outcomes[2]["code"] == "bad_number" and outcomes[3]["code"] == "bad_number"
    assert outcomes[4]["code"] == "bad_media_type"
    assert outcomes[5]["code"] == "not_available"
    assert outcomes[6] == {"ok": True, "callid": "c-+8613800000001"}
    assert outcomes[7] == {"ok": False, "code": "refused", "message": "the agent is on a call"}
    assert page.evaluate("window.calls") == [["+8613800000001", "video"], ["99999999", "audio"]]


def test_call_events_carry_a_sequence_per_call_and_a_late_page_gets_the_latest(page, sites):
    host, pop, _other = sites
    page = host_page(page, host)
    first = add_frame(page, "first", pop, adopt_as=pop.origin)
    say(first, HELLO, host.origin)
    got(first, 2, page)
    call = {"callid": "c1", "callerNum": "13800000001", "calledNum": "960358"}
    page.evaluate("(call) => { host.emit('Ringing', call); host.emit('Talking', call); }", call)
    events = got(first, 4, page)[2:]
    assert [(e["name"], e["seq"], e["data"]["seq"]) for e in events] == [
        ("Ringing", 1, 1),
        ("Talking", 2, 2),
    ]
    assert events[1]["data"] == {**call, "seq": 2}

    # A page that says hello during the call gets welcome, Init and the latest event only.
    late = add_frame(page, "late", pop, adopt_as=pop.origin)
    say(late, HELLO, host.origin)
    replay = got(late, 3, page)
    assert [m["type"] for m in replay] == ["welcome", "event", "event"]
    assert [(m["name"], m["seq"]) for m in replay[1:]] == [("Init", 0), ("Talking", 2)]

    # After Release nothing is replayed; the next call starts its own sequence.
    page.evaluate("(call) => host.emit('Release', call)", call)
    page.evaluate("() => host.emit('Ringing', {callid: 'c2'})")
    assert [(m["name"], m["seq"]) for m in got(first, 6, page)[4:]] == [
        ("Release", 3),
        ("Ringing", 1),
    ]
    page.evaluate("() => host.emit('Release', {callid: 'c2'})")
    after = add_frame(page, "after", pop, adopt_as=pop.origin)
    say(after, HELLO, host.origin)
    assert [m.get("name") for m in got(after, 2, page)] == [None, "Init"]


def test_a_pop_that_is_not_web_api_is_refused_at_hello_only(page, sites):
    host, pop, _other = sites
    page = host_page(page, host)
    frame = add_frame(page, "get-pop", pop)
    page.evaluate(
        """(origin) => window.addEventListener("message", (event) => {
            if (event.source === document.getElementById("get-pop").contentWindow) {
                window.refused = (window.refused || []).concat([refuseHello(event, origin)]);
            }
        })""",
        pop.origin,
    )
    say(frame, {"protocol": "agentdesk-sdk/1", "type": "clickToOutbound", "id": 1}, host.origin)
    say(frame, {"name": "callout", "param": ["88880523", "audio"]}, host.origin)
    say(frame, HELLO, host.origin)
    assert got(frame, 1, page) == [
        {"protocol": "agentdesk-sdk/1", "type": "refused", "code": "not_webapi"}
    ]
    # SDK messages are taken (refused) here; a click-to-dial callout is left to its handler.
    assert page.evaluate("window.refused") == [True, False, True]


def test_the_workbench_and_try_it_load_the_same_modules(live_server, seeded, new_page, login_as):
    """Both pages load sdk-host.js and pop-opening.js from the server (one copy each), and get
    the phone-number rule from the server, the same one the dial API applies."""
    seeded(seed_demo)
    loaded: dict[str, set[str]] = {}
    for name, user, path in (
        ("workbench", "agent101", "/workbench"),
        ("try-it", "demo-admin", "/config/screen-pops"),
    ):
        page = new_page()
        urls: set[str] = set()
        page.on("request", lambda request, urls=urls: urls.add(request.url))
        login_as(page, live_server.url, user, PASSWORDS[user])
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        loaded[name] = {url.removeprefix(live_server.url) for url in urls}
        pattern = page.locator("[data-phone-pattern]").first.get_attribute("data-phone-pattern")
        assert pattern == PHONE_NUMBER.pattern
        assert page.js_errors == []
    shared = {"/static/sdk-host.js", "/static/pop-opening.js", "/static/phone-rule.js"}
    assert shared <= loaded["workbench"] and shared <= loaded["try-it"]
    assert "/static/pops.js" in loaded["workbench"]
    assert {"/static/screen-pops.js", "/static/screen-pop-try.js"} <= loaded["try-it"]
