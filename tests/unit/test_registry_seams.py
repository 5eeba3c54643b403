"""The registry's seams (issue 11): ids and clock are passed in, and acting() is a new registry over one store."""

from __future__ import annotations

import itertools

from tests.conftest import DOMAIN, OWNER, PARTNER, REGION
from toolkit.registry import Registry
from toolkit.store.sqlite import Store


def counting_seams():
    ids, ticks = itertools.count(1), itertools.count(1)
    return {"ids": lambda: f"id-{next(ids):04d}", "clock": lambda: f"2030-01-01T00:00:{next(ticks):02d}.000Z"}


def test_every_new_id_and_timestamp_comes_through_the_seams(settings):
    reg = Registry(settings, Store(settings.state, create=True), **counting_seams())
    reg.init(REGION, DOMAIN, OWNER)
    vpc = reg.create_vpc("v", "10.0.0.0/16")
    subnet = reg.create_subnet("s", "v", "10.0.1.0/24")
    builtins = [s.id for s in reg.list_services()]
    assert builtins == ["id-0001", "id-0002"]  # obs and dns, made by init
    assert (vpc.id, vpc.routetable_id, vpc.created_at) == ("id-0003", "rtb-id-0004", "2030-01-01T00:00:02.000Z")
    assert (subnet.id, subnet.created_at) == ("id-0005", "2030-01-01T00:00:03.000Z")
    reg.close()


def test_acting_is_a_new_registry_with_the_same_store_and_seams(registry):
    registry.create_account(PARTNER)
    partner = registry.acting(PARTNER)
    assert partner is not registry and partner.store is registry.store
    assert (partner.ids, partner.clock) == (registry.ids, registry.clock)
    assert (partner.account, registry.account) == (PARTNER, OWNER)


def test_closing_an_acting_view_leaves_the_shared_store_open(registry):
    registry.create_account(PARTNER)
    registry.acting(PARTNER).close()
    assert registry.create_vpc("still-open", "10.7.0.0/16").name == "still-open"
