"""Any error logged during a test fails it, unless the test says it expects one (qutebrowser's
`logfail`): a swallowed exception in a Qt slot or a task callback is otherwise only a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


class ErrorRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[ErrorRecorder]:
    recorder = ErrorRecorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)
    if request.node.get_closest_marker("logs_errors"):
        return
    if recorder.records:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in recorder.records)
        pytest.fail(
            f"the test logged {len(recorder.records)} error(s) (mark it "
            f"@pytest.mark.logs_errors if they are expected):\n{lines}",
            pytrace=False,
        )
