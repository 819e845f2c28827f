"""A block of a hand-written file that is generated: rewritten by a script, checked by a test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GeneratedBlock:
    """The text between two marker lines of `path`, produced by `render`."""

    path: Path
    start: str
    end: str
    render: Callable[[], str]

    def rendered(self, text: str) -> str:
        before, rest = text.split(self.start, 1)
        _, after = rest.split(self.end, 1)
        return f"{before}{self.start}\n{self.render()}\n{self.end}{after}"

    def stale(self) -> bool:
        text = self.path.read_text()
        return self.rendered(text) != text

    def rewrite(self) -> None:
        self.path.write_text(self.rendered(self.path.read_text()))
