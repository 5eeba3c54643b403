"""C2, C3: a change to a mirrored resource is made in the cloud first, and the mirror shows the cloud's answer."""

from __future__ import annotations

import json

import pytest

from tests.cloud.conftest import digest, ok

PARTNER = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
NEWCOMER = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"


@pytest.fixture
def mirrored(cloud, local):
    """L mirrors C; the partner's connection to the approval service `partner-api`."""
    assert cloud.pull(local).returncode == 0
    service = next(s for s in ok(local, "service", "list", "--json")["endpoint_services"]
                   if s["service_name"].split(".")[1] == "partner-api")
    connection = ok(local, "service", "connections", service["id"], "--json")["connections"][0]
    assert connection["domain_id"] == PARTNER
    return service, connection


def cloud_connections(cloud, service_id: str) -> dict:
    from huaweicloudsdkvpcep.v1 import ListServiceConnectionsRequest
    answer = cloud.sdk().list_service_connections(ListServiceConnectionsRequest(vpc_endpoint_service_id=service_id))
    return {c.id: c.status for c in answer.connections}


def cloud_whitelist(cloud, service_id: str) -> set:
    from huaweicloudsdkvpcep.v1 import ListServicePermissionsDetailsRequest
    answer = cloud.sdk().list_service_permissions_details(
        ListServicePermissionsDetailsRequest(vpc_endpoint_service_id=service_id))
    return {p.permission for p in answer.permissions}


def test_reject_and_accept_reach_the_cloud(cloud, local, mirrored):
    service, connection = mirrored
    done = cloud.local(local, "service", "reject", service["id"], connection["id"], "--json")
    assert done.returncode == 0, done.stderr
    assert cloud_connections(cloud, service["id"])[connection["id"]] == "rejected"
    shown = ok(local, "service", "connections", service["id"], "--json")["connections"]
    assert {c["id"]: c["status"] for c in shown}[connection["id"]] == "rejected"
    assert cloud.local(local, "service", "accept", service["id"], connection["id"]).returncode == 0
    assert cloud_connections(cloud, service["id"])[connection["id"]] == "accepted"


def test_whitelist_add_and_remove_reach_the_cloud(cloud, local, mirrored):
    service, _ = mirrored
    entry = f"iam:domain::{NEWCOMER}"
    done = cloud.local(local, "service", "whitelist", service["id"], "--add", NEWCOMER, "--json")
    assert done.returncode == 0, done.stderr
    assert entry in cloud_whitelist(cloud, service["id"])
    local_entries = ok(local, "service", "whitelist", service["id"], "--json")["permissions"]
    cloud_ids = {p["id"] for p in ok(cloud.state, "service", "whitelist", service["id"], "--json")["permissions"]}
    assert {p["id"] for p in local_entries} == cloud_ids  # the cloud's ids, from its answer
    assert cloud.local(local, "service", "whitelist", service["id"], "--remove", entry).returncode == 0
    assert entry not in cloud_whitelist(cloud, service["id"])
    assert entry not in {p["permission"] for p in
                         ok(local, "service", "whitelist", service["id"], "--json")["permissions"]}


def test_a_cloud_refusal_is_exit_1_with_its_code_and_nothing_changes(cloud, local, mirrored):
    """C3: the cloud refuses to delete a service with an accepted connection (S10)."""
    service, _ = mirrored
    before = digest(local)
    done = cloud.local(local, "service", "delete", service["id"], "--json")
    assert done.returncode == 1, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["error_code"] and error["request_id"] and "S10" in error["error_msg"]
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert digest(local) == before
    assert service["id"] in {s["id"] for s in ok(local, "service", "list", "--json")["endpoint_services"]}


def test_read_only_blocks_write_through(cloud, local, mirrored):
    service, connection = mirrored
    done = cloud.local(local, "--read-only", "service", "reject", service["id"], connection["id"])
    assert done.returncode == 1 and "read-only" in done.stderr
    assert cloud_connections(cloud, service["id"])[connection["id"]] == "accepted"


def test_an_unreachable_cloud_is_exit_2_and_nothing_changes(cloud, local, mirrored):
    service, connection = mirrored
    cloud.stop()
    before = digest(local)
    done = cloud.local(local, "service", "reject", service["id"], connection["id"])
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert digest(local) == before
