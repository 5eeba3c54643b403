"""Which function runs each command: an explicit table of "module:function", imported only when the command runs.

`vpcep --help` imports none of the handler modules' heavy parts; a test resolves every entry and walks the
parser, so a renamed or missing handler fails in the tests, not when someone types the command.
"""

from __future__ import annotations

import importlib

HANDLERS = {
    "init": "toolkit.cli.commands:cmd_init",
    "demo": "toolkit.cli.commands:cmd_demo",
    "quota": "toolkit.cli.commands:cmd_quota",
    "account create": "toolkit.cli.commands:cmd_account_create",
    "account list": "toolkit.cli.commands:cmd_account_list",
    "vpc create": "toolkit.cli.commands:cmd_vpc_create",
    "vpc list": "toolkit.cli.commands:cmd_vpc_list",
    "vpc show": "toolkit.cli.commands:cmd_vpc_show",
    "vpc delete": "toolkit.cli.commands:cmd_vpc_delete",
    "vpc routes": "toolkit.cli.commands:cmd_vpc_routes",
    "subnet create": "toolkit.cli.commands:cmd_subnet_create",
    "subnet list": "toolkit.cli.commands:cmd_subnet_list",
    "subnet delete": "toolkit.cli.commands:cmd_subnet_delete",
    "service create": "toolkit.cli.commands:cmd_service_create",
    "service list": "toolkit.cli.commands:cmd_service_list",
    "service show": "toolkit.cli.commands:cmd_service_show",
    "service verify": "toolkit.cli.commands:cmd_service_verify",
    "service delete": "toolkit.cli.commands:cmd_service_delete",
    "service connections": "toolkit.cli.commands:cmd_service_connections",
    "service accept": "toolkit.cli.commands:cmd_service_accept",
    "service reject": "toolkit.cli.commands:cmd_service_reject",
    "service whitelist": "toolkit.cli.commands:cmd_service_whitelist",
    "service tag": "toolkit.cli.commands:cmd_service_tag",
    "service rules": "toolkit.cli.commands:cmd_service_rules",
    "service update": "toolkit.cli.commands:cmd_service_update",
    "endpoint create": "toolkit.cli.commands:cmd_endpoint_create",
    "endpoint list": "toolkit.cli.commands:cmd_endpoint_list",
    "endpoint show": "toolkit.cli.commands:cmd_endpoint_show",
    "endpoint delete": "toolkit.cli.commands:cmd_endpoint_delete",
    "endpoint tag": "toolkit.cli.commands:cmd_endpoint_tag",
    "endpoint update": "toolkit.cli.commands:cmd_endpoint_update",
    "rules": "toolkit.cli.cmd_reference:cmd_rules",
    "commands": "toolkit.cli.cmd_reference:cmd_commands",
    "completion": "toolkit.cli.cmd_reference:cmd_completion",
    "dns serve": "toolkit.cli.cmd_dns:cmd_dns_serve",
    "dns records": "toolkit.cli.cmd_dns:cmd_dns_records",
    "dns export": "toolkit.cli.cmd_dns:cmd_dns_export",
    "dns query": "toolkit.cli.cmd_dns:cmd_dns_query",
    "dns stats": "toolkit.cli.cmd_dns:cmd_dns_stats",
    "routes plan": "toolkit.cli.cmd_routes:cmd_routes_plan",
    "routes render": "toolkit.cli.cmd_routes:cmd_routes_render",
    "routes apply": "toolkit.cli.cmd_routes:cmd_routes_apply",
    "routes remove": "toolkit.cli.cmd_routes:cmd_routes_remove",
    "routes status": "toolkit.cli.cmd_routes:cmd_routes_status",
    "check": "toolkit.cli.cmd_check:cmd_check",
    "lab up": "toolkit.cli.cmd_lab:cmd_lab_up",
    "lab down": "toolkit.cli.cmd_lab:cmd_lab_down",
    "lab status": "toolkit.cli.cmd_lab:cmd_lab_status",
    "tui": "toolkit.cli.cmd_tui:cmd_tui",
    "screenshots": "toolkit.cli.cmd_tui:cmd_screenshots",
    "cloud pull": "toolkit.cli.cmd_cloud:cmd_cloud_pull",
    "api serve": "toolkit.cli.cmd_api:cmd_api_serve",
    "api key": "toolkit.cli.cmd_api:cmd_api_key",
    "cloud status": "toolkit.cli.cmd_cloud:cmd_cloud_status",
}
"""Command ("noun verb", or the command alone) → "module:function"; the function takes (registry, args, out)."""


def handler(command: str):
    """The function behind `command` (a key of HANDLERS)."""
    module, _, name = HANDLERS[command].partition(":")
    return getattr(importlib.import_module(module), name)
