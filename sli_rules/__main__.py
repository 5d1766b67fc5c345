"""`python -m sli_rules`: the same command line as `sli-rules`."""

from .cli import main

raise SystemExit(main())
