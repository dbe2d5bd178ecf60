import os

import numpy  # noqa: F401 - loads the BLAS library threadpoolctl looks at


def test_one_blas_thread_holds_blas_and_child_processes_then_restores():
    from threadpoolctl import threadpool_info

    from copydesk.bench.cli import one_blas_thread

    before = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    old_env = os.environ.get("OPENBLAS_NUM_THREADS")
    with one_blas_thread():
        inside = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        assert inside and all(n == 1 for n in inside)
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    after = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    assert after == before
    assert os.environ.get("OPENBLAS_NUM_THREADS") == old_env
