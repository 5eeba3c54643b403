"""Step 1, state: endpoint accepted, service available, same region, caller whitelisted (F4, F5);
for `check obs`, a DNS-service endpoint and an OBS gateway endpoint accepted in one VPC (O1)."""

from __future__ import annotations

from toolkit.checks.result import StepResult, failed, passed
from toolkit.checks.target import CheckTarget, CloudEndpoint
from toolkit.model import permissions
from toolkit.model.endpoint import EndpointStatus
from toolkit.model.service import ServiceStatus


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


def check_obs_state(cloud: list[CloudEndpoint]) -> StepResult:
    """O1: one VPC holds an accepted endpoint to the DNS cloud service and an accepted OBS gateway endpoint."""
    dns = _accepted_by_vpc(cloud, "dns", "interface")
    obs = _accepted_by_vpc(cloud, "obs", "gateway")
    both = sorted(dns.keys() & obs.keys())
    if both:
        vpc = both[0]
        return passed("state", f"DNS endpoint {dns[vpc].ip} and OBS endpoint {obs[vpc].id} accepted in VPC {vpc}",
                      vpc_id=vpc, dns_endpoint=dns[vpc].id, obs_endpoint=obs[vpc].id)
    waiting = [f"{c.endpoint.id} ({c.short_name}: {c.endpoint.status})" for c in cloud
               if c.endpoint.status != EndpointStatus.ACCEPTED]
    detail = _o1_missing(dns, obs) + (f"; not accepted: {', '.join(waiting)}" if waiting else "")
    return failed("state", detail, "O1", _o1_fix(dns, obs), dns_vpcs=sorted(dns), obs_vpcs=sorted(obs))


def _accepted_by_vpc(cloud: list[CloudEndpoint], short: str, kind: str) -> dict:
    return {c.endpoint.vpc_id: c.endpoint for c in cloud if c.short_name == short
            and c.endpoint.service_type == kind and c.endpoint.status == EndpointStatus.ACCEPTED}


def _o1_missing(dns: dict, obs: dict) -> str:
    if not dns and not obs:
        return "no accepted endpoint to the DNS cloud service and no accepted OBS gateway endpoint"
    if dns and obs:
        return (f"the DNS endpoint (VPC {', '.join(sorted(dns))}) and the OBS endpoint "
                f"(VPC {', '.join(sorted(obs))}) are not in one VPC")
    return "no accepted OBS gateway endpoint (only a DNS endpoint)" if dns else \
        "no accepted endpoint to the DNS cloud service (only an OBS endpoint)"


def _o1_fix(dns: dict, obs: dict) -> str:
    if dns:
        return f"vpcep endpoint create --service obs --vpc {sorted(dns)[0]} (beside the DNS endpoint)"
    if obs:
        return f"vpcep endpoint create --service dns --vpc {sorted(obs)[0]} (beside the OBS endpoint)"
    return ("in one VPC: vpcep endpoint create --service dns --vpc VPC, "
            "then vpcep endpoint create --service obs --vpc VPC")
