"""docker-compose.yml cannot run here (no Docker engine); it is checked as a file."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import ROOT, Settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
# jobs that run once and end (restart "no"): others wait until they have completed
ONE_SHOT = {name for name, service in SERVICES.items() if service.get("restart") == "no"}
RASA = sorted(name for name, service in SERVICES.items()
              if service.get("build", {}).get("dockerfile") == "nlu/Dockerfile")
TOKEN_REQUIRED = "${HELPLINE_RASA_TOKEN:?"


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies() -> None:
    for name, service in SERVICES.items():
        assert "healthcheck" in service or name in ONE_SHOT, name
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in SERVICES, (name, dependency)
            wanted = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert rule == {"condition": wanted}, (name, dependency)


def test_images_are_built_from_files_in_the_repository() -> None:
    for name, service in COMPOSE["services"].items():
        if "build" in service:
            assert (ROOT / service["build"]["context"] / service["build"]["dockerfile"]).exists(), name


def rasa_script(name: str) -> str:
    """A Rasa replica's start script (sh -c), as written in the file."""
    entrypoint = SERVICES[name]["entrypoint"]
    assert entrypoint[:2] == ["sh", "-c"], name
    return str(entrypoint[2])


def test_rasa_runs_as_several_replicas_with_a_token_from_the_environment() -> None:
    assert len(RASA) >= 2
    for name in RASA:
        # unset: compose refuses to start, no empty token; the gateway's is the same variable
        assert SERVICES[name]["environment"]["HELPLINE_RASA_TOKEN"].startswith(TOKEN_REQUIRED), name
        assert '"--auth-token=$$HELPLINE_RASA_TOKEN"' in rasa_script(name), name
        assert "ports" not in SERVICES[name], name                   # never public
    assert SERVICES["gateway"]["environment"]["HELPLINE_RASA_TOKEN"].startswith(TOKEN_REQUIRED)
    assert "ports" not in SERVICES["actions"]


def test_no_secret_is_written_in_the_file() -> None:
    text = re.sub(r"\$\{[^}]*\}", "${}", (ROOT / "docker-compose.yml").read_text())   # expansions are no values
    assert not re.search(r"(?i)(password|secret|token)\s*[:=]\s*[^$\s{]", text)


def test_the_gateway_is_the_only_public_service_and_finds_the_others_by_name() -> None:
    services = COMPOSE["services"]
    assert [name for name, s in services.items() if "ports" in s] == ["gateway"]
    gateway = services["gateway"]
    urls = Settings(rasa_replicas=gateway["environment"]["HELPLINE_RASA_REPLICAS"]).rasa_urls
    assert all(url.split("//")[1].split(":")[0] in services for url in urls)
    assert gateway["environment"]["HELPLINE_ACTION_HOST"] in services
    assert "bot.gateway.app:create_app" in gateway["command"]


def test_every_rasa_replica_is_named_in_the_gateways_replica_urls() -> None:
    """A publish sends PUT /model to each of Settings.rasa_urls: a replica missing there would
    keep the old model (a service name with several replicas would reach only one of them)."""
    gateway = SERVICES["gateway"]
    urls = Settings(rasa_replicas=gateway["environment"]["HELPLINE_RASA_REPLICAS"]).rasa_urls
    assert sorted(urls) == [f"http://{name}:5005" for name in RASA]
    for name in RASA:
        assert "deploy" not in SERVICES[name] and "scale" not in SERVICES[name], name   # one each
        assert "5005" in SERVICES[name]["expose"] and "-p 5005" in rasa_script(name), name
        assert gateway["depends_on"][name] == {"condition": "service_healthy"}


def test_the_gateway_believes_forwarded_addresses_only_from_proxies_named_in_the_environment() -> None:
    gateway = COMPOSE["services"]["gateway"]
    assert "--proxy-headers" in gateway["command"]
    # uvicorn's list and the one the gateway's settings check (never "*") are the same value
    assert "--forwarded-allow-ips=${HELPLINE_FORWARDED_ALLOW_IPS:-}" in gateway["command"]
    assert gateway["environment"]["HELPLINE_FORWARDED_ALLOW_IPS"] == "${HELPLINE_FORWARDED_ALLOW_IPS:-}"
    assert "*" not in " ".join(gateway["command"])


