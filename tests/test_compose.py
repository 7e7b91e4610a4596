"""docker-compose.yml cannot run here (no Docker engine); it is checked as a file."""

from __future__ import annotations

import re

import yaml

from bot.settings import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies() -> None:
    for name, service in COMPOSE["services"].items():
        assert "healthcheck" in service, name
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in COMPOSE["services"], (name, dependency)
            assert rule == {"condition": "service_healthy"}, (name, dependency)


def test_images_are_built_from_files_in_the_repository() -> None:
    for name, service in COMPOSE["services"].items():
        if "build" in service:
            assert (ROOT / service["build"]["context"] / service["build"]["dockerfile"]).exists(), name


def test_rasa_runs_as_several_replicas_with_a_token_from_the_environment() -> None:
    rasa = COMPOSE["services"]["rasa"]
    assert rasa["deploy"]["replicas"] >= 2
    assert "${HELPLINE_RASA_TOKEN:?" in rasa["command"]       # unset: compose refuses to start, no empty token
    assert "ports" not in rasa and "ports" not in COMPOSE["services"]["actions"]  # never public


def test_no_secret_is_written_in_the_file() -> None:
    text = re.sub(r"\$\{[^}]*\}", "${}", (ROOT / "docker-compose.yml").read_text())   # expansions are no values
    assert not re.search(r"(?i)(password|secret|token)\s*[:=]\s*[^$\s{]", text)


def test_the_gateway_is_the_only_public_service_and_finds_the_others_by_name() -> None:
    services = COMPOSE["services"]
    assert [name for name, s in services.items() if "ports" in s] == ["gateway"]
    gateway = services["gateway"]
    assert gateway["environment"]["HELPLINE_RASA_HOST"] in services
    assert gateway["environment"]["HELPLINE_ACTION_HOST"] in services
    assert "bot.gateway.app:create_app" in gateway["command"]


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
    assert "/app/run/endpoints.yml" in services["rasa"]["command"]


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
    broken["services"]["rasa"]["deploy"]["replicas"] = "two"
    schema = json.loads((ROOT / "tests/data/compose-spec.json").read_text())
    errors = list(jsonschema.Draft201909Validator(schema).iter_errors(broken))
    assert len(errors) >= 2
