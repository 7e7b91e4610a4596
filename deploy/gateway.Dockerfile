# Gateway image: the action server's image (./Dockerfile, every instruction of it, in order:
# tests/test_compose.py keeps them equal) plus what publishing from the console needs in the
# process that publishes (bot/studio/publish.py):
#   * git, for the content repository (bot/studio/versions.py: git 2.32 or later; Debian 12 has 2.39);
#   * Rasa's environment (nlu/, Python 3.10, from nlu/uv.lock), because a publish trains the new
#     model in the gateway: bot/training/train.py runs nlu/.venv/bin/rasa on the gateway's disk.
# Why not a separate trainer: training is called in-process by the publish (check → train → save
# → roll out → live, each step refusing with its reason); a trainer service would need a protocol
# and code that do not exist. This image is the simplest thing that runs that code as it is; the
# price is size (Rasa's environment is about 2.5 GB) and memory while training (deploy/kubernetes).
# Build it from the same commit as nlu/Dockerfile: the gateway trains with its nlu/helpline_nlu,
# the Rasa replicas load the model with theirs.
FROM python:3.12-slim
RUN pip install --no-cache-dir uv && apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY bot bot
COPY actions actions
COPY content content
COPY locales locales
COPY nlu/config.yml nlu/domain.yml nlu/
RUN uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH"
# --- the gateway's additions ---
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
# Everything `helpline train` reads under nlu/ (config, domain, rules, our components, the lock).
COPY nlu/pyproject.toml nlu/uv.lock nlu/
COPY nlu/helpline_nlu nlu/helpline_nlu
COPY nlu/data nlu/data
# uv brings its own Python 3.10 (this image's is 3.12). The marker is what bot/rasa_env.py's
# ensure_env compares with nlu/uv.lock: present and equal, training never runs `uv sync` (no
# network needed at run time).
RUN UV_PYTHON_INSTALL_DIR=/opt/uv-python uv sync --frozen --no-dev --directory nlu --python 3.10 \
    && cp nlu/uv.lock nlu/.venv/.helpline-lock
