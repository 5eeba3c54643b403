"""`vpcep lab up|down|status`: the registry's endpoints, OBS and our DNS server made real in namespaces (DESIGN 7)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import LabError
from toolkit.lab import netns, topology
from toolkit.lab.source import LabSource
from toolkit.lab.topology import GW_IDC, IDC_ADDRESS, IDC_NET, Topology
from toolkit.model.endpoint import EndpointStatus

RECORD_DIR = Path("/run/vpcep-lab")
OBS_PORTS = (80, 443)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,19}$")


@dataclass(frozen=True)
class Inventory:
    """What the lab makes real, read from the registry (all accounts)."""

    endpoints: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    """(endpoint id, ip, client ports) of every accepted interface endpoint."""
    dns_endpoints: tuple[str, ...] = ()
    obs_addresses: tuple[str, ...] = ()
    vpc_networks: tuple[str, ...] = field(default=())


def lab_name(settings, name: str | None = None) -> str:
    """The lab's prefix: `vpcep-<name>`, by default from a hash of the state path (one lab per state)."""
    if name and not _NAME.match(name):
        raise LabError(f"lab name {name!r} is not 1–20 of a-z, 0-9, -", fix="choose a shorter name")
    return f"vpcep-{name or hashlib.sha1(str(Path(settings.state).resolve()).encode()).hexdigest()[:8]}"


def inventory(reg: LabSource) -> Inventory:
    """Accepted interface endpoints with their client ports, DNS endpoints, OBS addresses, VPC ranges."""
    accounts = [a.domain_id for a in reg.list_accounts()]
    views = [reg.acting(a) for a in accounts]
    services = {s.id: s for view in views for s in view.list_services()}
    endpoints = [e for view in views for e in view.list_endpoints() if e.status == EndpointStatus.ACCEPTED and e.ip]
    vpcs = {v.id: v.cidr for view in views for v in view.list_vpcs()}
    dns = tuple(e.ip for e in endpoints if services.get(e.endpoint_service_id) and
                services[e.endpoint_service_id].short_name == "dns" and services[e.endpoint_service_id].builtin)
    rows = tuple((e.id, e.ip, tuple(p.client_port for p in services[e.endpoint_service_id].ports))
                 for e in endpoints if e.endpoint_service_id in services and e.ip not in dns)
    networks = tuple(dict.fromkeys([vpcs[e.vpc_id] for e in endpoints if e.vpc_id in vpcs] + [reg.settings.obs.cidr]))
    return Inventory(rows, dns, tuple(reg.settings.obs.addresses), networks)


def up(reg: LabSource, name: str | None = None) -> dict:
    """Tear down any leftover lab of this name, then build it; on failure remove what was made."""
    require_root()
    prefix = lab_name(reg.settings, name)
    down(prefix)
    stock = inventory(reg)
    top = Topology(prefix, tuple(dict.fromkeys([ip for _, ip, _ in stock.endpoints] + list(stock.dns_endpoints)
                                               + list(stock.obs_addresses))), stock.vpc_networks)
    record = _record(prefix, top, stock, str(Path(reg.settings.state).resolve()))
    _save(record)
    try:
        topology.build(top)
        _start_children(record, stock, reg.settings)
    except (OSError, RuntimeError, TimeoutError, ValueError) as exc:
        down(prefix)
        raise LabError(f"lab {prefix} could not be built: {exc}", fix="see the logs in " + str(RECORD_DIR)) from None
    _save(record)
    return status(reg.settings, name)


def _record(prefix: str, top: Topology, stock: Inventory, state: str) -> dict:
    return {"name": prefix, "state": state, "namespaces": top.namespaces, "idc_address": IDC_ADDRESS,
            "gateway": GW_IDC, "dns_endpoint": stock.dns_endpoints[0] if stock.dns_endpoints else None,
            "dns_endpoints": list(stock.dns_endpoints), "obs_addresses": list(stock.obs_addresses),
            "endpoints": [{"id": i, "ip": ip, "ports": list(ports)} for i, ip, ports in stock.endpoints],
            "vpc_networks": list(stock.vpc_networks), "processes": []}


def _start_children(record: dict, stock: Inventory, settings) -> None:
    vpc = record["namespaces"]["vpc"]
    if stock.dns_endpoints:
        argv = [sys.executable, "-m", "toolkit", "--state", record["state"], "dns", "serve"]
        argv += [arg for ip in stock.dns_endpoints for arg in ("--listen", f"{ip}:53")]
        acl = f"127.0.0.0/8,{IDC_NET}"
        child = netns.spawn(vpc, argv, "listening on", env={"VPCEP_DNS_ALLOW_QUERY": acl,
                                                              "VPCEP_DNS_ALLOW_RECURSION": acl},
                            log=str(RECORD_DIR / f"{record['name']}-dns.log"))
        record["processes"].append({"pid": child.pid, "what": "dns", "argv": argv})
        _save(record)
    listen = [f"{ip}:{port}" for _, ip, ports in stock.endpoints for port in ports]
    listen += [f"{ip}:{port}" for ip in stock.obs_addresses for port in OBS_PORTS]
    if listen:
        argv = [sys.executable, "-m", "toolkit.lab.responders", *dict.fromkeys(listen)]
        child = netns.spawn(vpc, argv, "ready", log=str(RECORD_DIR / f"{record['name']}-responders.log"))
        record["processes"].append({"pid": child.pid, "what": "responders", "argv": argv})
        _save(record)


def down(prefix: str) -> dict:
    """Stop the lab's processes (by recorded PID) and delete its namespaces; safe to repeat."""
    require_root()
    record = _load(prefix) or {}
    recorded = [p["pid"] for p in record.get("processes", [])]
    inside = [pid for ns in Topology(prefix).namespaces.values() for pid in netns.pids_in(ns)]  # record lost?
    stopped = [pid for pid in dict.fromkeys(recorded + inside) if _ours(pid) and netns.stop(pid)]
    removed = topology.destroy(Topology(prefix))
    for path in (_path(prefix), RECORD_DIR / f"{prefix}-dns.log", RECORD_DIR / f"{prefix}-responders.log"):
        path.unlink(missing_ok=True)
    return {"name": prefix, "stopped": stopped, "removed": removed}


def status(settings, name: str | None = None) -> dict:
    """The lab's record plus what is actually there now (CLI.md's `lab status --json` keys)."""
    prefix = lab_name(settings, name)
    record = _load(prefix)
    names = Topology(prefix).namespaces
    present = {role: netns.exists(ns) for role, ns in names.items()}
    if record is None:
        return {"name": prefix, "up": False, "namespaces": names, "present": present, "idc_address": None,
                "gateway": None, "dns_endpoint": None, "obs_addresses": [], "processes": []}
    for proc in record["processes"]:
        proc["alive"] = _ours(proc["pid"])
    return {**record, "up": all(present.values()) and all(p["alive"] for p in record["processes"]),
            "present": present}


def require_root() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for namespaces)", fix="run it with sudo")


def _ours(pid: int) -> bool:
    """True when `pid` is alive and is one of ours (guards against a reused PID)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"toolkit" in handle.read()
    except OSError:
        return False


def _path(prefix: str) -> Path:
    return RECORD_DIR / f"{prefix}.json"


def _save(record: dict) -> None:
    RECORD_DIR.mkdir(parents=True, exist_ok=True)
    tmp = _path(record["name"]).with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2))
    tmp.replace(_path(record["name"]))


def _load(prefix: str) -> dict | None:
    try:
        return json.loads(_path(prefix).read_text())
    except (OSError, ValueError):
        return None
