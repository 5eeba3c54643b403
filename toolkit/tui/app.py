"""The vpcep console: six areas as Textual MODES over one registry, refreshed when the state moves.

`make_app(settings, registry)` is the one factory the CLI, the tests and the screenshot
generator share. The app holds what every screen reads (settings, registry, account,
read-only, the approvals count); screens fetch through thread workers and get data back
as messages.
"""

from __future__ import annotations


from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Select, TextArea
from textual.worker import Worker, WorkerState

from toolkit.config import Settings
from toolkit.registry import Registry
from toolkit.tui.messages import Failed, GenerationChanged
from toolkit.tui.queries import pending_approvals
from toolkit.tui.screens.approvals import ApprovalsScreen
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.screens.checks import ChecksScreen
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.screens.dns import DnsScreen
from toolkit.tui.screens.endpoints import EndpointsScreen
from toolkit.tui.screens.error import ErrorScreen
from toolkit.tui.screens.help import HelpScreen
from toolkit.tui.screens.routes import RoutesScreen
from toolkit.tui.screens.services import ServicesScreen

AREAS = [("services", "1", "Services"), ("endpoints", "2", "Endpoints"), ("approvals", "3", "Approvals"),
         ("dns", "4", "DNS"), ("routes", "5", "Routes"), ("checks", "6", "Checks")]


SYSTEM_KEYS = {"tab", "shift+tab", "ctrl+c", "super+c", "ctrl+q", "ctrl+p", "escape", "enter"}
HELP_EXTRAS = {"sort_next", "sort_reverse", "reload"}
"""Keys hidden from the footer that the help still lists."""
LIST_ONLY = {"switch_mode", "leave"}
"""App keys that act only on a top-level area (a list), never on a form, a detail or a dialog."""
NOT_WHILE_TYPING = LIST_ONLY | {"help"}
"""App keys that are text while an input, a select or a text area has focus."""
TAKES_TEXT = (Input, Select, TextArea)


