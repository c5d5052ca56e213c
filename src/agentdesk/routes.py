"""Every router of the application, in one place."""

from fastapi import FastAPI

from agentdesk.admin.pages import router as admin_pages_router
from agentdesk.auth.api import router as auth_router
from agentdesk.auth.pages import router as pages_router
from agentdesk.channels.adapter import CHANNELS
from agentdesk.channels.simulator import SIMULATOR
from agentdesk.channels.simulator import router as sim_router
from agentdesk.config_center.agents.api import router as config_agents_router
from agentdesk.config_center.basetables.api import router as base_tables_router
from agentdesk.config_center.called.api import router as config_called_router
from agentdesk.config_center.custompages.api import pages_router as custom_page_pages_router
from agentdesk.config_center.custompages.api import router as custom_pages_router
from agentdesk.config_center.interfaces.api import ops_router as interfaces_ops_router
from agentdesk.config_center.interfaces.api import router as interfaces_router
from agentdesk.config_center.queues.api import router as config_queues_router
from agentdesk.config_center.screenpop.api import router as screenpop_router
from agentdesk.config_center.users.api import router as config_users_router
from agentdesk.config_center.whitelist.api import router as whitelist_router
from agentdesk.ivr.api import router as ivr_flows_router
from agentdesk.monitoring.api import router as monitoring_router
from agentdesk.ops.api import router as platform_router
from agentdesk.telephony.api import records_router
from agentdesk.telephony.flows.runtime import register_flows
from agentdesk.verification.api import methods_router as verification_methods_router
from agentdesk.verification.api import records_router as verification_records_router
from agentdesk.web.docs import router as docs_router
from agentdesk.workbench.api import router as workbench_router
from agentdesk.workbench.pages import router as workbench_pages_router
from agentdesk.workbench.sdk import router as sdk_router
from agentdesk.workbench.verification_api import router as workbench_verification_router


def register_channels() -> None:
    """The channels contacts come through; the simulator is the first (idempotent)."""
    CHANNELS.register(SIMULATOR)
    register_flows()  # calls reach IVR flows (IVR entries, transfer-to-IVR policies)


def include_routers(app: FastAPI) -> None:
    register_channels()
    for router in (
        auth_router,
        pages_router,
        sim_router,
        records_router,
        workbench_verification_router,
        workbench_router,
        workbench_pages_router,
        sdk_router,
        platform_router,
        admin_pages_router,
        config_queues_router,
        config_called_router,
        config_agents_router,
        config_users_router,
        screenpop_router,
        whitelist_router,
        interfaces_ops_router,
        interfaces_router,
        custom_pages_router,
        custom_page_pages_router,
        base_tables_router,
        ivr_flows_router,
        verification_methods_router,
        verification_records_router,
        docs_router,
        monitoring_router,
    ):
        app.include_router(router)
