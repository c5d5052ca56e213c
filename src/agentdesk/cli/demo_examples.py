"""The demo's sample third-party pages (examples/) and the demo objects that point at them.

`make run` serves the samples on EXAMPLES_PORT, which may change from one run to the next; the
demo data seeded on an earlier run follows them (`retarget_examples`), and only that data.
"""

from urllib.parse import urlsplit

from sqlalchemy import delete, select

from agentdesk.config_center.interfaces.models import ExternalInterface
from agentdesk.config_center.screenpop.models import PopPage
from agentdesk.config_center.whitelist.models import WhitelistEntry

# Where the samples are by default; `Settings.examples_origin` says where they are now.
EXAMPLES_ORIGIN = "http://127.0.0.1:8001"
# What the demo seeds on the examples' origin: the whitelist entry (found again by its note),
# the pages' paths and the interface. Only these follow the examples to another port.
DEMO_WHITELIST_NOTE = "demo sample pages (examples/)"
DEMO_PAGE_PATHS = (
    "/customer.html",
    "/pop/post",
    "/signed.html",
    "/no-frame.html",
    "/sdk-demo.html",
)
DEMO_INTERFACE_NAME = "客户查询 Customer query"
QUERY_PATH = "/rest/v1/queryCustomer"
# The sample verification interface (身份认证), seeded by demo_ivr.py.
VERIFY_INTERFACE_NAME = "verify-card"
VERIFY_PATH = "/api/verify-card"
SEEDED_INTERFACES = ((DEMO_INTERFACE_NAME, QUERY_PATH), (VERIFY_INTERFACE_NAME, VERIFY_PATH))


def origin_parts(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, the port explicit, as whitelist entries store them."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def _seeded_path(url: str, origin: tuple[str, str, int], paths: tuple[str, ...]) -> str | None:
    """The path of a URL the demo seeded on `origin`, or None for any other URL."""
    if origin_parts(url) != origin:
        return None
    path = urlsplit(url).path
    return path if path in paths else None


async def retarget_examples(session, tenant_id: int, origin: str) -> int:
    """Point the demo's seeded pop pages, interface and whitelist entry at the examples'
    current origin, when an earlier run served them elsewhere (another EXAMPLES_PORT).

    The old origin is the seeded whitelist entry's; a page or interface an admin pointed
    anywhere else is left alone. Returns how many objects changed."""
    entry = await session.scalar(
        select(WhitelistEntry)
        .where(WhitelistEntry.note == DEMO_WHITELIST_NOTE)
        .order_by(WhitelistEntry.id)
    )
    new = origin_parts(origin)
    if entry is None or (entry.scheme, entry.host, entry.port) == new:
        return 0
    old = (entry.scheme, entry.host, entry.port)
    changed = await _retarget_pages(session, tenant_id, old, origin)
    for name, path in SEEDED_INTERFACES:
        interface = await session.scalar(
            select(ExternalInterface).where(ExternalInterface.name == name)
        )
        if interface is not None and _seeded_path(interface.url, old, (path,)):
            interface.url = f"{origin}{path}"
            changed += 1
    await _move_whitelist_entry(session, entry, new)
    return changed + 1


async def _retarget_pages(session, tenant_id: int, old: tuple, origin: str) -> int:
    changed = 0
    pages = await session.scalars(
        select(PopPage).where(PopPage.tenant_id == tenant_id, PopPage.page_type == "external")
    )
    for page in pages:
        path = _seeded_path(page.url, old, DEMO_PAGE_PATHS)
        if path:
            page.url = origin + path
            page.check_result = None  # it described the old address
            changed += 1
    return changed


async def _move_whitelist_entry(session, entry: WhitelistEntry, new: tuple) -> None:
    clash = await session.scalar(
        select(WhitelistEntry.id).where(
            WhitelistEntry.scheme == new[0],
            WhitelistEntry.host == new[1],
            WhitelistEntry.port == new[2],
            WhitelistEntry.path_prefix == entry.path_prefix,
            WhitelistEntry.id != entry.id,
        )
    )
    if clash is not None:  # an operations admin already whitelisted it: theirs stays
        await session.execute(delete(WhitelistEntry).where(WhitelistEntry.id == entry.id))
        return
    entry.scheme, entry.host, entry.port = new
