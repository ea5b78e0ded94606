"""Issue "evaluation": rows per second of one worker, against the same calls made directly.

A local OpenAI-compatible model server (with registry's dataset rows and identity's token
endpoint: ``services/evaluation/tests/fake_registry.py``, its own process, uvicorn) answers each
chat completion at once. One worker (evaluation's ``RunExecutor`` with its real adapters: httpx
to the server, SQLAlchemy to PostgreSQL, the outbox) runs a 10,000-row run with exact_match +
regex + json_valid at the default concurrency; then a plain asyncio loop makes the same 10,000
chat completion calls with the same concurrency and the same httpx client settings, nothing
else. Goal: >= 1,000 rows/s per worker and >= 0.8x the direct loop.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx
from harness import ROOT, bench_database

from mlp.common.runtime.database import create_engine
from mlp.evaluation.adapters.check_processes import check_processes
from mlp.evaluation.adapters.db.unit_of_work import SqlUnitOfWork
from mlp.evaluation.adapters.outbox import QueueOutbox
from mlp.evaluation.application.criteria import Criteria, CriterionDraft
from mlp.evaluation.application.row_evaluation import RowEvaluator
from mlp.evaluation.application.run_executor import RunExecutor
from mlp.evaluation.application.runs import RunRequest, Runs
from mlp.evaluation.domain.runs import RunTarget
from mlp.evaluation.settings import EvaluationSettings
from mlp.evaluation.wiring import http_gateways, model_http_client

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
PORT = 19301
CREDENTIAL = "mlpsvc_evaluation_" + "t" * 32
PROMPT = '{"answer": "{{q}}"}'
TESTS = ROOT / "services/evaluation/tests"


def model_server(owner: uuid.UUID, dataset: uuid.UUID) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FAKE_REGISTRY_OWNER": str(owner), "FAKE_REGISTRY_ROWS": str(ROWS),
           "FAKE_REGISTRY_DATASET": str(dataset), "FAKE_REGISTRY_PORT": str(PORT),
           "PYTHONPATH": f"{TESTS}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}  # fmt: skip
    process = subprocess.Popen([sys.executable, str(Path(TESTS) / "fake_registry.py")], env=env)
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{PORT}/v1/models/none", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise TimeoutError("model server did not start")


async def worker_run(settings: EvaluationSettings, owner: uuid.UUID, dataset: uuid.UUID) -> tuple[float, float]:
    """Wall-clock and CPU seconds of this process for the run."""
    engine = create_engine(settings.database_url, pool_size=4)
    stack = ExitStack()
    try:
        memory = settings.check_memory_mb * 1024 * 1024
        async with model_http_client(settings) as http:
            ports = http_gateways(http, settings)
            limits = settings.limits()
            checks = stack.enter_context(check_processes(settings.check_processes, memory))

            def uow() -> SqlUnitOfWork:
                return SqlUnitOfWork(engine, QueueOutbox)

            criteria = Criteria(uow)
            drafts = [
                CriterionDraft("exact", "exact_match", {"expected": '{"answer": "{{expected}}"}'}),
                CriterionDraft("digits", "regex", {"pattern": r'"answer": "\d+"'}),
                CriterionDraft("json", "json_valid", {}),
            ]
            ids = tuple([(await criteria.create(owner, d)).id for d in drafts])
            runs = Runs(uow, ports.rows, ports.deployments, ports.tokens)
            run = await runs.create(owner, ("*",), RunRequest(dataset, ids, RunTarget("deployment", "echo", PROMPT)))
            executor = RunExecutor(uow, ports.rows, RowEvaluator(ports.chat, checks, limits), ports.tokens, limits)
            started, cpu = time.perf_counter(), time.process_time()
            await executor.execute(run.id)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            done = await runs.get(owner, run.id)
            assert (done.status, done.completed_rows) == ("succeeded", ROWS), done
            return elapsed, cpu
    finally:
        stack.close()
        await engine.dispose()


async def direct_loop(settings: EvaluationSettings, owner: uuid.UUID) -> tuple[float, float]:
    """The same upstream calls, nothing else: ``run_concurrency`` tasks over one client."""
    async with model_http_client(settings) as http:
        rows = iter(range(ROWS))
        headers = {"authorization": f"Bearer user:{owner}"}
        url = f"{settings.registry_url}/v1/chat/completions"

        async def caller() -> None:
            for i in rows:
                body = {"model": "echo", "messages": [{"role": "user", "content": PROMPT.replace("{{q}}", str(i))}]}
                response = await http.post(url, json=body, headers=headers)
                response.raise_for_status()
                response.json()["choices"][0]["message"]["content"]

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(caller() for _ in range(settings.run_concurrency)))
        return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    owner, dataset = uuid.uuid4(), uuid.uuid4()
    with bench_database(["evaluation"]) as database_url:
        server = model_server(owner, dataset)
        try:
            url = f"http://127.0.0.1:{PORT}"
            settings = EvaluationSettings(
                database_url=database_url, registry_url=url, identity_url=url, service_credential=CREDENTIAL,
                log_level="WARNING",
            )  # fmt: skip
            asyncio.run(direct_loop(settings, owner))  # warm the server up
            worker, worker_cpu = asyncio.run(worker_run(settings, owner, dataset))
            direct, direct_cpu = asyncio.run(direct_loop(settings, owner))
        finally:
            server.terminate()
            server.wait()
    print(f"rows: {ROWS}, concurrency: {settings.run_concurrency}, load average: {os.getloadavg()[0]:.1f}")
    print(f"worker: {ROWS / worker:8.0f} rows/s  ({worker:.2f} s; {ROWS / worker_cpu:.0f} rows per CPU-second)")
    print(f"direct: {ROWS / direct:8.0f} calls/s ({direct:.2f} s; {ROWS / direct_cpu:.0f} calls per CPU-second)")
    print(f"ratio:  {direct / worker:8.2f}x of the direct loop (goal >= 0.8; >= 1000 rows/s)")


if __name__ == "__main__":
    main()
