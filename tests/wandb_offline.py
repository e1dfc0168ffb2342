"""Reading offline W&B runs back in tests: what a run recorded, from its transaction log (.wandb).

The log is a LevelDB-style record file (a 7-byte ``:W&B`` header, then 32 KiB blocks of records,
each with a 7-byte header: CRC, length, type) of ``wandb_internal_pb2.Record`` messages.
"""

import json
import struct
import time
from pathlib import Path

BLOCK, HEADER = 32768, 7
FULL, LAST = 1, 4


def records(path: Path) -> list:
    from wandb.proto import wandb_internal_pb2

    data = path.read_bytes()
    assert data[:4] == b":W&B", f"{path} is not a W&B transaction log"
    found, pos, chunk = [], HEADER, b""
    while pos + HEADER <= len(data):
        room = BLOCK - pos % BLOCK
        if room < HEADER:  # a block's tail too short for a header is padding
            pos += room
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos : pos + HEADER])
        chunk += data[pos + HEADER : pos + HEADER + length]
        pos += HEADER + length
        if kind in (FULL, LAST):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(chunk)
            found.append(record)
            chunk = b""
    return found


def read_run(folder: Path) -> dict:
    """One offline run (``.../wandb/offline-run-*``): its id, group, job type, notes, config,
    the keys of its history (curves) and the artifacts it logged."""
    log = next(folder.glob("run-*.wandb"))
    deadline = time.monotonic() + 60
    while log.stat().st_size < 64:
        assert time.monotonic() < deadline, f"{log} stays empty"
        time.sleep(0.2)  # wandb's service may write the log just after finish() returns
    run = {"config": {}, "history": set(), "artifacts": []}
    for record in records(log):
        kind = record.WhichOneof("record_type")
        if kind == "run":
            r = record.run
            run |= {"id": r.run_id, "group": r.run_group, "job_type": r.job_type, "notes": r.notes}
            run["start"] = r.start_time.seconds + r.start_time.nanos / 1e9
            run["config"] |= {i.key: json.loads(i.value_json) for i in r.config.update}
        elif kind == "config":
            run["config"] |= {i.key: json.loads(i.value_json) for i in record.config.update}
        elif kind == "history":
            run["history"] |= {i.key or "/".join(i.nested_key) for i in record.history.item}
        elif kind == "artifact":
            a = record.artifact
            run["artifacts"].append(
                {"name": a.name, "type": a.type, "aliases": list(a.aliases), "metadata": json.loads(a.metadata or "{}")}
            )
    return run


def read_runs(root: Path) -> list[dict]:
    """Every offline run under ``root``, oldest first, each with the folder it lies in."""
    import wandb

    wandb.teardown()  # waits for wandb's service to close the logs of finished runs
    runs = [read_run(f) | {"dir": f.parent.parent} for f in root.rglob("wandb/offline-run-*")]
    return sorted(runs, key=lambda r: r["start"])
