#!/usr/bin/env bash
# Peak resident memory of a command, split at a line it prints: runs COMMAND, samples /proc/PID/status (VmRSS and the
# kernel's high-water mark VmHWM) every INTERVAL seconds, and reports the peak before the first output line containing
# MARKER (by default `step N/N`, the line the text trainer prints after its last training step, before the final
# validation pass) and the peak of the whole run. The command's output goes to stderr unchanged; the report is one JSON
# line on stdout.
#   bash bench/peak-rss.sh [--marker TEXT] [--interval SECONDS] -- COMMAND [ARGS...]
# Fields: rss_before_mb (largest sampled VmRSS before the marker), hwm_at_marker_mb (VmHWM read when the marker line
# arrives: exact, since the kernel keeps it, unlike sampling), rss_run_mb (largest sampled VmRSS of the whole run),
# hwm_run_mb (the kernel's peak of the whole run: ru_maxrss from wait4), seconds_to_marker, seconds, samples, exit_code.
# The figures are the process's own (the dotnet host runs the program in-process), MB = 2^20 bytes.
set -euo pipefail
marker=''
interval=0.25
while [ $# -gt 0 ]; do
  case "$1" in
    --marker) marker="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: bash bench/peak-rss.sh [--marker TEXT] [--interval SECONDS] -- COMMAND [ARGS...]" >&2; exit 2; }
exec python3 - "$marker" "$interval" "$@" <<'PY'
import json, os, re, subprocess, sys, threading, time

marker, interval, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
# Default marker: "step N/N", the trainer's line after its last step.
step_line = re.compile(r"\bstep (\d+)/(\d+)\b")

def status(pid):
    rss = hwm = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"): rss = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"): hwm = int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return rss, hwm

start = time.monotonic()
proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
lock = threading.Lock()
state = {"rss_before": 0, "rss_run": 0, "hwm_run": 0, "hwm_marker": None, "t_marker": None, "samples": 0}

def marked():
    return state["t_marker"] is not None

def sample():
    rss, hwm = status(proc.pid)
    with lock:
        if rss is not None:
            state["samples"] += 1
            state["rss_run"] = max(state["rss_run"], rss)
            if not marked(): state["rss_before"] = max(state["rss_before"], rss)
        if hwm is not None: state["hwm_run"] = max(state["hwm_run"], hwm)
    return hwm

done = threading.Event()

def sampler():
    while not done.is_set():
        sample()
        done.wait(interval)

t = threading.Thread(target=sampler, daemon=True)
t.start()
buf = b""
for chunk in iter(lambda: proc.stdout.read(4096), b""):
    sys.stderr.buffer.write(chunk)
    sys.stderr.flush()
    if marked(): continue
    buf += chunk
    # Progress bars rewrite one line with carriage returns: split on both.
    lines = re.split(rb"[\r\n]", buf)
    buf = lines.pop()
    for raw in lines:
        line = raw.decode("utf-8", "replace")
        m = step_line.search(line)
        if (marker in line) if marker else (m is not None and m.group(1) == m.group(2)):
            hwm = sample()
            with lock:
                state["t_marker"] = time.monotonic() - start
                state["hwm_marker"] = hwm
            break
# wait4 rather than Popen.wait: the kernel's ru_maxrss is the whole run's peak, including the last interval.
_, wstatus, usage = os.wait4(proc.pid, 0)
done.set()
t.join()
code = proc.returncode = os.waitstatus_to_exitcode(wstatus)
with lock: state["hwm_run"] = max(state["hwm_run"], usage.ru_maxrss * 1024)
mb = lambda b: None if b is None else round(b / 2**20, 1)
print(json.dumps({
    "command": " ".join(cmd),
    "rss_before_mb": mb(state["rss_before"]) if marked() else None,
    "hwm_at_marker_mb": mb(state["hwm_marker"]),
    "rss_run_mb": mb(state["rss_run"]),
    "hwm_run_mb": mb(state["hwm_run"]),
    "seconds_to_marker": None if state["t_marker"] is None else round(state["t_marker"], 1),
    "seconds": round(time.monotonic() - start, 1),
    "samples": state["samples"],
    "exit_code": code,
}))
sys.exit(0 if code == 0 else code)
PY
