"""Errors that reach the user as one clear line and a non-zero exit code."""

from __future__ import annotations


class GovinspectError(Exception):
    """Base class: the message is shown to the user as is; ``exit_code`` is the process status."""

    exit_code = 1


class ConfigError(GovinspectError):
    """A broken site registry, settings value or command-line argument."""

    exit_code = 2


class StoreError(GovinspectError):
    """The database cannot be reached, migrated or written."""

    exit_code = 3


class UnknownUnitError(GovinspectError):
    """A unit id that the registry does not define."""

    exit_code = 2
