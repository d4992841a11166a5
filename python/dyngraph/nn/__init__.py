"""dyngraph.nn: modules, layers, losses and their functional forms."""

from . import functional  # noqa: F401
