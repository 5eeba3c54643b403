"""The Checks and Routes areas' inputs, validated as the CLI validates the same flags (same rules, same fixes)."""

from __future__ import annotations

from toolkit.errors import ValidationError


class BadInput(Exception):
    """`error` (a ToolkitError with rule and fix) is about the input `field`."""

    def __init__(self, field: str, error: Exception) -> None:
        super().__init__(str(error))
        self.field, self.error = field, error


def _on(field: str, check, *args):
    try:
        return check(*args)
    except Exception as exc:  # noqa: BLE001 — every validator's refusal is shown under the field
        raise BadInput(field, exc) from None


def gateway(field: str, text: str, required: bool = True) -> str:
    """`routes plan --gateway` (O3): an IPv4 address."""
    from toolkit.routing.plan import address

    if not text:
        if required:
            raise BadInput(field, ValidationError("no gateway given", rule="O3",
                                                  fix="enter the VPN / Direct Connect gateway, e.g. 192.168.0.1"))
        return ""
    return str(_on(field, address, text, "O3"))


def networks(field: str, text: str) -> tuple[str, ...]:
    """`routes plan --extra CIDR ...` (O5): IPv4 networks, split on spaces or commas."""
    from toolkit.routing.plan import network

    return tuple(str(_on(field, network, word, "O5")) for word in text.replace(",", " ").split())


def route_netns(field: str, text: str) -> str | None:
    """`routes apply|remove|status --netns NS`: an existing namespace we may enter."""
    from toolkit.routing.apply import require_namespace

    if text:
        _on(field, require_namespace, text)
    return text or None


def check_netns(field: str, text: str) -> str | None:
    """`check --netns NS`: an existing namespace we may enter."""
    from toolkit.checks.netns import require_netns

    if text:
        _on(field, require_netns, text)
    return text or None


def resolver(field: str, text: str) -> tuple[str, int] | None:
    """`check --resolver ADDR:PORT` (O2): an IPv4 address and a port (53 when none is given); empty: the default."""
    from toolkit.checks.runner import resolver_address

    return _on(field, resolver_address, text) if text else None
