"""Money (docs/domain.md#money-and-rounding): tranche plans, payable items, payment runs, return claims, fund balances.

Other apps use ``services`` (writes), ``selectors`` (reads), ``errors`` and the
models. Like the rest of ``grants`` this package imports neither ``workflows``
nor ``calendars``: business-day arithmetic is handed in by the caller.
"""
