#!/usr/bin/env bash
# Start (or stop) a private Docker engine for building and running DevTeam images on a machine
# where no engine runs: everything under $DOCKER_DIR, no bridge, no iptables (containers use the
# host network, see docs/docker.md). Prints the DOCKER_HOST to export.
#
# usage: docker/dockerd-local.sh start|stop|status
set -euo pipefail
DOCKER_DIR="${DOCKER_DIR:-/tmp/devteam-docker}"
SOCK="$DOCKER_DIR/docker.sock"
PIDFILE="$DOCKER_DIR/dockerd.pid"

case "${1:-start}" in
  start)
    mkdir -p "$DOCKER_DIR/data" "$DOCKER_DIR/exec"
    if [[ -S "$SOCK" ]] && DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1; then
      echo "export DOCKER_HOST=unix://$SOCK"; exit 0
    fi
    nohup dockerd \
      --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
      --pidfile "$PIDFILE" --host "unix://$SOCK" \
      --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      >"$DOCKER_DIR/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      if DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1; then
        echo "export DOCKER_HOST=unix://$SOCK"; exit 0
      fi
      sleep 0.5
    done
    echo "dockerd did not come up; see $DOCKER_DIR/dockerd.log" >&2; exit 1 ;;
  stop)
    if [[ -f "$PIDFILE" ]]; then
      pid="$(cat "$PIDFILE")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    # dockerd leaves its default network namespace mounted under the exec root.
    if mountpoint -q "$DOCKER_DIR/exec/netns/default" 2>/dev/null; then
      umount "$DOCKER_DIR/exec/netns/default" || true
    fi
    echo "dockerd stopped" ;;
  status)
    DOCKER_HOST="unix://$SOCK" docker info --format '{{.ServerVersion}} {{.Driver}}' ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
