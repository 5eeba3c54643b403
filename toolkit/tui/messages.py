"""Messages that thread workers and panels post upwards ("attributes down, messages up")."""

from __future__ import annotations

from textual.message import Message


class Loaded(Message):
    """A screen's data came back from the registry."""

    def __init__(self, data) -> None:
        self.data = data
        super().__init__()


class Changed(Message):
    """A change went through; `label` says what happened, `result` is the registry's answer."""

    def __init__(self, label: str, result) -> None:
        self.label, self.result = label, result
        self.handled = False
        """Set by the first handler that told the user (a handler and its super() must not both toast)."""
        super().__init__()


class Failed(Message):
    """A registry call was refused or broke; the error carries .rule and .fix when it is ours."""

    def __init__(self, error: BaseException, label: str = "") -> None:
        self.error, self.label = error, label
        self.handled = False
        """Set by the first handler that showed the error (one dialog per failure)."""
        super().__init__()


class GenerationChanged(Message):
    """The state moved on (this process or another one wrote to it)."""

    def __init__(self, generation: int, pending: int) -> None:
        self.generation, self.pending = generation, pending
        super().__init__()


class Verified(Message):
    """The answer of the wizard's Verify button (E3)."""

    def __init__(self, name: str, found: bool) -> None:
        self.name, self.found = name, found
        super().__init__()


class DryRun(Message):
    """What apply or remove would change now, for the confirmation dialog."""

    def __init__(self, action: str, lines: list[str]) -> None:
        self.action, self.lines = action, lines
        super().__init__()


class CheckStep(Message):
    """One step of one endpoint's check finished (state → dns → route → policy → tcp), while the run goes on."""

    def __init__(self, target: str, step) -> None:
        self.target, self.step = target, step
        super().__init__()


class CheckProgress(Message):
    """One endpoint's check finished (all its steps), while the run goes on."""

    def __init__(self, report) -> None:
        self.report = report
        super().__init__()


class CheckFinished(Message):
    """The whole run is done; `run` is its JSON form as the history stores it."""

    def __init__(self, run: dict) -> None:
        self.run = run
        super().__init__()


class Counted(Message):
    """A filter's matches were counted (after its rows were shown)."""

    def __init__(self, want, matches: int) -> None:
        self.want, self.matches = want, matches
        super().__init__()
