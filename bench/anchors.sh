#!/usr/bin/env bash
# anchors.sh: entretien beside wander and damon on a dev cluster, quiet and
# under churn, each TUI in its own tmux server (bench/measure-tui.sh: CPU of
# the process tree from /proc, RSS, first frame with data, Nomad and Consul
# requests through logging proxies), ROUNDS interleaved rounds; then the key
# press -> frame latency of entretien (bench/keylat.py, 100 presses). Prints
# each figure (min/median/max over the rounds) and its ratio to the others.
#
#   make build agents && bench/anchors.sh
#   WANDER=/path/wander DAMON=/path/damon bench/anchors.sh
#
# env: WANDER, DAMON: the anchors' binaries (build them from their public
#        sources in a scratch folder: robinovitch61/wander at 9b0f9b4,
#        hashicorp/damon at d092148, `go build`). Without them, bench/live's
#        wander-like (GET /v1/jobs every 2 s) and damon-like (event stream +
#        GET per allocation event) request patterns stand in.
#      BEFORE: another entretien binary to measure beside (e.g. a build of
#        an older commit), labelled "before".
#      ROUNDS (3), WINDOW (60 s of no key pressed per measure), REGIMES
#        ("quiet churn"), OUT (a temp folder, kept), ENTRETIEN_BIN
#        (bin/entretien), KEYS (100 presses; 0: skip).
# Each regime starts its own dev cluster (bench/live -serve) under the
# shared agents lock /tmp/entretien-agents.lock, and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-3}; WINDOW=${WINDOW:-60}; REGIMES=${REGIMES:-quiet churn}; KEYS=${KEYS:-100}
BIN=${ENTRETIEN_BIN:-$ROOT/bin/entretien}
[ -x "$BIN" ] || { echo "build first: make build" >&2; exit 2; }
OUT=${OUT:-$(mktemp -d /tmp/entretien-anchors.XXXXXX)}; mkdir -p "$OUT"
export ENTRETIEN_AGENTS_DIR=${ENTRETIEN_AGENTS_DIR:-$HOME/.cache/entretien/agents}
go build -o "$OUT/live" ./bench/live
M=$ROOT/bench/measure-tui.sh

labels=(entretien)
declare -A CMD MATCH
CMD[entretien]="$BIN --site-key meta.site"
MATCH[entretien]='nomad ok.*consul ok'
if [ -n "${BEFORE:-}" ]; then labels+=(before); CMD[before]="$BEFORE --site-key meta.site"; MATCH[before]='nomad ok.*consul ok'; fi
if [ -n "${WANDER:-}" ]; then labels+=(wander); CMD[wander]=$WANDER; else labels+=(wander_like); CMD[wander_like]="$OUT/live -pattern wander"; fi
if [ -n "${DAMON:-}" ]; then labels+=(damon); CMD[damon]=$DAMON; else labels+=(damon_like); CMD[damon_like]="$OUT/live -pattern damon"; fi
for l in "${labels[@]}"; do MATCH[$l]=${MATCH[$l]:-garage}; done
echo "anchors: $(date -u +%FT%TZ) $(uname -m) $(nproc) cores; rounds=$ROUNDS window=${WINDOW}s out=$OUT" | tee "$OUT/log.txt"
for l in "${labels[@]}"; do echo "  $l: ${CMD[$l]}" | tee -a "$OUT/log.txt"; done

