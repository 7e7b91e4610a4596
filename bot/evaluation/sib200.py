"""`helpline bench sib200`: the shipped NLU configuration on an external benchmark.

For each language, the pipeline in nlu/config.yml is trained on SIB-200's train split only
(same configuration, only the data changes) and evaluated once on its test split with
`rasa test nlu`. Published figures (Adelani et al., EACL 2024, table 7) are printed beside.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bot.rasa_env import ensure_env, rasa_env
from bot.settings import Settings

PAPER = {  # language: (MLP on n-grams, XLM-R base, XLM-R large)
    "rus_Cyrl": (64.04, 88.8, 89.2), "uzn_Latn": (59.2, 82.1, 85.7),
    "tgk_Cyrl": (66.98, 46.9, 59.8), "kir_Cyrl": (58.8, 84.6, 88.1),
    "kaz_Cyrl": (63.37, 85.3, 91.4), "eng_Latn": (59.91, 90.0, 92.1),
}


def _rows(file: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line]


def _nlu_yaml(rows: list[dict[str, Any]], out: Path) -> Path:
    by_label: dict[str, list[str]] = {}
    for row in rows:
        by_label.setdefault(row["label"].replace("/", "_"), []).append(" ".join(row["text"].split()))
    data = {"version": "3.1", "nlu": [
        {"intent": label, "examples": "".join(f"- {t}\n" for t in texts)}
        for label, texts in sorted(by_label.items())]}
    out.write_text(yaml.safe_dump(data, allow_unicode=True, width=100000))
    return out


def _nlu_only_config(settings: Settings, out: Path) -> Path:
    config = yaml.safe_load((settings.nlu_dir / "config.yml").read_text())
    config.pop("policies", None)
    out.write_text(yaml.safe_dump(config))
    return out


def accuracy(settings: Settings, folder: Path, work: Path) -> float:
    rasa = str(ensure_env(settings.nlu_dir))
    train = _nlu_yaml(_rows(folder / "train.jsonl"), work / "train.yml")
    test = _nlu_yaml(_rows(folder / "test.jsonl"), work / "test.yml")
    config = _nlu_only_config(settings, work / "config.yml")
    env = rasa_env()
    subprocess.run([rasa, "train", "nlu", "--nlu", str(train), "--config", str(config),
                    "--out", str(work / "models"), "--fixed-model-name", "sib"],
                   cwd=work, env=env, check=True, capture_output=True)
    subprocess.run([rasa, "test", "nlu", "--nlu", str(test), "--model",
                    str(work / "models" / "sib.tar.gz"), "--out", str(work / "results"),
                    "--no-plot"], cwd=work, env=env, check=True, capture_output=True)
    report = json.loads((work / "results" / "intent_report.json").read_text())
    return float(report["accuracy"]) * 100


def run_sib200(settings: Settings, data: Path, json_out: Path | None) -> int:
    if not data.is_dir():
        print(f"no SIB-200 data at {data} (pass --data)")
        return 2
    results = {}
    print(f"{'lang':<10}{'ours':>8}{'MLP':>8}{'+8 goal':>9}{'XLM-R b':>9}{'XLM-R l':>9}")
    for lang, (mlp, base, large) in PAPER.items():
        if not (data / lang).is_dir():
            continue
        with tempfile.TemporaryDirectory() as work:
            ours = accuracy(settings, data / lang, Path(work))
        results[lang] = {"accuracy": round(ours, 2), "paper_mlp": mlp, "paper_xlmr_base": base,
                         "paper_xlmr_large": large}
        print(f"{lang:<10}{ours:>8.2f}{mlp:>8.2f}{mlp + 8:>9.2f}{base:>9.1f}{large:>9.1f}")
    if json_out:
        json_out.write_text(json.dumps(results, indent=1))
    return 0
