"""dialer: an open-source real-time phonebanking and dialer server for campaigns."""

__version__ = "0.1.0"
