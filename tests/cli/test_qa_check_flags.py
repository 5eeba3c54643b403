"""`vpcep check` refuses nonsense flags before it sends a single packet (O2, O6)."""

import pytest

from tests.cli.conftest import assert_refused


@pytest.fixture
def lo(cli):
    """One endpoint on loopback, so a check that did run would stay on this machine."""
    cli.ok("vpc", "create", "lo", "--cidr", "127.77.0.0/16")
    cli.ok("subnet", "create", "s", "--vpc", "lo", "--cidr", "127.77.1.0/24")
    cli.ok("service", "create", "--name", "web", "--vpc", "lo", "--backend", "LB", "--port-id", "p", "--port", "1:1")
    cli.ok("endpoint", "create", "--service", "web", "--vpc", "lo")
    return cli


@pytest.mark.parametrize("resolver", ["127.0.0.1:99999", "127.0.0.1:-5", "localhost:53", "[::1]:53"])
def test_o2_resolver_is_an_ipv4_address_and_a_port(lo, resolver):
    """A port out of range was a traceback; a host name was looked up through the system's DNS."""
    assert_refused(lo("check", "--resolver", resolver), "O2")


@pytest.mark.parametrize("flag", [["--timeout", "0"], ["--timeout", "nan"], ["--timeout", "-1"], ["--timeout", "x"],
                                  ["--port", "0"], ["--port", "70000"], ["--gateway", "garbage"],
                                  ["--limit", "0"]])
def test_bad_numbers_and_addresses_are_usage_errors(lo, flag):
    result = lo("check", "--resolver", "127.0.0.1:1", *flag)
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.strip().splitlines()[-1].startswith("error: vpcep check: argument " + flag[0])


@pytest.mark.parametrize("bucket", ["", "a..b", "a" * 64, "x-"])
def test_o6_a_bucket_is_a_dns_name(lo, bucket):
    """An empty bucket used to check every endpoint instead; bad labels were dnspython tracebacks."""
    result = lo("--json", "check", "obs", bucket, "--resolver", "127.0.0.1:1", "--timeout", "0.2")
    assert_refused(result, "O6")
    assert result.json["error"]["rule"] == "O6"
