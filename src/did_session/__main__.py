"""``python -m did_session``: the command line (see ``did_session.cli``)."""

from .cli import main

raise SystemExit(main())
