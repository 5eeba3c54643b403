"""The TUI's demo state: `vpcep demo`'s three scenarios plus one request waiting for approval.

The state is built through the registry's deterministic seams (`fixed_seams()`), so that
snapshots and the committed screenshots do not change from run to run.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from toolkit import config
from toolkit.registry import Registry
from toolkit.registry.demo import PARTNER, build_demo, fixed_seams
from toolkit.registry.endpoints import EndpointRequest

OWNER = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
PROJECT = "0123456789abcdef0123456789abcdef"


def build_tui_demo(reg: Registry) -> None:
    """The seed scenarios, then a second partner endpoint left in pendingAcceptance."""
    ident = reg.settings.identity
    if not reg.initialized:
        reg.init(ident.region, ident.domain, ident.account or OWNER, ident.project or PROJECT)
    build_demo(reg)
    partner = reg.acting(PARTNER)
    api = next(s for s in reg.list_services() if s.short_name == "partner-api")
    partner.create_endpoint(EndpointRequest(service=api.service_name, vpc="vpc-partner", enable_dns=True,
                                            description="partner batch jobs (waiting for approval)"))


def demo_settings(directory: str | Path, **flags) -> config.Settings:
    """Settings for a demo state in `directory`: the user's config file is ignored; VPCEP_DNS_* and
    VPCEP_ROUTES_* still apply (e.g. VPCEP_DNS_LISTEN to move the server off 127.0.0.1:5353)."""
    import os

    passed = {k: v for k, v in os.environ.items() if k.startswith(("VPCEP_DNS_", "VPCEP_ROUTES_"))}
    env = {"HOME": str(directory), **passed, "VPCEP_DNS_ZONES_DIR": str(Path(directory) / "zones")}
    return config.load(state=str(Path(directory) / "demo.db"), env=env, **flags)


def open_demo(directory: str | Path | None = None, *, deterministic: bool = True, **flags) -> Registry:
    """A fresh demo state (in a new temp dir unless given) and its registry."""
    directory = directory or tempfile.mkdtemp(prefix="vpcep-demo-")
    reg = Registry.open(demo_settings(directory, **flags), create=True)
    # built even when the app will run read-only; the returned registry keeps the real seams
    builder = reg.view(replace(reg.settings, read_only=False, act_as=""), **(fixed_seams() if deterministic else {}))
    build_tui_demo(builder)
    builder.close()
    return reg
