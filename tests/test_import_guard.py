"""``import spinfem`` explains a missing or too old dolfinx (>= 0.9 needed) and how to get it.

The subprocesses put a fake ``dolfinx`` package first on PYTHONPATH, so they do not
depend on what is installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, mpi_env

PROBE = """
import json, sys
try:
    import spinfem
except ImportError as exc:
    cause = exc.__cause__
    print(json.dumps({"type": type(exc).__name__, "message": str(exc),
                      "cause": type(cause).__name__ if cause else None}))
else:
    import dolfinx
    print(json.dumps({"type": None, "dolfinx": dolfinx.__version__}))
"""

ROUTES = ("Debian 13", "conda-forge", "Docker")


def probe_import(tmp_path: Path, fake_init: str | None, prelude: str = "") -> dict[str, Any]:
    """Run ``import spinfem`` in a fresh interpreter, with dolfinx/__init__.py = fake_init
    first on the path (unless None); return what the probe printed."""
    env = mpi_env()
    if fake_init is not None:
        fake = tmp_path / "fake"
        (fake / "dolfinx").mkdir(parents=True)
        (fake / "dolfinx" / "__init__.py").write_text(fake_init)
        env["PYTHONPATH"] = f"{fake}{os.pathsep}{REPO}"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_real_dolfinx_imports(tmp_path):
    result = probe_import(tmp_path, None)
    assert result["type"] is None, result


def test_old_dolfinx(tmp_path):
    result = probe_import(tmp_path, '__version__ = "0.5.2"\n')
    assert result["type"] == "ImportError", result
    msg = result["message"]
    for part in ("dolfinx", "0.9", "0.5.2", str(tmp_path / "fake"), *ROUTES):
        assert part in msg, f"{part!r} not in {msg!r}"


def test_dolfinx_raising_import_error(tmp_path):
    result = probe_import(tmp_path, 'raise ImportError("libdolfinx.so: cannot open")\n')
    assert result["type"] == "ImportError", result
    assert result["cause"] == "ImportError", result  # the original reason is chained
    msg = result["message"]
    for part in ("dolfinx", "0.9", *ROUTES):
        assert part in msg, f"{part!r} not in {msg!r}"


def test_dolfinx_missing(tmp_path):
    result = probe_import(tmp_path, None, prelude="import sys; sys.modules['dolfinx'] = None\n")
    assert result["type"] == "ImportError", result
    msg = result["message"]
    for part in ("dolfinx", "0.9", *ROUTES):
        assert part in msg, f"{part!r} not in {msg!r}"


@pytest.mark.parametrize(
    ("version", "ok"),
    [
        ("0.9.0", True),
        ("0.10.0", True),
        ("0.10.0.post1", True),
        ("0.11.0.dev0", True),
        ("1.0.0", True),
        ("0.8.0", False),
        ("0.5.2", False),
    ],
)
def test_version_check(monkeypatch, version, ok):
    """0.10 and later are newer than 0.9 (not a string comparison)."""
    from spinfem.compat import require_dolfinx

    fake = types.ModuleType("dolfinx")
    fake.__version__ = version  # type: ignore[attr-defined]
    fake.__file__ = "/fake/dolfinx/__init__.py"
    monkeypatch.setitem(sys.modules, "dolfinx", fake)
    if ok:
        require_dolfinx()
    else:
        with pytest.raises(ImportError, match=version.replace(".", r"\.")):
            require_dolfinx()
