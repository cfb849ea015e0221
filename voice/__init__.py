"""Good Enough: an offline voice companion for mothers weighed down by guilt."""

__version__ = "0.1.0"
