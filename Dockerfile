# Action server image (our code on a current Python).
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
