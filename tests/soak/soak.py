#!/usr/bin/env python3
"""Soak test of a running tenure on loopback: mixed load, hostile clients,
reloads; reports failures, latency against a quiet run, and memory.

    tests/soak/soak.py [--seconds 600] [--binary target/release/tenure]

Starts `tenure serve` on 127.0.0.1 (port 0 everywhere) over copies of the
sample data in a temporary directory, then:
1. a quiet run (a fifth of the time, at most 60 s): well-behaved clients
   only, for the baseline p99 latency;
2. the soak: the same clients, plus hostile ones (idle connections, clients
   that send a bulk session and never read, one byte a second, random
   bytes), and a reload every 30 s alternating a good dump, a corrupt one
   (refused: the old data keeps serving) and a rewritten lease file.
Well-behaved clients come from 127.0.0.2-9, hostile ones from 127.0.1.x,
so per-client limits fall on the hostile ones. Reported: failed queries of
well-behaved clients (goal 0), their p99 latency against the quiet run's
(goal within 2x), resident memory over time (goal: no growth past 5 %
after warm-up). Exits 1 when a goal is missed. Nothing leaves loopback.
"""
import argparse, os, random, shutil, signal, socket, ssl, subprocess, sys
import tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDRS = ["192.0.2.%d" % i for i in range(0, 256, 7)] + ["2001:db8::1", "198.51.100.5"]
T = 10.0  # every read and connect has this deadline


def conn(addr, src, tls=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(T)
    s.bind((src, 0))
    s.connect(addr)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname="localhost")
    return s


def read_all(s, limit=1 << 22):
    out = b""
    while len(out) < limit:
        b = s.recv(65536)
        if not b:
            break
        out += b
    return out


def whois(addr, src, q):
    with conn(addr, src) as s:
        s.sendall(q.encode() + b"\r\n")
        text = read_all(s).decode("utf-8", "replace")
    # an answer, "no entries" included; not an internal error, a refusal
    return text.endswith("\n\n") and not any(c in text for c in ("%ERROR:100", "%ERROR:201", "%ERROR:107"))


def bulk(addr, src, qs):
    with conn(addr, src) as s:
        s.sendall(("begin\n" + "\n".join(qs) + "\nend\n").encode())
        lines = [l for l in read_all(s).decode("utf-8", "replace").splitlines() if l and not l.startswith(("%", "#"))]
    return len(lines) >= len(qs)


def http_get(addr, src, path, tls=False):
    with conn(addr, src, tls) as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % path).encode())
        head = read_all(s).split(b"\r\n", 1)[0]
    return head.startswith((b"HTTP/1.1 200", b"HTTP/1.1 404"))


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat, self.fail, self.ok, self.errors = [], 0, 0, []

    def add(self, took, ok, what):
        with self.lock:
            self.lat.append(took)
            if ok:
                self.ok += 1
            else:
                self.fail += 1
                if len(self.errors) < 5:
                    self.errors.append(what)

    def p99(self):
        with self.lock:
            v = sorted(self.lat)
        return v[int(len(v) * 0.99)] if v else 0.0


def good_client(n, srv, stats, stop):
    src = "127.0.0.%d" % (2 + n % 8)
    rnd = random.Random(n)
    while not stop.is_set():
        a = rnd.choice(ADDRS)
        kind = rnd.choice(["whois", "whois", "bulk", "http", "https"])
        t = time.monotonic()
        try:
            if kind == "whois":
                ok = whois(srv["whois"], src, a)
            elif kind == "bulk":
                ok = bulk(srv["whois"], src, rnd.sample(ADDRS, 20))
            else:
                ok = http_get(srv["http" if kind == "http" else "rdap"], src, "/rdap/ip/" + a, kind == "https")
        except Exception as e:  # a failed query, counted
            ok, a = False, "%s %s: %s" % (kind, a, e)
        stats.add(time.monotonic() - t, ok, "%s %s" % (kind, a))
        time.sleep(0.05)  # well under the per-client rate limits


