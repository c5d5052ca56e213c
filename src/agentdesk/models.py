"""Imports every model so that Base.metadata is complete (Alembic, tests)."""

from agentdesk.auth import models as auth_models  # noqa: F401
from agentdesk.config_center.agents import models as agent_models  # noqa: F401
from agentdesk.config_center.basetables import models as base_table_models  # noqa: F401
from agentdesk.config_center.called import models as called_models  # noqa: F401
from agentdesk.config_center.custompages import models as custom_page_models  # noqa: F401
from agentdesk.config_center.interfaces import models as interface_models  # noqa: F401
from agentdesk.config_center.queues import models as queue_models  # noqa: F401
from agentdesk.config_center.screenpop import models as screenpop_models  # noqa: F401
from agentdesk.config_center.whitelist import models as whitelist_models  # noqa: F401
from agentdesk.contacts import models as contact_models  # noqa: F401
from agentdesk.ivr import models as ivr_models  # noqa: F401
from agentdesk.jobs import models as job_models  # noqa: F401
from agentdesk.storage import outbox  # noqa: F401
from agentdesk.storage.base import Base
from agentdesk.telephony import models as telephony_models  # noqa: F401
from agentdesk.telephony.flows import models as flow_run_models  # noqa: F401
from agentdesk.tenancy import models as tenancy_models  # noqa: F401
from agentdesk.verification import models as verification_models  # noqa: F401

metadata = Base.metadata
