"""`dns serve --metrics`, `--query-log` and `dns stats`: counters that match a dnsperf run, rotation, the summary."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import urllib.request

import pytest

from dnsutil import vpcep_process, with_dns
from toolkit.dnsserver.querylog import QueryLog
from toolkit.dnsserver.runtime import Options, parse_metrics
from toolkit.errors import ConfigError

ZONE = "vpcep.cn-north-4.myhuaweicloud.com"


def start_serving(state_path, *flags) -> tuple[subprocess.Popen, str]:
    """`vpcep dns serve` on 127.0.0.1 port 0 in a child; its first stdout line."""
    proc = vpcep_process(state_path, "dns", "serve", "--listen", "127.0.0.1:0", "--zones", str(state_path.parent),
                         *flags)
    line = proc.stdout.readline()
    assert "listening on" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, line


def stop(proc: subprocess.Popen) -> str:
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(10) == 0
    err = proc.stderr.read()
    assert "Traceback" not in err
    return err


def scrape(url: str) -> dict:
    """{(name, labels): value} of the text format."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def queries(values: dict, **match) -> int:
    return int(sum(value for (name, labels), value in values.items() if name == "vpcep_dns_queries_total"
                   and all(dict(labels)[k] == v for k, v in match.items())))


def dnsperf(port: int, datafile, loops: int) -> dict:
    out = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", str(datafile), "-n", str(loops),
                          "-t", "5"], capture_output=True, text=True, timeout=120).stdout
    codes = re.search(r"Response codes:\s+(.*)", out).group(1)
    return {"sent": int(re.search(r"Queries sent:\s+(\d+)", out).group(1)),
            "completed": int(re.search(r"Queries completed:\s+(\d+)", out).group(1)),
            "rcodes": {name: int(count) for name, count in re.findall(r"([A-Z]+) (\d+) \(", codes)}}


@pytest.mark.skipif(not shutil.which("dnsperf"), reason="dnsperf is not installed")
def test_scraped_counters_match_a_dnsperf_run(state_path, endpoints, tmp_path):
    names, _ = endpoints
    lines = [f"{name} A" for name in names] + [f"{name} AAAA" for name in names]
    lines += [f"missing-{i}.{ZONE} A" for i in range(4)] + ["foreign.example A", "foreign.example MX"]
    datafile = tmp_path / "queries.txt"
    datafile.write_text("\n".join(lines) + "\n")
    proc, line = start_serving(state_path, "--metrics", "127.0.0.1:0")
    try:
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", line).group(1))
        url = re.search(r"metrics: (http://\S+)", line).group(1)
        run = dnsperf(port, datafile, loops=400)
        values = scrape(url)
    finally:
        stop(proc)
    loops = run["sent"] // len(lines)
    assert run["sent"] == loops * len(lines) and loops >= 100 and run["completed"] == run["sent"]
    assert queries(values, transport="udp") == run["completed"]
    for rcode, count in run["rcodes"].items():
        assert queries(values, transport="udp", rcode=rcode) == count, rcode
    assert run["rcodes"] == {"NOERROR": loops * 2 * len(names), "NXDOMAIN": loops * 4, "REFUSED": loops * 2}
    assert queries(values, qtype="AAAA") == loops * len(names) and queries(values, qtype="MX") == loops
    assert values[("vpcep_dns_refused_total", (("transport", "udp"),))] == loops * 2
    assert values[("vpcep_dns_cache_hits_total", (("cache", "packet"),))] > run["completed"] / 2  # dnsperf repeats bytes
    assert values[("vpcep_dns_zone_serial", (("zone", ZONE + "."),))] > 0


def test_metrics_are_off_by_default_no_listener_but_dns(state_path, endpoints):
    proc, _ = start_serving(state_path)
    try:
        assert listening_tcp_ports(proc.pid) == 1  # the DNS port's TCP side, nothing else
    finally:
        stop(proc)


def listening_tcp_ports(pid: int) -> int:
    """How many listening TCP sockets the process holds (its fds matched against /proc/net/tcp{,6})."""
    inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{pid}/fd")
              if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")}
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            listening |= {row.split()[9] for row in list(rows)[1:] if row.split()[3] == "0A"}
    return len(inodes & listening)


def test_metrics_refuse_a_network_address_unless_allowed(state_path, endpoints):
    assert parse_metrics("9153") == ("127.0.0.1", 9153)
    assert parse_metrics("[::1]:9153") == ("::1", 9153)
    assert parse_metrics("0.0.0.0:9153", remote=True) == ("0.0.0.0", 9153)
    with pytest.raises(ConfigError, match="no port|not ADDR:PORT"):
        parse_metrics("127.0.0.1")
    proc = vpcep_process(state_path, "dns", "serve", "--listen", "127.0.0.1:0", "--metrics", "0.0.0.0:9153")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1
    assert "open to the network" in err and "--metrics-remote" in err


def test_workers_serve_metrics_on_port_plus_i_and_refuse_a_query_log(settings):
    from toolkit.dnsserver.workers import _metrics_ports, spawn_workers

    assert _metrics_ports(3, Options(metrics="127.0.0.1:9300")) == [
        ["--metrics", "127.0.0.1:9300"], ["--metrics", "127.0.0.1:9301"], ["--metrics", "127.0.0.1:9302"]]
    with pytest.raises(ConfigError, match="leaves no room"):
        _metrics_ports(2, Options(metrics="127.0.0.1:0"))
    with pytest.raises(ConfigError, match="one process only"):
        spawn_workers(2, settings, Options(listen=["127.0.0.1:5300"], query_log="q.log"))


