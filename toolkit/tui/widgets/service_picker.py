"""The wizard's service list: the services the caller may see, filtered as the admin types (E3, E12)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option


def service_label(service) -> Text:
    """`name  type  backend  stored name`: the short name first, the stored name to tell twins apart."""
    name = service.short_name or service.service_name
    text = Text(f"{name:<16} ", style="bold", no_wrap=True, overflow="ellipsis", end="")
    text.append(f"{service.service_type!s:<9} {service.server_type or 'cloud':<5} ", style="dim")
    text.append(service.service_name)
    return text


def matches(service, words: list[str]) -> bool:
    """Every word in the stored name, type, backend, description or a tag (`k=v`)."""
    hay = " ".join([service.service_name, str(service.service_type), service.server_type or "cloud",
                    service.description or "", *(f"{t.key}={t.value}" for t in service.tags)]).lower()
    return all(word in hay for word in words)


class SearchInput(Input):
    """The filter line: down moves into the list."""

    BINDINGS = [Binding("down", "into_list", "Into the list", show=False)]

    def action_into_list(self) -> None:
        self.parent.query_one(OptionList).focus()


class ServicePicker(Vertical):
    """Services down through `set_services`; the admin's choice up as Picked(service)."""

    class Picked(Message):
        def __init__(self, service) -> None:
            self.service = service
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services: list = []

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="type to filter the services you may see; enter or ↓ to pick",
                          id="service-search", compact=True)
        yield OptionList(id="service-list", compact=True)

    def set_services(self, services: list) -> None:
        self.services = list(services)
        self._fill(self.query_one("#service-search", Input).value)

    def shown(self) -> list:
        words = self.query_one("#service-search", Input).value.lower().split()
        return [s for s in self.services if matches(s, words)]

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(service_label(s), id=s.service_name) for s in self.shown()])
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "service-search":
            event.stop()
            self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "service-search":
            return
        event.stop()
        shown = self.shown()
        if len(shown) == 1:
            self.post_message(self.Picked(shown[0]))
        elif shown:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = next((s for s in self.services if s.service_name == event.option.id), None)
        if chosen is not None:
            self.post_message(self.Picked(chosen))
