"""`dondoc report` on the command line: what it says, in the language asked for, on a bad
argument (nothing written) and after writing the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.test_stats_cli import config

__all__ = ["config"]  # the fixture of `dondoc stats`' tests: their register and config.toml


def report(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), "report", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (["--period", "2020-13"], "--period 2020-13: hãy viết dạng YYYY-MM, ví dụ 2020-03",
         "--period 2020-13: use YYYY-MM, e.g. 2020-03"),
        (["--period", "2020-03", "--as-of", "31/03/2020"],
         "--as-of 31/03/2020: hãy viết dạng YYYY-MM-DD, ví dụ 2020-03-31",
         "--as-of 31/03/2020: use YYYY-MM-DD, e.g. 2020-03-31"),
        (["--period", "2020-03", "--as-of", "2020-02-28"],
         "--as-of 28/02/2020: trước ngày đầu của kỳ báo cáo",
         "--as-of 28/02/2020 is before the period starts"),
        (["--period", "2020-03", "--out-name", "r.pdf"],
         "--out {out}: tệp phải có đuôi .docx hoặc .xlsx",
         "--out {out}: the file must end in .docx or .xlsx"),
    ],
)  # fmt: skip
def test_a_bad_argument_is_named_in_the_language_asked_and_nothing_is_written(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    args: list[str], vi: str, en: str,
) -> None:  # fmt: skip
    out_file = tmp_path / "out" / "r.docx"
    if "--out-name" in args:
        out_file = tmp_path / "out" / args[-1]
        args = args[:-2]
    for lang, expected in (("vi", vi), ("en", en)):
        code, out, err = report(config, capsys, *args, "--out", str(out_file), "--lang", lang)
        assert (code, out) == (2, "")
        assert err == f"dondoc report: {expected.format(out=out_file)}\n"
    assert not (tmp_path / "out").exists()


def test_the_report_is_written_and_summed_up_in_vietnamese(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "out" / "bao-cao.xlsx"
    code, out, err = report(config, capsys, "--period", "2020-03", "--as-of", "2020-03-31",
                            "--out", str(out_file))  # fmt: skip
    assert (code, err) == (0, "")
    # The figures of `dondoc stats --period 2020-03` (tests/test_stats_cli.py): 4 assigned,
    # 4 due; NV-2 completed late, NV-3 overdue, nothing waiting for review.
    assert out == (
        f"{out_file}: kỳ từ 01/03/2020 đến 31/03/2020, số liệu đến hết ngày 31/03/2020;"
        " đã giao 4, đến hạn 4; phụ lục 1/2/3: 1/1/0 nhiệm vụ\n"
    )
    assert out_file.read_bytes()[:2] == b"PK"  # a workbook (a zip), under its real name
    assert not out_file.with_name(out_file.name + ".partial").exists()
