"""Runs every step for many targets at once, bounded in time and sockets (DESIGN decision 6)."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from toolkit.checks import dns as dns_step
from toolkit.checks.netns import Sockets, require_netns
from toolkit.checks.policy import check_policy
from toolkit.checks.result import StepResult, TargetReport
from toolkit.checks.route import RouteTable, judge_route
from toolkit.checks.state import check_obs_state, check_state
from toolkit.checks.target import CheckTarget, CloudEndpoint
from toolkit.checks.tcp import check_tcp
from toolkit.errors import ToolkitError, ValidationError
from toolkit.netns import run_in
from toolkit.model.service import ServiceType


class NothingToCheck(ToolkitError):
    """There is no endpoint to check: a run of nothing proves nothing (exit 10, the state step's code)."""

    exit_code = 10
    default_rule = "F4"


def require_targets(targets: list[CheckTarget], account: str) -> list[CheckTarget]:
    """The targets, or NothingToCheck when there are none."""
    if not targets:
        raise NothingToCheck(f"nothing to check: account {account} has no endpoints",
                             fix="create one (vpcep endpoint create --service ID|NAME --vpc VPC) "
                                 "or act as the account that owns them (--as)")
    return targets


def configured_resolver(settings) -> str:
    """The resolver a run asks when none is given: the first [dns] listen, else 127.0.0.1:53."""
    return settings.dns.listen[0] if settings.dns.listen else "127.0.0.1:53"


def resolver_address(text: str) -> tuple[str, int]:
    """`--resolver ADDR:PORT` (O2): an IPv4 address and a port (53 when none is given); a host name here would
    itself be looked up through the system's DNS."""
    from toolkit.config import host_port

    try:
        host, port = host_port(text)
        if port < 1:
            raise ValueError(port)
        return str(ipaddress.IPv4Address(host)), port
    except ValueError:
        raise ValidationError(f"--resolver {text!r} is not ADDR:PORT", rule="O2",
                              fix="an IPv4 address and a port, e.g. 127.0.0.1:5353") from None


@dataclass(frozen=True)
class CheckOptions:
    """Where to look from and how long to wait."""

    resolver: tuple[str, int]
    gateway: str = ""
    netns: str | None = None
    timeout: float = 2.0
    obs_cidr: str = "100.125.0.0/16"
    max_sockets: int = 256


def describe(options: CheckOptions) -> dict:
    """The options as a run records them: where it asked, the expected gateway, the namespace it probed from."""
    return {"resolver": f"{options.resolver[0]}:{options.resolver[1]}", "gateway": options.gateway or None,
            "netns": options.netns, "timeout": options.timeout}


def run(options: CheckOptions, work, on_step=None) -> tuple[list[TargetReport], float]:
    """Run `work(runner)` (a coroutine of reports) on a fresh event loop; the reports and the seconds taken.

    With a namespace, the loop runs in a thread that entered it once, so every probe socket is made in
    place (a thread and a setns per socket cost seconds at 1,000 endpoints, issue 15)."""
    async def execute() -> list[TargetReport]:
        runner = Runner(options, on_step, entered=bool(options.netns))
        try:
            return await work(runner)
        finally:
            runner.close()
    start = time.perf_counter()
    if options.netns:
        require_netns(options.netns)
        results = run_in(options.netns, asyncio.run, execute())
    else:
        results = asyncio.run(execute())
    return results, time.perf_counter() - start


class Runner:
    """Shared resources of one run: sockets in the namespace, one route table, a socket bound.

    `on_step(target_id, step_result)`, when given, is called on the event loop's thread as each
    step of a target completes, in path order (a live view); the reports are the same without it.
    """

    def __init__(self, options: CheckOptions, on_step=None, entered: bool = False) -> None:
        self.options = options
        self.on_step = on_step
        self.sockets = Sockets(options.netns, entered)
        self._netlink = ThreadPoolExecutor(1, thread_name_prefix="route")
        self._table: RouteTable | None = None
        self._slots = asyncio.Semaphore(max(1, options.max_sockets // 8))

    async def endpoints(self, targets: list[CheckTarget], on_report=None) -> list[TargetReport]:
        """Every target at once (bounded); `on_report(TargetReport)`, when given, as each target finishes."""
        async def one(target: CheckTarget) -> TargetReport:
            result = await self._bounded(self.endpoint(target))
            if on_report is not None:
                on_report(result)
            return result
        return list(await asyncio.gather(*(one(t) for t in targets)))

    async def _bounded(self, coro):
        async with self._slots:
            return await coro

    async def endpoint(self, target: CheckTarget) -> TargetReport:
        """state, dns, route, policy, tcp for one endpoint; later steps run even when an earlier one failed."""
        o, done = self.options, self._reporter(target.endpoint.id)
        state = done(_timed(check_state, target))
        dns_result, hosts = await self._dns(dns_step.check_dns(target, o.resolver, self.sockets, o.timeout,
                                                                o.obs_cidr))
        done(dns_result)
        route, lookups = await self._route(hosts, "O4" if target.endpoint.service_type == ServiceType.GATEWAY else "O3")
        done(route)
        policy = done(_timed(check_policy, target, lookups))
        ports = [p.client_port for p in target.service.ports] if target.service else []
        tcp = done(await self._tcp(hosts, ports))
        label = f"{target.endpoint.endpoint_service_name} ({target.endpoint.ip or target.endpoint.service_type})"
        return TargetReport(target.endpoint.id, label, (state, dns_result, route, policy, tcp))

    async def obs_bucket(self, name: str, port: int, cloud: list[CloudEndpoint]) -> TargetReport:
        """`check obs BUCKET`: state (O1, from `cloud`) → dns → route → tcp for the bucket's OBS name (O6)."""
        o, done = self.options, self._reporter(name)
        state = done(_timed(check_obs_state, cloud))
        dns_result, hosts = await self._dns(dns_step.check_obs_name(name, o.resolver, self.sockets, o.timeout,
                                                                     o.obs_cidr))
        done(dns_result)
        route, _ = await self._route(hosts, "O4")
        done(route)
        tcp = done(await self._tcp(hosts, [port]))
        return TargetReport(name, f"OBS {name}:{port}", (state, dns_result, route, tcp))

    def _reporter(self, target_id: str):
        """A pass-through that also tells `on_step` (when set) that this step of `target_id` is done."""
        on_step = self.on_step
        if on_step is None:
            return _same

        def done(step: StepResult) -> StepResult:
            on_step(target_id, step)
            return step
        return done

    @staticmethod
    async def _dns(coro) -> tuple[StepResult, list]:
        start = time.perf_counter()
        result, hosts = await coro
        return _since(result, start), hosts

    async def _tcp(self, hosts, ports) -> StepResult:
        start = time.perf_counter()
        fix = "check the route (vpcep routes status PLAN) and that the VPN/Direct Connect gateway forwards it"
        return _since(await check_tcp(hosts, ports, self.sockets, self.options.timeout, fix), start)

    async def _route(self, hosts, rule: str) -> tuple[StepResult, list]:
        """The route step, and the kernel's lookups (their source addresses are what E10 needs)."""
        loop = asyncio.get_running_loop()
        start = time.perf_counter()
        addresses = list(dict.fromkeys(address for _, address in hosts))
        lookups = await loop.run_in_executor(self._netlink, self._lookup_all, addresses)
        fix = f"vpcep routes apply PLAN{' --netns ' + self.options.netns if self.options.netns else ''} " \
              f"(a route via the VPN/Direct Connect gateway)"
        result = judge_route(lookups, self.options.gateway, rule, fix)
        return _since(result, start), lookups

    def _lookup_all(self, addresses: list[str]):
        if self._table is None:
            self._table = RouteTable(self.options.netns)
        return [self._table.lookup(a) for a in addresses]

    def close(self) -> None:
        if self._table is not None:
            self._netlink.submit(self._table.close).result()
        self._netlink.shutdown()


def _same(step: StepResult) -> StepResult:
    return step


def _timed(fn, *args) -> StepResult:
    start = time.perf_counter()
    return _since(fn(*args), start)


def _since(result: StepResult, start: float) -> StepResult:
    return replace(result, duration_ms=(time.perf_counter() - start) * 1000)
