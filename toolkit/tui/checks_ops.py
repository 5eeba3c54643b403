"""What the Checks area asks of toolkit.checks: run endpoints concurrently, report each step as it finishes."""

from __future__ import annotations

import asyncio
import time


def default_resolver(app) -> str:
    """The app's own DNS server when it runs, else the first [dns] listen (as `vpcep check` defaults)."""
    if app.dns.serving:
        host, port = app.dns.background.bound[0]
        return f"{host}:{port}"
    return app.settings.dns.listen[0] if app.settings.dns.listen else "127.0.0.1:53"


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


def run_checks(reg, endpoint_ids: list[str], options, on_report, on_step=None) -> dict:
    """Check the endpoints (none at all is NothingToCheck, as in the CLI); `on_step(endpoint_id, StepResult)` after each step, `on_report(TargetReport)` after
    each endpoint (both on the run's event loop thread); the run recorded unless read-only."""
    from toolkit import clock
    from toolkit.checks import report
    from toolkit.checks.runner import require_targets

    started, start = clock.now(), time.perf_counter()
    targets = require_targets(reg.check_targets(endpoint_ids), reg.account)
    results = asyncio.run(_execute(options, targets, on_report, on_step))
    run = report.build(results, started, time.perf_counter() - start,
                       {"resolver": f"{options.resolver[0]}:{options.resolver[1]}", "gateway": options.gateway or None,
                        "netns": options.netns, "timeout": options.timeout})
    if not reg.settings.read_only:
        reg.record_check(run)
    return run


async def _execute(options, targets, on_report, on_step) -> list:
    from toolkit.checks.runner import Runner

    runner = Runner(options, on_step)
    try:
        async def one(target):
            result = await runner.endpoint(target)
            on_report(result)
            return result
        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        runner.close()
