"""Roles are sets of permissions. Built-in roles plus tenant-defined roles."""

PLATFORM_MANAGE = "platform.manage"
CONFIG_MANAGE = "config.manage"
USERS_MANAGE = "users.manage"
RECORDS_READ = "records.read"
WORKBENCH_USE = "workbench.use"
# Export base-table rows with encrypted and masked fields in clear (audited); without it an
# export leaves those fields out.
DATA_EXPORT_CLEAR = "data.export_clear"

# Later issues add e.g. verification.perform / verification.configure / verification.records.
TENANT_PERMISSIONS: dict[str, tuple[str, str]] = {
    CONFIG_MANAGE: ("配置中心管理", "Manage the configuration center"),
    USERS_MANAGE: ("人员管理", "Manage business accounts and roles"),
    RECORDS_READ: ("查询接触记录", "Query contact records"),
    WORKBENCH_USE: ("使用座席工作台", "Use the agent workbench"),
    DATA_EXPORT_CLEAR: ("导出加密数据", "Export encrypted data"),
}

OPS_ADMIN = "ops_admin"
TENANT_ADMIN = "tenant_admin"
AGENT = "agent"
BUILTIN_ROLES: dict[str, frozenset[str]] = {
    OPS_ADMIN: frozenset({PLATFORM_MANAGE}),
    TENANT_ADMIN: frozenset(TENANT_PERMISSIONS),
    AGENT: frozenset({WORKBENCH_USE}),
}
