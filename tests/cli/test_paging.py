"""E12 / issue 15: every list command takes the API's paging (--limit, --offset, --sort-key, --sort-dir);
total_count counts every match, and pages put together are the whole list."""

from __future__ import annotations

import pytest

LISTS = [("endpoint", "list", "endpoints"), ("service", "list", "endpoint_services"), ("vpc", "list", "vpcs"),
         ("subnet", "list", "subnets"), ("account", "list", "accounts")]


@pytest.fixture
def demo_cli(state_path, capsys, monkeypatch):
    """The CLI over the demo inventory (several of each resource)."""
    from tests.conftest import Cli
    runner = Cli(state_path, capsys, monkeypatch)
    runner.ok("demo")
    return runner


@pytest.mark.parametrize("noun, verb, key", LISTS)
def test_pages_put_together_are_the_whole_list(demo_cli, noun, verb, key):
    whole = demo_cli.ok(noun, verb, "--json").json
    assert whole["total_count"] == len(whole[key]) >= 2
    pages, offset = [], 0
    while offset < whole["total_count"]:
        page = demo_cli.ok(noun, verb, "--json", "--limit", "1", "--offset", str(offset)).json
        assert page["total_count"] == whole["total_count"] and len(page[key]) == 1
        pages += page[key]
        offset += 1
    assert pages == whole[key]


def test_sort_by_created_at_both_ways(demo_cli):
    asc = demo_cli.ok("endpoint", "list", "--json", "--sort-key", "created_at", "--sort-dir", "asc").json["endpoints"]
    desc = demo_cli.ok("endpoint", "list", "--json", "--sort-key", "created_at").json["endpoints"]
    assert [e["created_at"] for e in asc] == sorted(e["created_at"] for e in asc)
    assert [e["created_at"] for e in desc] == sorted((e["created_at"] for e in desc), reverse=True)


@pytest.mark.parametrize("flags, fix", [(["--limit", "0"], "--limit between"), (["--offset", "-1"], "--offset 0"),
                                        (["--sort-key", "colour"], "--sort-key created_at")])
def test_bad_paging_is_refused_with_the_fix(demo_cli, flags, fix):
    result = demo_cli("endpoint", "list", *flags)
    assert result.code == 1 and fix in result.err and "[E12]" in result.err


@pytest.mark.parametrize("items", [[], [{"id": "e1", "dns_names": ["a.b"], "tags": [{"key": "k", "value": "é"}]}],
                                   [{"id": "e1"}, {"id": "e2", "whitelist": []}],
                                   [{"id": "\u2028\x01\x7f\"\\/", "n": -3, "f": 1.5, "none": None, "deep": [{}, [[]]]}],
                                   [{"big": 2 ** 70}, {"id": "after"}]])  # orjson refuses this: json's way
@pytest.mark.parametrize("cut", [1, 2, 1000])
def test_a_streamed_list_is_byte_for_byte_the_json_of_the_whole(items, cut, capsys):
    from toolkit.cli.output import Out, dump
    chunks = (items[i:i + cut] for i in range(0, len(items), cut))
    Out(True).emit_list("endpoints", len(items), chunks)
    assert capsys.readouterr().out == dump({"endpoints": items, "total_count": len(items)}) + "\n"


def test_the_json_list_of_a_demo_state_is_its_documents_through_the_model(demo_cli, settings):
    """Issue 15: `endpoint list --json` hands out stored documents as they are: the same as to_dict(from_dict)."""
    from toolkit.registry import Registry

    listed = demo_cli.ok("endpoint", "list", "--json").json["endpoints"]
    reg = Registry.open(settings)
    try:
        assert listed and listed == [e.to_dict() for e in reg.list_endpoints()]
    finally:
        reg.close()
    from toolkit.model.endpoint import Endpoint

    older = dict(reversed(listed[0].items())) | {"stale": 1}  # not as to_dict writes it: made again
    assert list(Endpoint.public(older).items()) == list(listed[0].items()) and "stale" in older
