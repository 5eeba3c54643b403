"""`vpcep lab up|down|status`: the idc ↔ gw ↔ vpc namespace lab (root)."""

from __future__ import annotations


def add_commands(b) -> None:
    group = b.noun("lab", "a real idc ↔ gw ↔ vpc lab in network namespaces (root)", module="toolkit.cli.cmd_lab")
    for verb, text in (("up", "build the lab from the inventory (removes a leftover one first)"),
                       ("down", "stop the lab's processes and delete its namespaces"),
                       ("status", "what the lab holds and whether it is all there")):
        b.verb(group, verb, text).add_argument("--name", help="lab name (default: derived from the state path)")


def cmd_lab_up(reg, args, out) -> int:
    from toolkit.lab import lab

    result = lab.up(reg, args.name)
    out.emit(result, _text(result) + "\nnext: vpcep routes plan --gateway "
             f"{result['gateway']} --out routes/lab.toml && vpcep routes apply routes/lab.toml "
             f"--netns {result['namespaces']['idc']}")
    return 0 if result["up"] else 2


def cmd_lab_down(reg, args, out) -> int:
    from toolkit.lab import lab

    result = lab.down(lab.lab_name(reg.settings, args.name))
    out.emit(result, f"lab {result['name']}: stopped {len(result['stopped'])} process(es), "
             f"removed {', '.join(result['removed']) or 'no namespaces'}")
    return 0


def cmd_lab_status(reg, args, out) -> int:
    from toolkit.lab import lab

    result = lab.status(reg.settings, args.name)
    out.emit(result, _text(result))
    return 0 if result["up"] else 1


def _text(result: dict) -> str:
    from toolkit.cli.output import fields

    ns = result["namespaces"]
    procs = ", ".join(f"{p['what']} pid {p['pid']}{'' if p.get('alive', True) else ' (gone)'}"
                      for p in result.get("processes", []))
    return fields([("Lab", f"{result['name']} ({'up' if result['up'] else 'down'})"),
                   ("Namespaces", f"idc {ns['idc']}, gw {ns['gw']}, vpc {ns['vpc']}"),
                   ("idc address", result["idc_address"]), ("Gateway", result["gateway"]),
                   ("DNS endpoint", result["dns_endpoint"]), ("OBS addresses", result["obs_addresses"]),
                   ("Endpoints", [f"{e['ip']}:{'/'.join(map(str, e['ports']))}" for e in result.get("endpoints", [])]),
                   ("Processes", procs)])
