"""The image's two install steps: the Dockerfile runs them, tests/test_dockerfile.py replays them.

    python install_app.py requirements [PROJECT_DIR] > requirements.txt
    python scripts/install_app.py code [PROJECT_DIR]

`requirements` prints pyproject.toml's build requirements and dependencies, one a line. The
Dockerfile makes this list in a stage of its own and installs it in a layer that depends on
the list alone: a change to the code, the README or pyproject's tool settings does not
rebuild it.

`code` installs the package from the copied sources with `--no-deps --no-build-isolation
--no-index` (everything it needs is there already), built from a clean copy in a temporary
folder. setuptools copies a source file to `build/lib` only when it is newer than the copy
there, and Docker's COPY keeps the sources' old timestamps: a `build/` left by an earlier step
would be installed instead of the code (in the old Dockerfile, empty `__init__.py` files).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path

# Never carried into the clean copy: earlier builds and byte code.
_STALE = ("build", "dist", "*.egg-info", "__pycache__", "*.pyc")


def requirements(project: Path) -> list[str]:
    """The build requirements, then the dependencies, as pyproject.toml states them."""
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    return [*data["build-system"]["requires"], *data["project"]["dependencies"]]


def print_requirements(project: Path) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in requirements(project)))


def install_code(project: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="dondoc-build-") as tmp:
        clean = Path(tmp) / "src"
        shutil.copytree(project, clean, ignore=shutil.ignore_patterns(*_STALE))
        pip = [sys.executable, "-m", "pip", "install"]
        subprocess.run(
            [*pip, "--no-deps", "--no-build-isolation", "--no-index", str(clean)], check=True
        )


def main(argv: Sequence[str]) -> int:
    steps = {"requirements": print_requirements, "code": install_code}
    if len(argv) not in (1, 2) or argv[0] not in steps:
        sys.stderr.write(f"usage: install_app.py {'|'.join(steps)} [PROJECT_DIR]\n")
        return 2
    steps[argv[0]](Path(argv[1] if len(argv) == 2 else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
