"""Custom pages [页面配置]: internal pop pages fed by an enterprise interface or base tables."""
