"""ColorStudio: colorize gray photographs. Imports neither Qt nor torch."""

__version__ = "0.1.0"
