"""The operations console [运营管理]: what the platform's operations admin runs across tenants
(tenants and licences, the numbers assigned to tenants, system parameters). It sits above the
configuration center, so it may count a tenant's agents and called configurations and create
its admin user; `tenancy` below holds the rules of the records themselves."""
