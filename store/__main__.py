"""Entry point of ``python -m store`` (see ``store.cli``)."""

from store.cli import main

raise SystemExit(main())
