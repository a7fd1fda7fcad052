"""A local xAI-compatible endpoint on 127.0.0.1 with a simulated model (demo mode and tests).

It answers as the real API does as of December 2026 (XAI_API.md): the same paths, models,
bodies, stream shape, usage with its bill (`cost_in_usd_ticks`), prompt caching per
`x-grok-conv-id`, reasoning that thinks before it answers, and error bodies, with the one key
`DEMO_API_KEY`; and xAI's Responses API (`POST /v1/responses`, responses.py) on the same
checks, unless `DemoServer(responses=False)`. Faults can be injected to test failure paths.
"""

from .errors import DEMO_API_KEY
from .faults import Fault
from .server import DEMO_THINK_SECONDS, DemoServer, run_demo_server
from .state import RecordedRequest

__all__ = [
    "DEMO_API_KEY",
    "DEMO_THINK_SECONDS",
    "DemoServer",
    "Fault",
    "RecordedRequest",
    "run_demo_server",
]
