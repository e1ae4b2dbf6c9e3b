# The ecsync image: the daemon and its CLI, run as a non-root user.
#
#   docker build -t ecsync .
#   docker run --rm -v "$PWD/manifests:/manifests:ro" ecsync validate /manifests
#   docker run -v "$PWD/manifests:/manifests:ro" -e AWS_REGION=eu-west-1 ecsync  # the daemon
#
# The default command is `ecsync run`, with its source taken from ECSYNC_SOURCE
# (default /manifests, a mounted folder; set it to a Git URL to follow a
# repository). The HTTP endpoints listen where ECSYNC_LISTEN says, 127.0.0.1:8080
# unless set; under ECS awsvpc set ECSYNC_LISTEN=0.0.0.0:8080 so that metrics and
# the Git webhook can be reached from outside the task. The HEALTHCHECK reads the
# same variable, so set the address there rather than with --listen.
#
# BASE_IMAGE is any Debian-based image with python3 (3.11+) and its venv module
# on PATH; every stage uses it. The default is the usual Python image; the
# container tests build from a local Debian base (tests/container/run.sh).
ARG BASE_IMAGE=python:3.11-slim-bookworm

# The venv with the locked dependencies, and no ecsync code yet: a code change
# rebuilds neither this stage nor its copy in the final image.
FROM ${BASE_IMAGE} AS deps
# The machine's package index and CA bundle, for builds behind a mirror or a
# proxy. Build arguments stay in the stage that declares them: none of them
# reaches the final image.
ARG PIP_INDEX_URL
ARG PIP_CERT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml requirements.lock ./
RUN python3 -m venv /opt/ecsync \
    && python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.in \
    && /opt/ecsync/bin/pip install -c requirements.lock -r requirements.in \
    && /opt/ecsync/bin/pip uninstall --yes --quiet setuptools

# ecsync itself, as a wheel.
FROM ${BASE_IMAGE} AS wheel
ARG PIP_INDEX_URL
ARG PIP_CERT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY controller ./controller
COPY ecsync_local ./ecsync_local
RUN python3 -m venv /opt/build \
    && /opt/build/bin/pip wheel --no-deps --wheel-dir /wheels .


FROM ${BASE_IMAGE}

# git fetches Git sources (openssh-client for ssh:// and git@ remotes).
# DL3008: versions come from the base image's Debian release and its security
# updates; exact pins would break the build as soon as the archive moves on.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git openssh-client \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ecsync \
    && useradd --system --uid 10001 --gid ecsync --create-home --home-dir /home/ecsync \
        --shell /usr/sbin/nologin ecsync \
    && install -d -o ecsync -g ecsync /var/cache/ecsync

# The venv's pip installs the wheel here, so that a code change adds a layer of
# the package alone and the venv's layer is reused.
COPY --from=deps /opt/ecsync /opt/ecsync
COPY --from=wheel /wheels /tmp/wheels
RUN /opt/ecsync/bin/pip install --no-index --no-deps --no-cache-dir --disable-pip-version-check \
        /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && /opt/ecsync/bin/ecsync --version

ENV PATH=/opt/ecsync/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ECSYNC_SOURCE=/manifests \
    ECSYNC_CACHE_DIR=/var/cache/ecsync \
    ECSYNC_LOG_FORMAT=json

USER 10001:10001
WORKDIR /home/ecsync
EXPOSE 8080

# /healthz is 200 while the reconcile loop is alive. A wildcard listen address
# is probed on loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/opt/ecsync/bin/python", "-c", "import os, urllib.request as u; h, _, p = os.environ.get('ECSYNC_LISTEN', '127.0.0.1:8080').rpartition(':'); h = h.strip('[]'); h = '127.0.0.1' if h in ('', '0.0.0.0', '::') else h; h = f'[{h}]' if ':' in h else h; u.urlopen(f'http://{h}:{p}/healthz', timeout=4)"]

# ecsync itself is PID 1 and stops cleanly on SIGTERM (docker stop, ECS).
ENTRYPOINT ["ecsync"]
CMD ["run"]
