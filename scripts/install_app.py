"""The image's two install steps: the Dockerfile runs them, tests/test_dockerfile.py replays them.

    python scripts/install_app.py requirements [PROJECT_DIR]
    python scripts/install_app.py code [PROJECT_DIR]

`requirements` installs pyproject.toml's dependencies and its build requirements, and nothing
else: the layer depends on pyproject.toml alone, so a change to the code or the README does not
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


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", *args], check=True)


def install_requirements(project: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="dondoc-req-") as tmp:
        listed = Path(tmp) / "requirements.txt"
        listed.write_text("\n".join(requirements(project)) + "\n", encoding="utf-8")
        _pip("-r", str(listed))


def install_code(project: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="dondoc-build-") as tmp:
        clean = Path(tmp) / "src"
        shutil.copytree(project, clean, ignore=shutil.ignore_patterns(*_STALE))
        _pip("--no-deps", "--no-build-isolation", "--no-index", str(clean))


def main(argv: Sequence[str]) -> int:
    steps = {"requirements": install_requirements, "code": install_code}
    if len(argv) not in (1, 2) or argv[0] not in steps:
        sys.stderr.write(f"usage: install_app.py {'|'.join(steps)} [PROJECT_DIR]\n")
        return 2
    steps[argv[0]](Path(argv[1] if len(argv) == 2 else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
