"""`vpcep dns stats`: scrape one or more `dns serve --metrics` endpoints and sum them into a summary dict.

Counters and histograms of several endpoints (the workers of one server) are added up; of the gauges,
the serials, forwarder state, RTT and loss take the largest value (the worst worker), the start time the
earliest, the open connections and in-flight questions the sum.
"""

from __future__ import annotations

import time

from toolkit.errors import ConfigError

DEFAULT = "127.0.0.1:9153"
P = "vpcep_dns_"
LARGEST = {P + "zone_serial", P + "upstream_state", P + "upstream_srtt_seconds", P + "upstream_loss_ratio"}


def urls(addresses: list[str], given: list[str]) -> list[str]:
    """The URLs to read: --metrics-url as given, --from ADDR:PORT as http://ADDR:PORT/metrics, else the default."""
    from toolkit.config import host_port

    found = list(given)
    for text in addresses or ([] if given else [DEFAULT]):
        try:
            host, port = host_port(text, -1)
        except ValueError:
            raise ConfigError(f"--from {text!r} is not ADDR:PORT", rule="dns", fix=f"e.g. --from {DEFAULT}") from None
        found.append(f"http://{f'[{host}]' if ':' in host else host}:{port}/metrics")
    return found


def scrape(targets: list[str], timeout: float) -> dict:
    """{(sample name, labels): value} summed over the targets."""
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        raise ConfigError("dns stats needs prometheus_client", rule="dns",
                          fix="pip install 'vpcep-toolkit[metrics]' (or prometheus_client)") from None
    values: dict = {}
    for url in targets:
        for family in text_string_to_metric_families(_fetch(url, timeout)):
            for sample in family.samples:
                key = (sample.name, tuple(sorted(sample.labels.items())))
                values[key] = _combine(sample.name, values.get(key), sample.value)
    return values


def _combine(name: str, before, value: float) -> float:
    if before is None:
        return value
    if name in LARGEST:
        return max(before, value)
    return min(before, value) if name == P + "start_time_seconds" else before + value


def _fetch(url: str, timeout: float) -> str:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode()
    except urllib.error.HTTPError as exc:
        raise ConfigError(f"{url} answered HTTP {exc.code}", rule="dns", fix="give the --metrics address of `dns serve`")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError(f"no metrics at {url}: {getattr(reason, 'strerror', None) or reason}", rule="dns",
                          fix="start `vpcep dns serve --metrics ADDR:PORT` or give that address with --from") from None


def summary(values: dict) -> dict:
    """What `dns stats` prints: queries by rcode, type and transport, caches, drops, forwarders, zones, NOTIFY."""
    queries = _rows(values, P + "queries_total")
    total = sum(value for _, value in queries)
    started = values.get((P + "start_time_seconds", ()))
    uptime = max(0.001, time.time() - started) if started else None
    return {
        "queries": {"total": int(total), "qps": round(total / uptime, 1) if uptime else None,
                    "uptime_s": round(uptime, 1) if uptime else None,
                    **{f"by_{label}": _sum_by(queries, label) for label in ("transport", "rcode", "qtype")}},
        "refused": int(sum(value for _, value in _rows(values, P + "refused_total"))),
        "dropped": _sum_by(_rows(values, P + "dropped_total"), "reason"),
        "errors": int(values.get((P + "errors_total", ()), 0)),
        "cache_hits": _sum_by(_rows(values, P + "cache_hits_total"), "cache"),
        "forward_cache_misses": int(values.get((P + "forward_cache_misses_total", ()), 0)),
        "tcp": {"open": int(values.get((P + "tcp_connections", ()), 0)),
                "accepted": int(values.get((P + "tcp_connections_accepted_total", ()), 0))},
        "upstreams": _upstreams(values),
        "zones": {labels["zone"]: int(value) for labels, value in _rows(values, P + "zone_serial")},
        "notify": _peer_rows(values, P + "notify_total"),
        "transfers": _peer_rows(values, P + "transfers_total"),
    }


def _rows(values: dict, name: str) -> list[tuple[dict, float]]:
    return [(dict(labels), value) for (sample, labels), value in values.items() if sample == name]


def _sum_by(rows, label: str) -> dict:
    out: dict = {}
    for labels, value in rows:
        out[labels[label]] = out.get(labels[label], 0) + int(value)
    return dict(sorted(out.items(), key=lambda item: (-item[1], item[0])))


def _upstreams(values: dict) -> list[dict]:
    found = {}
    for labels, value in _rows(values, P + "upstream_state"):
        if value:
            found[labels["upstream"], labels["route"]] = labels["state"]
    out = []
    for (upstream, route), state in sorted(found.items()):
        labels = (("route", route), ("upstream", upstream))
        count = values.get((P + "forward_latency_seconds_count", labels), 0)
        seconds = values.get((P + "forward_latency_seconds_sum", labels), 0.0)
        out.append({"upstream": upstream, "route": route, "state": state,
                    "srtt_ms": round(values.get((P + "upstream_srtt_seconds", labels), 0) * 1000, 2),
                    "loss": round(values.get((P + "upstream_loss_ratio", labels), 0), 3),
                    "answered": int(values.get((P + "upstream_answered_total", labels), 0)),
                    "lost": int(values.get((P + "upstream_lost_total", labels), 0)),
                    "mean_ms": round(seconds / count * 1000, 2) if count else None})
    return out


def _peer_rows(values: dict, name: str) -> list[dict]:
    return [{"peer": labels["peer"], "result": labels["result"], "count": int(value)}
            for labels, value in sorted(_rows(values, name), key=lambda row: (row[0]["peer"], row[0]["result"]))]
