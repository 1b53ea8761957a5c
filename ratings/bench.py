"""Load benchmark of the ratings service against a baseline (invoke bench-ratings).

Drives, with wrk (Debian package ``wrk``) on loopback, two uvicorn processes
one after the other on this machine:

- the baseline (bench_baseline.py): a minimal Starlette app answering a JSON
  GET and a durable SQLite insert POST (WAL, synchronous=FULL, one row per
  request, committed before the answer);
- the service (``python -m ratings serve``, one process, its default SQLite
  settings: WAL, synchronous=FULL) with a throw-away database: GET
  /api/ratings/{slug}, then POST JSON votes, each from a new voter (another
  user agent and network, forwarded as nginx would).

Each phase runs --seconds after a short warm-up, with --connections keep-alive
connections. Prints requests/s, p50/p99 latency, the ratios service/baseline
and whether the targets are met (GET >= 0.8x with p99 <= 15 ms, POST >= 0.5x).
After the POST phase it checks that the service's totals equal its stored
votes. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SLUGS = [f"bai-viet-thu-{i}" for i in range(50)]
TARGETS = {"get_ratio": 0.8, "get_p99_ms": 15.0, "post_ratio": 0.5}

# wrk scripts (LuaJIT): a summary line of JSON at the end; the POST script makes each request a new voter.
DONE_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK-JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,'
    .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""
POST_LUA = r"""
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
local n = 0
local first = 0
function init(args)
  first = tonumber(args[1] or "0")  -- each wrk run its own voters: a warm-up vote is never replaced
end
request = function()
  n = n + 1
  local k = first + id * 10000000 + n
  local slug = "bai-viet-thu-" .. (k % 50)
  local body = '{"score":' .. (k % 5 + 1) .. '}'
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Origin"] = wrk.scheme .. "://" .. wrk.host .. ":" .. wrk.port
  headers["User-Agent"] = "bench/" .. k
  -- 198.18.0.0/15 is the benchmarking range: 250 voters per /24
  headers["X-Forwarded-For"] = string.format("198.%d.%d.%d", 18 + id % 2, math.floor(k / 250) % 250, k % 250 + 1)
  return wrk.format("POST", PATH, headers, body)
end
"""
BASELINE_POST_LUA = r"""
local n = 0
request = function()
  n = n + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/insert", headers, '{"score":' .. (n % 5 + 1) .. '}')
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"bench: the server on port {port} did not start (exit {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"bench: the server on port {port} did not answer in time")


def wrk_path() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: thiếu công cụ đo tải wrk; cài bằng: sudo apt-get install wrk "
                         "(wrk is missing: apt-get install wrk)")
    return found


