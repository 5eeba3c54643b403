"""Zone-loader errors name the file, the line and the real reason; a bad name_template is one config error."""

from __future__ import annotations

import pytest

from toolkit.dnsserver.answers import AuthTable, label_key
from toolkit.dnsserver.codes import Rcode
from toolkit.dnsserver.zones import load_file, private_origin
from toolkit.errors import ConfigError, ZoneError
from toolkit.model.network import Identity

HEAD = "$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.1\n"


def load(tmp_path, body: str):
    path = tmp_path / "ex.test.zone"
    path.write_text(HEAD + body)
    return path, lambda: load_file(path, "ex.test.")


@pytest.mark.parametrize("body, line, reason, fix", [
    ("www IN A 192.0.2.2\nwww IN CNAME ns1\n", 6, "a name with a CNAME holds other data too", "keep either the CNAME"),
    ("alias IN CNAME ns1\nalias IN TXT \"x\"\n", 6, "a name with a CNAME holds other data too", "keep either the CNAME"),
    ("$INCLUDE /nonexistent/dnsans.inc\n", 5, "$INCLUDE file '/nonexistent/dnsans.inc' does not exist", "included file"),
    ("www IN A 192.0.2.300\n", 5, "malformed", "fix the line"),
])
def test_loader_errors_carry_the_line_and_the_real_reason(tmp_path, body, line, reason, fix):
    path, loading = load(tmp_path, body)
    with pytest.raises(ZoneError) as caught:
        loading()
    assert f"{path}:{line}" in str(caught.value) and reason in str(caught.value) and fix in caught.value.fix
    assert "SOA and NS" not in caught.value.fix


def test_a_zone_without_ns_still_says_so(tmp_path):
    path = tmp_path / "ex.test.zone"
    path.write_text("$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n")
    with pytest.raises(ZoneError) as caught:
        load_file(path, "ex.test.")
    assert "NS" in str(caught.value) and "SOA and NS" in caught.value.fix


def test_an_escaped_dot_stays_inside_its_label(tmp_path):
    _, loading = load(tmp_path, "a\\.b IN A 192.0.2.46\n")
    table = AuthTable([loading()])
    found = table.lookup(b"\x03a.b\x02ex\x04test\x00", 1)
    assert found.rcode == Rcode.NOERROR and found.counts == (1, 0, 0)
    assert table.lookup(b"\x01a\x01b\x02ex\x04test\x00", 1).rcode == Rcode.NXDOMAIN
    assert label_key(loading().records[-1].rname) == b"\x03a.b\x02ex\x04test\x00"


@pytest.mark.parametrize("template", ["{endpoint_id}.a..b", "{endpoint_id}." + "x" * 64 + ".com", "{endpoint_id}..",
                                      "{endpoint_id}.a b.c"])
def test_an_unusable_name_template_is_one_config_error(template):
    with pytest.raises(ConfigError) as caught:
        private_origin(template, Identity(region="cn-north-4", domain="myhuaweicloud.com", account="", project=""))
    assert caught.value.rule == "E5" and "name_template" in str(caught.value)


def test_ds_at_the_apex_of_a_child_zone_we_also_hold_comes_from_the_parent(tmp_path):
    parent, child = tmp_path / "ex.test.zone", tmp_path / "child.ex.test.zone"
    parent.write_text(HEAD + "child IN NS ns1.child\nchild IN DS 1 8 2 " + "AB" * 32 + "\nns1.child IN A 192.0.2.53\n")
    child.write_text("$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n")
    table = AuthTable([load_file(parent, "ex.test."), load_file(child, "child.ex.test.")])
    key = b"\x05child\x02ex\x04test\x00"
    ds, ns = table.lookup(key, 43), table.lookup(key, 2)
    assert ds.rcode == Rcode.NOERROR and ds.aa and ds.counts[0] == 1  # the parent's DS
    assert ns.aa and ns.counts[0] == 1  # the child's own NS: authoritative, no referral


def test_escaped_labels_survive_an_export_and_a_reload(tmp_path):
    _, loading = load(tmp_path, "a\\.b IN A 192.0.2.46\nwww IN CNAME x\\.y\nsp\\032ace IN TXT \"t\"\n")
    zone = loading()
    text = zone.to_text()
    assert "a\\.b.ex.test. 300 IN A 192.0.2.46" in text and "CNAME x\\.y.ex.test." in text and "sp\\032ace" in text
    again = tmp_path / "again" / "ex.test.zone"
    again.parent.mkdir()
    again.write_text(text)
    assert zone.content() == load_file(again, "ex.test.").content()
    assert {label_key(rr.rname) for rr in zone.records} == {label_key(rr.rname) for rr in load_file(again, "ex.test.").records}


def test_mx_targets_come_in_the_additional_section_and_are_dropped_first_when_udp_is_small(tmp_path):
    import dns.flags
    import dns.message

    from toolkit.dnsserver.chain import Acl, Chain, Snapshot
    from toolkit.dnsserver.forward import Forwarder, Policy, Routes
    from toolkit.dnsserver.xfr import Transfers

    body = "".join(f"@ IN MX 10 mail{i:02d}\nmail{i:02d} IN A 192.0.2.{i + 10}\n" for i in range(12))
    _, loading = load(tmp_path, body)
    zones = [loading()]
    live = type("Live", (), {"snapshot": Snapshot(zones, AuthTable(zones), None), "obs_apex": None})()
    chain = Chain(live, Acl(["127.0.0.0/8"], []), Routes([], {}), None, Forwarder(Policy()), Transfers([], {}),
                  clock=lambda: 1.0)

    def ask(**make):
        return dns.message.from_wire(chain.handle(dns.message.make_query("ex.test.", "MX", **make).to_wire(),
                                                  "127.0.0.1", False).reply)

    roomy, small = ask(use_edns=0, payload=1232), ask(use_edns=False)
    assert len(roomy.answer[0]) == 12 and sum(len(rrset) for rrset in roomy.additional if rrset.rdtype == 1) == 12
    assert len(small.answer[0]) == 12 and not small.flags & dns.flags.TC and small.additional == []
