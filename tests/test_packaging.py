"""The built wheel and sdist install cleanly in a new venv and run, as a user's install would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Building runs hatchling's PEP 517 hooks in a child process, offline, from the project's venv.
BUILD = "import sys, hatchling.build as b; print(getattr(b, sys.argv[1])(sys.argv[2]))"


def build(kind: str, source: Path, out: Path) -> Path:
    name = subprocess.run(
        [sys.executable, "-c", BUILD, f"build_{kind}", str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return out / name


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist built from this tree, and the wheel built from that sdist (so the sdist is
    known to hold everything a build needs)."""
    out = tmp_path_factory.mktemp("dist")
    sdist = build("sdist", ROOT, out)
    with tarfile.open(sdist) as archive:
        archive.extractall(out, filter="data")
    unpacked = out / sdist.name.removesuffix(".tar.gz")
    return {"sdist": sdist, "wheel": build("wheel", unpacked, out)}


def test_the_sdist_ships_the_license_changelog_and_tests(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= names
    assert "tap_cometly/tap.py" in names
    assert "tests/test_packaging.py" in names


def test_the_wheel_holds_the_package_and_its_entry_point(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as archive:
        names = archive.namelist()
        entry_points = next(name for name in names if name.endswith("entry_points.txt"))
        assert "tap-cometly = tap_cometly.tap:TapCometly.cli" in archive.read(entry_points).decode()
    assert "tap_cometly/__main__.py" in names
    assert not [name for name in names if name.startswith(("tests/", "fake_cometly/"))]


def test_the_wheel_installs_in_a_new_venv_and_runs(built: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", built["wheel"]],
        check=True,
    )
    # The tap's dependencies come from the project's venv (no network in tests); the tap itself
    # must come from the wheel, which the new venv's site-packages puts first.
    site = Path(
        subprocess.check_output(
            [python, "-c", "import site; print(site.getsitepackages()[0])"], text=True
        ).strip()
    )
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    where = subprocess.run(
        [python, "-c", "import tap_cometly; print(tap_cometly.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(target))
    for command in ([target / "bin" / "tap-cometly"], [python, "-m", "tap_cometly"]):
        about = subprocess.run(
            [*command, "--about", "--format=json"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(about.stdout)["name"] == "tap-cometly"
