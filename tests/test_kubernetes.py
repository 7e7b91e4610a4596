"""deploy/kubernetes/helpline.yaml cannot be applied here (no cluster); it is checked as a file
against what the code and docker-compose.yml expect."""

from __future__ import annotations

import yaml

from bot.settings import ROOT

DOCS = [d for d in yaml.safe_load_all((ROOT / "deploy/kubernetes/helpline.yaml").read_text()) if d]
BY = {(d["kind"], d["metadata"]["name"]): d for d in DOCS}


def containers(doc: dict) -> list[dict]:  # type: ignore[type-arg]
    spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
    return spec["template"]["spec"]["containers"]  # type: ignore[no-any-return]


def test_every_workload_has_probes_limits_and_secrets_from_a_secret() -> None:
    for doc in DOCS:
        if doc["kind"] not in ("Deployment", "CronJob"):
            continue
        for container in containers(doc):
            assert container["envFrom"] == [{"secretRef": {"name": "helpline-secrets"}}], doc["metadata"]
            assert container["resources"]["limits"]["memory"], doc["metadata"]
            if doc["kind"] == "Deployment":
                assert "readinessProbe" in container and "livenessProbe" in container
            for item in container.get("env", []):
                assert not any(word in item["name"] for word in ("TOKEN", "PASSWORD", "SECRET", "KEY")), item


def test_services_match_the_names_the_code_and_images_use() -> None:
    gateway = containers(BY[("Deployment", "gateway")])[0]
    env = {e["name"]: e["value"] for e in gateway["env"]}
    assert ("Service", env["HELPLINE_RASA_HOST"]) in BY and ("Service", env["HELPLINE_ACTION_HOST"]) in BY
    endpoints = yaml.safe_load((ROOT / "nlu/compose/endpoints.yml").read_text())
    assert ("Service", endpoints["tracker_store"]["url"]) in BY and ("Service", endpoints["lock_store"]["url"]) in BY
    for name in ("gateway", "rasa", "actions"):
        service, deployment = BY[("Service", name)], BY[("Deployment", name)]
        assert service["spec"]["selector"] == deployment["spec"]["template"]["metadata"]["labels"]
        port = service["spec"]["ports"][0]["targetPort"]
        assert port in [p["containerPort"] for p in containers(deployment)[0]["ports"]]


def test_rasa_and_the_gateway_scale_with_shared_state() -> None:
    assert BY[("Deployment", "rasa")]["spec"]["replicas"] >= 2
    assert BY[("Deployment", "gateway")]["spec"]["replicas"] >= 2
    env = {e["name"]: e["value"] for e in containers(BY[("Deployment", "gateway")])[0]["env"]}
    # several gateways need one message count and language per conversation: Redis, not memory
    assert env["HELPLINE_SHARED_STATE_URL"].startswith("redis://redis:")
    assert ("Service", "redis") in BY
    assert "helpline" in containers(BY[("CronJob", "purge")])[0]["command"]


def test_the_gateway_believes_forwarded_addresses_only_from_proxies_named_in_its_environment() -> None:
    from bot.settings import Settings

    gateway = containers(BY[("Deployment", "gateway")])[0]
    env = {e["name"]: e["value"] for e in gateway["env"]}
    assert "--proxy-headers" in gateway["command"]
    assert "--forwarded-allow-ips=$(HELPLINE_FORWARDED_ALLOW_IPS)" in gateway["command"]
    assert Settings(forwarded_allow_ips=env["HELPLINE_FORWARDED_ALLOW_IPS"]).trusted_proxies == ""   # none
