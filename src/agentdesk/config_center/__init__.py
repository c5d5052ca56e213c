"""The configuration center [配置中心]: one folder per domain (models/schemas/repository/service/api)."""
