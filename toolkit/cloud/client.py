"""The official SDK's clients for one cloud account, and the one place SDK errors become ours (C3).

Every call goes through `Cloud.call`: a 5xx answer, a timeout or a refused connection is retried with
backoff (`[cloud] retries`), then raised as CloudUnavailable (exit 2); a 4xx answer is CloudRefused
(exit 1), except 401 (and 403 on a read), which says the credentials are wrong (exit 2). Both carry the
cloud's error_code, error_msg and request_id; neither ever carries the secret key.
"""

from __future__ import annotations

import importlib
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlparse

from toolkit.cloud.credentials import Credentials
from toolkit.errors import CloudRefused, CloudUnavailable, ConfigError


@dataclass(frozen=True)
class Target:
    """Where the account lives: the VPCEP endpoint, its region, project and (once known) domain id."""

    endpoint: str
    region: str
    project_id: str
    account: str = ""
    verify_tls: bool = True
    ca_file: str = ""
    timeout: int = 20
    retries: int = 3


def target_from(settings, *, region: str = "", endpoint: str = "") -> Target:
    """The Target named by `[cloud]` settings (already merged with the command's flags)."""
    endpoint = (endpoint or settings.endpoint).strip().rstrip("/")
    if not endpoint:
        raise ConfigError("no cloud endpoint", rule="C1",
                          fix="set [cloud] endpoint (e.g. https://vpcep.cn-north-4.myhuaweicloud.com) or --endpoint")
    parsed = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"cloud endpoint {endpoint!r} is not an http(s) URL", rule="C1",
                          fix="e.g. https://vpcep.cn-north-4.myhuaweicloud.com")
    region = region or settings.region or _region_in(parsed.hostname)
    if not region:
        raise ConfigError(f"no region for cloud endpoint {endpoint}", rule="C1", fix="set [cloud] region or --region")
    return Target(endpoint=parsed.geturl(), region=region, project_id=settings.project_id, account=settings.account,
                  verify_tls=settings.verify_tls, ca_file=settings.ca_file, timeout=settings.timeout,
                  retries=settings.retries)


def _region_in(host: str) -> str:
    """`vpcep.cn-north-4.myhuaweicloud.com` → `cn-north-4`."""
    labels = host.split(".")
    return labels[1] if len(labels) > 3 and labels[0] == "vpcep" else ""


