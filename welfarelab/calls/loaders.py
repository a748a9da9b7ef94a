"""The step of `load-open-data` that fills the calls catalogue with the bundled PNRR table.

Skipped when the same file (by SHA-256) was imported already, unless forced; an import of an unchanged
file changes nothing anyway (see importers.sync), so forcing is always safe.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from welfarelab.calls.importers.pnrr import BUNDLED_FILE
from welfarelab.calls.models import Call, ImportRun
from welfarelab.calls.services import pnrr_import
from welfarelab.territories.loaders import LoadResult, dataset_load_record, dataset_loaded

DATASET = "calls_pnrr"


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else "missing"


def calls_load(*, data_dir: Path, force: bool = False) -> LoadResult:
    path = data_dir / BUNDLED_FILE
    files = [f"{BUNDLED_FILE} sha256:{_fingerprint(path)}"]
    done = dataset_loaded(DATASET)
    if not force and done is not None and done.source_files == "\n".join(files):
        return LoadResult(dataset=DATASET, rows=done.rows, seconds=0.0, skipped=True)
    started = time.perf_counter()
    run = pnrr_import(path=path)
    if run.state == ImportRun.State.FAILED:
        reasons = "; ".join(message["reason"] for message in run.messages)
        raise ValueError(f"The PNRR calls could not be imported from {path}: {reasons}")
    rows = Call.objects.filter(source_name=run.source_name).count()
    return dataset_load_record(DATASET, rows=rows, started=started, files=files)
