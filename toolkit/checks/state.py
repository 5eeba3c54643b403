"""Step 1, state: endpoint accepted, service available, same region, caller whitelisted (F4, F5)."""

from __future__ import annotations

from toolkit.checks.result import StepResult, failed, passed
from toolkit.model import permissions
from toolkit.model.endpoint import EndpointStatus
from toolkit.model.service import ServiceStatus
from toolkit.registry.checks import CheckTarget


def check_state(target: CheckTarget) -> StepResult:
    """The inventory side of the path, in the order an admin would look."""
    endpoint, service = target.endpoint, target.service
    if service is None:
        return failed("state", f"service {endpoint.endpoint_service_name} no longer exists", "F4",
                      "delete this endpoint and connect to an existing service")
    if endpoint.status != EndpointStatus.ACCEPTED:
        return failed("state", f"endpoint is {endpoint.status}, not accepted", "F4", _status_fix(endpoint, service))
    if service.status != ServiceStatus.AVAILABLE:
        return failed("state", f"service is {service.status}, not available", "F4",
                      "wait for the service to become available, or ask its owner")
    if service.region != target.region or endpoint.region != target.region:
        return failed("state", f"service is in {service.region}, endpoint in {endpoint.region}", "F5",
                      "create the endpoint in the service's region")
    if not service.builtin and not permissions.allows(service.domain_id, list(target.whitelist),
                                                      endpoint.domain_id, target.org_path):
        return failed("state", f"account {endpoint.domain_id} is no longer on the service's whitelist", "F5",
                      f"the owner runs `vpcep service whitelist {service.id} --add iam:domain::{endpoint.domain_id}`")
    return passed("state", f"accepted; service {service.status} in {service.region}",
                  endpoint_status=str(endpoint.status), service_status=str(service.status))


def _status_fix(endpoint, service) -> str:
    if endpoint.status in (EndpointStatus.PENDING, EndpointStatus.REJECTED):
        return f"the service owner runs `vpcep service accept {service.id} {endpoint.id}`"
    return "delete the endpoint and create it again"
