"""``python -m partnercore``: the command line."""

from partnercore.cli import main

raise SystemExit(main())
