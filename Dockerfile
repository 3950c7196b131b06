# syntax=docker/dockerfile:1
# tradescreen worker image. Two stages so the runtime image carries an installed virtualenv
# and no source tree, build cache or pip cache.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A C compiler for the mypyc-compiled name-matching modules (setup.py); build stage only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# .dockerignore admits only pyproject.toml, setup.py, README.md and the three packages.
COPY . .
# All runtime dependencies ship manylinux wheels for CPython 3.11; the compiler above is
# for our own modules. The build backend (setuptools, mypyc) comes from pyproject's
# build-system through build isolation.
RUN pip install .


FROM python:3.11-slim AS runtime
LABEL org.opencontainers.image.title="tradescreen" \
      org.opencontainers.image.description="Real-time export-control and sanctions screening on Kafka streams"

# Fixed non-root uid/gid so Kubernetes runAsUser and volume ownership can refer to it.
ARG APP_UID=10001
RUN groupadd --system --gid ${APP_UID} tradescreen \
 && useradd --system --uid ${APP_UID} --gid tradescreen --no-create-home \
      --home-dir /var/lib/tradescreen --shell /usr/sbin/nologin tradescreen \
 && mkdir -p /var/lib/tradescreen/data /var/lib/tradescreen/lists \
 && chown -R tradescreen:tradescreen /var/lib/tradescreen

COPY --from=build /opt/venv /opt/venv

# Containers must listen on all interfaces (the settings default is loopback); state lives
# under /var/lib/tradescreen so a volume or emptyDir can be mounted there.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TRADESCREEN_WEB_HOST=0.0.0.0 \
    TRADESCREEN_WEB_PORT=6066 \
    TRADESCREEN_DATA_DIR=/var/lib/tradescreen/data

# Numeric, so Kubernetes can verify runAsNonRoot without resolving names.
USER ${APP_UID}:${APP_UID}
WORKDIR /var/lib/tradescreen
EXPOSE 6066

# The slim image has no curl; the stdlib client fails (non-zero exit) on connection errors
# and on any HTTP status >= 400. Only meaningful for `worker`; one-shot commands
# (topics create, lists load/fetch) should disable it (docker-compose.yml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('TRADESCREEN_WEB_PORT', '6066'), timeout=4)"]

ENTRYPOINT ["tradescreen"]
CMD ["worker"]
