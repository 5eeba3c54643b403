"""The CLI fixture works end to end."""


def test_init_and_list(cli):
    result = cli.ok("--json", "service", "list")
    names = sorted(s["short_name"] for s in result.json["endpoint_services"])
    assert names == ["dns", "obs"]
    assert result.json["total_count"] == 2