def run_wrk(url: str, script: Path, args: argparse.Namespace, seconds: float, first: int = 0) -> dict:
    cmd = [wrk_path(), "-t", str(args.threads), "-c", str(args.connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", "10s", "-s", str(script), url, "--", str(first)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if proc.returncode or line is None:
        raise SystemExit(f"bench: wrk failed ({' '.join(cmd)}):\n{proc.stdout}\n{proc.stderr}")
    r = json.loads(line.split(" ", 1)[1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["p50_ms"], r["p99_ms"] = r["p50_us"] / 1000, r["p99_us"] / 1000
    return r


def phase(url: str, script: Path, args: argparse.Namespace, first: int) -> dict:
    warm = run_wrk(url, script, args, args.warmup, first + 500_000_000) if args.warmup > 0 else {"requests": 0}
    result = run_wrk(url, script, args, args.seconds, first)
    result["warmup_requests"] = warm["requests"]
    return result


def start(cmd: list[str], env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_ready(port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def start_baseline(tmp: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "BASELINE_DB": str(tmp / "baseline.sqlite3")}
    return start([sys.executable, "-m", "uvicorn", "ratings.bench_baseline:app", "--host", "127.0.0.1",
                  "--port", str(port), "--no-access-log", "--log-level", "warning"], env, port), port


def start_service(tmp: Path) -> tuple[subprocess.Popen, int]:
    manifest = tmp / "ratings-manifest.json"
    manifest.write_text(json.dumps({"version": 1, "siteurl": "",
                                    "articles": {s: f"tin-tuc/{s}.html" for s in SLUGS}}))
    port = free_port()
    env = {**os.environ, "RATINGS_DB": str(tmp / "service.sqlite3"), "RATINGS_MANIFEST": str(manifest),
           "RATINGS_SECRET_FILE": str(tmp / "ratings-secret"), "RATINGS_HOST": "127.0.0.1",
           "RATINGS_PORT": str(port), "RATINGS_DATABASE_URL": "", "RATINGS_SYNCHRONOUS": "FULL",
           "RATINGS_TRUSTED_PROXIES": "127.0.0.1",  # as behind nginx: the voters' addresses are forwarded
           "RATINGS_MAX_VOTES_PER_HOUR": "1000000000", "RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY": "1000000000"}
    return start([sys.executable, "-m", "ratings", "serve"], env, port), port


def stored_votes(tmp: Path) -> tuple[int, int, bool]:
    """(baseline rows, service votes, service totals == service votes) after the run."""
    conn = sqlite3.connect(tmp / "baseline.sqlite3")
    (rows,) = conn.execute("SELECT count(*) FROM rows").fetchone()
    conn.close()
    conn = sqlite3.connect(tmp / "service.sqlite3")
    (votes,) = conn.execute("SELECT count(*) FROM votes").fetchone()
    (counted,) = conn.execute("SELECT coalesce(sum(s1 + s2 + s3 + s4 + s5), 0) FROM totals").fetchone()
    conn.close()
    return rows, votes, counted == votes


def measure(tmp: Path, scripts: dict, args: argparse.Namespace) -> list[dict]:
    """Both servers up (an idle one takes no CPU); the phases alternate between them, so a change in
    the machine's load shows in both sides of a ratio, not in one."""
    (base, bport), (svc, sport) = start_baseline(tmp), start_service(tmp)
    rounds = []
    try:
        for r in range(args.rounds):
            first = r * 1_000_000_000
            one = {"baseline": {}, "service": {}}
            one["baseline"]["get"] = phase(f"http://127.0.0.1:{bport}/json", scripts["get"], args, first)
            one["service"]["get"] = phase(f"http://127.0.0.1:{sport}/api/ratings/{SLUGS[1]}", scripts["get"], args,
                                          first)
            one["baseline"]["post"] = phase(f"http://127.0.0.1:{bport}/insert", scripts["baseline_post"], args, first)
            one["service"]["post"] = phase(f"http://127.0.0.1:{sport}/api/ratings", scripts["post"], args, first)
            rounds.append(one)
    finally:
        stop(base)
        stop(svc)
    return rounds


def _print_round(n: int, one: dict) -> None:
    base, svc = one["baseline"], one["service"]
    print(f"round {n}{'':>1}{'baseline req/s':>15}{'p50':>9}{'p99':>9}{'service req/s':>16}{'p50':>9}{'p99':>9}"
          f"{'ratio':>8}")
    for name in ("get", "post"):
        b, s = base[name], svc[name]
        print(f"  {name.upper():5}{b['rps']:>15,.0f}{b['p50_ms']:>7.1f}ms{b['p99_ms']:>7.1f}ms"
              f"{s['rps']:>16,.0f}{s['p50_ms']:>7.1f}ms{s['p99_ms']:>7.1f}ms{s['rps'] / b['rps']:>7.2f}x")
        bad = b["non2xx"] + b["socket_errors"] + s["non2xx"] + s["socket_errors"]
        if bad:
            print(f"  warning: {name.upper()} had {bad} non-2xx answers or socket errors", file=sys.stderr)


def summary(rounds: list[dict], stored: tuple[int, int, bool], args: argparse.Namespace) -> dict:
    def median(values: list[float]) -> float:
        return statistics.median(values)

    get_ratio = median([r["service"]["get"]["rps"] / r["baseline"]["get"]["rps"] for r in rounds])
    post_ratio = median([r["service"]["post"]["rps"] / r["baseline"]["post"]["rps"] for r in rounds])
    get_p99 = median([r["service"]["get"]["p99_ms"] for r in rounds])
    met = {"get": get_ratio >= TARGETS["get_ratio"] and get_p99 <= TARGETS["get_p99_ms"],
           "post": post_ratio >= TARGETS["post_ratio"]}
    acknowledged = sum(r["service"]["post"]["requests"] + r["service"]["post"]["warmup_requests"]
                       - r["service"]["post"]["non2xx"] for r in rounds)
    rows, votes, consistent = stored
    print(f"service POST: {acknowledged:,} votes acknowledged (warm-ups included), {votes:,} stored (the votes in "
          f"flight when a wrk run stops, up to {args.connections} a run, are stored but not counted by wrk); "
          f"totals equal stored votes: {'yes' if consistent else 'NO'}")
    which = "" if len(rounds) == 1 else f" (medians of {len(rounds)} rounds)"
    print(f"GET ratio {get_ratio:.2f}x, service p99 {get_p99:.1f} ms; POST ratio {post_ratio:.2f}x{which}")
    print(f"targets: GET >= {TARGETS['get_ratio']}x with p99 <= {TARGETS['get_p99_ms']:g} ms: "
          f"{'met' if met['get'] else 'NOT met'}; POST >= {TARGETS['post_ratio']}x: "
          f"{'met' if met['post'] else 'NOT met'}")
    return {"rounds": rounds, "get_ratio": get_ratio, "get_p99_ms": get_p99, "post_ratio": post_ratio,
            "met": met, "baseline_rows": rows, "service_votes": votes, "totals_equal_votes": consistent,
            "connections": args.connections, "seconds": args.seconds, "cpus": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="ratings.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="measured time per phase")
    ap.add_argument("--warmup", type=float, default=2.0, help="unmeasured time before each phase (0: none)")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of the four phases; the medians are judged")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads (the server gets the other cores)")
    ap.add_argument("--json", default="", help="also write the figures to this file")
    args = ap.parse_args(argv)
    wrk_path()
    with tempfile.TemporaryDirectory(prefix="ratings-bench-") as name:
        tmp = Path(name)
        scripts = {"get": tmp / "get.lua", "post": tmp / "post.lua", "baseline_post": tmp / "baseline_post.lua"}
        scripts["get"].write_text(DONE_LUA)
        scripts["post"].write_text(POST_LUA.replace("PATH", '"/api/ratings/" .. slug') + DONE_LUA)
        scripts["baseline_post"].write_text(BASELINE_POST_LUA + DONE_LUA)
        version = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True).stdout.split(" [")[0]
        print(f"ratings bench: {version.strip()}, {args.connections} connections, {args.threads} wrk thread(s), "
              f"{args.seconds:g} s per phase after {args.warmup:g} s warm-up, {args.rounds} round(s); one uvicorn "
              f"process each; SQLite WAL synchronous=FULL; {os.cpu_count()} CPUs shared by client and servers; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        rounds = []
        for n, one in enumerate(measure(tmp, scripts, args), 1):
            _print_round(n, one)
            rounds.append(one)
        result = summary(rounds, stored_votes(tmp), args)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
