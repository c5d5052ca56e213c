"""The agent's workbench [座席工作台]: page, toolbar actions and the real-time stream."""
