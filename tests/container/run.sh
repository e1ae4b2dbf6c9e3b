#!/usr/bin/env bash
# The container image, built and run end to end against a simulated AWS.
#
#   tests/container/run.sh
#
#  1. Uses the Docker engine that answers, or starts one with its data under
#     $ECSYNC_CT_ROOT (default /tmp/ecsync-docker), first installing docker.io
#     and debootstrap with apt-get when they are missing (needs root).
#  2. Builds a Debian bookworm base from Debian's packages, as no registry is
#     reachable: local/debian-python:bookworm, built once and then reused. It
#     trusts this machine's CA certificates (so that pip reaches PyPI through the
#     egress proxy): it is for tests only.
#  3. Builds the Dockerfile on that base (--network host: pip needs PyPI).
#  4. Runs the image with host networking against ecsync's local moto on
#     127.0.0.1 and checks that: `ecsync validate` works on manifests mounted
#     read-only; the image holds no moto, and `ecsync local` says what to
#     install and exits 1; the daemon (the image's default command) converges the sample
#     manifests; the Docker health check turns healthy; the user is not root;
#     `docker stop` ends it within 10 s with exit status 0.
#
# Exits non-zero, naming the check that failed, on any failure. Containers,
# the moto server and an engine this script started are stopped on exit;
# images and the base stay cached under $ECSYNC_CT_ROOT, which grows by the
# venv's size whenever the dependencies change: delete it to start cold.
#
# Timings on a 2-CPU machine: 2 minutes cold (debootstrap 50 s, the image
# 50 s; 3 minutes with installing docker.io), 10 s warm, 30 to 60 s after a
# code change (only the wheel is rebuilt) on a busy machine.
#
# Environment: ECSYNC_CT_ROOT, ECSYNC_CT_IMAGE (tag to build, default
# ecsync:test), BASE_IMAGE (build FROM this image instead of the Debian base).
set -euo pipefail
cd "$(dirname "$0")/../.."

root=${ECSYNC_CT_ROOT:-/tmp/ecsync-docker}
image=${ECSYNC_CT_IMAGE:-ecsync:test}
base_tag=local/debian-python:bookworm
python=.venv/bin/python
export DOCKER_BUILDKIT=0 # the legacy builder: BuildKit is not part of docker.io here

started=$SECONDS
phase_started=$SECONDS
container=""
moto_pid=""
dockerd_pid=""
work=""

say() { printf 'container-test: %s\n' "$*" >&2; }
fail() {
    say "FAILED: $*"
    exit 1
}
phase() {
    say "$1 ($((SECONDS - phase_started)) s)"
    phase_started=$SECONDS
}

