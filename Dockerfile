# dondoc: the bot in one container. Data (the SQLite file, backups) lives in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DONDOC_CONFIG=/app/config.toml \
    DONDOC_DATABASE__PATH=/data/dondoc.sqlite3

RUN useradd --create-home --uid 10001 dondoc && mkdir -p /data /app && chown dondoc /data
WORKDIR /app

# Dependencies first, in their own layer: the code changes more often than they do.
COPY pyproject.toml README.md ./
RUN mkdir -p bot handlers storage/migrations \
    && touch bot/__init__.py handlers/__init__.py storage/__init__.py storage/migrations/__init__.py \
    && pip install . \
    && pip uninstall -y dondoc

COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY templates ./templates
COPY config.example.toml ./config.toml
RUN pip install --no-deps .

USER dondoc
VOLUME ["/data"]

# Healthy when the configuration loads and the database answers.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["dondoc", "health"]

CMD ["dondoc", "run"]
