"""The `migralint` command: answers a lint from the cache when nothing it depends on changed
(answers.py), and the pre-commit hook at once when a commit touches no migration.

The `migralint` hook runs on every commit (pre-commit passes no deleted files, so only
running always sees a commit that deletes a migration). Loading the linter costs about
300 ms (pglast, the rules); a commit that touches no migrations folder should cost next to
nothing. So `lint --staged` with no path first asks git what is staged, with the standard
library only, and loads the rest only when a staged change (a deletion included) is under a
migrations folder. Anything it cannot decide goes to the full command, which decides.
"""

from __future__ import annotations

import os
import sys

# Not typing.TYPE_CHECKING: importing typing costs 5-15 ms of an answer's start (mypy reads any
# name TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from migralint.answer_recorder import Recorder

# lint's options that take a value: what follows them is no path
_VALUE_OPTIONS = frozenset({
    "--format", "--output", "--config", "--pg-version", "--select", "--extend-select", "--ignore",
    "--extend-ignore", "--assume-applied-through", "--since", "--database-url", "--stdin-filename",
})


def main() -> None:
    """The `migralint` command (the console script, `python -m migralint`): `command`, then the
    process ends (_leave)."""
    try:
        command()
    except SystemExit as exc:
        _leave(exc.code)
        raise


def _leave(code: object) -> None:
    """Ends the process as Python's exit would, less its teardown. At the end of a large run the
    interpreter frees every object the run made, one at a time (the findings, the outcomes, the
    modules): 40-75 ms of a cold run over the corpus on this 2-core machine, serial, after the
    report is written (measured against os._exit, 4 pairs under load, 2026-12-07). The exit
    handlers run and the streams are flushed, so the output and the exit code are the ones
    Python's exit gives; a code Python would print (a message), another thread still running, a
    database driver (its connections say goodbye when they are freed), or a stream that cannot be
    flushed (a closed pipe) leave it to Python, as before."""
    code = 0 if code is None else code
    if not isinstance(code, int) or not 0 <= code <= 255 or "psycopg" in sys.modules:
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    import atexit

    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
    except BaseException:
        return
    os._exit(code)


def command() -> None:
    """What the command does with sys.argv, ending in SystemExit as click's commands do, for a
    caller that goes on after it (the tests look at what it imported)."""
    if sys.argv[1:] == ["--version"]:
        # Answered before click loads (click alone costs 20-60 ms here): tools and people ask
        # for the version in scripts and bug reports; cli's --version prints the same line.
        from migralint import __version__

        print(f"migralint {__version__}")
        return
    recorder = _answer_or_recorder(sys.argv[1:])
    if recorder is None:
        _run()
        return
    try:
        recorder.start()
        _run()
    except SystemExit as exc:
        recorder.finish(exc.code)
        raise
    recorder.finish(0)


def _run() -> None:
    nothing, changed = _staged_decision(sys.argv[1:])
    if nothing:
        sys.exit(0)
    if changed is not None:
        from migralint.migrations.staged import hand_over

        hand_over(os.getcwd(), changed)  # the lint asks git the same question: it has the answer
    from migralint.cli import main as cli_main

    cli_main()


def _answer_or_recorder(args: list[str]) -> Recorder | None:
    """Exits with the stored answer when every input of an identical earlier run has its stamp;
    else what records this run's answer, or None when this run cannot have one."""
    from migralint import answers

    if not answers.answerable(args):
        return None
    try:
        cwd = os.getcwd()
        key = answers.run_key(args, cwd, os.environ, answers.code_version(answers.FORMAT))
        directory = answers.guessed_cache_dir(args, os.environ, cwd)
    except Exception:  # a cwd that is gone, an unreadable config: the full command says what is wrong
        return None
    path = answers.answer_path(directory, key)
    found = answers.load(path, key)
    if found is not None:
        chunks, code = found
        if os.environ.get("MIGRALINT_DEBUG_ANSWERS"):
            os.write(2, b"migralint: answered from the cache\n")
        answers.touch(path)  # used: the least recently used answers are the ones pruned
        try:
            answers.replay(chunks)
        except KeyboardInterrupt:
            sys.exit(130)  # as the full command exits on Ctrl-C, without a traceback
        sys.exit(code)
    from migralint.answer_recorder import Recorder

    return Recorder(key, directory)


def _staged_decision(args: list[str]) -> tuple[bool, list[str] | None]:
    """Whether there is nothing to lint: True only when `lint --staged` has no path and git says
    no staged change is a migration. With it, what git said is staged, when it was asked."""
    if not args or args[0] != "lint" or "--staged" not in args or "--fix" in args:
        return False, None
    rest = iter(args[1:])
    for arg in rest:
        if arg in ("--config", "--since"):
            return False, None  # another config may name another folder; --since with --staged is an error to report
        if arg in _VALUE_OPTIONS:
            next(rest, None)
        elif not arg.startswith("-"):
            return False, None  # a path: the user chose what to lint
    from migralint.migrations.staged import ask_git, could_touch_migrations

    cwd = os.getcwd()
    changed = ask_git(cwd)
    if changed is None:
        return False, None  # not a repository, or no git: the full command says so
    if not could_touch_migrations(changed):
        return True, changed
    from pathlib import Path

    from migralint.migrations.folders import nearest_config_sets_folder, touches_migrations

    if touches_migrations(changed):
        return False, changed
    # A .sql file no layout claims is no migration, unless the config's migrations_dir holds it.
    return not nearest_config_sets_folder(Path(cwd)), changed
