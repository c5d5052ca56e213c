"""Roles are sets of permissions. Built-in roles plus tenant-defined roles."""

PLATFORM_MANAGE = "platform.manage"
CONFIG_MANAGE = "config.manage"
USERS_MANAGE = "users.manage"
RECORDS_READ = "records.read"
WORKBENCH_USE = "workbench.use"
# Export base-table rows with encrypted and masked fields in clear (audited); without it an
# export leaves those fields out.
DATA_EXPORT_CLEAR = "data.export_clear"

# Identity verification (R-IDV-1, guide 4.4.5): start one during a call, configure methods
# and flows, query the records.
VERIFICATION_PERFORM = "verification.perform"
VERIFICATION_CONFIGURE = "verification.configure"
VERIFICATION_RECORDS = "verification.records"

TENANT_PERMISSIONS: dict[str, tuple[str, str]] = {
    CONFIG_MANAGE: ("配置中心管理", "Manage the configuration center"),
    USERS_MANAGE: ("人员管理", "Manage business accounts and roles"),
    RECORDS_READ: ("查询接触记录", "Query contact records"),
    WORKBENCH_USE: ("使用座席工作台", "Use the agent workbench"),
    DATA_EXPORT_CLEAR: ("导出加密数据", "Export encrypted data"),
    VERIFICATION_PERFORM: ("身份认证", "Perform identity verification"),
    VERIFICATION_CONFIGURE: ("身份认证配置", "Configure identity verification"),
    VERIFICATION_RECORDS: ("身份认证记录查询", "Query identity verification records"),
}

OPS_ADMIN = "ops_admin"
TENANT_ADMIN = "tenant_admin"
AGENT = "agent"
BUILTIN_ROLES: dict[str, frozenset[str]] = {
    OPS_ADMIN: frozenset({PLATFORM_MANAGE}),
    TENANT_ADMIN: frozenset(TENANT_PERMISSIONS),
    AGENT: frozenset({WORKBENCH_USE}),
}
