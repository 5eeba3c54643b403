"""Use cases: the only door to the inventory for the CLI, the TUI and the DNS server.

Each public method validates against the pure model, then reads or writes the state in
one transaction. One class per noun, each over `Base` (settings, store, the acting account,
the `ids` and `clock` seams) and the shared reads in `lookup`; none calls another's methods.
`Registry` combines them and is the one to use.
"""

from toolkit.registry.checks import CheckCases
from toolkit.registry.cloud import CloudCases
from toolkit.registry.endpoints import EndpointCases
from toolkit.registry.keys import KeyCases
from toolkit.registry.network import NetworkCases
from toolkit.registry.services import ServiceCases


class Registry(NetworkCases, ServiceCases, EndpointCases, CheckCases, CloudCases, KeyCases):
    """The inventory's use cases for one acting account."""


__all__ = ["Registry"]
