#!/usr/bin/env bash
# Idle CPU of the real entretien binary (TUI, watcher, recorder, database
# polling) on a dev cluster, measured from /proc over 60 s in a real
# terminal (tmux). Prints CPU seconds per minute and the ratio to wander's
# 0.74 s per quiet minute. Usage: make build agents && bench/tui-idle.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
bin=${ENTRETIEN_BIN:-bin/entretien}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 2; }
session=entretien-idle-$$
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
agents=${ENTRETIEN_AGENTS_DIR:-$HOME/.cache/entretien/agents}
tmux new-session -d -s "$session" -x 120 -y 32 "$bin demo --agents '$agents' 2>/dev/null"
# Wait until the TUI follows both backends, then let the seeded jobs settle.
for _ in $(seq 120); do
	tmux capture-pane -p -t "$session" | grep -q "consul ok" && break
	sleep 1
done
# The demo seeds a job that keeps failing; stop it so the cluster is quiet.
# The status line says which Nomad the demo started.
addr=$(tmux capture-pane -p -t "$session" | grep -o 'nomad ok http://[0-9.:]*' | head -1 | cut -d' ' -f3)
NOMAD_ADDR=${addr:-http://127.0.0.1:4646} "$agents/nomad" job stop -detach -purge backup >/dev/null 2>&1 ||
	echo "note: could not stop the failing demo job; the cluster is not quiet" >&2
sleep 20
pid=$(pgrep -f "^$bin demo" | head -1)
[ -n "$pid" ] || { echo "entretien is not running" >&2; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks "$pid"); sleep "$secs"; t1=$(ticks "$pid")
awk -v d="$((t1 - t0))" -v hz="$hz" -v s="$secs" 'BEGIN {
	per = d / hz * 60 / s
	printf "entretien (TUI, watcher, recorder): %.3f s CPU per minute over %d s\n", per, s
	printf "ratio to wander (0.74 s/min, quiet cluster): %.3f\n", per / 0.74
}'
tmux send-keys -t "$session" q
sleep 3
