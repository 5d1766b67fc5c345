"""Concurrency and lifetime under stress: threads sharing one engine, threads with their own
engines, a reloading thread among them, engines serving a web server's worker threads.

The basic four-thread check is in test_core_engine.py; these run longer, mix in reloads and
two rulebooks with the same trigger ids, and run in a child process so that a crash in the C
engine fails the test instead of ending the run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_child(body: str, timeout: float = 600) -> str:
    code = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n" + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT
    )
    how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
    assert done.returncode == 0 and "ALL GOOD" in done.stdout, f"{how}\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


COMMON = """
import json, threading
import sli_rules
from sli_rules import Engine
from bench.synth import synthetic_region

rulebook = sli_rules.load_rulebook()
region = sli_rules.load_facts(sli_rules.assessment.engine.example_region_path())
big = synthetic_region(300)

def canonical(result):
    return json.dumps(result.to_dict(), sort_keys=True)

expected = canonical(Engine(rulebook).assess(region))
expected_big = canonical(Engine(rulebook).assess(big))
expected_python = canonical(Engine(rulebook, backend="python").assess(region))
assert expected == expected_python
failures = []

def run_threads(targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
"""


def test_threads_sharing_one_engine_and_with_their_own_give_the_sequential_results() -> None:
    run_child(COMMON + """
shared = Engine(rulebook)
own = [Engine(rulebook) for _ in range(2)]
python = Engine(rulebook, backend="python")
counts = []

def work(engine, rounds):
    def target():
        try:
            done = 0
            for index in range(rounds):
                if index % 5 == 0:
                    assert canonical(engine.assess(big)) == expected_big
                else:
                    assert canonical(engine.assess(region)) == expected
                done += 1
            counts.append(done)
        except BaseException as error:
            failures.append(repr(error))
    return target

run_threads([work(shared, 30), work(shared, 30), work(own[0], 30), work(own[1], 30), work(python, 30)])
assert counts == [30] * 5, counts
print("ALL GOOD")
""")


@pytest.mark.slow
def test_reloading_while_threads_assess_never_mixes_rulebooks(tmp_path: Path) -> None:
    """Two rulebooks with the same trigger ids and different thresholds: while one thread
    swaps the engine between them, every assessment equals one of the two sequential
    results, never a mixture; an independent engine is unaffected throughout."""
    import shutil

    from sli_rules.rules.load import default_rulebook_path

    other = tmp_path / "other"
    shutil.copytree(default_rulebook_path() / "triggers", other / "triggers")
    shutil.copytree(default_rulebook_path() / "menus", other / "menus")
    outcomes = other / "triggers" / "outcomes.yaml"
    text = outcomes.read_text()
    assert "at_least: 7" in text
    outcomes.write_text(text.replace("at_least: 7", "at_least: 3"))
    run_child(COMMON + f"""
second = sli_rules.load_rulebook({str(other)!r})
expected_second = canonical(Engine(second).assess(region))
assert expected_second != expected
engine = Engine(rulebook)
steady = Engine(rulebook)
stop = threading.Event()
seen = set()

def reloader():
    try:
        flip = False
        while not stop.is_set():
            engine.reload(second if flip else rulebook)
            flip = not flip
    except BaseException as error:
        failures.append(repr(error))

def assessor():
    try:
        for _ in range(40):
            found = canonical(engine.assess(region))
            assert found in (expected, expected_second)
            seen.add(found == expected)
            assert canonical(steady.assess(region)) == expected
    except BaseException as error:
        failures.append(repr(error))

reloading = threading.Thread(target=reloader)
reloading.start()
run_threads([assessor, assessor, assessor])
stop.set()
reloading.join()
assert not failures, failures
print("ALL GOOD", seen)
""")


def test_an_engine_serves_a_web_servers_worker_threads() -> None:
    run_child(COMMON + """
import http.client, http.server
from concurrent.futures import ThreadPoolExecutor

engine = Engine(rulebook)

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = canonical(engine.assess(big if self.path == "/big" else region)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
serving = threading.Thread(target=server.serve_forever, daemon=True)
serving.start()
port = server.server_address[1]

def fetch(index):
    path = "/big" if index % 7 == 0 else "/"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body == (expected_big if path == "/big" else expected)

with ThreadPoolExecutor(max_workers=8) as pool:
    answers = list(pool.map(fetch, range(60)))
server.shutdown()
server.server_close()
assert answers == [(200, True)] * 60, answers
print("ALL GOOD")
""")


@pytest.mark.slow
def test_memory_stays_flat_over_many_assessments_and_reloads() -> None:
    """The lifetime check of the benchmark, smaller: RSS after a warm-up and at the end."""
    out = run_child(COMMON + """
def rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20

engine = Engine(rulebook)
for _ in range(50):
    engine.assess(region)
    engine.reload(rulebook)
before = rss()
for _ in range(500):
    engine.assess(region)
    engine.reload(rulebook)
after = rss()
assert after - before < 8, (before, after)
print("ALL GOOD", before, after)
""")
    assert "ALL GOOD" in out
