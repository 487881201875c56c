"""The demo town: deterministic fake government sites with planted faults and their truth.

See docs/demo.md.  ``build_town`` makes the model, ``DemoServer`` serves it on loopback ports and
produces the ground-truth manifest and a govinspect config for the running ports.
"""

from govinspect.demo.model import build_town
from govinspect.demo.server import DemoServer
from govinspect.demo.spec import AS_OF

__all__ = ["AS_OF", "DemoServer", "build_town"]
