from __future__ import annotations

from migralint.cli import main

main()
