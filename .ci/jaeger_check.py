"""The two halves of .ci/jaeger.sh's check.

  jaeger_check.py run ENDPOINT TRACE CALLER
      POST an order to signalbox serve's /orders route with the W3C
      traceparent 00-TRACE-CALLER-01, wait until its execution SUCCEEDED
      (the management API), print the execution's ARN.
  jaeger_check.py check QUERY TRACE CALLER EXECUTION_ARN
      read trace TRACE from Jaeger's query API (polling until its spans have
      arrived) and check it: the service, the span names, their parentage,
      the caller's trace id and span as the execution's trace and parent.
"""
import json
import sys
import time
import urllib.parse
import urllib.request


def fail(msg):
    print("jaeger: " + msg, file=sys.stderr)
    sys.exit(1)


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def run(endpoint, trace, caller):
    with open("examples/orders/orders.input.json", "rb") as f:
        body = f.read()
    req = urllib.request.Request(endpoint + "/orders", data=body, method="POST", headers={
        "Content-Type": "application/json", "traceparent": "00-%s-%s-01" % (trace, caller)})
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status != 202:
            fail("POST /orders answered %d" % r.status)
        arn = json.load(r)["executionArn"]
    deadline = time.time() + 60  # a safety net; the loop ends when the execution does
    while time.time() < deadline:
        e = get(endpoint + "/api/v1/executions/" + urllib.parse.quote(arn, safe=""))
        status = e.get("status")
        if status == "SUCCEEDED":
            print(arn)
            return
        if status != "RUNNING":
            fail("the order ended %s: %s" % (status, e))
        time.sleep(0.1)
    fail("the order did not end within 60s")


# The spans an order's execution is made of (orders.asl.json): the name of
# each, and its parent's ("<caller>" for the caller's span).
EXPECTED = {
    "POST /orders": "<caller>",  # the gateway's server span
    "execution orders": "<caller>",
    "Choice Validate": "execution orders",
    "Parallel ReserveAndCharge": "execution orders",
    "Wait ReserveStock": "branch",
    "Pass StockReserved": "branch",
    "Pass Charge": "branch",
    "Pass Confirm": "execution orders",
    "Succeed Done": "execution orders",
}


def check(query, trace, caller, arn):
    deadline = time.time() + 60  # as above: ends when the spans are there
    spans, processes = [], {}
    while time.time() < deadline:
        try:
            data = get(query + "/api/traces/" + trace).get("data") or []
        except urllib.error.HTTPError as e:
            if e.code != 404:
                raise
            data = []
        if data:
            spans, processes = data[0]["spans"], data[0]["processes"]
            names = [s["operationName"] for s in spans]
            if all(n in names for n in EXPECTED) and names.count("branch") == 2:
                break
        time.sleep(0.2)
    else:
        fail("trace %s never held the expected spans; it has %s" % (trace, sorted(s["operationName"] for s in spans)))

    services = sorted({processes[s["processID"]]["serviceName"] for s in spans})
    if services != ["signalbox"]:
        fail("services %s, want ['signalbox']" % services)
    if any(s["traceID"] != trace for s in spans):
        fail("a span outside the caller's trace")
    by_id = {s["spanID"]: s for s in spans}
    if len(by_id) != len(spans):
        fail("a span was exported twice")

    def parent(s):
        refs = [r for r in s.get("references", []) if r["refType"] == "CHILD_OF"]
        if not refs:
            return None
        if refs[0]["spanID"] == caller:
            return "<caller>"
        p = by_id.get(refs[0]["spanID"])
        return p["operationName"] if p else "?" + refs[0]["spanID"]

    for s in spans:
        name = s["operationName"]
        want = EXPECTED.get(name, "Parallel ReserveAndCharge" if name == "branch" else None)
        if want is None:
            continue
        got = parent(s)
        if got != want:
            fail("span %r is the child of %r, want %r" % (name, got, want))
        if name == "execution orders":
            tags = {t["key"]: t["value"] for t in s.get("tags", [])}
            if tags.get("signalbox.execution.arn") != arn:
                fail("the execution's span names %r, want %r" % (tags.get("signalbox.execution.arn"), arn))
    wait = next(s for s in spans if s["operationName"] == "Wait ReserveStock")
    if wait["duration"] < 1_000_000:
        fail("the 1 s Wait's span lasts %d µs" % wait["duration"])
    print("jaeger: trace %s: %d spans of service signalbox, the caller's trace and parent, parentage and the Wait's duration: OK" % (trace, len(spans)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"] and len(sys.argv) == 5:
        run(*sys.argv[2:])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 6:
        check(*sys.argv[2:])
    else:
        fail(__doc__)
