"""Issue 12: the seed scenarios 2.2, 2.3 and 2.4 driven end to end by the official SDK against `vpcep api serve`,
checked on the SDK's model objects and on the CLI's view of the same state."""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkvpcep.v1 import (AcceptOrRejectEndpointRequest, AcceptOrRejectEndpointRequestBody,
                                    BatchAddEndpointServicePermissionsRequest,
                                    BatchAddEndpointServicePermissionsRequestBody, CreateEndpointRequest,
                                    CreateEndpointRequestBody, CreateEndpointServiceRequest,
                                    CreateEndpointServiceRequestBody, DeleteEndpointServiceRequest,
                                    EpsAddPermissionRequest, ListEndpointInfoDetailsRequest, ListEndpointsRequest,
                                    ListQuotaDetailsRequest, ListServiceConnectionsRequest,
                                    ListServiceDescribeDetailsRequest, ListServicePublicDetailsRequest, PortList)

from tests.api.conftest import OWNER, PARTNER, cli_json


def ids(api, account=OWNER) -> dict:
    vpcs = {v["name"]: v for v in cli_json(api, "vpc", "list", account=account)["vpcs"]}
    subnets = {s["name"]: s["id"] for s in cli_json(api, "subnet", "list", account=account)["subnets"]}
    return {"vpcs": vpcs, "subnets": subnets}


def make_service(api, approval: bool):
    net = ids(api)
    body = CreateEndpointServiceRequestBody(
        port_id="lb-port-1", vpc_id=net["vpcs"]["vpc-provider"]["id"], server_type="LB", service_name="web",
        approval_enabled=approval, service_type="interface",
        ports=[PortList(client_port=80, server_port=8080, protocol="TCP")])
    return api.client().create_endpoint_service(CreateEndpointServiceRequest(body=body))


def connect(api, client, service_id, account=OWNER, vpc="vpc-consumer"):
    net = ids(api, account)
    body = CreateEndpointRequestBody(endpoint_service_id=service_id, vpc_id=net["vpcs"][vpc]["id"],
                                     subnet_id=net["subnets"][f"{vpc}-a"], enable_dns=True)
    return client.create_endpoint(CreateEndpointRequest(body=body))


def test_2_2_one_account_lb_service_and_endpoint(api):
    service = make_service(api, approval=False)
    found = api.client().list_service_describe_details(
        ListServiceDescribeDetailsRequest(endpoint_service_name=service.service_name))
    assert found.id == service.id
    made = connect(api, api.client(), service.id)
    assert made.ip.startswith("192.168.1.") and not hasattr(made, "dns_names")
    details = api.client().list_endpoint_info_details(ListEndpointInfoDetailsRequest(vpc_endpoint_id=made.id))
    assert details.status == "accepted" and details.ip == made.ip and details.dns_names
    shown = cli_json(api, "endpoint", "show", made.id)
    assert (shown["ip"], shown["dns_names"], shown["status"]) == (details.ip, details.dns_names, "accepted")
    listed = api.client().list_endpoints(ListEndpointsRequest(limit=100))
    assert listed.total_count == 1 and listed.endpoints[0].id == made.id


def test_2_3_another_account_needs_the_whitelist_and_approval(api):
    service = make_service(api, approval=True)
    partner = api.client("partner")
    with pytest.raises(ClientRequestException) as refused:
        connect(api, partner, service.id, PARTNER, "vpc-partner")
    assert refused.value.status_code == 403 and "E9" in refused.value.error_msg
    body = BatchAddEndpointServicePermissionsRequestBody(
        permissions=[EpsAddPermissionRequest(permission=f"iam:domain::{PARTNER}", description="partner")],
        permission_type="domainId")
    api.client().batch_add_endpoint_service_permissions(
        BatchAddEndpointServicePermissionsRequest(vpc_endpoint_service_id=service.id, body=body))
    made = connect(api, partner, service.id, PARTNER, "vpc-partner")
    assert made.status == "pendingAcceptance"
    pending = api.client().list_service_connections(ListServiceConnectionsRequest(vpc_endpoint_service_id=service.id))
    assert [(c.id, c.status, c.domain_id) for c in pending.connections] == [(made.id, "pendingAcceptance", PARTNER)]
    api.client().accept_or_reject_endpoint(AcceptOrRejectEndpointRequest(
        vpc_endpoint_service_id=service.id,
        body=AcceptOrRejectEndpointRequestBody(action="receive", endpoints=[made.id])))
    details = partner.list_endpoint_info_details(ListEndpointInfoDetailsRequest(vpc_endpoint_id=made.id))
    assert details.status == "accepted" and details.ip.startswith("172.16.1.") and details.dns_names
    assert cli_json(api, "endpoint", "show", made.id, account=PARTNER)["status"] == "accepted"


def test_2_4_obs_through_the_dns_endpoint_and_a_gateway_endpoint(api):
    client = api.client()
    public = {s.service_name.split(".")[1]: s for s in
              client.list_service_public_details(ListServicePublicDetailsRequest()).endpoint_services}
    assert public["obs"].service_type == "gateway" and public["dns"].service_type == "interface"
    dns = connect(api, client, public["dns"].id, vpc="vpc-obs")
    vpc = ids(api)["vpcs"]["vpc-obs"]
    gateway = client.create_endpoint(CreateEndpointRequest(body=CreateEndpointRequestBody(
        endpoint_service_id=public["obs"].id, vpc_id=vpc["id"], routetables=[vpc["routetable_id"]])))
    assert gateway.ip is None and gateway.routetables == [vpc["routetable_id"]]
    assert dns.ip.startswith("10.8.1.")
    used = {q.type: (q.used, q.quota) for q in client.list_quota_details(ListQuotaDetailsRequest()).quotas.resources}
    assert used["endpoint"] == (2, 50)
    plan = cli_json(api, "routes", "plan", "--gateway", "10.255.0.1")
    assert f"{dns.ip}/32" in {r["dst"] for r in plan["routes"]}


def test_s10_a_service_with_an_accepted_endpoint_is_not_deleted(api):
    service = make_service(api, approval=False)
    connect(api, api.client(), service.id)
    with pytest.raises(ClientRequestException) as refused:
        api.client().delete_endpoint_service(DeleteEndpointServiceRequest(vpc_endpoint_service_id=service.id))
    assert refused.value.status_code == 409 and "S10" in refused.value.error_msg
    assert refused.value.request_id and refused.value.error_code == "EndPoint.0006"
    assert service.id in {s["id"] for s in cli_json(api, "service", "list")["endpoint_services"]}
