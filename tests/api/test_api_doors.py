"""Issue 12, one state and four doors: what the API changes, a running `dns serve` answers at once; what the CLI
changes, the next API read shows."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import dns.message
import dns.query
from huaweicloudsdkvpcep.v1 import (AcceptOrRejectEndpointRequest, AcceptOrRejectEndpointRequestBody,
                                    ListEndpointInfoDetailsRequest, ListEndpointsRequest)

from tests.api.conftest import OWNER, PARTNER, cli_json
from tests.api.test_api_scenarios import connect, make_service
from tests.cloud.conftest import ROOT, ok


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer(name: str, port: int) -> list[str]:
    try:
        reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=0.05)
    except dns.exception.Timeout:
        return []
    return [item.address for rrset in reply.answer for item in rrset]


def test_an_endpoint_accepted_through_the_api_is_answered_by_dns_serve_at_once(api, tmp_path):
    service = make_service(api, approval=True)
    ok(api.state, "service", "whitelist", service.id, "--add", PARTNER, env=api.env())
    made = connect(api, api.client("partner"), service.id, PARTNER, "vpc-partner")
    name = api.client("partner").list_endpoint_info_details(
        ListEndpointInfoDetailsRequest(vpc_endpoint_id=made.id)).dns_names[0]
    port = free_port()
    config = tmp_path / "dns.toml"
    config.write_text(f'[dns]\nlisten = ["127.0.0.1:{port}"]\nzones_dir = "{tmp_path / "zones"}"\n')
    server = subprocess.Popen([sys.executable, "-m", "toolkit", "--state", str(api.state), "--config", str(config),
                               "dns", "serve"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=api.env())
    try:
        line = server.stdout.readline()
        assert "listening" in line, server.stderr.read() if not line else line  # why it stopped, if it did
        assert answer(name, port) == []  # pendingAcceptance: no record (E5)
        api.client().accept_or_reject_endpoint(AcceptOrRejectEndpointRequest(
            vpc_endpoint_service_id=service.id,
            body=AcceptOrRejectEndpointRequestBody(action="receive", endpoints=[made.id])))
        accepted = time.perf_counter()
        while not answer(name, port) and time.perf_counter() - accepted < 2:
            pass
        waited = time.perf_counter() - accepted
        print(f"accepted through the API → answered by dns serve in {waited * 1000:.0f} ms")
        assert answer(name, port) == [made.ip] and waited < 0.1
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_cli_change_is_seen_by_the_next_api_read(api):
    service = make_service(api, approval=False)
    made = connect(api, api.client(), service.id)
    ok(api.state, "endpoint", "tag", made.id, "--set", "team=blue", env=api.env())
    listed = api.client().list_endpoints(ListEndpointsRequest(id=made.id))
    assert [(t.key, t.value) for t in listed.endpoints[0].tags] == [("team", "blue")]
    ok(api.state, "endpoint", "delete", made.id, env=api.env())
    assert api.client().list_endpoints(ListEndpointsRequest()).total_count == 0
    assert cli_json(api, "endpoint", "list", account=OWNER)["total_count"] == 0
