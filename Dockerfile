# dondoc: the bot in one container. Data (the SQLite file, backups) lives in the /data volume.
# BASE lets scripts/check-image build on a stand-in made with debootstrap when the registry
# cannot be reached; anyone else keeps the default.
ARG BASE=python:3.11-slim

# The dependencies' list from pyproject.toml, made apart: the layer that installs them below
# is rebuilt only when this list changes, not for the code, the README or the tool settings.
FROM ${BASE} AS requirements
WORKDIR /src
COPY pyproject.toml scripts/install_app.py ./
RUN python install_app.py requirements > requirements.txt

FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DONDOC_CONFIG=/app/config.toml \
    DONDOC_DATABASE__PATH=/data/dondoc.sqlite3 \
    DONDOC_DATABASE__BACKUP_DIR=/data/backups

# A numeric user, so that runAsNonRoot and the like can verify it is not root.
RUN groupadd --gid 10001 dondoc \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /data dondoc \
    && mkdir -p /data/backups /app \
    && chown -R 10001:10001 /data
WORKDIR /app

# Dependencies first, in their own layer.
COPY --from=requirements /src/requirements.txt ./
RUN python -m pip install -r requirements.txt

# Then the code, without dependencies, built from a clean copy (see scripts/install_app.py).
COPY pyproject.toml README.md ./
COPY scripts/install_app.py ./scripts/
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY templates ./templates
COPY config.example.toml ./config.toml
RUN python scripts/install_app.py code

USER 10001:10001
VOLUME ["/data"]
# Webhook mode ([telegram] webhook_url set) listens here; long polling needs no port.
EXPOSE 8443

# Healthy when the configuration loads and the database answers. Kept by Docker; podman and
# buildah keep it only in the docker format (`--format docker`), not in OCI images.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["dondoc", "health"]

CMD ["dondoc", "run"]
