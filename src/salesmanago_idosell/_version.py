"""The package version, defined once (read by hatchling and ``__init__``)."""

__version__ = "0.1.0.dev0"
