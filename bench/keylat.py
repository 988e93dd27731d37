#!/usr/bin/env python3
"""keylat.py: key press -> its frame, for a TUI in tmux.

  keylat.py [-n 100] [-k Tab] [-m REGEX] [-g 160x45] -- CMD [ARGS...]

Runs CMD in a private tmux server, waits for REGEX on screen, then presses
KEY N times, one press every 300 ms. A tmux control-mode client (-C) reports
each write of the pane (%output) as it happens: the latency of a press is
from send-keys to the first write after it. Prints p50, p95 and max in ms.
The TUI's environment is this one's (NOMAD_ADDR, CONSUL_HTTP_ADDR, ...).
"""
import argparse, os, re, shlex, statistics, subprocess, sys, threading, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-n', type=int, default=100)
    ap.add_argument('-k', default='Tab')
    ap.add_argument('-m', default='consul ok')
    ap.add_argument('-g', default='160x45')
    ap.add_argument('-l', default='tui')
    ap.add_argument('cmd', nargs='+')
    a = ap.parse_args()
    W, H = a.g.split('x')
    sock = f'keylat-{os.getpid()}'
    tm = ['tmux', '-L', sock, '-f', '/dev/null']
    run = lambda *args: subprocess.run(tm + list(args), capture_output=True, text=True, check=True).stdout
    try:
        run('new-session', '-d', '-s', 'k', '-x', W, '-y', H, 'sleep 86400')
        run('set', '-g', 'status', 'off')
        run('set', '-g', 'window-size', 'manual')
        run('resize-window', '-t', 'k', '-x', W, '-y', H)
        env = ' '.join(shlex.quote(f'{k}={v}') for k, v in os.environ.items() if k in ('NOMAD_ADDR', 'CONSUL_HTTP_ADDR', 'ENTRETIEN_DB', 'HOME', 'PATH', 'TERM'))
        run('respawn-pane', '-k', '-t', 'k', 'exec env ' + env + ' ' + ' '.join(shlex.quote(c) for c in a.cmd))
        rx = re.compile(a.m); t0 = time.monotonic()
        while not rx.search(run('capture-pane', '-p', '-t', 'k')):
            if time.monotonic() - t0 > 60: sys.exit(f'{a.l}: no frame matching {a.m!r} within 60 s')
            time.sleep(0.05)
        time.sleep(3)
        ctl = subprocess.Popen(tm + ['-C', 'attach', '-t', 'k'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        outputs = []  # monotonic times of %output lines
        lock = threading.Lock()
        def reader():
            for line in ctl.stdout:
                if line.startswith('%output'):
                    with lock: outputs.append(time.monotonic())
        threading.Thread(target=reader, daemon=True).start()
        time.sleep(1)
        lat = []
        for _ in range(a.n):
            with lock: outputs.clear()
            sent = time.monotonic()
            run('send-keys', '-t', 'k', a.k)
            deadline = sent + 2
            got = None
            while time.monotonic() < deadline:
                with lock:
                    after = [t for t in outputs if t >= sent]
                if after: got = after[0]; break
                time.sleep(0.0005)
            lat.append((got - sent) * 1000 if got else float('inf'))
            time.sleep(0.3)
        ctl.stdin.close(); ctl.terminate()
        ok = sorted(x for x in lat if x != float('inf'))
        miss = len(lat) - len(ok)
        q = statistics.quantiles(ok, n=100) if len(ok) > 1 else ok * 99
        print(f'label={a.l} presses={a.n} key={a.k} p50_ms={q[49]:.1f} p95_ms={q[94]:.1f} max_ms={ok[-1]:.1f} missed={miss}')
    finally:
        subprocess.run(tm + ['kill-server'], capture_output=True)

if __name__ == '__main__':
    main()