def test_rasa_in_compose_uses_the_shared_stores_and_the_action_service() -> None:
    endpoints = yaml.safe_load((ROOT / "nlu" / "compose" / "endpoints.yml").read_text())
    services = COMPOSE["services"]
    assert endpoints["action_endpoint"]["url"].startswith("http://actions:5055/")
    assert endpoints["tracker_store"]["url"] in services and endpoints["lock_store"]["url"] in services
    assert endpoints["lock_store"]["type"] == "helpline_nlu.lock_store.AtomicRedisLockStore"
    assert "COPY nlu/compose /app/run" in (ROOT / "nlu" / "Dockerfile").read_text()
    for name in RASA:
        assert "--endpoints /app/run/endpoints.yml" in rasa_script(name), name


def test_the_gateway_keeps_cases_in_postgresql() -> None:
    gateway = COMPOSE["services"]["gateway"]
    assert gateway["environment"]["DATABASE_URL"].startswith("postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres")
    assert gateway["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_forgetting_and_retention_reach_rasas_tracker_store() -> None:
    services = COMPOSE["services"]
    rasa_store = yaml.safe_load((ROOT / "nlu/compose/endpoints.yml").read_text())["tracker_store"]
    for name in ("gateway", "purge"):
        url = services[name]["environment"]["HELPLINE_TRACKER_STORE_URL"]
        assert f"@{rasa_store['url']}:{rasa_store['port']}/" in url, name
        assert url.endswith(rasa_store["db"]), name
    assert "helpline purge" in " ".join(services["purge"]["command"])


def test_the_file_follows_the_compose_specification() -> None:
    import json

    import jsonschema

    schema = json.loads((ROOT / "tests/data/compose-spec.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(COMPOSE)]
    assert problems == []


def test_the_validation_catches_a_broken_file() -> None:
    """The check can fail: a misspelt key and a wrong type are reported."""
    import copy
    import json

    import jsonschema

    broken = copy.deepcopy(COMPOSE)
    broken["services"]["gateway"]["healthchek"] = broken["services"]["gateway"].pop("healthcheck")
    broken["services"]["rasa-1"]["expose"] = 5005
    schema = json.loads((ROOT / "tests/data/compose-spec.json").read_text())
    errors = list(jsonschema.Draft201909Validator(schema).iter_errors(broken))
    assert len(errors) >= 2


def studio_of(name: str) -> Path:
    """Where the service's settings put the studio (Settings.studio_dir)."""
    return Settings(data_dir=Path(SERVICES[name]["environment"]["HELPLINE_DATA_DIR"])).studio_dir


def studio_mount(name: str) -> tuple[str, bool]:
    """(where the studio volume is mounted, whether read only) in a service."""
    found = [v.split(":") for v in SERVICES[name].get("volumes", []) if v.split(":")[0] == "studio"]
    assert len(found) == 1, name
    return found[0][1], found[0][2:] == ["ro"]


def test_the_studio_is_one_volume_mounted_where_the_settings_put_it() -> None:
    from bot.studio import live

    assert "studio" in COMPOSE["volumes"]
    studio = studio_of("gateway")
    assert studio_mount("gateway") == (str(studio), False)            # the gateway publishes
    assert studio_mount("studio-init") == (str(studio_of("studio-init")), False)
    assert studio_of("studio-init") == studio
    assert studio_mount("actions") == (str(studio_of("actions")), True)
    for name in RASA:
        # PUT /model names the model by the gateway's path: the same path in every replica
        assert studio_mount(name) == (str(studio), True), name
    for name in ("gateway", "actions"):
        content = Path(SERVICES[name]["environment"]["HELPLINE_CONTENT_DIR"])
        assert content == live.live_path(studio_of(name)), name       # followed as it moves
        assert SERVICES[name]["depends_on"]["studio-init"] == {"condition": "service_completed_successfully"}
    for name in RASA:
        assert SERVICES[name]["depends_on"]["studio-init"] == {"condition": "service_completed_successfully"}


def test_the_first_version_is_made_once_from_the_images_content() -> None:
    from bot.studio import live

    init = SERVICES["studio-init"]
    assert "studio-init" in ONE_SHOT
    link = live.live_path(studio_of("studio-init"))
    command = init["command"][2]
    assert init["command"][:2] == ["sh", "-c"]
    assert command.startswith(f"test -L {link} || exec helpline studio init --name ")
    # the seed is content/ as copied into the image (WORKDIR /app), never the link it makes
    assert init["environment"]["HELPLINE_CONTENT_DIR"] == "/app/content"
    image = instructions(ROOT / "deploy/gateway.Dockerfile")
    assert "WORKDIR /app" in image and "COPY content content" in image


def instructions(dockerfile: Path) -> list[str]:
    """A Dockerfile's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    return [" ".join(line.split()) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_gateway_image_is_the_app_image_with_what_training_needs() -> None:
    from bot import rasa_env

    for name in ("gateway", "studio-init"):
        assert SERVICES[name]["build"] == {"context": ".", "dockerfile": "deploy/gateway.Dockerfile"}, name
    app, gateway = instructions(ROOT / "Dockerfile"), instructions(ROOT / "deploy/gateway.Dockerfile")
    assert gateway[:len(app)] == app, "deploy/gateway.Dockerfile must start with every instruction of ./Dockerfile"
    added = "\n".join(gateway[len(app):])
    assert "install -y --no-install-recommends git" in added               # bot/studio/versions.py
    for needed in ("nlu/pyproject.toml", "nlu/uv.lock", "nlu/helpline_nlu", "nlu/data"):   # what train reads
        assert f" {needed} " in added, needed
    assert "uv sync --frozen --no-dev --directory nlu" in added
    # ensure_env finds the environment up to date and never runs uv sync in the container
    marker = "nlu/.venv/.helpline-lock"
    assert f"cp nlu/uv.lock {marker}" in added and ".helpline-lock" in inspect.getsource(rasa_env.ensure_env)


def run_start_script(script: str, studio: Path) -> str:
    """Run a Rasa replica's start script (after compose's $$ → $) with the gateway's studio
    folder moved to `studio` and `echo` for helpline-rasa: the command line it would start."""
    assert "$" not in script.replace("$$", ""), "a single $ would be filled in by compose"
    shell = script.replace("$$", "$").replace(str(studio_of("gateway")), str(studio))
    shell = shell.replace("exec helpline-rasa ", "exec echo ")
    done = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, check=True, timeout=10,
                          env={**os.environ, "HELPLINE_RASA_TOKEN": "t" * 32})
    return done.stdout


@pytest.mark.parametrize("name", RASA)
def test_a_rasa_replica_starts_on_the_model_of_the_live_version(name: str, tmp_path: Path) -> None:
    from bot.studio import live, publish

    studio = tmp_path / "studio"
    image_model = "--model /app/build/models/helpline.tar.gz "
    script = rasa_script(name)
    assert image_model in run_start_script(script, studio)            # no studio yet: the image's
    version = "0123456789abcdef0123456789abcdef01234567"
    (studio / live.VERSIONS / version).mkdir(parents=True)
    (studio / live.LIVE).symlink_to(Path(live.VERSIONS) / version)    # as put_live makes it
    assert live.served(studio) == version
    assert image_model in run_start_script(script, studio)            # no kept model: the image's
    kept = publish.model_of(studio, version)
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"model")
    started = run_start_script(script, studio)
    assert f"--model {kept} " in started
    assert f"--auth-token={'t' * 32} " in started
    assert started.startswith("run --enable-api -i 0.0.0.0 -p 5005 ")
