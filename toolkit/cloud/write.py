"""Write-through (C2): one cloud call per change to a mirrored resource, then a fresh read of what it changed.

Each function raises CloudRefused/CloudUnavailable before anything local happens; the registry then puts
the cloud's documents (the Snapshot the function returns) into the state.
"""

from __future__ import annotations

from toolkit.cloud import mapping
from toolkit.cloud.client import Cloud
from toolkit.cloud.pull import Snapshot, service_children


def decide(cloud: Cloud, service_id: str, endpoint_ids: list[str], accept: bool) -> None:
    """S12: accept (the API's `receive`) or reject connections of an own service."""
    body = cloud.model("vpcep", "AcceptOrRejectEndpointRequestBody")(
        action="receive" if accept else "reject", endpoints=list(endpoint_ids))
    request = cloud.model("vpcep", "AcceptOrRejectEndpointRequest")(vpc_endpoint_service_id=service_id, body=body)
    cloud.call("accepting connections" if accept else "rejecting connections",
               cloud.vpcep().accept_or_reject_endpoint, request, write=True)


def whitelist_add(cloud: Cloud, service_id: str, permissions: list[str], description: str) -> None:
    """S13: add whitelist entries (with their description)."""
    item = cloud.model("vpcep", "EpsAddPermissionRequest")
    body = cloud.model("vpcep", "BatchAddEndpointServicePermissionsRequestBody")(
        permissions=[item(permission=p, description=description) for p in permissions],
        permission_type=_permission_type(permissions))
    request = cloud.model("vpcep", "BatchAddEndpointServicePermissionsRequest")(
        vpc_endpoint_service_id=service_id, body=body)
    cloud.call("adding whitelist entries", cloud.vpcep().batch_add_endpoint_service_permissions, request, write=True)


def whitelist_remove(cloud: Cloud, service_id: str, entry_ids: list[str]) -> None:
    """S13: remove whitelist entries by their ids."""
    item = cloud.model("vpcep", "EpsRemovePermissionRequest")
    body = cloud.model("vpcep", "BatchRemoveEndpointServicePermissionsRequestBody")(
        permissions=[item(id=i) for i in entry_ids])
    request = cloud.model("vpcep", "BatchRemoveEndpointServicePermissionsRequest")(
        vpc_endpoint_service_id=service_id, body=body)
    cloud.call("removing whitelist entries", cloud.vpcep().batch_remove_endpoint_service_permissions, request,
               write=True)


def tags(cloud: Cloud, resource_type: str, resource_id: str, set_: list[tuple[str, str]], delete: list[str]) -> None:
    """T-rules: set and delete tags of a service (`endpoint_service`) or an endpoint (`endpoint`)."""
    tag = cloud.model("vpcep", "ResourceTag")
    for action, items in (("create", [tag(key=k, value=v) for k, v in set_]), ("delete", [tag(key=k) for k in delete])):
        if items:
            body = cloud.model("vpcep", "BatchAddOrRemoveResourceInstanceRequestBody")(tags=items, action=action)
            request = cloud.model("vpcep", "BatchAddOrRemoveResourceInstanceRequest")(
                resource_type=resource_type, resource_id=resource_id, body=body)
            cloud.call(f"changing tags of {resource_id}", cloud.vpcep().batch_add_or_remove_resource_instance,
                       request, write=True)


def update_service(cloud: Cloud, service_id: str, **changes) -> None:
    """S4/S12: approval and description of an own service."""
    body = cloud.model("vpcep", "UpdateEndpointServiceRequestBody")(**changes)
    request = cloud.model("vpcep", "UpdateEndpointServiceRequest")(vpc_endpoint_service_id=service_id, body=body)
    cloud.call("updating the service", cloud.vpcep().update_endpoint_service, request, write=True)


def delete_service(cloud: Cloud, service_id: str) -> None:
    request = cloud.model("vpcep", "DeleteEndpointServiceRequest")(vpc_endpoint_service_id=service_id)
    cloud.call("deleting the service", cloud.vpcep().delete_endpoint_service, request, write=True)


def update_endpoint_whitelist(cloud: Cloud, endpoint_id: str, whitelist: list[str], enabled: bool) -> None:
    """E10: an endpoint's own whitelist."""
    body = cloud.model("vpcep", "UpdateEndpointWhiteRequestBody")(whitelist=list(whitelist), enable_whitelist=enabled)
    request = cloud.model("vpcep", "UpdateEndpointWhiteRequest")(vpc_endpoint_id=endpoint_id, body=body)
    cloud.call("updating the endpoint whitelist", cloud.vpcep().update_endpoint_white, request, write=True)


def create_endpoint(cloud: Cloud, **fields) -> str:
    """E1–E5: a new endpoint in a mirrored VPC; returns its id."""
    if fields.get("tags"):
        tag = cloud.model("vpcep", "TagList")
        fields["tags"] = [tag(key=k, value=v) for k, v in fields["tags"]]
    body = cloud.model("vpcep", "CreateEndpointRequestBody")(**fields)
    answer = cloud.call("creating the endpoint", cloud.vpcep().create_endpoint,
                        cloud.model("vpcep", "CreateEndpointRequest")(body=body), write=True)
    return answer.id


def delete_endpoint(cloud: Cloud, endpoint_id: str) -> None:
    request = cloud.model("vpcep", "DeleteEndpointRequest")(vpc_endpoint_id=endpoint_id)
    cloud.call("deleting the endpoint", cloud.vpcep().delete_endpoint, request, write=True)


def read_service(cloud: Cloud, snap: Snapshot, service_id: str) -> dict | None:
    """The service as the cloud has it now, with its connections and whitelist, into `snap`."""
    request = cloud.model("vpcep", "ListServiceDetailsRequest")(vpc_endpoint_service_id=service_id)
    svc = mapping.service(_answer(cloud, "reading the service", cloud.vpcep().list_service_details, request),
                          cloud.target.region, snap.account)
    snap.add("services", svc)
    service_children(cloud, snap, svc)
    return svc


def read_endpoint(cloud: Cloud, snap: Snapshot, endpoint_id: str) -> dict:
    """An own endpoint as the cloud has it now, into `snap`."""
    request = cloud.model("vpcep", "ListEndpointInfoDetailsRequest")(vpc_endpoint_id=endpoint_id)
    doc = mapping.endpoint(_answer(cloud, "reading the endpoint", cloud.vpcep().list_endpoint_info_details, request),
                           snap.account, cloud.target.region)
    snap.add("endpoints", doc)
    return doc


def _answer(cloud: Cloud, what: str, operation, request) -> dict:
    return cloud.call(what, operation, request).to_dict()


def _permission_type(permissions: list[str]) -> str:
    return "orgPath" if permissions and all(p.startswith("organizations:") for p in permissions) else "domainId"
