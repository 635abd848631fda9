"""A 100,000-row import file is read as the job reads it (from a file on disk, as the job downloads it from S3)
without holding it in memory: the peak of Python allocations stays a small fraction of the file's size."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

from services.contacts.service import imports
from services.contacts.service.import_rows import check_row, column_indexes, read_rows

ROWS = 100_000


def test_a_100000_row_csv_is_read_in_batches_without_holding_the_file(tmp_path: Path):
    path = tmp_path / "khach-hang.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Tên khách hàng", "Email", "Điện thoại", "Ghi chú"])
        writer.writerows([f"Khách hàng Nguyễn Văn {n}", f"kh{n}@example.vn", f"09{n:08d}", "ghi chú " * 8]
                         for n in range(ROWS))
    size = path.stat().st_size
    assert size > 10_000_000
    with path.open("rb") as file:
        columns = column_indexes(next(read_rows(file, "csv")), {"Tên khách hàng": "name", "Email": "email",
                                                               "Điện thoại": "phone", "Ghi chú": "notes"})
        file.seek(0)
        tracemalloc.start()
        try:
            rows = batches = 0
            batch: list[object] = []
            for line, cells in imports._data_rows(file, "csv"):
                batch.append(check_row(line, cells, columns))
                if len(batch) == imports.BATCH_ROWS:
                    rows, batches, batch = rows + len(batch), batches + 1, []
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (rows + len(batch), batches) == (ROWS, ROWS // imports.BATCH_ROWS)
    # One batch of checked rows and the reader's buffers, never the file (over 10 MB).
    assert peak < size / 10, (peak, size)
