"""Distributed crawling: several worker processes share one run through Redis.

See docs/distributed.md.  The submodules are imported where they are needed; this package
imports nothing itself, so the single-node crawler never loads Redis.
"""
