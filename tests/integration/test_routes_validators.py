"""Rendered resolver configs pass the real tools, and dnsmasq's rebind guard is handled for real (O2)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys

import pytest

from tests.conftest import DOMAIN, REGION
from tests.e2e.conftest import resolve
from toolkit.lab import netns
from toolkit.routing.plan import PlanInputs, build_plan
from toolkit.routing.render import render

PLAN = build_plan(PlanInputs(gateway="192.168.10.1", region=REGION, domain=DOMAIN, dns_endpoints=("10.8.1.2", "10.8.1.3"),
                             private_zones=(f"vpcep.{REGION}.{DOMAIN}", "svc.example.internal")))


def _tool(name: str) -> str:
    path = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.mark.parametrize("fmt", ["bind", "bind-global"])
def test_named_checkconf_accepts_the_bind_output(fmt, tmp_path):
    conf = tmp_path / "named.conf"
    conf.write_text(render(PLAN, fmt))
    proc = subprocess.run([_tool("named-checkconf"), str(conf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_named_checkconf_would_catch_a_broken_one(tmp_path):
    conf = tmp_path / "named.conf"
    conf.write_text(render(PLAN, "bind").replace("forward only;", "forward sometimes;", 1))
    assert subprocess.run([_tool("named-checkconf"), str(conf)], capture_output=True).returncode != 0


def _checkconf(conf, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([_tool("named-checkconf"), *flags, str(conf)], capture_output=True, text=True)


def _documented(fmt: str, fragment: str) -> str:
    """The line the rendered file's own comment tells the admin to write (the `//` stripped)."""
    return next(line.lstrip("/ ") for line in render(PLAN, fmt).splitlines()
                if line.startswith("//") and fragment in line)


def test_o2_bind_includes_into_a_named_conf_with_its_own_options(tmp_path):
    zones = tmp_path / "vpcep-zones.conf"
    zones.write_text(render(PLAN, "bind"))
    include = _documented("bind", "include ").split(": ", 1)[1].replace("/etc/bind/vpcep-zones.conf", str(zones))
    conf = tmp_path / "named.conf"
    conf.write_text(f'options {{ directory "{tmp_path}"; recursion yes; }};\n{include}\n')
    proc = _checkconf(conf, "-p")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("type forward;") == len(PLAN.zones) and proc.stdout.count("options {") == 1


def test_o2_bind_options_included_inside_options_as_its_comment_says(tmp_path):
    (tmp_path / "vpcep-zones.conf").write_text(render(PLAN, "bind"))
    options = tmp_path / "vpcep-options.conf"
    options.write_text(render(PLAN, "bind-options"))
    documented = _documented("bind-options", "directory").replace("/var/cache/bind", str(tmp_path))
    conf = tmp_path / "named.conf"
    conf.write_text(documented.replace("/etc/bind/vpcep-options.conf", str(options)) +
                    f'\ninclude "{tmp_path / "vpcep-zones.conf"}";\n')
    proc = _checkconf(conf, "-p")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    inside = proc.stdout.split("options {", 1)[1].split("\n};", 1)[0]
    assert "validate-except" in inside and all(f'"{zone}";' in inside for zone in PLAN.zones)


def test_o2_bind_options_pasted_into_an_options_block(tmp_path):
    conf = tmp_path / "named.conf"
    conf.write_text(f'options {{\n\tdirectory "{tmp_path}";\n{render(PLAN, "bind-options")}}};\n'
                    + render(PLAN, "bind"))
    proc = _checkconf(conf)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unbound_checkconf_accepts_the_unbound_output(tmp_path):
    conf = tmp_path / "unbound.conf"
    conf.write_text(render(PLAN, "unbound"))
    proc = subprocess.run([_tool("unbound-checkconf"), str(conf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no errors" in proc.stdout


def test_dnsmasq_test_accepts_the_dnsmasq_output(tmp_path):
    conf = tmp_path / "dnsmasq.conf"
    conf.write_text(render(PLAN, "dnsmasq"))
    proc = subprocess.run([_tool("dnsmasq"), "--test", f"--conf-file={conf}"], capture_output=True, text=True)
    assert proc.returncode == 0 and "syntax check OK" in proc.stdout + proc.stderr
    conf.write_text("rebind-domain-ok=\nserver=/x/not-an-ip\n")
    assert subprocess.run([_tool("dnsmasq"), "--test", f"--conf-file={conf}"], capture_output=True).returncode != 0


# -- dnsmasq with --stop-dns-rebind in front of our DNS server, in a namespace ------------------------------------
@pytest.fixture
def rebind_ns(cli, tmp_path):
    """A namespace holding the demo's DNS endpoint ip with our server on :53; (ns, endpoint ip, private name, its ip)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 for a network namespace")
    _tool("dnsmasq")
    cli.ok("demo")
    endpoints = cli.ok("--json", "endpoint", "list").json["endpoints"]
    dns_ip = next(e["ip"] for e in endpoints if ".dns." in e["endpoint_service_name"])
    named = next(e for e in endpoints if e["dns_names"])
    name = f"vpcep-rb-{secrets.token_hex(4)}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    children = []
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "-n", name, "addr", "add", f"{dns_ip}/32", "dev", "lo"], check=True)
        acl = {"VPCEP_DNS_ALLOW_QUERY": "10.0.0.0/8,127.0.0.0/8", "VPCEP_DNS_ALLOW_RECURSION": "10.0.0.0/8,127.0.0.0/8"}
        children.append(netns.spawn(name, [sys.executable, "-m", "toolkit", "--state", str(cli.state), "dns", "serve",
                                           "--listen", f"{dns_ip}:53"], "listening on", env=acl))
        yield name, dns_ip, named["dns_names"][0], named["ip"], children
    finally:
        for child in children:
            netns.stop(child.pid)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def _dnsmasq(ns: str, conf, children: list) -> None:
    argv = ["sh", "-c", f"exec {_tool('dnsmasq')} -k --conf-file={conf} --no-resolv --no-hosts --stop-dns-rebind "
                        "--listen-address=127.0.0.1 --bind-interfaces --port=53 --user=root --pid-file= "
                        "--log-facility=- 2>&1"]
    for child in children[1:]:
        netns.stop(child.pid)
    del children[1:]
    children.append(netns.spawn(ns, argv, "started"))


def test_dnsmasq_with_stop_dns_rebind_answers_only_with_our_rendered_config(rebind_ns, tmp_path):
    ns, dns_ip, private_name, private_ip, children = rebind_ns
    plan = build_plan(PlanInputs(gateway="192.168.10.1", region=REGION, domain=DOMAIN, dns_endpoints=(dns_ip,),
                                 private_zones=(private_name.split(".", 1)[1],)))
    bucket, obs_ip = f"bucket-1.obs.{REGION}.{DOMAIN}", "100.125.0.10"
    naive = tmp_path / "naive.conf"
    naive.write_text("".join(f"server=/{zone}/{dns_ip}\n" for zone in plan.zones))
    _dnsmasq(ns, naive, children)
    assert resolve(ns, dns_ip, private_name) == [private_ip]      # our server answers directly
    assert resolve(ns, "127.0.0.1", private_name) == []           # dnsmasq drops it: "possible DNS-rebind attack"
    ours = tmp_path / "ours.conf"
    ours.write_text(render(plan, "dnsmasq"))
    _dnsmasq(ns, ours, children)
    assert resolve(ns, "127.0.0.1", private_name) == [private_ip]
    assert resolve(ns, "127.0.0.1", bucket) == [obs_ip]
