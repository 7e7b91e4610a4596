"""The Rasa 3.6 environment under nlu/ (Python 3.10), used as a separate service."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def uv_binary() -> str:
    found = shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is not installed: see README.md, or run scripts/bootstrap")
    return found


def ensure_env(nlu_dir: Path) -> Path:
    """Install nlu/.venv from nlu/uv.lock when missing or stale; return the rasa binary."""
    rasa = nlu_dir / ".venv" / "bin" / "rasa"
    marker = nlu_dir / ".venv" / ".helpline-lock"
    lock = (nlu_dir / "uv.lock").read_bytes()
    if not rasa.exists() or not marker.exists() or marker.read_bytes() != lock:
        subprocess.run([uv_binary(), "sync", "--frozen", "--directory", str(nlu_dir)],
                       check=True, env=_uv_env())
        marker.write_bytes(lock)
    return rasa


def _uv_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    return env


def rasa_env() -> dict[str, str]:
    """Environment for Rasa processes: no telemetry, quiet TensorFlow, our components."""
    env = _uv_env()
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    })
    return env
