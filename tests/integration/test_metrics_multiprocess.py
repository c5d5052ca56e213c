"""Several workers, one exposition: values written by separate processes are summed."""

import os
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

WORKER = """
import sys
from agentdesk.observability import metrics
metrics.CALLS.labels("completed").inc(int(sys.argv[1]))
metrics.POP_LATENCY.observe(0.004)
metrics.SOCKETS.set(int(sys.argv[1]))
if sys.argv[2] == "stop":
    metrics.process_stopped()
"""
RENDER = (
    "from agentdesk.observability import metrics; print(metrics.render_process_metrics().decode())"
)


def _python(code: str, env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _samples(text: str) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_counters_of_several_workers_add_up_and_a_stopped_worker_leaves_no_sockets(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    _python(WORKER, env, "2", "run")
    _python(WORKER, env, "3", "run")
    _python(WORKER, env, "7", "stop")
    samples = _samples(_python(RENDER, env))
    assert samples[("agentdesk_calls_total", (("outcome", "completed"),))] == 12
    assert samples[("agentdesk_pop_latency_seconds_count", ())] == 3
    assert samples[("agentdesk_pop_latency_seconds_bucket", (("le", "0.005"),))] == 3
    # Sockets are summed over workers; one that stopped took its own out of the total.
    assert samples[("agentdesk_connected_sockets", ())] == 5
