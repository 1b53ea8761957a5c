"""The site kept in memory by one long-lived process (the live preview): see site.py."""

from .site import LiveSite

__all__ = ["LiveSite"]
