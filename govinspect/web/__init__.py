"""The dashboard (`govinspect serve`): a presentation layer over the store, beside reports/.

Nothing below this package imports it.  See docs/dashboard.md.
"""
