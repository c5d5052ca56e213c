"""Base tables [基础表] and their data [数据表查询] (R-TBL-1, R-TBL-2).

The pop path (R-TBL-3) reads rows through `service.rows_for_caller`.
"""
