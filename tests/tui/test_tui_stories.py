"""Issue 6 stories driven with Pilot: each checks the registry and what the screen shows."""

from __future__ import annotations

import json

import pytest
from tuihelp import cancel, confirm, first_cells, press, run, screen_text, settle, table_keys, tui, type_text

from toolkit.model.endpoint import EndpointStatus
from toolkit.registry.services import FOUND, NOT_FOUND
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.screens.endpoint_wizard import EndpointWizardScreen
from toolkit.tui.screens.service_form import ServiceFormScreen

pytestmark = pytest.mark.asyncio


async def test_create_service_with_approval(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "n")
        form = app.screen
        assert isinstance(form, ServiceFormScreen)
        await pilot.click("#create")
        await settle(pilot)
        assert "[S7]" in screen_text(app) and "[S6]" in screen_text(app)  # per-field messages with rule IDs
        form.query_one("#name").value = "billing"
        form.query_one("#vpc").value = "vpc-provider"
        form.query_one("#port-id").value = "elb-port-billing"
        form.query_one("#ports").value = "8080:80 8443:443"
        form.query_one("#approval").value = True
        form.query_one("#tags").value = "team=payments"
        await press(pilot, "ctrl+s")
        service = next(s for s in demo.list_services() if s.short_name == "billing")
        assert service.approval_enabled and [p.client_port for p in service.ports] == [80, 443]
        assert not isinstance(app.screen, ServiceFormScreen)
        assert "billing" in first_cells(app)


async def test_service_form_shows_registry_refusal_under_the_field(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "n")
        form = app.screen
        form.query_one("#name").value = "much-too-long-service-name"
        await press(pilot, "ctrl+s")
        assert "[S5]" in str(form.query_one("#name-error").render())
        assert [s.short_name for s in demo.list_services() if s.short_name.startswith("much")] == []


async def test_partner_creates_endpoint_after_verify(demo, partner):
    api = next(s for s in demo.list_services() if s.short_name == "partner-api")
    app = tui(partner)
    async with run(app) as pilot:
        await press(pilot, "2", "n")
        wizard = app.screen
        assert isinstance(wizard, EndpointWizardScreen)
        wizard.query_one("#service-name").value = "cn-north-4.nothing.here"
        await settle(pilot)
        await pilot.click("#verify")
        await settle(pilot)
        assert str(wizard.query_one("#verify-result").render()) == NOT_FOUND
        wizard.query_one("#service-name").value = api.service_name
        wizard.query_one("#vpc").value = partner.get_vpc("vpc-partner").id
        await press(pilot, "ctrl+s")
        assert "verify the service name first [E3]" in str(wizard.query_one("#service-name-error").render())
        await pilot.click("#verify")
        await settle(pilot)
        assert str(wizard.query_one("#verify-result").render()) == FOUND
        await press(pilot, "ctrl+s")
        created = [e for e in partner.list_endpoints() if e.status == EndpointStatus.PENDING]
        assert len(created) == 2 and all(e.endpoint_service_id == api.id for e in created)
        assert sorted(e.id for e in partner.list_endpoints()) == sorted(table_keys(app))
        assert "pendingAcceptance" in screen_text(app)


async def test_cloud_service_endpoint_from_the_list(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "2", "n")
        wizard = app.screen
        dns = next(s for s in demo.list_services() if s.short_name == "dns")
        await type_text(pilot, "dns")  # the search line has the focus: type to filter, enter picks the one left
        await press(pilot, "enter")
        assert wizard.chosen == dns.service_name and "Connects to " + dns.service_name in screen_text(app)
        wizard.query_one("#vpc").value = demo.get_vpc("vpc-consumer").id
        await settle(pilot)
        assert wizard.query_one("#subnet").value == demo.list_subnets("vpc-consumer")[0].id
        await press(pilot, "ctrl+s")
        made = [e for e in demo.list_endpoints() if e.endpoint_service_id == dns.id]
        assert len(made) == 2 and {e.status for e in made} == {EndpointStatus.ACCEPTED}
        assert len(table_keys(app)) == 4


async def test_accept_in_approvals_then_record_in_dns(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "3")
        [waiting] = table_keys(app)
        assert "1 awaiting approval" in screen_text(app)
        await press(pilot, "y")
        assert json.loads(app.clipboard)["status"] == "pendingAcceptance"
        await press(pilot, "space", "a")
        assert waiting in screen_text(app) and "Accept 1 endpoint(s)?" in screen_text(app)
        await confirm(pilot)
        assert demo.acting("b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0").get_endpoint(waiting).status == "accepted"
        assert table_keys(app) == []
        assert "no approvals waiting" in screen_text(app)
        await press(pilot, "4")
        record = next(r for r in demo.private_records() if r.endpoint_id == waiting)
        assert record.name.startswith(waiting)
        shown = [row.cells for row in app.screen.table.shown_rows]
        assert (waiting, "A", 300, record.ip) in [cells[:4] for cells in shown]
        assert waiting in screen_text(app) and record.ip in screen_text(app)


async def test_reject_asks_first(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "3")
        [waiting] = table_keys(app)
        await press(pilot, "r")
        assert isinstance(app.screen, ConfirmScreen)
        await cancel(pilot)
        assert [p for p in table_keys(app)] == [waiting]
        await press(pilot, "r")
        await confirm(pilot)
        endpoint = demo.acting("b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0").get_endpoint(waiting)
        assert endpoint.status == EndpointStatus.REJECTED
        assert table_keys(app) == []
