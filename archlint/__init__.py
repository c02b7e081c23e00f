"""archlint: static architecture analysis for Keras models."""

__version__ = "0.1.0"
