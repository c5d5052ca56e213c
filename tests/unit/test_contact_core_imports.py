"""The contact core imports in one direction: no module of telephony, contacts or channels
reaches back to a module that reaches it (issue 9: actions/agent_actions/timers were a circle),
and the pure modules stay free of the database and the web framework."""

import itertools

import grimp

CORE = ("agentdesk.telephony", "agentdesk.contacts", "agentdesk.channels")
PURE = (
    "agentdesk.contacts.machine",
    "agentdesk.contacts.contact_states",
    "agentdesk.contacts.agent_states",
    "agentdesk.contacts.presence",
    "agentdesk.contacts.families",
    "agentdesk.channels.adapter",
    "agentdesk.telephony.routing",
)


def _graph():
    return grimp.build_graph("agentdesk", "sqlalchemy", "fastapi")


def test_no_import_cycles_in_the_contact_core():
    graph = _graph()
    modules = sorted(m for m in graph.modules if m.startswith(CORE))
    cycles = [
        (a, b)
        for a, b in itertools.combinations(modules, 2)
        if graph.chain_exists(a, b) and graph.chain_exists(b, a)
    ]
    assert cycles == []


def test_pure_modules_import_neither_the_database_nor_the_web_framework():
    graph = _graph()
    # The check sees such imports where they are (the tables do use the database).
    assert graph.chain_exists("agentdesk.contacts.models", "sqlalchemy", as_packages=True)
    for module in PURE:
        for outside in ("sqlalchemy", "fastapi"):
            assert not graph.chain_exists(module, outside, as_packages=True), (module, outside)