for regime in $REGIMES; do
	(
		exec 9>/tmp/entretien-agents.lock
		flock 9
		env_file=$OUT/$regime.env
		rm -f "$env_file"
		"$OUT/live" -serve "$env_file" -regime "$regime" 2>"$OUT/$regime-cluster.log" &
		serve=$!
		trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null || true' EXIT
		for _ in $(seq 300); do [ -s "$env_file" ] && break; kill -0 $serve 2>/dev/null || { echo "cluster failed: $OUT/$regime-cluster.log" >&2; exit 1; }; sleep 1; done
		# shellcheck disable=SC1090
		. "$env_file"
		[ "$regime" = churn ] && sleep 20 # let the churn start
		raw=$OUT/$regime.tsv
		for r in $(seq "$ROUNDS"); do
			for l in "${labels[@]}"; do
				read -r -a cmd <<<"${CMD[$l]}"
				"$M" -a "$NOMAD_ADDR" -C "$CONSUL_HTTP_ADDR" -n "$l" -r 1 -P 1 -w "$WINDOW" -s 5 -m "${MATCH[$l]}" \
					-e "CONSUL_HTTP_ADDR=$CONSUL_HTTP_ADDR" -e "ENTRETIEN_DB=$OUT/$l.db" -e "HOME=$OUT" \
					-o "$OUT/$regime-round$r" -R "$raw" -- "${cmd[@]}" >>"$OUT/log.txt" 2>>"$OUT/$regime-measure.log" ||
					echo "  $regime round $r $l: failed (see $OUT/$regime-measure.log)" | tee -a "$OUT/log.txt"
			done
		done
		"$M" --summarize "$raw" >"$OUT/$regime-summary.txt"
		echo "$regime: $(NOMAD_ADDR=$NOMAD_ADDR CONSUL_HTTP_ADDR=$CONSUL_HTTP_ADDR "$OUT/live" -first 15)" >>"$OUT/first.txt"
		if [ "$regime" = quiet ] && [ "$KEYS" -gt 0 ]; then
			for l in entretien before; do
				[ -n "${CMD[$l]:-}" ] || continue
				read -r -a cmd <<<"${CMD[$l]}"
				NOMAD_ADDR=$NOMAD_ADDR CONSUL_HTTP_ADDR=$CONSUL_HTTP_ADDR ENTRETIEN_DB=$OUT/$l.db \
					python3 bench/keylat.py -n "$KEYS" -k Tab -l "$l" -- "${cmd[@]}" >>"$OUT/keys.txt" 2>>"$OUT/$regime-measure.log" ||
					echo "  keys $l: failed" | tee -a "$OUT/log.txt"
			done
		fi
	)
done

# The report: per regime, each figure per label (min/median/max over the
# rounds, CPU as seconds per minute), and the ratio of entretien's median
# to each other label's.
python3 - "$OUT" "$WINDOW" $REGIMES <<'PY'
import os, re, sys
out, window, regimes = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
def parse(path):
    rows = {}
    for line in open(path):
        kv = dict(p.split('=', 1) for p in line.split() if '=' in p)
        rows[kv['label']] = kv
    return rows
def trip(s, scale=1.0):
    if not s: return None
    return [float(x) * scale for x in s.split('/')]
figs = [('first frame with data, ms', 'first_job_ms', 1.0), ('TUI CPU s per minute', 'tui_cpu_s', None),
        ('RSS MB', 'tui_rss_mb', 1.0), ('  of which anonymous, MB', 'tui_anon_mb', 1.0),
        ('  of which file-backed, MB', 'tui_file_mb', 1.0), ('Nomad requests per minute', 'req_per_min', 1.0),
        ('Consul requests per minute', 'consul_req_per_min', 1.0), ('tmux CPU s per minute', 'tmux_cpu_s', None)]
for regime in regimes:
    p = os.path.join(out, f'{regime}-summary.txt')
    if not os.path.exists(p): print(f'{regime}: no summary'); continue
    rows = parse(p)
    print(f'== {regime} (min/median/max over rounds; ratio = entretien median / other median)')
    for name, key, scale in figs:
        cells = []
        ours = None
        for lab, kv in rows.items():
            el = float(kv.get('window_s', window))
            t = trip(kv.get(key), scale if scale else 60.0 / el)
            if t is None: continue
            if lab == 'entretien': ours = t[1]
            cells.append((lab, t))
        if not cells: continue
        line = f'  {name:28s}' + '  '.join(f'{lab} {"/".join(f"{x:.3g}" for x in t)}' for lab, t in cells)
        ratios = [f'/{lab} {ours / t[1]:.2f}' for lab, t in cells if lab != 'entretien' and ours is not None and t[1] > 0]
        print(line + ('   ratio ' + ' '.join(ratios) if ratios else ''))
    for lab, kv in rows.items():
        print(f'  {lab}: paths {kv.get("paths", "-")}; streams {kv.get("streams", "-")}; ok {kv.get("ok")}')
f = os.path.join(out, 'first.txt')
if os.path.exists(f):
    print('== sources.Watcher alone, in process (bench/live -first)')
    for line in open(f): print('  ' + line.strip())
k = os.path.join(out, 'keys.txt')
if os.path.exists(k):
    print('== key press -> frame in tmux (Tab, quiet cluster)')
    for line in open(k): print('  ' + line.strip())
PY
