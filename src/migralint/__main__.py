from __future__ import annotations

# `python -m migralint` is the `migralint` command: the same launcher, so the same cached
# answers and the same quick exit for a commit that stages no migration.
from migralint.launcher import main

main()
