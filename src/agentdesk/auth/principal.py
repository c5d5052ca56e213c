from dataclasses import dataclass

from agentdesk.auth.permissions import OPS_ADMIN
from agentdesk.kit.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their tenant and what they may do."""

    user_id: int
    username: str
    display_name: str
    tenant_id: int | None
    role: str
    permissions: frozenset[str]
    via_token: bool = False

    @property
    def is_ops_admin(self) -> bool:
        return self.role == OPS_ADMIN

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise Forbidden(f"permission {permission} required")

    def require_tenant(self) -> int:
        if self.tenant_id is None:
            raise Forbidden("this action needs a tenant account")
        return self.tenant_id
