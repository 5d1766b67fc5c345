"""The command line, `sli-rules` and `python -m sli_rules`: `main` parses and dispatches; the
cycle's commands are in `cycle`, the Board report's in `report`."""

from .main import main

__all__ = ["main"]
