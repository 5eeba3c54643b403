"""The Checks area's defaults for a run (the run itself is the registry's `run_checks`, as for `vpcep check`)."""

from __future__ import annotations


def default_resolver(app) -> str:
    """The app's own DNS server when it runs, else the first [dns] listen (as `vpcep check` defaults)."""
    if app.dns.serving:
        host, port = app.dns.background.bound[0]
        return f"{host}:{port}"
    from toolkit.checks.runner import configured_resolver

    return configured_resolver(app.settings)


def options_for(app, timeout: float, resolver: tuple[str, int] | None = None, gateway: str | None = None,
                netns: str | None = None):
    """The Checks area's inputs (already validated), each defaulting as `vpcep check` does; no namespace given:
    the app's (tests and pictures probe from an empty one)."""
    from toolkit.checks.runner import CheckOptions
    from toolkit.config import host_port

    if resolver is None:
        resolver = host_port(default_resolver(app))
    return CheckOptions(resolver=resolver, gateway=app.gateway if gateway is None else gateway, timeout=timeout,
                        obs_cidr=app.settings.obs.cidr, netns=netns or app.check_netns)
