"""The SDK against `vpcep api serve`: the reads the cloud mirror needs, and the writes it calls through."""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkvpc.v2 import ListSubnetsRequest, ListVpcsRequest
from huaweicloudsdkvpcep.v1 import model as m

from tests.api.sdk_harness import server, vpc_client, vpcep_client  # noqa: F401 (server is a fixture)


def test_reads_answer_the_sdk_shapes(server):
    c = vpcep_client(server.url, server.admin)
    own = c.list_endpoint_service(m.ListEndpointServiceRequest(limit=500, offset=0))
    assert own.total_count == len(own.endpoint_services) >= 1
    svc = own.endpoint_services[0]
    assert svc.domain_id == server.admin["domain_id"] and svc.ports
    details = c.list_service_details(m.ListServiceDetailsRequest(vpc_endpoint_service_id=svc.id))
    assert details.service_name == svc.service_name
    public = c.list_service_public_details(m.ListServicePublicDetailsRequest())
    assert {s.service_name.split(".")[1] for s in public.endpoint_services} >= {"obs", "dns"}
    found = c.list_service_describe_details(m.ListServiceDescribeDetailsRequest(endpoint_service_name=svc.service_name))
    assert found.id == svc.id
    conns = c.list_service_connections(m.ListServiceConnectionsRequest(vpc_endpoint_service_id=svc.id))
    assert conns.total_count == len(conns.connections)
    perms = c.list_service_permissions_details(m.ListServicePermissionsDetailsRequest(vpc_endpoint_service_id=svc.id))
    assert perms.total_count == len(perms.permissions)
    eps = c.list_endpoints(m.ListEndpointsRequest(limit=1000))
    assert eps.total_count == len(eps.endpoints) >= 1
    one = c.list_endpoint_info_details(m.ListEndpointInfoDetailsRequest(vpc_endpoint_id=eps.endpoints[0].id))
    assert one.id == eps.endpoints[0].id and one.dns_names == eps.endpoints[0].dns_names
    quotas = c.list_quota_details(m.ListQuotaDetailsRequest())
    assert {q.type for q in quotas.quotas.resources} >= {"endpoint", "endpoint_service"}
    v = vpc_client(server.url, server.admin)
    vpcs = v.list_vpcs(ListVpcsRequest(limit=1)).vpcs
    assert len(vpcs) == 1
    more = v.list_vpcs(ListVpcsRequest(limit=100, marker=vpcs[0].id)).vpcs
    assert vpcs[0].id not in {x.id for x in more}
    assert v.list_subnets(ListSubnetsRequest(limit=100)).subnets


def test_paging_honours_limit_offset_and_total(server):
    c = vpcep_client(server.url, server.admin)
    whole = c.list_endpoints(m.ListEndpointsRequest(limit=1000))
    first = c.list_endpoints(m.ListEndpointsRequest(limit=1, offset=0))
    assert len(first.endpoints) == 1 and first.total_count == whole.total_count
    rest = c.list_endpoints(m.ListEndpointsRequest(limit=1000, offset=1))
    assert [e.id for e in first.endpoints + rest.endpoints] == [e.id for e in whole.endpoints]


