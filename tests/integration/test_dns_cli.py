"""`vpcep dns serve|records|export|query` as a user runs them: a real process, real files, exit codes of CLI.md."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time

import dns.message
import dns.query
import pytest

from dnsutil import addresses, vpcep_process

ZONE = "vpcep.cn-north-4.myhuaweicloud.com"


@pytest.fixture
def serving(state_path, endpoints):
    """`vpcep dns serve --listen 127.0.0.1:0` in a child process; its port from the first stdout line."""
    proc = vpcep_process(state_path, "dns", "serve", "--listen", "127.0.0.1:0", "--zones", str(state_path.parent))
    line = proc.stdout.readline()
    match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
    yield proc, int(match.group(1))
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)


def test_serve_answers_and_stops_cleanly_on_sigterm(serving, endpoints):
    proc, port = serving
    names, _ = endpoints
    name, ip = next(iter(names.items()))
    reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=2)
    assert addresses(reply) == [ip]
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_query_prints_the_answer(serving, endpoints, vpcep):
    _, port = serving
    names, _ = endpoints
    name, ip = next(iter(names.items()))
    out = vpcep("dns", "query", name, "--server", f"127.0.0.1:{port}")
    assert "NOERROR" in out and ip in out
    data = vpcep("--json", "dns", "query", name, "A", "--server", f"127.0.0.1:{port}", "--tcp")
    assert data["rcode"] == "NOERROR" and ip in data["answer"][0]


def test_query_with_no_server_is_an_io_error(state_path, endpoints):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = vpcep_process(state_path, "dns", "query", "x.example", "--server", f"127.0.0.1:{port}", "--timeout", "0.3")
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and "no answer" in err and "Traceback" not in err


def test_serve_on_a_taken_port_exits_2_naming_port_and_holder(state_path, endpoints):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = vpcep_process(state_path, "dns", "serve", "--listen", f"127.0.0.1:{port}")
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert f"127.0.0.1:{port} is in use" in err and f"(pid {os.getpid()})" in err
    assert "Traceback" not in err


def test_records_lists_what_would_be_served(endpoints, vpcep):
    names, _ = endpoints
    data = vpcep("--json", "dns", "records")
    served = {r["name"].rstrip("."): r["data"] for z in data["zones"] for r in z["records"] if r["type"] == "A"}
    assert {n.rstrip("."): ip for n, ip in names.items()}.items() <= served.items()
    assert names and all(name in vpcep("dns", "records", "--zone", ZONE) for name in names)


def test_export_writes_files_named_checkzone_accepts(endpoints, vpcep, tmp_path):
    out = tmp_path / "zones"
    files = vpcep("--json", "dns", "export", "--dir", str(out))["files"]
    assert [os.path.basename(f) for f in files] == [f"{ZONE}.zone"]
    text = (out / f"{ZONE}.zone").read_text()
    assert all(name in text for name in endpoints[0])
    if not shutil.which("named-checkzone"):
        pytest.skip("named-checkzone (bind9-utils) is not installed")
    check = subprocess.run(["named-checkzone", ZONE, files[0]], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_export_writes_the_serial_that_is_served(endpoints, vpcep, tmp_path, registry, settings):
    from dnsutil import Running, with_dns

    server = Running(with_dns(settings), registry)
    try:
        served = server.ask(ZONE, "SOA").answer[0][0].serial
    finally:
        server.stop()
    out = tmp_path / "zones"
    vpcep("dns", "export", "--dir", str(out))
    text = (out / f"{ZONE}.zone").read_text()
    assert f"serial {served}," in text.splitlines()[0] and f" {served} 3600 600" in text


def test_serve_with_a_bad_zone_file_exits_2_naming_file_and_line(state_path, endpoints, tmp_path):
    zones = tmp_path / "bad-zones"
    zones.mkdir()
    (zones / "corp.example.zone").write_text("$TTL 60\n@ IN SOA ns a 1 2 3 4 5\n@ IN NS ns\nns IN A 10.0.0.1\nwww IN AAAA 10.0.0.2\n")
    proc = vpcep_process(state_path, "dns", "serve", "--listen", "127.0.0.1:0", "--zones", str(zones))
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and "corp.example.zone:5:" in err and "Traceback" not in err


def test_workers_share_the_port(state_path, endpoints):
    from dnsutil import free_port

    port = free_port()
    proc = vpcep_process(state_path, "dns", "serve", "--listen", f"127.0.0.1:{port}", "--workers", "2",
                         start_new_session=True)
    try:
        assert "listening on" in proc.stdout.readline()
        if not shutil.which("ss"):
            pytest.skip("ss (iproute2) is not installed")
        deadline = time.monotonic() + 10
        while _holders(port) < 2:  # the second worker binds the same port with SO_REUSEPORT
            assert time.monotonic() < deadline, "the second worker never bound the port"
            time.sleep(0.05)
        names, _ = endpoints
        name, ip = next(iter(names.items()))
        for _ in range(20):  # from fresh source ports: the kernel spreads them over both processes
            reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=2)
            assert addresses(reply) == [ip]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def _holders(port: int) -> int:
    return subprocess.run(["ss", "-Hulpn", f"sport = :{port}"], capture_output=True, text=True).stdout.count("pid=")


@pytest.mark.parametrize("section, line, words", [
    ("dns", 'listen = ["nonsense"]', "is not an IP address"),
    ("dns", "listen = [1]", "is not an IP address"),
    ("obs", 'addresses = ["x"]', "[obs]"),
])
@pytest.mark.parametrize("verb", [["export", "--dir", "zones-out"], ["records"]])
def test_settings_the_zones_cannot_use_are_one_line_for_export_and_records(tmp_path, section, line, words, verb):
    """Issue 14: found by a survey of bad values × commands; each was a traceback from dnslib."""
    from tests.conftest import run_vpcep

    state, conf = tmp_path / "s.db", tmp_path / "c.toml"
    assert run_vpcep("--state", str(state), "demo").returncode == 0
    conf.write_text(f"[{section}]\n{line}\n")
    result = run_vpcep("--state", str(state), "--config", str(conf), "dns", *verb)
    assert result.returncode == 2 and words in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
