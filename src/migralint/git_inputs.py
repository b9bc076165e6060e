"""What the git commands of a lint read, as paths to stamp (answer_recorder.py).

migralint asks git (git_history.py, staged.py, ci_base.py, report/paths.py) only plumbing
questions about the index, refs and commits: `diff --cached`, `ls-files -s`, `rev-parse`,
`symbolic-ref`, `for-each-ref`, `merge-base`, `ls-tree`, `cat-file`; none reads the work tree.
Their answers depend on: where the repository is (a `.git` at or above the directory git runs
in: each level's `.git` is stamped, present or absent, and a `.git` file's pointer is followed,
as for worktrees and submodules), HEAD, the index (or $GIT_INDEX_FILE), every ref (loose files
under refs/ with their folders, so a new ref is seen; packed-refs; a reftable), the config files
(the repository's, the worktree's, the user's and the system's), the state of a merge, rebase,
cherry-pick, revert or bisect in progress, shallow and grafts, and the object store's alternates.
Objects are named by their hash: what a name resolves to changes only through the refs.

Standard library only. None when the repository cannot be stamped with certainty: a config that
includes other files (include.path, includeIf), or $GIT_DIR-style variables this does not follow.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from migralint.answers import upwards

# State files in the git dir (per worktree): HEAD and what a command in progress leaves behind.
_WORKTREE_FILES = ("HEAD", "index", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "BISECT_LOG", "ORIG_HEAD",
                   "FETCH_HEAD", "AUTO_MERGE", "config.worktree", "commondir", "rebase-merge", "rebase-apply",
                   "rebase-merge/head-name", "rebase-apply/head-name", "sequencer", "logs/HEAD", "")
# Files in the common dir (shared by a repository's worktrees).
_COMMON_FILES = ("config", "packed-refs", "shallow", "info/grafts", "objects/info/alternates", "info/exclude",
                 "refs", "reftable", "")
_UNFOLLOWED_ENV = ("GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE", "GIT_REPLACE_REF_BASE",
                   "GIT_CONFIG", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS", "GIT_REF_PARANOIA")


def git_inputs(cwd: str, environ: Mapping[str, str]) -> list[str] | None:
    """The paths whose stamps decide what git answers in `cwd`; None when unsure."""
    if any(environ.get(name) for name in _UNFOLLOWED_ENV):
        return None
    found: list[str] = [*_executables(environ), *_user_configs(environ)]
    if environ.get("GIT_DIR"):
        git_dir: str | None = os.path.join(cwd, environ["GIT_DIR"])
    else:
        git_dir = _discover(cwd, found)
    if git_dir is None:
        return found  # not a repository: git says so, and a `.git` made later changes a stamp above
    common = os.path.join(cwd, environ["GIT_COMMON_DIR"]) if environ.get("GIT_COMMON_DIR") else _common(git_dir)
    found += [os.path.join(git_dir, name) for name in _WORKTREE_FILES]
    if environ.get("GIT_INDEX_FILE"):  # relative: to where git started, or to the work tree's top (hooks)
        found += [os.path.join(cwd, environ["GIT_INDEX_FILE"]),
                  os.path.join(os.path.dirname(git_dir), environ["GIT_INDEX_FILE"])]
    found += [os.path.join(common, name) for name in _COMMON_FILES]
    found += _tree(os.path.join(common, "refs"))
    found += _tree(os.path.join(common, "reftable"))
    configs = (os.path.join(common, "config"), os.path.join(git_dir, "config.worktree"), *_user_configs(environ))
    if any(_includes(path) for path in configs):
        return None
    return found


def _discover(cwd: str, found: list[str]) -> str | None:
    """The git dir git finds from `cwd`, stamping every `.git` looked for on the way up."""
    for folder in upwards(os.path.abspath(cwd)):
        dot_git = os.path.join(folder, ".git")
        found.append(dot_git)
        if os.path.isdir(dot_git):
            return dot_git
        if os.path.isfile(dot_git):
            try:
                with open(dot_git, encoding="utf-8") as stream:
                    line = stream.readline().strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not line.startswith("gitdir:"):
                return None
            return os.path.join(folder, line[len("gitdir:"):].strip())
    return None


def _common(git_dir: str) -> str:
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as stream:
            return os.path.join(git_dir, stream.readline().strip())
    except (OSError, UnicodeDecodeError):
        return git_dir


def _tree(top: str) -> Iterator[str]:
    """Every folder and file under `top` (loose refs): a ref added, moved or deleted changes one."""
    for folder, _subfolders, files in os.walk(top):
        yield folder
        for name in files:
            yield os.path.join(folder, name)


def _user_configs(environ: Mapping[str, str]) -> list[str]:
    home = environ.get("HOME", "")
    xdg = environ.get("XDG_CONFIG_HOME") or (os.path.join(home, ".config") if home else "")
    configs = [environ.get("GIT_CONFIG_GLOBAL") or (os.path.join(home, ".gitconfig") if home else "")]
    if xdg:
        configs.append(os.path.join(xdg, "git", "config"))
    if environ.get("GIT_CONFIG_SYSTEM"):
        configs.append(environ["GIT_CONFIG_SYSTEM"])
    else:
        # /etc/gitconfig, or $(prefix)/etc/gitconfig for a git built elsewhere (Homebrew, /usr/local).
        configs.append("/etc/gitconfig")
        configs += [os.path.join(os.path.dirname(os.path.dirname(path)), "etc", "gitconfig")
                    for path in _executables(environ)[-1:]]
    return [path for path in configs if path]


def _executables(environ: Mapping[str, str]) -> list[str]:
    """`git` in each folder of PATH up to the one that has it: another git is another answer."""
    found: list[str] = []
    for folder in environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or ".", "git")
        found.append(candidate)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            break
    return found


def _includes(config: str) -> bool:
    try:
        with open(config, "rb") as stream:
            return b"include" in stream.read().lower()
    except OSError:
        return False
