from __future__ import annotations

from wschat.cli import main

raise SystemExit(main())
