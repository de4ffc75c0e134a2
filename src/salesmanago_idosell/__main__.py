"""``python -m salesmanago_idosell``: the command line."""

from .cli import main

raise SystemExit(main())