def test_stats_summarizes_a_running_server(serve, settings, endpoints, upstreams, vpcep):
    names, _ = endpoints
    upstream = upstreams({("www.example.", "A"): (300, ["192.0.2.7"])})
    server = serve(with_dns(settings, forwarders=(upstream.address,), allow_recursion=("127.0.0.2/32",)),
                   Options(poll=0.01, metrics="127.0.0.1:0"))
    name = next(iter(names))
    for _ in range(3):
        server.ask(name)
    server.ask(f"missing.{ZONE}", tcp=True)
    server.ask("www.example")  # 127.0.0.1 may not recurse: REFUSED
    where = "{}:{}".format(*server.service.metrics_bound)
    data = vpcep("--json", "dns", "stats", "--from", where)
    assert data["queries"]["total"] == 5
    assert data["queries"]["by_transport"] == {"udp": 4, "tcp": 1}
    assert data["queries"]["by_rcode"] == {"NOERROR": 3, "NXDOMAIN": 1, "REFUSED": 1}
    assert data["refused"] == 1 and data["zones"] == {ZONE + ".": server.service.live.snapshot.zones[0].serial}
    assert [(u["upstream"], u["route"], u["state"], u["answered"]) for u in data["upstreams"]] == [
        (upstream.address, ".", "up", 0)]
    text = vpcep("dns", "stats", "--from", where)
    assert re.search(r"queries:\s+5 \(", text) and "NOERROR 3  NXDOMAIN 1  REFUSED 1" in text
    assert re.search(rf"{re.escape(ZONE)}\.\s+\d+", text) and re.search(rf"{upstream.address}\s+\.\s+up", text)
    twice = vpcep("--json", "dns", "stats", "--from", where, "--from", where)  # two workers: summed
    assert twice["queries"]["total"] == 10 and twice["zones"] == data["zones"]


def test_forwarded_answers_fill_the_upstream_histogram_and_forward_cache(serve, settings, upstreams):
    upstream = upstreams({("www.example.", "A"): (300, ["192.0.2.7"])})
    server = serve(with_dns(settings, forwarders=(upstream.address,)), Options(poll=0.01, metrics="127.0.0.1:0"))
    server.ask("www.example")
    server.ask("www.example", tcp=True)  # TCP has no packet cache: the forward cache answers
    values = scrape("http://{}:{}/metrics".format(*server.service.metrics_bound))
    labels = (("route", "."), ("upstream", upstream.address))
    assert values[("vpcep_dns_forward_latency_seconds_count", labels)] == 1
    assert values[("vpcep_dns_forward_latency_seconds_bucket", (("le", "+Inf"), *labels))] == 1
    assert values[("vpcep_dns_upstream_state", (("route", "."), ("state", "up"), ("upstream", upstream.address)))] == 1
    assert values[("vpcep_dns_cache_hits_total", (("cache", "forward"),))] == 1
    assert values[("vpcep_dns_forward_cache_misses_total", ())] == 1
    assert values[("vpcep_dns_tcp_connections_accepted_total", ())] == 1


def test_stats_with_nothing_listening_is_one_line_with_a_fix(state_path, endpoints):
    from dnsutil import free_port

    proc = vpcep_process(state_path, "dns", "stats", "--from", f"127.0.0.1:{free_port()}")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "no metrics at http://127.0.0.1:" in err and "dns serve --metrics" in err


def test_query_log_lines_of_udp_tcp_and_forwarded_replies_none_lost_on_stop(serve, settings, endpoints, upstreams,
                                                                           tmp_path):
    names, _ = endpoints
    upstream = upstreams({("www.example.", "A"): (300, ["192.0.2.7"])})
    path = tmp_path / "queries.log"
    server = serve(with_dns(settings, forwarders=(upstream.address,)), Options(poll=0.01, query_log=str(path)))
    name = next(iter(names))
    server.ask(name)
    server.ask(name, "AAAA", tcp=True)
    server.ask("www.example")
    server.stop()  # the lines still buffered are written at the stop
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["qname"], e["qtype"], e["rcode"], e["transport"], e["upstream"]) for e in entries] == [
        (name + ".", "A", "NOERROR", "udp", None), (name + ".", "AAAA", "NOERROR", "tcp", None),
        ("www.example.", "A", "NOERROR", "udp", upstream.address)]
    assert all(e["client"] == "127.0.0.1" and e["bytes"] > 12 and e["ms"] >= 0 and e["time"].endswith("Z")
               for e in entries)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_query_log_rotates_by_size_keeping_n_files(tmp_path):
    path = tmp_path / "q.log"
    log = QueryLog(path, size=4096, keep=2, batch=5)
    query = bytes.fromhex("abcd01000001000000000000") + b"\x01x\x00" + b"\x00\x01\x00\x01"
    for i in range(300):
        log.record(f"10.0.{i // 256}.{i % 256}", query, query, i / 1000, "udp", None)
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["q.log", "q.log.1", "q.log.2"]
    clients = [json.loads(line)["client"] for name in ("q.log.2", "q.log.1", "q.log")
               for line in (tmp_path / name).read_text().splitlines()]
    last = [f"10.0.{i // 256}.{i % 256}" for i in range(300)][-len(clients):]
    assert clients == last  # oldest first, no gap, none twice, the newest in FILE
    assert len(clients) < 300 and all((tmp_path / name).stat().st_size < 4096 + 5 * 300 for name in files)
    assert all(stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640 for name in files)
    with pytest.raises(ConfigError, match="at least 4096"):
        QueryLog(path, size=100)


def test_query_log_narrows_a_wider_existing_file(tmp_path):
    path = tmp_path / "q.log"
    path.write_text("")
    path.chmod(0o666)
    QueryLog(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