class VpcepApp(App):
    """The console an on-prem admin lives in."""

    CSS_PATH = "app.tcss"
    TITLE = "vpcep"
    MODES = {"services": ServicesScreen, "endpoints": EndpointsScreen, "approvals": ApprovalsScreen,
             "dns": DnsScreen, "routes": RoutesScreen, "checks": ChecksScreen}
    DEFAULT_MODE = "services"
    BINDINGS = [Binding("question_mark", "help", "Help"), Binding("q", "leave", "Quit")] + [
        Binding(key, f"switch_mode('{mode}')", label) for mode, key, label in AREAS]
    """Help and Quit before the areas: at 80 columns the footer shows them, the later area keys may not fit."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    """`-short` on the screen below 30 rows: forms and panels drop their spacing to fit 80x24."""

    pending: reactive[int] = reactive(0)
    """Endpoints waiting for the acting account's approval (shown in the header)."""
    busy: reactive[int] = reactive(0)
    """Registry calls in flight (the header's progress indicator)."""

    def __init__(self, settings: Settings, registry: Registry, *, dns=None,
                 poll_interval: float | None = 0.25, cursor_blink: bool = True, mode: str = "services",
                 mask_volatile: bool = False, route_backend=None, check_timeout: float = 2.0,
                 check_netns: str | None = None) -> None:
        self.DEFAULT_MODE = mode  # the area shown first
        super().__init__()
        self.settings, self.registry, self.dns = settings, registry, dns
        self.read_only = bool(settings.read_only or registry.settings.read_only)
        self.account = registry.account
        self.poll_interval, self.cursor_blink = poll_interval, cursor_blink
        self.mask_volatile = mask_volatile
        from toolkit.tui.routes_ops import kernel_backend
        self.route_backend = route_backend or kernel_backend
        """Makes the RouteBackend the Routes area reads and changes (the kernel unless a test gives one)."""
        self.check_timeout = check_timeout
        self.check_netns = check_netns
        """The namespace checks probe from (None: this host); tests and pictures give an empty one."""
        self.gateway = settings.routes.gateway
        """The VPN / Direct Connect gateway the Routes area plans with (and the Checks area expects)."""
        """Screenshots and snapshots: show values that change per run (SOA serials, durations) as placeholders."""
        self.generation_seen: int | None = None
        if self.read_only:
            self.sub_title = "read-only"

    def on_mount(self) -> None:
        state, text = self.dns.state()
        if state in ("taken", "failed"):
            self.notify(f"{text}. The app works on without its server; {self.dns.check_note()}",
                        title="DNS server not started", severity="warning", timeout=12)
        self.poll_state()
        if self.poll_interval:
            self.set_interval(self.poll_interval, self.poll_state)

    # -- live refresh -------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def poll_state(self) -> None:
        """Cheap: one generation read; the approvals count only when it moved."""
        try:
            generation = self.registry.generation()
            if generation != self.generation_seen:
                self.post_message(GenerationChanged(generation, len(pending_approvals(self.registry))))
        except Exception as exc:  # noqa: BLE001 — a broken state file shows once in the error modal
            self.post_message(Failed(exc, "read the state"))

    def on_generation_changed(self, message: GenerationChanged) -> None:
        first = self.generation_seen is None
        self.generation_seen, self.pending = message.generation, message.pending
        if not first and isinstance(self.screen, BaseScreen):
            self.screen.reload(quiet=True)

    def on_failed(self, message: Failed) -> None:
        self.show_error(message.error, message.label)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.count_busy()

    def checks_started(self) -> None:
        """A check run began (the screen that runs it tells): say so when its resolver is not this app's server."""
        if not self.dns.serving:
            self.notify(self.dns.check_note(), title="Checks ask another server", severity="warning", timeout=8)

    def count_busy(self) -> None:
        """The header's progress indicator: registry calls of the screens still in flight. Counted
        again shortly while any is: a closed screen's last worker event never reaches the app."""
        self.busy = sum(1 for worker in self.workers if _shows_progress(worker))
        if self.busy:
            self.set_timer(0.1, self.count_busy)

    def show_error(self, error: BaseException, action: str = "") -> None:
        if not isinstance(self.screen, ErrorScreen):
            self.push_screen(ErrorScreen(error, action))

    # -- keys that cannot hurt ------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Area keys and `q` only on a list area; none of the app's letter keys while focus takes text."""
        if action in LIST_ONLY and not self.in_list_area():
            return False
        if action in NOT_WHILE_TYPING and self.typing():
            return False
        return True

    def in_list_area(self) -> bool:
        return len(self.screen_stack) == 1

    def typing(self) -> bool:
        focused = self.focused
        return focused is not None and any(isinstance(node, TAKES_TEXT) for node in focused.ancestors_with_self)

    def unsaved_work(self) -> list[str]:
        """What is typed but not saved on any screen of any area (a form, a detail's entry line)."""
        stacks = getattr(self, "_screen_stacks", {}).values()  # every mode's stack, not only the current one
        return [f"{screen.AREA}: {', '.join(fields)}" for stack in stacks for screen in stack
                if isinstance(screen, BaseScreen) and (fields := screen.unsaved())]

    async def action_leave(self) -> None:
        """`q` on a list area."""
        await self.action_quit()

    async def action_quit(self) -> None:
        """Quit (q, ctrl+q), asking first when anything typed would be lost."""
        unsaved = self.unsaved_work()
        if not unsaved:
            self.exit()
            return
        self.push_screen(ConfirmScreen("Quit and lose what is not saved?", "Not saved:\n" + "\n".join(unsaved),
                                       yes="Quit", no="Keep working"),
                         lambda answer: self.exit() if answer else None)

    async def action_pop_screen(self) -> None:
        """`app.pop_screen` (Esc on forms): a screen of ours asks before unsaved input is lost."""
        if isinstance(self.screen, BaseScreen):
            self.screen.action_back()
        else:
            self.pop_screen()

    # -- help and the command palette ------------------------------------------
    def screen_keys(self, screen: Screen) -> list[tuple[str, str]]:
        """(key, description) of the keys that matter on `screen`: its own first, then the app's."""
        keys, seen = [], set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            wanted = binding.show or binding.action in HELP_EXTRAS
            if key in SYSTEM_KEYS or not binding.description or not wanted or (key, binding.description) in seen:
                continue
            seen.add((key, binding.description))
            keys.append((active.node is self, self.get_key_display(binding), binding.description))
        ordered = [(key, text) for app_level, key, text in sorted(keys, key=lambda k: k[0])]
        return ordered + [("enter", "Open / select"), ("escape", "Back, close, clear the filter"),
                          ("ctrl+p", "Command palette: every action")]

    def action_help(self) -> None:
        self.push_screen(HelpScreen(getattr(self.screen, "AREA", "") or "vpcep", self.screen_keys(self.screen)))

    def get_system_commands(self, screen: Screen):
        """Every action of the console by its name (toolkit/tui/palette.py); none of Textual's own."""
        from toolkit.tui.palette import commands

        for command in commands(self, screen, AREAS):
            yield SystemCommand(command.title, command.help, command.run)


def _shows_progress(worker: Worker) -> bool:
    """Changes, check runs and first loads; not the state poll, not the refresh of a screen already shown."""
    if worker.state not in (WorkerState.PENDING, WorkerState.RUNNING) or worker.group == "poll":
        return False
    return not (worker.group == "load" and getattr(worker.node, "loaded", False))


def make_app(settings: Settings, registry: Registry, **options) -> VpcepApp:
    """The app over `registry` (the factory shared by the CLI, the tests and `vpcep screenshots`).

    Without a `dns` host the DNS area shows what the server would answer, without serving."""
    if options.get("dns") is None:
        from toolkit.tui.dns_host import DnsHost
        options["dns"] = DnsHost(settings, registry, serve=False, note="no server runs inside this app")
    return VpcepApp(settings, registry, **options)
