python3 - "$check" "$unit" <<'PYTHON'
import sys
import time

import cudf
import numpy as np
import pandas as pd

check, unit = sys.argv[1], sys.argv[2]
rows = 20_000_000
rng = np.random.default_rng(0)
frame = pd.DataFrame({"key": rng.integers(0, 10_000, rows), "value": rng.random(rows)})


def best(run, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


cpu = best(lambda: frame.groupby("key")["value"].agg(["mean", "std", "max"]))
gpu_frame = cudf.from_pandas(frame)
best(lambda: gpu_frame.groupby("key")["value"].agg(["mean", "std", "max"]), repeats=1)  # warm-up: JIT and memory pool
gpu = best(lambda: gpu_frame.groupby("key")["value"].agg(["mean", "std", "max"]))
print(f"LAB_RESULT check={check} value={cpu / gpu:.2f} unit={unit}")
PYTHON
