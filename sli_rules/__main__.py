"""`python -m sli_rules`: the same command line as `sli-rules`."""

from .cli.main import main

raise SystemExit(main())
