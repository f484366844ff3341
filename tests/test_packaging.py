"""What a user installing axis-sim gets: a wheel with the scenarios, the question sets and the
licence, that runs `axis-sim run baseline` from an empty folder in a fresh virtual environment;
and a command line that starts without pandas, scipy or Mesa."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from axis_sim import bundled
from tests.conftest import ROOT

HEAVY = ("pandas", "scipy", "mesa", "numpy", "pyarrow", "plotly")


def fresh_python(code: str, cwd: Path | None = None) -> dict[str, object]:
    """Run `code` in a fresh interpreter of this environment; it prints one JSON value."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_command_line_starts_without_pandas_scipy_or_mesa(tmp_path: Path) -> None:
    loaded = fresh_python(
        "import json, sys\n"
        "import axis_sim, axis_sim.cli\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    assert loaded == []
    # --help of every command, and the listing of the bundled scenarios, load none either.
    loaded = fresh_python(
        "import json, sys\n"
        "from axis_sim.cli import main\n"
        "names = [[], ['run'], ['compare'], ['scenarios', 'list'], ['backtest'], ['seminar'],"
        " ['score'], ['bench'], ['validate']]\n"
        "for args in names:\n"
        "    try:\n"
        "        main(args if args == ['scenarios', 'list'] else [*args, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))", cwd=tmp_path)
    assert loaded == []
    # The public names still arrive on first use.
    kinds = fresh_python("import json, axis_sim\n"
                         "print(json.dumps([type(axis_sim.run).__name__, "
                         "axis_sim.RunResult.__name__, axis_sim.__version__]))")
    assert kinds[:2] == ["function", "RunResult"]


def test_licence_and_package_data_are_declared() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "axis-sim contributors" in licence
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    patterns = project["tool"]["setuptools"]["package-data"]["axis_sim"]
    package = ROOT / "src" / "axis_sim"
    declared = {p for pattern in patterns for p in package.glob(pattern)}
    for folder in ("scenarios", "questions"):
        link = package / "data" / folder
        assert link.is_symlink() and link.resolve() == (ROOT / folder).resolve()
        for path in (ROOT / folder).rglob("*.yaml"):
            assert package / "data" / path.relative_to(ROOT) in declared, path


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_runs_the_bundled_baseline_from_an_empty_folder(
        tmp_path: Path) -> None:
    """The issue's acceptance test: build, install (with dependencies, from the package index
    or pip's cache), and run `axis-sim run baseline --runs 200` where there is no checkout."""
    # Built from a copy of the source (symlinks kept), so the checkout gets no build/ folder
    # and two test runs at once do not build in the same place.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "results", "build", "dist", "test-artifacts", "__pycache__",
        "*.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis"))
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                            "--quiet", "-w", str(wheels)], capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("axis_sim-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder in ("scenarios", "questions"):
        for path in (ROOT / folder).rglob("*.yaml"):
            assert f"axis_sim/data/{path.relative_to(ROOT).as_posix()}" in names, path
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), sorted(names)[-8:]
    assert "axis_sim/templates/decision.html" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-compile",
                                str(wheel)], capture_output=True, text=True, env=env,
                               timeout=900)
    assert installed.returncode == 0, installed.stderr[-3000:]

    empty = tmp_path / "empty"
    empty.mkdir()
    where = subprocess.run([str(python), "-c", "import axis_sim; print(axis_sim.__file__)"],
                           capture_output=True, text=True, env=env, cwd=empty, check=True)
    assert Path(where.stdout.strip()).is_relative_to(env_dir)  # not this checkout

    def axis_sim(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(env_dir / "bin" / "axis-sim"), *args], capture_output=True,
                              text=True, env=env, cwd=empty, timeout=900)

    done = axis_sim("run", "baseline", "--runs", "200")
    assert done.returncode == 0, done.stderr[-3000:]
    # One results folder; beside it only the folder's hidden lock file (held by live runs).
    (folder,) = [p for p in (empty / "results").iterdir() if not p.name.startswith(".")]
    assert (folder / "dashboard.html").stat().st_size > 100_000
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["runs"] == 200 and manifest["scenario_name"] == "baseline"
    assert f"Dashboard: {folder.relative_to(empty) / 'dashboard.html'}" in done.stdout
    assert "Summarising 200 worlds" in done.stderr and "Writing dashboard…" in done.stderr

    # The rest of what a user reaches without a checkout: the bundled files, a copy that
    # validates, the backtest registry and the benchmark's default scenario.
    listed = json.loads(axis_sim("scenarios", "list", "--json").stdout)
    assert {e["name"] for e in listed} >= set(bundled.scenario_names())
    assert all(Path(e["path"]).is_relative_to(env_dir) for e in listed)
    copied = axis_sim("scenarios", "copy", "backtest_2022_02", "mine/")
    assert copied.returncode == 0, copied.stderr
    checked = axis_sim("validate", "mine/backtest_2022_02.yaml", "summit_breakthrough")
    assert checked.returncode == 0, checked.stderr
    probe = subprocess.run(
        [str(python), "-c", "from axis_sim import bundled; from axis_sim.benchmark import "
         "DEFAULT_SCENARIO as d; from axis_sim.scoring.backtest import load_registry as r; "
         "reg, folder = r(bundled.registry()); "
         "print(d.is_file(), all((folder / o.scenario).is_file() and (folder / o.questions)"
         ".is_file() for o in reg.origins))"],
        capture_output=True, text=True, env=env, cwd=empty, timeout=300)
    assert probe.stdout.split() == ["True", "True"], probe.stderr