def test_writes_through_the_registry(server):
    c = vpcep_client(server.url, server.admin)
    svc = c.list_endpoint_service(m.ListEndpointServiceRequest()).endpoint_services[0]
    added = c.batch_add_endpoint_service_permissions(m.BatchAddEndpointServicePermissionsRequest(
        vpc_endpoint_service_id=svc.id, body=m.BatchAddEndpointServicePermissionsRequestBody(
            permissions=[m.EpsAddPermissionRequest(permission="iam:domain::" + "a" * 32, description="x")])))
    assert added.permissions[0].permission == "iam:domain::" + "a" * 32
    c.batch_remove_endpoint_service_permissions(m.BatchRemoveEndpointServicePermissionsRequest(
        vpc_endpoint_service_id=svc.id, body=m.BatchRemoveEndpointServicePermissionsRequestBody(
            permissions=[m.EpsRemovePermissionRequest(id=added.permissions[0].id)])))
    c.add_or_remove_service_permissions(m.AddOrRemoveServicePermissionsRequest(
        vpc_endpoint_service_id=svc.id, body=m.AddOrRemoveServicePermissionsRequestBody(
            action="add", permissions=["iam:domain::" + "b" * 32])))
    c.batch_add_or_remove_resource_instance(m.BatchAddOrRemoveResourceInstanceRequest(
        resource_type="endpoint_service", resource_id=svc.id, body=m.BatchAddOrRemoveResourceInstanceRequestBody(
            action="create", tags=[m.ResourceTag(key="team", value="net")])))
    again = c.list_service_details(m.ListServiceDetailsRequest(vpc_endpoint_service_id=svc.id))
    assert {(t.key, t.value) for t in again.tags} >= {("team", "net")}
    c.update_endpoint_service(m.UpdateEndpointServiceRequest(
        vpc_endpoint_service_id=svc.id, body=m.UpdateEndpointServiceRequestBody(description="changed")))
    assert "changed" in server.cli("service", "show", svc.id).stdout
    ep = c.list_endpoints(m.ListEndpointsRequest(limit=1000)).endpoints[0]
    upd = c.update_endpoint_white(m.UpdateEndpointWhiteRequest(
        vpc_endpoint_id=ep.id, body=m.UpdateEndpointWhiteRequestBody(whitelist=["10.0.0.0/24"],
                                                                     enable_whitelist=True)))
    assert upd.whitelist == ["10.0.0.0/24"]
    c.delete_endpoint(m.DeleteEndpointRequest(vpc_endpoint_id=ep.id))
    with pytest.raises(ClientRequestException) as err:
        c.list_endpoint_info_details(m.ListEndpointInfoDetailsRequest(vpc_endpoint_id=ep.id))
    assert err.value.status_code == 404 and err.value.error_code == "EndPoint.0005"
    assert err.value.request_id


def test_create_endpoint_and_accept(server):
    c = vpcep_client(server.url, server.admin)
    public = c.list_service_public_details(m.ListServicePublicDetailsRequest()).endpoint_services
    dns = next(s for s in public if ".dns." in s.service_name)
    vpc = vpc_client(server.url, server.admin).list_vpcs(ListVpcsRequest()).vpcs[0]
    subnets = vpc_client(server.url, server.admin).list_subnets(ListSubnetsRequest(vpc_id=vpc.id)).subnets
    created = c.create_endpoint(m.CreateEndpointRequest(body=m.CreateEndpointRequestBody(
        endpoint_service_id=dns.id, vpc_id=vpc.id, subnet_id=subnets[0].id, enable_dns=True)))
    assert created.status == "accepted" and created.ip
    shown = c.list_endpoint_info_details(m.ListEndpointInfoDetailsRequest(vpc_endpoint_id=created.id))
    assert shown.dns_names


def test_errors_and_project(server):
    c = vpcep_client(server.url, server.admin, project="0" * 32)
    with pytest.raises(ClientRequestException) as err:
        c.list_endpoints(m.ListEndpointsRequest())
    assert err.value.error_code == "EndPoint.0014"
    bad = dict(server.admin, sk="wrong")
    with pytest.raises(ClientRequestException) as err:
        vpcep_client(server.url, bad).list_endpoints(m.ListEndpointsRequest())
    assert err.value.status_code == 401 and err.value.error_code == "APIGW.0301"


def test_iam_projects_and_sigterm(server):
    import json
    import urllib.request
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.region.region import Region
    from huaweicloudsdkvpcep.v1 import VpcepClient
    import os
    region = json.loads(server.cli("--json", "quota").stdout) and "cn-north-4"
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = server.url
    try:
        client = VpcepClient.new_builder().with_credentials(BasicCredentials(server.admin["ak"], server.admin["sk"])) \
            .with_region(Region(region, server.url)).build()
        assert client.list_endpoints(m.ListEndpointsRequest()).total_count >= 1
    finally:
        del os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"]
    del urllib
    assert server.stop() == 0
    assert "ak=" + server.admin["ak"] in server.proc.stderr.read()
