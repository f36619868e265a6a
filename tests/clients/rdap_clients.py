"""What two independent RDAP client libraries from PyPI make of tenure's
answers: ipwhois (`IPWhois.lookup_rdap`) and whoisit (`whoisit.ip`).

Usage: rdap_clients.py BASE_URL ADDRESS...
BASE_URL is tenure's RDAP base over plain HTTP on loopback, for example
http://127.0.0.1:PORT/rdap/. Both libraries are pointed at it (no traffic
leaves the machine) and, for each address, one JSON line is printed with
what each saw: the network handle, and every entity handle with its roles
and e-mail addresses.
"""

import json
import sys
import time

import ipwhois.net
import ipwhois.rdap
import whoisit
from ipwhois import IPWhois

# tenure's tests use documentation address space (RFC 5737, RFC 3849),
# which both libraries refuse to send anywhere: let them ask tenure
ipwhois.net.ipv4_is_defined = lambda *a, **k: (False, "", "")
ipwhois.net.ipv6_is_defined = lambda *a, **k: (False, "", "")


def with_ipwhois(base, addr):
    # ipwhois asks its bootstrap URL `{BOOTSTRAP_URL}/ip/{addr}`
    ipwhois.rdap.BOOTSTRAP_URL = base.rstrip("/")
    r = IPWhois(addr).lookup_rdap(bootstrap=True, depth=0, inc_nir=False)
    entities = {}
    for handle, obj in (r.get("objects") or {}).items():
        contact = obj.get("contact") or {}
        emails = [e.get("value") for e in (contact.get("email") or [])]
        entities[handle] = {"roles": obj.get("roles") or [], "email": emails}
    return {"network": (r.get("network") or {}).get("handle"), "entities": entities}


def with_whoisit(base, addr):
    r = whoisit.ip(addr, allow_insecure_ssl=True)
    entities = {}
    for role, items in (r.get("entities") or {}).items():
        for e in items:
            h = e.get("handle")
            entry = entities.setdefault(h, {"roles": [], "email": []})
            entry["roles"].append(role)
            if e.get("email"):
                entry["email"].append(e["email"])
    return {"network": r.get("handle"), "entities": entities}


def main():
    base, addrs = sys.argv[1], sys.argv[2:]
    services = [[["0.0.0.0/0"], [base]]]
    whoisit.load_bootstrap_data(
        json.dumps(
            {
                "timestamp": int(time.time()),
                "ipv4": {"services": services},
                "ipv6": {"services": [[["::/0"], [base]]]},
                "asn": {"services": [[["0-4294967295"], [base]]]},
                "dns": {"services": [[["arpa"], [base]]]},
                "object": {"services": [[["tenure@example.invalid"], ["TENURE"], [base]]]},
            }
        ),
        allow_insecure=True,
    )
    endpoints = lambda *a, **k: ((base,), False)
    whoisit._bootstrap.get_ipv4_endpoints = endpoints
    whoisit._bootstrap.get_ipv6_endpoints = endpoints
    for addr in addrs:
        out = {"address": addr}
        for name, client in (("ipwhois", with_ipwhois), ("whoisit", with_whoisit)):
            try:
                out[name] = client(base, addr)
            except Exception as e:  # reported, and the test fails on it
                out[name] = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
