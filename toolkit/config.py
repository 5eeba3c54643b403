"""Settings: defaults → TOML file → VPCEP_* environment → command-line flags, frozen once built."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from toolkit.errors import ConfigError

DEFAULT_REGION = "cn-north-4"
DEFAULT_DOMAIN = "myhuaweicloud.com"


def host_port(text: str, default_port: int = 53) -> tuple[str, int]:
    """The one ADDR:PORT reader: `ADDR:PORT`, `[V6]:PORT`, or a bare address (IPv6 too) with `default_port`.

    ValueError when the port is not a number in 0-65535; each caller words its own error (rule and fix).
    The address itself is the caller's to check (a listen may be any host, a resolver must be IPv4).
    """
    host, port = text, str(default_port)
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{text!r}: no port in 0-65535")
    return host, int(port)


def _xdg(kind: str, fallback: str, env=None) -> Path:
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    return Path(env.get(f"XDG_{kind}_HOME") or home / fallback) / "vpcep"


@dataclass(frozen=True)
class Identity:
    region: str = DEFAULT_REGION
    domain: str = DEFAULT_DOMAIN
    account: str = ""
    project: str = ""


@dataclass(frozen=True)
class QuotaSettings:
    services: int = 20
    endpoints: int = 50


@dataclass(frozen=True)
class DnsSettings:
    listen: tuple[str, ...] = ("127.0.0.1:5353",)
    forwarders: tuple[str, ...] = ()
    allow_query: tuple[str, ...] = ("127.0.0.0/8",)
    allow_recursion: tuple[str, ...] = ("127.0.0.0/8",)
    allow_transfer: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    name_template: str = "{endpoint_id}.vpcep.{region}.{domain}"
    ttl: int = 300
    zones_dir: str = "zones"
    tsig_keys: dict = field(default_factory=dict)
    forward_zones: dict = field(default_factory=dict)
    nsid: str = ""  # RFC 5001: the server's name in replies to clients that ask (e.g. dig +nsid); empty: none


@dataclass(frozen=True)
class ObsSettings:
    mode: str = "local"
    addresses: tuple[str, ...] = ("100.125.0.10",)
    forwarders: tuple[str, ...] = ()
    cidr: str = "100.125.0.0/16"


@dataclass(frozen=True)
class RoutesSettings:
    gateway: str = ""
    endpoint_source_cidr: str = "198.19.128.0/17"
    proto: int = 201  # unassigned by the kernel and iproute2 (99, the old default, is openr): routing/protos.py


@dataclass(frozen=True)
class CloudSettings:
    """S2: the built-in cloud services of the region (short name → service type), and the account to mirror (C1).

    `endpoint` is the VPCEP API (e.g. https://vpcep.cn-north-4.myhuaweicloud.com); `region` defaults to the one
    in that host name; `account` (the domain id) defaults to the one the cloud reports. Credentials come from
    HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK or `credentials_file`, never from this file.
    """

    services: dict = field(default_factory=lambda: {"obs": "gateway", "dns": "interface"})
    endpoint: str = ""
    region: str = ""
    project_id: str = ""
    account: str = ""
    domain: str = DEFAULT_DOMAIN
    verify_tls: bool = True
    credentials_file: str = ""
    ca_file: str = ""
    timeout: int = 20
    retries: int = 3


@dataclass(frozen=True)
class ApiSettings:
    """`vpcep api serve` (issue 12): plain http on loopback only; anything else needs the TLS pair."""

    listen: str = "127.0.0.1:9711"
    tls_cert: str = ""
    tls_key: str = ""


SECTIONS = {"identity": Identity, "quota": QuotaSettings, "dns": DnsSettings, "obs": ObsSettings,
            "routes": RoutesSettings, "cloud": CloudSettings, "api": ApiSettings}


@dataclass(frozen=True)
class Settings:
    """Everything configurable, built once and passed down."""

    state: Path = field(default_factory=lambda: _xdg("DATA", ".local/share") / "state.db")
    config: Path | None = None
    act_as: str = ""
    read_only: bool = False
    identity: Identity = field(default_factory=Identity)
    quota: QuotaSettings = field(default_factory=QuotaSettings)
    dns: DnsSettings = field(default_factory=DnsSettings)
    obs: ObsSettings = field(default_factory=ObsSettings)
    routes: RoutesSettings = field(default_factory=RoutesSettings)
    cloud: CloudSettings = field(default_factory=CloudSettings)
    api: ApiSettings = field(default_factory=ApiSettings)


def default_config_path(env=None) -> Path:
    return _xdg("CONFIG", ".config", env) / "config.toml"


def load(config: str | None = None, state: str | None = None, act_as: str | None = None,
         read_only: bool = False, env: dict | None = None) -> Settings:
    """Build Settings from the file, then the environment, then the given flags."""
    env = os.environ if env is None else env
    path = Path(config or env.get("VPCEP_CONFIG") or default_config_path(env))
    data = _read_toml(path, explicit=bool(config or env.get("VPCEP_CONFIG")))
    _check_sections(data, path)
    sections = {name: _section(cls, data.get(name, {}), env, name) for name, cls in SECTIONS.items()}
    if "forward_zones" in data.get("dns", {}):
        sections["dns"] = replace(sections["dns"], forward_zones=dict(data["dns"]["forward_zones"]))
    _check_cloud(sections["cloud"].services)
    _check_values(sections["dns"], sections["routes"])
    base = Settings(state=_xdg("DATA", ".local/share", env) / "state.db", config=path, **sections)
    return replace(
        base,
        state=Path(state or env.get("VPCEP_STATE") or base.state),
        act_as=act_as or env.get("VPCEP_ACCOUNT") or "",
        read_only=read_only or _truthy(env.get("VPCEP_READ_ONLY", "")),
    )


def _read_toml(path: Path, explicit: bool) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"config file {path} does not exist", fix="create it or drop --config") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}",
                          fix="check the path and its permissions (--config / VPCEP_CONFIG)") from None
    except ValueError as exc:  # TOMLDecodeError, or bytes that are not UTF-8
        raise ConfigError(f"config file {path} is not valid TOML: {exc}", fix="fix the TOML syntax") from None


def _check_sections(data: dict, path: Path) -> None:
    """A misspelt section would silently leave its defaults in force: refuse it."""
    for name, value in data.items():
        if name not in SECTIONS:
            raise ConfigError(f"config file {path}: unknown section [{name}]",
                              fix=f"valid sections: {', '.join(sorted(SECTIONS))}")
        if not isinstance(value, dict):
            raise ConfigError(f"config file {path}: {name} must be a section ([{name}]), not a value",
                              fix=f"write [{name}] and its keys on the lines below")


MAX_TTL = 2**31 - 1  # RFC 2181 §8


def _check_values(dns: "DnsSettings", routes: "RoutesSettings") -> None:
    """Values whose type is right but that no later step could use: one line here, not a traceback there."""
    if dns.ttl > MAX_TTL:
        raise ConfigError(f"setting [dns] ttl = {dns.ttl} is over {MAX_TTL}", rule="E5",
                          fix="give seconds up to 2147483647 (RFC 2181 §8); 300 is usual")
    try:
        ipaddress.IPv4Network(routes.endpoint_source_cidr, strict=False)
    except ValueError:
        raise ConfigError(f"setting [routes] endpoint_source_cidr = {routes.endpoint_source_cidr!r} is not an "
                          "IPv4 CIDR", rule="S11", fix='give a CIDR such as "198.19.128.0/17"') from None


def _check_cloud(services: dict) -> None:
    """S2: the region's built-in services, at least OBS (gateway) and DNS (interface); names by S5."""
    for short, kind in services.items():
        if not _SHORT_NAME.match(str(short)) or kind not in ("gateway", "interface"):
            raise ConfigError(f"setting [cloud] services: {short!r} = {kind!r} is not a cloud service", rule="S2",
                              fix="names of 1-16 letters, digits, _ or -; types gateway or interface")
    if services.get("obs") != "gateway" or services.get("dns") != "interface":
        raise ConfigError("setting [cloud] services must keep obs = \"gateway\" and dns = \"interface\"", rule="S2",
                          fix="add other cloud services beside them")


def _section(cls, values: dict, env, name: str):
    known = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(known) - ({"forward_zones"} if name == "dns" else set())
    if unknown:
        raise ConfigError(f"unknown setting [{name}] {', '.join(sorted(unknown))}",
                          fix=f"valid keys: {', '.join(sorted(known))}")
    default = cls()
    kwargs = {}
    for key in known:
        raw = env.get(f"VPCEP_{name.upper()}_{key.upper()}")
        value = raw if raw is not None else values.get(key, getattr(default, key))
        kwargs[key] = _coerce(getattr(default, key), value, f"[{name}] {key}")
    return cls(**kwargs)


def _coerce(default, value, where: str):
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else _truthy(str(value))
        if isinstance(default, int):
            return _whole(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else value
            return tuple(str(item).strip() for item in items if str(item).strip())
        if isinstance(default, dict):
            return dict(tomllib.loads(f"v = {value}")["v"]) if isinstance(value, str) else dict(value)
        return str(value)
    except (TypeError, ValueError, tomllib.TOMLDecodeError):
        raise ConfigError(f"setting {where} = {value!r} has the wrong type",
                          fix=f"give {_KINDS[type(default)]}") from None


_KINDS = {bool: "true or false", int: "a whole number, 0 or more", tuple: "a list of strings",
          dict: "a table", str: "a string"}
_SHORT_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,16}$")


def _whole(value) -> int:
    """Counts, ports, TTLs: never negative, and `true` is not a number."""
    if isinstance(value, bool) or (isinstance(value, str) and not value.strip().isascii()):
        raise ValueError(value)
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")
