"""The cloud mirror's pure parts: credentials (C1/R3), where the cloud is, and the SDK → document mapping."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from toolkit.cloud import mapping
from toolkit.cloud.client import target_from
from toolkit.cloud.credentials import load
from toolkit.config import CloudSettings
from toolkit.errors import CloudUnavailable, ConfigError

SECRET = "S" * 40


def test_credentials_come_from_the_sdks_variables_first(tmp_path):
    creds = load(str(tmp_path / "none"), env={"HUAWEICLOUD_SDK_AK": "AK1", "HUAWEICLOUD_SDK_SK": SECRET})
    assert (creds.ak, creds.sk, creds.source) == ("AK1", SECRET, "environment")
    assert SECRET not in repr(creds)


@pytest.mark.parametrize("text", [f"User Name,Access Key Id,Secret Access Key\nadmin,AK2,{SECRET}\n",
                                  f"ak = AK2\nsk = \"{SECRET}\"\n"])
def test_credentials_file_in_the_consoles_csv_or_as_lines(tmp_path, text):
    path = tmp_path / "creds"
    path.write_text(text)
    path.chmod(0o600)
    creds = load(str(path), env={})
    assert (creds.ak, creds.sk) == ("AK2", SECRET)


def test_a_credentials_file_others_can_read_is_refused_without_the_secret(tmp_path):
    path = tmp_path / "creds"
    path.write_text(f"ak = AK3\nsk = {SECRET}\n")
    path.chmod(0o640)
    with pytest.raises(ConfigError) as caught:
        load(str(path), env={})
    assert "chmod 600" in str(caught.value) and SECRET not in str(caught.value)


def test_no_credentials_names_both_ways():
    with pytest.raises(ConfigError, match="HUAWEICLOUD_SDK_AK"):
        load("", env={})


def test_the_region_comes_from_the_endpoints_host_name():
    target = target_from(CloudSettings(endpoint="https://vpcep.ap-southeast-1.myhuaweicloud.com/"))
    assert (target.endpoint, target.region) == ("https://vpcep.ap-southeast-1.myhuaweicloud.com", "ap-southeast-1")
    with pytest.raises(ConfigError, match="no region"):
        target_from(CloudSettings(endpoint="http://127.0.0.1:9711"))
    with pytest.raises(ConfigError, match="no cloud endpoint"):
        target_from(CloudSettings())


def test_times_round_trip_in_the_states_form():
    when = datetime(2026, 12, 2, 12, 49, 43, 35000, tzinfo=timezone.utc)
    assert mapping.stamp(when) == "2026-12-02T12:49:43.035Z"
    assert mapping.stamp("2026-12-02T12:49:43.035Z") == "2026-12-02T12:49:43.035Z"


def test_short_names_follow_s5():
    assert mapping.short_name("cn-north-4.app.1234", "1234") == "app"
    assert mapping.short_name("cn-north-4.1234", "1234") == ""


def test_an_unknown_status_fails_the_page():
    item = {"id": "e1", "endpoint_service_id": "s1", "service_type": "interface", "status": "teleporting"}
    with pytest.raises(CloudUnavailable, match="does not parse"):
        mapping.endpoint(item, "a" * 32, "cn-north-4")