class Cloud:
    """One account's VPCEP and VPC clients, built on first use; `call` runs one SDK operation."""

    def __init__(self, target: Target, credentials: Credentials, *, sleep: Callable[[float], None] = time.sleep):
        self.target, self._credentials, self._sleep = target, credentials, sleep
        self._clients: dict[str, Any] = {}
        self.requests = 0

    def vpcep(self):
        return self._client("vpcep", "huaweicloudsdkvpcep.v1", "VpcepClient")

    def vpc(self):
        return self._client("vpc", "huaweicloudsdkvpc.v2", "VpcClient")

    def model(self, package: str, name: str):
        """A request or body class of the SDK (`model("vpcep", "ListEndpointsRequest")`)."""
        module = {"vpcep": "huaweicloudsdkvpcep.v1", "vpc": "huaweicloudsdkvpc.v2"}[package]
        return getattr(_sdk(module), name)

    def call(self, what: str, operation: Callable, request, *, write: bool = False):
        """Run one SDK operation; retry what may pass on a second try; raise ours for the rest."""
        exceptions = _sdk("huaweicloudsdkcore.exceptions.exceptions")
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                return operation(request)
            except exceptions.ClientRequestException as exc:
                raise _refused(what, exc, write) from None
            except (exceptions.ServerResponseException, exceptions.RequestTimeoutException,
                    exceptions.HostUnreachableException) as exc:
                if attempt > self.target.retries:
                    raise _unavailable(what, exc, self.target) from None
            except exceptions.SslHandShakeException as exc:
                raise _unavailable(what, exc, self.target) from None
            except exceptions.ConnectionException as exc:
                if attempt > self.target.retries:
                    raise _unavailable(what, exc, self.target) from None
            except (exceptions.SdkException, ValueError, TypeError, KeyError, AttributeError) as exc:
                raise CloudUnavailable(f"{what}: the cloud's answer could not be read ({_plain(exc)})",
                                       fix="check [cloud] endpoint points at a VPCEP API") from None
            self._sleep(min(0.2 * 2 ** (attempt - 1), 5.0) * (0.5 + random.random()))

    def _client(self, key: str, module: str, name: str):
        if key not in self._clients:
            self._clients[key] = self._build(getattr(_sdk(module), name))
        return self._clients[key]

    def _build(self, client_class):
        # The SDK logs each failure to stderr through Python's last-resort handler; ours is the one line.
        logging.getLogger(f"HuaweiCloud-SDK-{client_class.__name__}").addHandler(logging.NullHandler())
        core = importlib.import_module("huaweicloudsdkcore.auth.credentials")
        http = importlib.import_module("huaweicloudsdkcore.http.http_config")
        config = http.HttpConfig.get_default_config()
        config.ignore_ssl_verification = not self.target.verify_tls
        if self.target.ca_file:
            config.ssl_ca_cert = self.target.ca_file
        config.timeout = (min(5, self.target.timeout), self.target.timeout)
        config.retry_times = 0
        credentials = core.BasicCredentials(self._credentials.ak, self._credentials.sk, self.target.project_id or None)
        builder = client_class.new_builder().with_http_config(config).with_credentials(credentials)
        try:
            if self.target.project_id:
                return builder.with_endpoints([self.target.endpoint]).build()
            region = importlib.import_module("huaweicloudsdkcore.region.region").Region
            return builder.with_region(region(self.target.region, self.target.endpoint)).build()
        except importlib.import_module("huaweicloudsdkcore.exceptions.exceptions").SdkException as exc:
            raise _unavailable("finding the project of the region", exc, self.target) from None
        except ValueError as exc:
            raise ConfigError(f"cloud client: {_plain(exc)}", rule="C1", fix="set [cloud] project_id") from None


def _sdk(module: str):
    """A module of the official SDK, or one line saying how to install it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError:
        raise ConfigError("the official Huawei Cloud SDK (huaweicloudsdkvpcep, huaweicloudsdkvpc) is not installed",
                          rule="C1", fix="pip install 'vpcep-toolkit[cloud]'") from None


def _plain(exc: Exception) -> str:
    return str(getattr(exc, "error_msg", None) or exc).splitlines()[0][:300]


def _refused(what: str, exc, write: bool):
    code, msg, request_id = exc.error_code or "", exc.error_msg or "", exc.request_id or ""
    text = f"{what}: the cloud refused it: {exc.status_code} {code} {msg} (request_id {request_id or '-'})"
    if exc.status_code == 401 or (exc.status_code == 403 and not write):
        return CloudUnavailable(text, error_code=code, error_msg=msg, request_id=request_id, status=exc.status_code,
                                fix="check HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK (or [cloud] credentials_file) "
                                    "and [cloud] project_id")
    return CloudRefused(text, error_code=code, error_msg=msg, request_id=request_id, status=exc.status_code,
                        fix="fix what the cloud's message names; nothing changed in the state")


def _unavailable(what: str, exc, target: Target):
    status = getattr(exc, "status_code", 0) or 0
    code, msg = getattr(exc, "error_code", "") or "", _plain(exc)
    request_id = getattr(exc, "request_id", "") or ""
    detail = f"{status} {code} {msg} (request_id {request_id or '-'})" if status else msg
    return CloudUnavailable(f"{what}: cloud {target.endpoint} failed: {detail}", error_code=code, error_msg=msg,
                            request_id=request_id, status=status,
                            fix="check [cloud] endpoint, the network and verify_tls/ca_file; nothing changed")


def connect(settings) -> "Cloud":
    """The Cloud client named by `[cloud]` settings, with credentials from the SDK's variables or the file."""
    from toolkit.cloud.credentials import load
    return Cloud(target_from(settings), load(settings.credentials_file))
