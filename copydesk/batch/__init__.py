"""Crawl-scale batch runs: many inputs in, sharded Parquet/JSONL out.

This package owns ``copydesk run``. Data flow, one module per stage::

    readers (inputs → Record/Skip/Failure items)
      → job (items → Shards; one item → one kept/skipped/errors row)
      → local | ray_engine (schedule shards on processes or a Ray cluster)
      → writers (atomic shard files, manifest, merged errors/skipped, summary)

Every input record ends up in exactly one of the data files, ``skipped.jsonl``
or ``errors.jsonl``; `RunSummary` counts add up. Exit codes of ``copydesk
run``: 0 all records fine, 1 some records/files/shards failed, 2 usage error
(bad flags, or an output folder holding a run with other settings), 130
interrupted.
"""
from __future__ import annotations

from typing import TextIO

from .job import BatchConfig, RunSummary
from .readers import Failure, Record, Skip, Source, expand_inputs, read_source

__all__ = ["BatchConfig", "RunSummary", "Record", "Skip", "Failure", "Source",
           "expand_inputs", "read_source", "run_batch"]


def run_batch(inputs: list[str], cfg: BatchConfig, engine: str = "local", workers: int = 2,
              progress: bool | None = None, overwrite: bool = False, ray_address: str | None = None,
              log: TextIO | None = None) -> RunSummary:
    """Run a batch job with the chosen engine (``local`` or ``ray``) and return its summary."""
    if engine == "local":
        from .local import run_local

        return run_local(inputs, cfg, workers=workers, progress=progress, overwrite=overwrite, log=log)
    if engine == "ray":
        from .ray_engine import run_ray

        return run_ray(inputs, cfg, address=ray_address, num_cpus=workers, overwrite=overwrite, log=log)
    raise ValueError(f"unknown engine {engine!r}; expected local or ray")
