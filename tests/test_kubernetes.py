"""deploy/kubernetes/helpline.yaml cannot be applied here (no cluster); it is checked as a file
against what the code and docker-compose.yml expect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.settings import ROOT, Settings

DOCS = [d for d in yaml.safe_load_all((ROOT / "deploy/kubernetes/helpline.yaml").read_text()) if d]
BY = {(d["kind"], d["metadata"]["name"]): d for d in DOCS}
WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob")
GATEWAY, ACTIONS, RASA, INIT = (BY[("Deployment", "gateway")], BY[("Deployment", "actions")],
                                BY[("StatefulSet", "rasa")], BY[("Job", "studio-init")])


def pod(doc: dict) -> dict:  # type: ignore[type-arg]
    spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
    return spec["template"]["spec"]  # type: ignore[no-any-return]


def containers(doc: dict) -> list[dict]:  # type: ignore[type-arg]
    return pod(doc)["containers"]  # type: ignore[no-any-return]


def env_of(doc: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in containers(doc)[0].get("env", [])}


def test_every_workload_has_probes_limits_and_secrets_from_a_secret() -> None:
    for doc in DOCS:
        if doc["kind"] not in WORKLOADS:
            continue
        for container in containers(doc):
            assert container["envFrom"] == [{"secretRef": {"name": "helpline-secrets"}}], doc["metadata"]
            assert container["resources"]["limits"]["memory"], doc["metadata"]
            if doc["kind"] in ("Deployment", "StatefulSet"):
                assert "readinessProbe" in container and "livenessProbe" in container
            for item in container.get("env", []):
                assert not any(word in item["name"] for word in ("TOKEN", "PASSWORD", "SECRET", "KEY")), item


def test_services_match_the_names_the_code_and_images_use() -> None:
    env = env_of(GATEWAY)
    assert ("Service", env["HELPLINE_ACTION_HOST"]) in BY
    endpoints = yaml.safe_load((ROOT / "nlu/compose/endpoints.yml").read_text())
    assert ("Service", endpoints["tracker_store"]["url"]) in BY and ("Service", endpoints["lock_store"]["url"]) in BY
    for name, workload in (("gateway", GATEWAY), ("rasa", RASA), ("actions", ACTIONS)):
        service = BY[("Service", name)]
        assert service["spec"]["selector"] == workload["spec"]["template"]["metadata"]["labels"]
        port = service["spec"]["ports"][0]["targetPort"]
        assert port in [p["containerPort"] for p in containers(workload)[0]["ports"]]


def test_every_rasa_replica_is_named_in_the_gateways_replica_urls() -> None:
    """A publish sends PUT /model to each of Settings.rasa_urls: every pod of the StatefulSet,
    by its own name under the headless Service (a Service's one address reaches one pod)."""
    service = BY[("Service", RASA["spec"]["serviceName"])]
    assert service["spec"]["clusterIP"] == "None"
    port = service["spec"]["ports"][0]["port"]
    name, replicas = RASA["metadata"]["name"], RASA["spec"]["replicas"]
    urls = Settings(rasa_replicas=env_of(GATEWAY)["HELPLINE_RASA_REPLICAS"]).rasa_urls
    assert urls == [f"http://{name}-{i}.{service['metadata']['name']}:{port}" for i in range(replicas)]


def test_rasa_and_the_gateway_share_the_token_from_the_secret() -> None:
    from tests.test_compose import rasa_script

    script = containers(RASA)[0]["command"]
    assert script[:2] == ["sh", "-c"]
    # the same start script as compose's (tested there): the live version's model, the token
    # from the secret's HELPLINE_RASA_TOKEN, which the gateway reads from the same secret
    assert script[2] == rasa_script("rasa-1")
    assert '"--auth-token=$$HELPLINE_RASA_TOKEN"' in script[2]
    assert containers(RASA)[0]["envFrom"] == containers(GATEWAY)[0]["envFrom"]
    assert "HELPLINE_RASA_TOKEN" not in env_of(GATEWAY)       # from the secret, never written here


def studio_of(doc: dict[str, Any]) -> Path:
    return Settings(data_dir=Path(env_of(doc)["HELPLINE_DATA_DIR"])).studio_dir


def studio_mount(doc: dict[str, Any], container: dict[str, Any] | None = None) -> tuple[str, bool]:
    """(where the studio claim is mounted, whether read only) in a workload's container."""
    volumes = [v["name"] for v in pod(doc)["volumes"]
               if v.get("persistentVolumeClaim", {}).get("claimName") == "helpline-studio"]
    assert len(volumes) == 1, doc["metadata"]
    mounts = [m for m in (container or containers(doc)[0])["volumeMounts"] if m["name"] == volumes[0]]
    assert len(mounts) == 1, doc["metadata"]
    return mounts[0]["mountPath"], bool(mounts[0].get("readOnly"))


def test_the_studio_is_one_claim_mounted_where_the_settings_put_it() -> None:
    from bot.studio import live

    claim = BY[("PersistentVolumeClaim", "helpline-studio")]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]          # pods on several nodes
    studio = studio_of(GATEWAY)
    assert studio_mount(GATEWAY) == (str(studio), False)              # gateways publish
    assert studio_mount(INIT) == (str(studio_of(INIT)), False) and studio_of(INIT) == studio
    assert studio_mount(ACTIONS) == (str(studio_of(ACTIONS)), True)
    # PUT /model names the model by the gateway's path: the same path in every Rasa
    assert studio_mount(RASA) == (str(studio), True)
    for doc in (GATEWAY, ACTIONS):
        assert Path(env_of(doc)["HELPLINE_CONTENT_DIR"]) == live.live_path(studio_of(doc))   # followed
    for doc in (GATEWAY, ACTIONS, RASA):     # none starts before the first version is live
        (wait,) = pod(doc)["initContainers"]
        assert wait["command"][2].startswith(f"until test -L {live.live_path(studio)}; do ")
        assert studio_mount(doc, wait) == (str(studio), True)
        assert wait["image"] == containers(doc)[0]["image"]


def test_the_first_version_is_made_once_from_the_images_content() -> None:
    from bot.studio import live

    (init,) = containers(INIT)
    assert init["image"] == containers(GATEWAY)[0]["image"] != containers(ACTIONS)[0]["image"]   # Rasa's env
    assert init["command"][:2] == ["sh", "-c"]
    assert init["command"][2].startswith(f"test -L {live.live_path(studio_of(INIT))} || exec helpline studio init ")
    assert env_of(INIT)["HELPLINE_CONTENT_DIR"] == "/app/content"     # the image's content/, never the link
    assert pod(INIT)["restartPolicy"] == "OnFailure"


def mebibytes(quantity: str) -> float:
    units = {"Mi": 1, "Gi": 1024}
    return float(quantity[:-2]) * units[quantity[-2:]]


def test_the_processes_that_train_have_memory_for_it() -> None:
    """`rasa train` peaked at about 813 MiB (README, "Publishing from the console in
    production"); the gateway itself at about 130 MiB under load (BENCHMARKS.md)."""
    for doc in (GATEWAY, INIT):
        resources = containers(doc)[0]["resources"]
        assert mebibytes(resources["requests"]["memory"]) >= 1024, doc["metadata"]
        assert mebibytes(resources["limits"]["memory"]) >= 813 + 130 + 256, doc["metadata"]   # and a margin


def test_rasa_and_the_gateway_scale_with_shared_state() -> None:
    assert RASA["spec"]["replicas"] >= 2
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
