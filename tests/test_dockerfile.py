"""The Dockerfile's install steps, replayed in a temporary folder without containers.

Every COPY of the Dockerfile is done into a temporary folder (one a stage), the copied files'
times set far in the past (COPY keeps the sources' timestamps, older than whatever the build
makes); every RUN that installs (runs pip or scripts/install_app.py) is run there, in a fresh
venv that sees the project's installed dependencies and no index (no network). Then the package
installed in that venv must import and be, file for file, the copied code.

The old Dockerfile's steps are replayed too: they installed empty `__init__.py` files (its
stub build in build/lib was newer than the copied sources), and this check must see it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")
LONG_AGO = 978_307_200  # 2001-01-01: the copied sources are older than anything built
INSTALLS = re.compile(r"\bpip\b|install_app\.py")

# The steps of the Dockerfile before this test (commit 88be4e4), the ones that shipped empty
# __init__.py files.
OLD_DOCKERFILE = """\
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 dondoc && mkdir -p /data /app && chown dondoc /data
WORKDIR /app
COPY pyproject.toml README.md ./
RUN mkdir -p bot handlers storage/migrations \\
    && touch bot/__init__.py handlers/__init__.py storage/__init__.py \\
    && touch storage/migrations/__init__.py \\
    && pip install . \\
    && pip uninstall -y dondoc
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY templates ./templates
COPY config.example.toml ./config.toml
RUN pip install --no-deps .
USER dondoc
CMD ["dondoc", "run"]
"""


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; continuation lines joined, comments dropped."""
    lines = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    steps = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            steps.append((word.upper(), rest.strip()))
    return steps


def make_venv(where: Path) -> tuple[Path, dict[str, str]]:
    """A venv without pip of its own that sees this interpreter's packages (pip among them)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "_project_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    shim = where / "bin" / "pip"
    shim.write_text(f'#!/bin/sh\nexec "{python}" -m pip "$@"\n')
    shim.chmod(0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        PATH=f"{where / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",  # offline: whatever a step needs must be installed already
        PIP_NO_BUILD_ISOLATION="0",  # an isolated build would fetch setuptools
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return Path(purelib), env


def copy_like_docker(sources: list[Path], dest: Path, into_folder: bool) -> None:
    """COPY: a folder's contents go into DEST; a file goes into DEST/ or becomes DEST."""
    for origin in sources:
        if origin.is_dir():
            into = dest
            shutil.copytree(origin, into, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
        else:
            into = dest / origin.name if into_folder or len(sources) > 1 else dest
            into.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, into)
        for path in [into, *into.rglob("*")]:
            os.utime(path, (LONG_AGO, LONG_AGO))


def replay(dockerfile: str, tmp: Path) -> Path:
    """Run the Dockerfile's COPY and installing RUN steps, each stage in a folder of its own
    standing for its root; returns the venv's site-packages."""
    site, env = make_venv(tmp / "venv")
    stages: dict[str, Path] = {}
    root = workdir = tmp

    def inside(path: str) -> Path:
        return root / path.lstrip("/") if path.startswith("/") else workdir / path

    for word, args in instructions(dockerfile):
        if word == "FROM":
            name = args.split()[-1] if " as " in args.lower() else str(len(stages))
            root = workdir = tmp / "stages" / name
            root.mkdir(parents=True)
            stages[name] = root
        elif word == "WORKDIR":
            workdir = inside(args)
            workdir.mkdir(parents=True, exist_ok=True)
        elif word == "COPY":
            words = shlex.split(args)
            *sources, dest = [arg for arg in words if not arg.startswith("--")]
            stage = next((stages[w[7:]] for w in words if w.startswith("--from=")), None)
            origins = [stage / s.lstrip("/") if stage else ROOT / s for s in sources]
            copy_like_docker(origins, inside(dest), dest.endswith("/"))
        elif word == "RUN" and INSTALLS.search(args):
            subprocess.run(["sh", "-ec", args], cwd=workdir, env=env, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
    return site


def problems(site: Path, tmp: Path) -> list[str]:
    """What is wrong with the installed package: an import that fails, a file not the code's."""
    found = []
    probe = subprocess.run(
        [site.parents[2] / "bin" / "python", "-I", "-c",
         "from storage import Database; from bot.cli import main; import handlers"],
        cwd=tmp, capture_output=True, text=True,
    )  # fmt: skip
    if probe.returncode != 0:
        found.append(f"import: {probe.stderr.strip().splitlines()[-1]}")
    for package in PACKAGES:
        for source in sorted((ROOT / package).rglob("*.py")):
            relative = source.relative_to(ROOT)
            installed = site / relative
            if not installed.exists():
                found.append(f"{relative}: not installed")
            elif installed.read_bytes() != source.read_bytes():
                size = installed.stat().st_size
                found.append(f"{relative}: installed {size} bytes, not the code's")
    return found


def test_the_image_installs_the_copied_code(tmp_path: Path) -> None:
    site = replay((ROOT / "Dockerfile").read_text(encoding="utf-8"), tmp_path)

    assert problems(site, tmp_path) == []
    assert (site / "storage" / "migrations" / "0001_register.sql").exists()
    assert (site / "bot" / "__init__.py").stat().st_size > 0


def test_the_replay_sees_the_old_dockerfiles_empty_init_files(tmp_path: Path) -> None:
    site = replay(OLD_DOCKERFILE, tmp_path)

    found = problems(site, tmp_path)
    assert any(
        line.startswith("import: ImportError: cannot import name 'Database'") for line in found
    )
    assert "storage/__init__.py: installed 0 bytes, not the code's" in found
    assert "bot/__init__.py: installed 0 bytes, not the code's" in found


def test_the_dependencies_are_installed_from_pyproject_alone() -> None:
    steps = instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    first_pip = next(i for i, (word, args) in enumerate(steps)
                     if word == "RUN" and re.search(r"\bpip\b", args))  # fmt: skip
    from_context = [args for word, args in steps[:first_pip]
                    if word == "COPY" and "--from=" not in args]  # fmt: skip

    assert from_context == ["pyproject.toml scripts/install_app.py ./"]
