"""Hostile settings files: every one is a ConfigError (exit 2) naming the problem, never a traceback."""

import pytest

from toolkit import config
from toolkit.errors import ConfigError


def _load(tmp_path, content: bytes | str, env=None):
    path = tmp_path / "c.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return config.load(config=str(path), env={"HOME": str(tmp_path), **(env or {})})


@pytest.mark.parametrize("content, words", [
    (b"\xa9\xff[quota]\n", "not valid TOML"),
    ("quota = 5\n", "must be a section"),
    ("[quotas]\nservices = 5\n", "unknown section [quotas]"),
    ("x = 1\n", "unknown section [x]"),
    ("[quota]\nservices = -5\n", "wrong type"),
    ("[quota]\nendpoints = true\n", "wrong type"),
    ("[dns]\nttl = 99999999999\n", "over 2147483647"),  # issue 14: was a traceback from dnslib
    ("[routes]\nendpoint_source_cidr = \"10/99\"\n", "not an IPv4 CIDR"),  # was netaddr's traceback
])
def test_bad_settings_files_are_config_errors(tmp_path, content, words):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, content)
    assert info.value.exit_code == 2 and words in str(info.value)


def test_wrong_type_names_what_to_give(tmp_path):
    with pytest.raises(ConfigError, match="give a whole number"):
        _load(tmp_path, "[dns]\nttl = 'abc'\n")


def test_a_directory_as_config_names_permissions_not_syntax(tmp_path):
    with pytest.raises(ConfigError) as info:
        config.load(config=str(tmp_path), env={"HOME": str(tmp_path)})
    assert "permissions" in info.value.fix and "TOML syntax" not in info.value.fix


@pytest.mark.parametrize("table", ['{obs = "bogus", dns = "interface"}', '{obs = "gateway", dns = "interface", '
                                   '"Bad Name" = "interface"}', "{}", '{obs = "interface", dns = "interface"}'])
def test_cloud_services_follow_s2(tmp_path, table):
    """S2: OBS (gateway) and DNS (interface) are always built in; other names follow S5."""
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, f"[cloud]\nservices = {table}\n")
    assert info.value.rule == "S2" and info.value.exit_code == 2


def test_more_cloud_services_are_fine(tmp_path):
    s = _load(tmp_path, '[cloud]\nservices = {obs = "gateway", dns = "interface", smn = "interface"}\n')
    assert s.cloud.services["smn"] == "interface"


def test_negative_quota_from_the_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        config.load(env={"HOME": str(tmp_path), "VPCEP_QUOTA_ENDPOINTS": "-1"})
