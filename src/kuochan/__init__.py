"""扩产通 Kuochan: the platform for an enterprise capital-increase and production-expansion programme."""

__version__ = "0.1.0"
