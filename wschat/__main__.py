from __future__ import annotations

from wschat.server.cli import main

raise SystemExit(main())
