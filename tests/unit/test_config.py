"""Settings: defaults, then the TOML file, then VPCEP_* variables, then flags."""

import pytest

from toolkit import config
from toolkit.errors import ConfigError


def test_defaults(tmp_path):
    s = config.load(env={"HOME": str(tmp_path)})
    assert s.quota.services == 20 and s.quota.endpoints == 50
    assert s.dns.listen == ("127.0.0.1:5353",) and s.obs.cidr == "100.125.0.0/16" and s.routes.proto == 201
    assert s.state == tmp_path / ".local/share/vpcep/state.db"


def test_file_then_env_then_flags(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[quota]\nservices = 30\n[dns]\nforwarders = ["10.0.0.53"]\n'
                    '[dns.forward_zones]\n"corp.example." = ["10.1.1.1"]\n[identity]\nregion = "eu-west-0"\n')
    env = {"HOME": str(tmp_path), "VPCEP_QUOTA_SERVICES": "40", "VPCEP_DNS_LISTEN": "127.0.0.1:53,127.0.0.2:53",
           "VPCEP_STATE": str(tmp_path / "env.db")}
    s = config.load(config=str(path), env=env)
    assert s.quota.services == 40 and s.dns.forwarders == ("10.0.0.53",)
    assert s.dns.listen == ("127.0.0.1:53", "127.0.0.2:53")
    assert s.dns.forward_zones == {"corp.example.": ["10.1.1.1"]} and s.identity.region == "eu-west-0"
    assert s.state == tmp_path / "env.db"
    assert config.load(config=str(path), state=str(tmp_path / "flag.db"), env=env).state == tmp_path / "flag.db"


@pytest.mark.parametrize("text", ["[quota]\nservices = 'many'\n", "[quota]\nsurprise = 1\n", "[quota\n"])
def test_bad_files_are_config_errors(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(config=str(path), env={"HOME": str(tmp_path)})
    assert info.value.exit_code == 2 and str(path) in str(info.value) or "quota" in str(info.value)


@pytest.mark.parametrize("text, expected", [("127.0.0.1:5353", ("127.0.0.1", 5353)), ("10.0.0.53", ("10.0.0.53", 53)),
                                            ("[::1]:5300", ("::1", 5300)), ("::1", ("::1", 53)),
                                            ("127.0.0.1:0", ("127.0.0.1", 0))])
def test_host_port_reads_every_form_of_addr_port(text, expected):
    from toolkit.config import host_port
    assert host_port(text) == expected


@pytest.mark.parametrize("text", ["127.0.0.1:fifty", "127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:-1"])
def test_host_port_refuses_a_port_that_is_not_one(text):
    from toolkit.config import host_port
    with pytest.raises(ValueError):
        host_port(text)
