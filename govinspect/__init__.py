"""govinspect: an inspector for Chinese government websites and new-media accounts."""

__version__ = "0.1.0"
