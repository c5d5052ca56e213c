"""Enterprise interfaces [接口管理] of the operations admin, mapped to tenants [字典值映射]."""