cleanup() {
    local status=$?
    set +e
    if [ -n "$container" ]; then
        if [ "$status" -ne 0 ]; then
            say "last logs of $container:"
            docker logs --tail 40 "$container" 2>&1 | sed 's/^/    /' >&2
        fi
        docker rm -f "$container" >/dev/null 2>&1
    fi
    if [ -n "$moto_pid" ]; then
        kill "$moto_pid" 2>/dev/null
        wait "$moto_pid" 2>/dev/null
    fi
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null
        for _ in $(seq 100); do
            kill -0 "$dockerd_pid" 2>/dev/null || break
            sleep 0.2
        done
        # dockerd leaves its network namespace mounts behind under the exec root.
        awk -v dir="$root/exec/" 'index($2, dir) == 1 {print $2}' /proc/mounts \
            | sort -r | xargs -r -n1 umount -l
    fi
    [ -n "$work" ] && rm -rf "$work"
    if [ "$status" -eq 0 ]; then
        say "all checks passed in $((SECONDS - started)) s"
    else
        say "failed after $((SECONDS - started)) s"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$root"
exec 9>"$root/lock"
flock 9 # one run at a time: they would share the engine and its data
# (background processes below get `9>&-`, so that none of them keeps the lock)

[ -x "$python" ] || fail "no $python: run ./dev test first (it creates the venv)"
work=$(mktemp -d)

# 1. The engine.
ensure_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    [ ${#missing[@]} -eq 0 ] && return
    [ "$(id -u)" -eq 0 ] || fail "need ${missing[*]}; install them or run as root"
    say "installing ${missing[*]} ..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]}"
}

if ! docker version >/dev/null 2>&1; then
    export DOCKER_HOST="unix://$root/docker.sock"
    if ! docker version >/dev/null 2>&1; then
        ensure_packages
        rm -f "$root/docker.sock" "$root/docker.pid"
        dockerd --iptables=false --ip6tables=false --bridge=none \
            -H "$DOCKER_HOST" --data-root "$root/data" --exec-root "$root/exec" \
            --pidfile "$root/docker.pid" >"$root/dockerd.log" 2>&1 9>&- &
        dockerd_pid=$!
        for _ in $(seq 150); do
            docker version >/dev/null 2>&1 && break
            kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited; see $root/dockerd.log"
            sleep 0.2
        done
        docker version >/dev/null 2>&1 || fail "dockerd not ready after 30 s; see $root/dockerd.log"
    fi
fi
phase "engine ready at ${DOCKER_HOST:-the default socket}"

# 2. The base image.
base=${BASE_IMAGE:-$base_tag}
if [ "$base" = "$base_tag" ] && ! docker image inspect "$base" >/dev/null 2>&1; then
    ensure_packages
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
        || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    rootfs="$work/rootfs"
    say "debootstrap bookworm from $mirror ..."
    debootstrap --variant=minbase \
        --include=python3,python3-venv,git,ca-certificates,openssh-client,passwd \
        bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap"; }
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || fail "update-ca-certificates"
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'LABEL org.ecsync.test-only="trusts the build machine CA certificates"' \
        --change 'CMD ["/bin/bash"]' - "$base" >/dev/null || fail "docker import of the base"
    rm -rf "$rootfs"
    phase "built the base $base"
elif [ "$base" = "$base_tag" ]; then
    phase "base $base present"
else
    phase "base $base (BASE_IMAGE)"
fi

# 3. The image. pip inside the build uses this machine's index (when it is an
# http(s) one) and the base's CA bundle; build arguments stay in the build stage.
build_args=(--build-arg "BASE_IMAGE=$base")
if [ "$base" = "$base_tag" ]; then
    build_args+=(--build-arg "PIP_CERT=/etc/ssl/certs/ca-certificates.crt")
fi
index=${PIP_INDEX_URL:-$("$python" -m pip config get global.index-url 2>/dev/null || true)}
case "$index" in
http://* | https://*) build_args+=(--build-arg "PIP_INDEX_URL=$index") ;;
esac
docker build --network host "${build_args[@]}" -t "$image" . >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; fail "docker build"; }
phase "built $image ($(($(docker image inspect -f '{{.Size}}' "$image") / 1000000)) MB)"

# 4. The checks.
free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

"$python" -m tests.container.local_aws >"$work/moto.out" 2>"$work/moto.err" 9>&- &
moto_pid=$!
# Importing moto takes seconds, and 10 or more on a busy 2-CPU machine: wait up to 60 s.
for _ in $(seq 600); do
    [ -s "$work/moto.out" ] && break
    kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.err" >&2; fail "local moto exited"; }
    sleep 0.1
done
endpoint=$(head -1 "$work/moto.out")
[ -n "$endpoint" ] || fail "local moto printed no endpoint"

manifests="$PWD/manifests"
out=$(docker run --rm --network host -v "$manifests:/manifests:ro" "$image" validate /manifests 2>&1) \
    || fail "ecsync validate inside the image: $out"
grep -q ': valid$' <<<"$out" || fail "ecsync validate printed: $out"
phase "validate on read-only manifests: $out"

# The image carries no moto: the embedded AWS is the optional `local` extra.
if docker run --rm --entrypoint /opt/ecsync/bin/python "$image" -c "import moto" >/dev/null 2>&1; then
    fail "moto is importable in the image"
fi
status=0
out=$(docker run --rm --network host "$image" local 2>&1) || status=$?
[ "$status" -eq 1 ] || fail "ecsync local in the image exited $status, not 1: $out"
grep -q "pip install 'ecsync\[local\]'" <<<"$out" || fail "ecsync local printed: $out"
phase "no moto in the image; ecsync local says to install ecsync[local]"

port=$(free_port)
container="ecsync-ct-$$"
# The image's default command (`run`, source /manifests) with the address in
# ECSYNC_LISTEN, which the HEALTHCHECK reads too; the health check runs every
# second here instead of every 30 s.
docker run -d --name "$container" --network host \
    -v "$manifests:/manifests:ro" \
    -e "AWS_ENDPOINT_URL=$endpoint" -e AWS_REGION=us-east-1 \
    -e AWS_ACCESS_KEY_ID=testing -e AWS_SECRET_ACCESS_KEY=testing \
    -e "ECSYNC_LISTEN=127.0.0.1:$port" \
    --health-interval 1s --health-timeout 5s --health-retries 3 --health-start-period 60s \
    "$image" >/dev/null || fail "docker run of the daemon"

wait_for() { # seconds, description, command...
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$what"
        [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] \
            || fail "$what: the container stopped"
        sleep 0.5
    done
}
logs_have() { docker logs "$container" 2>&1 | grep -q "$1"; }
healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$container")" = healthy ]; }

wait_for 60 "the daemon converges the sample manifests (sync_ready in its logs)" \
    logs_have '"event": "sync_ready"'
errors=$(docker logs "$container" 2>&1 | grep -c '"level": "error"' || true)
[ "$errors" -eq 0 ] || fail "the daemon logged $errors error(s) while converging"
"$python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/readyz', timeout=5)" \
    || fail "GET /readyz from the host"
phase "daemon converged; /readyz answers the host"

wait_for 30 "the Docker health check turns healthy" healthy
phase "health check healthy"

uid=$(docker exec "$container" id -u) || fail "docker exec id -u"
[ "$uid" != 0 ] || fail "the container runs as root"
docker exec "$container" git --version >/dev/null || fail "git is not runnable in the image"
phase "runs as uid $uid; git present"

stop_started=$(date +%s%N)
docker stop -t 10 "$container" >/dev/null || fail "docker stop"
stop_ms=$((($(date +%s%N) - stop_started) / 1000000))
[ "$stop_ms" -lt 10000 ] || fail "docker stop took ${stop_ms} ms (SIGTERM ignored?)"
code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
[ "$code" -eq 0 ] || fail "exit status $code after docker stop"
logs_have '"event": "daemon_stopped"' || fail "no daemon_stopped event after SIGTERM"
phase "docker stop: exit 0 after ${stop_ms} ms"