def hostile_client(n, srv, stop):
    src = "127.0.1.%d" % (2 + n % 200)
    rnd = random.Random(1000 + n)
    while not stop.is_set():
        kind = n % 4
        try:
            if kind == 0:  # idle: hold connections until the server closes them
                held = [conn(srv[rnd.choice(["whois", "http", "rdap"])], src) for _ in range(8)]
                stop.wait(12)
                for s in held:
                    s.close()
            elif kind == 1:  # a bulk session it never reads
                s = conn(srv["whois"], src)
                s.sendall(("begin\n-v\n" + "\n".join(ADDRS * 200) + "\nend\n").encode())
                stop.wait(35)
                s.close()
            elif kind == 2:  # one byte a second
                s = conn(srv[rnd.choice(["whois", "http"])], src)
                for b in b"GET /rdap/ip/192.0.2.1 HTTP/1.1\r\n":
                    if stop.is_set():
                        break
                    s.send(bytes([b]))
                    time.sleep(1)
                s.close()
            else:  # garbage
                s = conn(srv[rnd.choice(["whois", "http", "rdap"])], src)
                s.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 4096))))
                try:
                    read_all(s, 1 << 16)
                except OSError:
                    pass
                s.close()
        except OSError:
            stop.wait(0.5)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/tenure"))
    ap.add_argument("--good", type=int, default=8)
    ap.add_argument("--hostile", type=int, default=16)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tenure-soak-")
    dump, leases = os.path.join(tmp, "ripe.db"), os.path.join(tmp, "leases.jsonl")
    good_dump = open(os.path.join(ROOT, "data/test-ripe.db"), "rb").read()
    good_leases = open(os.path.join(ROOT, "data/example-leases.jsonl"), "rb").read()
    open(dump, "wb").write(good_dump)
    open(leases, "wb").write(good_leases)
    proc = subprocess.Popen(
        [a.binary, "serve", "--quiet", "--dump", dump, "--leases", leases,
         "--whois-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0",
         "--rdap-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "server.log"), "wb"), text=True)
    srv = {}
    deadline = time.monotonic() + 60
    while len(srv) < 4 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening for "):
            kind, _, addr = line[len("listening for "):].strip().partition(" on ")
            host, _, port = addr.rpartition(":")
            srv[kind] = (host, int(port))
    if len(srv) < 4:
        print("server did not start; log in", tmp)
        proc.kill()
        return 2
    time.sleep(1)
    quiet_s = min(60, max(5, a.seconds // 5))
    stop = threading.Event()
    quiet = Stats()
    threads = [threading.Thread(target=good_client, args=(i, srv, quiet, stop), daemon=True) for i in range(a.good)]
    for t in threads:
        t.start()
    time.sleep(quiet_s)
    stop.set()
    for t in threads:
        t.join(T + 5)
    print("quiet run: %d s, %d queries, %d failed, p99 %.1f ms" % (quiet_s, quiet.ok + quiet.fail, quiet.fail, quiet.p99() * 1e3))

    stop = threading.Event()
    soak = Stats()
    threads = [threading.Thread(target=good_client, args=(i, srv, soak, stop), daemon=True) for i in range(a.good)]
    threads += [threading.Thread(target=hostile_client, args=(i, srv, stop), daemon=True) for i in range(a.hostile)]
    for t in threads:
        t.start()
    started, rss, reloads, step = time.monotonic(), [], 0, 0
    next_reload = started + 30
    while time.monotonic() - started < a.seconds:
        time.sleep(5)
        rss.append((time.monotonic() - started, rss_kib(proc.pid)))
        if time.monotonic() >= next_reload:
            next_reload += 30
            kind = step % 3
            step += 1
            if kind == 0:  # a corrupt dump: refused, the old data serves
                open(dump, "wb").write(b"inetnum: garbage\n\x00\xff\n" * 10)
            elif kind == 1:  # the good dump again
                open(dump, "wb").write(good_dump)
            else:  # leases rewritten (their order reversed)
                open(leases, "wb").write(b"\n".join(reversed(good_leases.splitlines())) + b"\n")
            proc.send_signal(signal.SIGHUP)
            reloads += 1
    stop.set()
    for t in threads:
        t.join(T + 40)
    open(dump, "wb").write(good_dump)
    # growth after warm-up: the mean of the last third of the samples
    # against the first third's (a leak is a trend; single samples swing
    # with the bulk sessions and reload snapshots in flight)
    warm = [k for (s, k) in rss if s >= min(60, a.seconds / 4)] or [k for (_, k) in rss]
    third = max(1, len(warm) // 3)
    first, last = sum(warm[:third]) / third, sum(warm[-third:]) / third
    growth = (last - first) / first * 100 if first else 0.0
    ratio = soak.p99() / quiet.p99() if quiet.p99() else 0.0
    print("soak: %d s, %d hostile clients, %d reloads (corrupt, good, leases in turn)" % (a.seconds, a.hostile, reloads))
    print("well-behaved queries: %d, failed %d (goal 0)%s" % (soak.ok + soak.fail, soak.fail, "; e.g. " + "; ".join(soak.errors) if soak.errors else ""))
    print("p99 latency: %.1f ms against %.1f ms quiet: %.2fx (goal <= 2x)" % (soak.p99() * 1e3, quiet.p99() * 1e3, ratio))
    print("resident memory: %s MiB over time; after warm-up %.1f MiB (first third) -> %.1f MiB (last third), growth %.1f %% (goal <= 5 %%), peak %.1f MiB" % (
        " ".join("%.0f" % (k / 1024) for (_, k) in rss[:: max(1, len(rss) // 12)]),
        first / 1024, last / 1024, growth, max(k for (_, k) in rss) / 1024 if rss else 0))
    alive = proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log = open(os.path.join(tmp, "server.log"), errors="replace").read()
    print("server log: %d lines, %d reload refusals, %d accept-failure lines; alive through the soak: %s" % (
        log.count("\n"), log.count(") failed, serial"), log.count("accept failed"), alive))
    shutil.rmtree(tmp, ignore_errors=True)
    ok = alive and soak.fail == 0 and ratio <= 2.0 and growth <= 5.0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
