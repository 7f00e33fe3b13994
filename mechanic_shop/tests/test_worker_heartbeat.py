"""/readyz's worker entry, from a real worker process's heartbeat (the CI
worker step, WORKER_TESTS=1)."""

import pytest

from tests.worker import WORKER_ONLY, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), WORKER_ONLY]


def test_readyz_sees_the_workers_heartbeat(anon, worker):
    assert anon.get("/readyz").json()["worker"].startswith("no worker heartbeat")

    worker.start()

    assert wait_for(lambda: anon.get("/readyz").json()["worker"] == "ok"), "no heartbeat"
