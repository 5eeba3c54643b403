"""The seed scenarios end to end with the official SDK against `vpcep api serve`, and the CLI's view of them."""

from __future__ import annotations

import json

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkvpc.v2 import ListSubnetsRequest, ListVpcsRequest
from huaweicloudsdkvpcep.v1 import model as m

from tests.api.sdk_harness import server, Server, vpc_client, vpcep_client  # noqa: F401 (server is a fixture)

OWNER, PARTNER = "a1" * 16, "b2" * 16


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    srv = Server(tmp_path, demo=False)
    srv.cli("init", "--region", "cn-north-4", "--domain", "myhuaweicloud.com", "--account", OWNER)
    srv.cli("account", "create", PARTNER)
    srv.cli("vpc", "create", "vpc-provider", "--cidr", "10.1.0.0/16")
    srv.cli("subnet", "create", "subnet-app", "--vpc", "vpc-provider", "--cidr", "10.1.0.0/24")
    srv.cli("--as", PARTNER, "vpc", "create", "vpc-partner", "--cidr", "172.16.0.0/16")
    srv.cli("--as", PARTNER, "subnet", "create", "subnet-p", "--vpc", "vpc-partner", "--cidr", "172.16.1.0/24")
    srv.owner, srv.partner = srv.key(), srv.key("--account", PARTNER)
    srv.start()
    yield srv
    srv.stop()


def _net(url, key, name):
    vpc = next(v for v in vpc_client(url, key).list_vpcs(ListVpcsRequest()).vpcs if v.name == name)
    return vpc, vpc_client(url, key).list_subnets(ListSubnetsRequest(vpc_id=vpc.id)).subnets[0]


def test_cross_account_approval_and_public_services(fresh):
    owner, partner = vpcep_client(fresh.url, fresh.owner), vpcep_client(fresh.url, fresh.partner)
    assert fresh.owner["project_id"] != fresh.partner["project_id"]
    vpc, _ = _net(fresh.url, fresh.owner, "vpc-provider")
    svc = owner.create_endpoint_service(m.CreateEndpointServiceRequest(body=m.CreateEndpointServiceRequestBody(
        port_id="ecs-port-api01", vpc_id=vpc.id, server_type="VM", service_name="api", approval_enabled=True,
        ports=[m.PortList(client_port=443, server_port=8443, protocol="TCP")])))
    assert svc.service_name.startswith("cn-north-4.api.") and svc.approval_enabled
    owner.add_or_remove_service_permissions(m.AddOrRemoveServicePermissionsRequest(
        vpc_endpoint_service_id=svc.id, body=m.AddOrRemoveServicePermissionsRequestBody(
            action="add", permissions=[f"iam:domain::{PARTNER}"])))
    found = partner.list_service_describe_details(m.ListServiceDescribeDetailsRequest(
        endpoint_service_name=svc.service_name))
    assert found.id == svc.id
    pvpc, psub = _net(fresh.url, fresh.partner, "vpc-partner")
    ep = partner.create_endpoint(m.CreateEndpointRequest(body=m.CreateEndpointRequestBody(
        endpoint_service_id=svc.id, vpc_id=pvpc.id, subnet_id=psub.id, enable_dns=True)))
    assert ep.status == "pendingAcceptance"
    conns = owner.list_service_connections(m.ListServiceConnectionsRequest(vpc_endpoint_service_id=svc.id))
    assert [(c.id, c.status, c.domain_id) for c in conns.connections] == [(ep.id, "pendingAcceptance", PARTNER)]
    done = owner.accept_or_reject_endpoint(m.AcceptOrRejectEndpointRequest(
        vpc_endpoint_service_id=svc.id, body=m.AcceptOrRejectEndpointRequestBody(action="receive",
                                                                                 endpoints=[ep.id])))
    assert done.connections[0].status == "accepted"
    shown = partner.list_endpoint_info_details(m.ListEndpointInfoDetailsRequest(vpc_endpoint_id=ep.id))
    assert shown.status == "accepted" and shown.ip.startswith("172.16.1.") and shown.dns_names
    with pytest.raises(ClientRequestException) as err:  # S10
        owner.delete_endpoint_service(m.DeleteEndpointServiceRequest(vpc_endpoint_service_id=svc.id))
    assert err.value.status_code == 409 and "[S10]" in err.value.error_msg
    cli = json.loads(fresh.cli("--as", PARTNER, "--json", "endpoint", "show", ep.id).stdout)
    assert cli["status"] == "accepted" and cli["ip"] == shown.ip
    # public OBS (gateway) and DNS (interface) services; quotas count what was made
    public = {s.service_name.split(".")[1]: s for s in owner.list_service_public_details(
        m.ListServicePublicDetailsRequest()).endpoint_services}
    assert public["obs"].service_type == "gateway" and public["dns"].service_type == "interface"
    gw = owner.create_endpoint(m.CreateEndpointRequest(body=m.CreateEndpointRequestBody(
        endpoint_service_id=public["obs"].id, vpc_id=vpc.id)))
    assert gw.service_type == "gateway" and gw.routetables
    quotas = {q.type: q for q in owner.list_quota_details(m.ListQuotaDetailsRequest()).quotas.resources}
    assert quotas["endpoint_service"].used == 1 and quotas["endpoint"].used == 1
    assert json.loads(fresh.cli("--json", "endpoint", "show", gw.id).stdout)["service_type"] == "gateway"


def test_a_cli_change_is_seen_by_the_next_api_read(fresh):
    client = vpcep_client(fresh.url, fresh.owner)
    vpc, _ = _net(fresh.url, fresh.owner, "vpc-provider")
    svc = client.create_endpoint_service(m.CreateEndpointServiceRequest(body=m.CreateEndpointServiceRequestBody(
        port_id="elb-port-app01", vpc_id=vpc.id, server_type="LB",
        ports=[m.PortList(client_port=80, server_port=8080, protocol="TCP")])))
    fresh.cli("service", "update", svc.id, "--description", "from the CLI")
    again = client.list_service_details(m.ListServiceDetailsRequest(vpc_endpoint_service_id=svc.id))
    assert again.description == "from the CLI"
