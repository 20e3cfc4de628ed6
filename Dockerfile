# syntax=docker/dockerfile:1
# Yilian (一链) container image: one image for every process (web, worker, migrate job).
# Build:  docker build -t yilian .      Run: see deploy/compose.yaml and docs/DEPLOY.md.
# Pin the base image by digest for a build that is reproducible to the byte:
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:… .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: wheels of the locked dependencies (every download checked against the
# hash in requirements/runtime.txt) and of Yilian itself. No compiler is needed: every
# locked package has a wheel for this platform, and --only-binary keeps it so.
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements/ requirements/
RUN python -m pip install --require-hashes -r requirements/build.txt \
    && python -m pip wheel --require-hashes --only-binary=:all: --wheel-dir /wheels \
        -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY src/ src/
RUN python -m pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

# --- runtime: the wheels installed into a virtualenv, static files collected, non-root.
FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/yilian/bin:$PATH \
    YILIAN_DATA_DIR=/var/lib/yilian \
    YILIAN_STATIC_ROOT=/opt/yilian/static
# CJK and Latin TrueType fonts for the license PDFs (yilian.licenses.fonts), as the
# Debian release of the base image ships them (its security updates included).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 yilian \
    && useradd --system --uid 10001 --gid yilian --home-dir /var/lib/yilian \
        --shell /usr/sbin/nologin yilian \
    && install -d -o yilian -g yilian -m 0700 /var/lib/yilian
# The wheels are mounted from the builder, not copied: they add no layer to the image.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv /opt/yilian \
    && /opt/yilian/bin/pip install --no-index --no-deps /wheels/*.whl
# Static files collected now, into a folder the service user can read but not change;
# YILIAN_STATIC_ROOT tells `yilian serve` not to collect them again at start. Hashed
# names and compressed copies, as production serves them (the build has no database
# URL, so it must be told). The throwaway data dir only exists because settings load.
RUN YILIAN_DATA_DIR=/tmp/build-data YILIAN_STATIC_MANIFEST=1 \
        yilian manage collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-data
# Numeric, so that Kubernetes' runAsNonRoot can tell it is not root.
USER 10001:10001
WORKDIR /var/lib/yilian
EXPOSE 8000
# Liveness only (/healthz answers without the HTTPS redirect and host checks, DESIGN.md
# §5); readiness (/readyz) is the orchestrator's or the load balancer's probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["yilian", "serve", "--host", "0.0.0.0", "--port", "8000"]
