"""Bounds on what a person can mean: values outside them are typing errors.

One place for every form, serializer and transition field, so the API, the
web forms and the services refuse the same inputs with the same rule.
"""

from datetime import date

MAX_YEN = 10**15  # a thousand trillion yen
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
FIRST_FISCAL_YEAR = 2019  # 令和元年度
LAST_FISCAL_YEAR = 2100
