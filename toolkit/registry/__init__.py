"""Use cases: the only door to the inventory for the CLI, the TUI and the DNS server.

Each public method validates against the pure model, then reads or writes the state in
one transaction. Split by noun into mixins; `Registry` is the one to use.
"""

from toolkit.registry.checks import CheckCases


class Registry(CheckCases):
    """The inventory's use cases for one acting account."""


__all__ = ["Registry"]
