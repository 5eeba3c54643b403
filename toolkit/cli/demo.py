"""`vpcep demo`'s builder lives below the front ends (toolkit/registry/demo.py); this name stays for the CLI."""

from toolkit.registry.demo import PARTNER, build_demo

__all__ = ["PARTNER", "build_demo"]
