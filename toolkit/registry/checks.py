"""Use cases behind `vpcep check`: what each endpoint's path needs, and the history of runs (issue 5)."""

from __future__ import annotations

import secrets

from toolkit.checks.target import CheckTarget, CloudEndpoint
from toolkit.errors import NotFound
from toolkit.model.endpoint import Endpoint
from toolkit.model.service import EndpointService
from toolkit.registry import lookup
from toolkit.registry.base import Base
from toolkit.store.sqlite import Txn


class CheckCases(Base):
    """Reads for the checks, and their recorded runs."""

    def check_targets(self, endpoint_ids: list[str] = ()) -> list[CheckTarget]:
        """The given own endpoints (all of them when none is given), with their service's facts."""
        with self.store.read() as txn:
            if endpoint_ids:
                endpoints = [lookup.endpoint(txn, self.account, endpoint_id, "F4") for endpoint_id in endpoint_ids]
            else:
                endpoints = [Endpoint.from_dict(d) for d in txn.select("endpoints", domain_id=self.account)]
            return [self._target(txn, endpoint) for endpoint in endpoints]

    def _target(self, txn: Txn, endpoint: Endpoint) -> CheckTarget:
        doc = txn.get("services", endpoint.endpoint_service_id)
        service = lookup.counted(txn, EndpointService.from_dict(doc)) if doc else None
        whitelist = tuple(lookup.permissions_of(txn, service)) if service else ()
        rules = tuple(lookup.rules(txn, service)) if service else ()
        ident = self.identity
        return CheckTarget(endpoint=endpoint, service=service, whitelist=whitelist, rules=rules,
                           org_path=lookup.org_path(txn, self.account), region=ident.region, domain=ident.domain)

    def cloud_endpoints(self) -> list[CloudEndpoint]:
        """The acting account's endpoints to built-in cloud services (DNS, OBS, …): what `check obs` needs (O1)."""
        with self.store.read() as txn:
            pairs = [(Endpoint.from_dict(d), txn.get("services", d["endpoint_service_id"]))
                     for d in txn.select("endpoints", domain_id=self.account)]
        return [CloudEndpoint(endpoint=e, short_name=doc.get("short_name", "")) for e, doc in pairs
                if doc and doc.get("builtin")]

    def run_checks(self, options, endpoint_ids: list[str] = (), *, on_step=None, on_report=None) -> dict:
        """Check the given own endpoints (all when none is given; none at all is NothingToCheck) and record the
        run unless read-only. `on_step(endpoint_id, StepResult)` after each step and `on_report(TargetReport)`
        after each endpoint, both on the run's event loop thread."""
        from toolkit.checks.runner import require_targets

        targets = require_targets(self.check_targets(list(endpoint_ids)), self.account)
        return self._checked(options, lambda runner: runner.endpoints(targets, on_report), on_step)

    def run_obs_check(self, options, bucket: str, port: int) -> dict:
        """`check obs BUCKET` (O6): the bucket's OBS name in this region, over the account's cloud endpoints (O1)."""
        ident = self.identity
        suffix = f".obs.{ident.region}.{ident.domain}"
        name = bucket if bucket.endswith(suffix) else f"{bucket}{suffix}"
        cloud = self.cloud_endpoints()

        async def work(runner):
            return [await runner.obs_bucket(name, port, cloud)]
        return self._checked(options, work)

    def _checked(self, options, work, on_step=None) -> dict:
        from toolkit import clock
        from toolkit.checks import report, runner

        started = clock.now()
        results, seconds = runner.run(options, work, on_step)
        run = report.build(results, started, seconds, runner.describe(options))
        if not self.settings.read_only:
            self.record_check(run)
        return run

    def record_check(self, report: dict) -> str:
        """Store one run's report (JSON form) and return its id."""
        run_id = report.get("run_id") or secrets.token_hex(4)
        with self._write("record a check run") as txn:
            txn.put("check_runs", {**report, "id": run_id, "run_id": run_id, "domain_id": self.account})
        return run_id

    def check_history(self, limit: int = 20) -> list[dict]:
        """The newest runs of the acting account, newest first."""
        with self.store.read() as txn:
            return txn.latest("check_runs", limit, domain_id=self.account)

    def get_check(self, run_id: str) -> dict:
        with self.store.read() as txn:
            doc = txn.get("check_runs", run_id)
            if doc is None:
                matches = [d for d in txn.select("check_runs", domain_id=self.account) if d["id"].startswith(run_id)]
                doc = matches[0] if len(matches) == 1 else None
        if doc is None or doc["domain_id"] != self.account:
            raise NotFound(f"no check run {run_id!r}", rule="F4", fix="see `vpcep check history`")
        return doc
