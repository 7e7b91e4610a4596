"""`helpline train`: compile, validate and train, skipping work when nothing changed."""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from bot.content.loader import load_library
from bot.rasa_env import ensure_env, rasa_env
from bot.training.compile import compile_training_data

MODEL_NAME = "helpline"


def fingerprint(*folders: Path, files: tuple[Path, ...] = ()) -> str:
    """A hash of every file under the folders (names and bytes) plus single files."""
    digest = hashlib.sha256()
    paths = [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()]
    for path in [*paths, *files]:
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_path(model_dir: Path) -> Path:
    return model_dir / f"{MODEL_NAME}.tar.gz"


def train(
    *,
    content_dir: Path,
    nlu_dir: Path,
    build_dir: Path,
    force: bool = False,
    say: Callable[[str], None] = print,
) -> Path:
    """Train the model if its inputs changed; return the model file."""
    say("1/4 reading content/ ...")
    library = load_library(content_dir)
    rasa = ensure_env(nlu_dir)
    data_dir = compile_training_data(library, nlu_dir, build_dir / "rasa")
    model_dir = build_dir / "models"
    stamp = model_dir / f"{MODEL_NAME}.fingerprint"
    inputs = fingerprint(data_dir, nlu_dir / "helpline_nlu", files=(nlu_dir / "uv.lock",))
    model = model_path(model_dir)
    if not force and model.exists() and stamp.exists() and stamp.read_text() == inputs:
        say(f"nothing changed since the last training: using {model}")
        return model
    say("2/4 validating the training data (rasa data validate) ...")
    _run([str(rasa), "data", "validate", "--data", "data", "--domain", "domain.yml",
          "--config", "config.yml"], cwd=data_dir)
    say("3/4 training (rasa train) ...")
    started = time.monotonic()
    model_dir.mkdir(parents=True, exist_ok=True)
    _run([str(rasa), "train", "--data", "data", "--domain", "domain.yml", "--config",
          "config.yml", "--out", str(model_dir), "--fixed-model-name", MODEL_NAME, "--force"],
         cwd=data_dir)
    stamp.write_text(inputs)
    say(f"4/4 trained {model} in {time.monotonic() - started:.0f} s")
    return model


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, env=rasa_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-40:])
        raise RuntimeError(f"{command[1]} failed ({result.returncode}):\n{tail}")
