"""The logging policy of the ``govinspect`` process: set once, here, by the CLI.

* Ordinary commands print their results and one-line errors, nothing else: library loggers
  (Alembic's "Context impl SQLiteImpl.", APScheduler, Scrapy, urllib3, fontTools, matplotlib …)
  are held at ERROR, govinspect's own loggers at WARNING.
* ``--verbose`` (or ``GOVINSPECT_VERBOSE=1``, or ``GOVINSPECT_DEBUG=1``) lets everything from
  INFO up through, libraries included, but SQLAlchemy's SQL echo (WARNING and up only).
* The scheduler is a service and logs its jobs: in service mode govinspect's and APScheduler's
  INFO lines are kept (with timestamps, for the journal); the other libraries stay quiet.

Every line goes to stderr through one handler whose formatter masks passwords in URLs.  Crawl
subprocesses keep their own log files (Scrapy's logging, ``var/logs/``).
"""

from __future__ import annotations

import logging
import os
import sys

from govinspect.redaction import redact

#: Loggers of the libraries we use; quiet unless asked for.
LIBRARIES = (
    "alembic",
    "apscheduler",
    "scrapy",
    "twisted",
    "urllib3",
    "aiohttp",
    "asyncio",
    "fontTools",
    "matplotlib",
    "PIL",
    "weasyprint",
    "filelock",
    "charset_normalizer",
    "redis",
)
#: At INFO these echo every SQL statement and mapper step: WARNING even when verbose.
CHATTY = ("sqlalchemy",)
#: Libraries that belong to the service's own log in service mode.
SERVICE_LIBRARIES = ("apscheduler",)

CLI_FORMAT = "%(levelname)s %(name)s: %(message)s"
SERVICE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_HANDLER_NAME = "govinspect-stderr"


class RedactingFormatter(logging.Formatter):
    """A formatter whose lines (tracebacks included) carry no password of any URL."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def debug_requested() -> bool:
    """``GOVINSPECT_DEBUG`` set to anything but empty or 0."""
    return os.environ.get("GOVINSPECT_DEBUG") not in (None, "", "0")


def configure(verbose: bool = False, service: bool = False) -> None:
    """Apply the policy; calling it again (the scheduler switching to service mode) replaces it."""
    verbose = verbose or debug_requested()
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(RedactingFormatter(SERVICE_FORMAT if service else CLI_FORMAT))
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("govinspect").setLevel(
        logging.INFO if verbose or service else logging.WARNING
    )
    for name in LIBRARIES:
        if verbose:
            level = logging.NOTSET  # the root's INFO
        elif service and name in SERVICE_LIBRARIES:
            level = logging.INFO
        else:
            level = logging.ERROR
        logging.getLogger(name).setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING if verbose else logging.ERROR)
