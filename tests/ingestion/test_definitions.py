"""The definitions validator: every error kind names its file, line and field.

Each test writes a small hand-made definitions folder (CSV + property YAML) into tmp_path; the
last tests validate the real seeds folder and the command line.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from ingestion.definitions import DEFAULT_FOLDER, DefinitionError, main, validate_definitions

STAGES_YML = """
seeds:
  - name: sales_process_stages
    columns:
      - name: sales_process
        data_type: text
        config: {meta: {validate: {required: true}}}
      - name: stage_code
        data_type: text
        config: {meta: {validate: {required: true, unique_with: [sales_process]}}}
      - name: stage_order
        data_type: integer
        config: {meta: {validate: {required: true, min: 1, unique_with: [sales_process]}}}
      - name: win_probability
        data_type: decimal(5, 4)
        config: {meta: {validate: {required: true, min: 0, max: 1}}}
      - name: is_won_stage
        data_type: boolean
        config: {meta: {validate: {required: true}}}
  - name: stage_benchmarks
    columns:
      - name: sales_process
        config:
          meta:
            validate: {required: true, references: sales_process_stages.sales_process}
      - name: from_stage
      - name: to_stage
      - name: benchmark_source
        config: {meta: {validate: {allowed: [industry, internal]}}}
"""

GOOD_STAGES = """\
sales_process,stage_code,stage_order,win_probability,is_won_stage
standard,initial_contact,1,0.10,false
standard,proposal,2,0.40,false
standard,signed,3,1.00,true
"""

GOOD_BENCHMARKS = """\
sales_process,from_stage,to_stage,benchmark_source
standard,initial_contact,proposal,industry
standard,proposal,signed,internal
"""


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def _good(tmp_path: Path, **overrides: str) -> Path:
    files = {
        "_seeds.yml": STAGES_YML,
        "sales_process_stages.csv": GOOD_STAGES,
        "stage_benchmarks.csv": GOOD_BENCHMARKS,
    }
    files.update({name.replace("__", "."): text for name, text in overrides.items()})
    return _folder(tmp_path, files)


def _places(errors: list[DefinitionError]) -> list[tuple[str, int | None, str | None]]:
    return [(e.file, e.line, e.field) for e in errors]


def test_a_good_folder_has_no_errors(tmp_path: Path) -> None:
    assert validate_definitions(_good(tmp_path)) == []


def test_fraction_out_of_range_names_file_line_and_field(tmp_path: Path) -> None:
    stages = GOOD_STAGES.replace("proposal,2,0.40", "proposal,2,1.5")
    errors = validate_definitions(_good(tmp_path, sales_process_stages__csv=stages))
    assert [str(e) for e in errors] == [
        "sales_process_stages.csv, line 3, field win_probability: "
        "1.5 is not a fraction between 0 and 1"
    ]


def test_values_that_do_not_parse(tmp_path: Path) -> None:
    stages = GOOD_STAGES.replace("initial_contact,1,0.10,false", "initial_contact,one,10%,no")
    errors = validate_definitions(_good(tmp_path, sales_process_stages__csv=stages))
    assert _places(errors) == [
        ("sales_process_stages.csv", 2, "stage_order"),
        ("sales_process_stages.csv", 2, "win_probability"),
        ("sales_process_stages.csv", 2, "is_won_stage"),
    ]
    assert "one is not an integer" in errors[0].message
    assert "10% is not a number" in errors[1].message
    assert "no is not true or false" in errors[2].message


def test_required_minimum_and_allowed(tmp_path: Path) -> None:
    stages = GOOD_STAGES.replace("standard,proposal,2,", ",proposal,0,")
    benchmarks = GOOD_BENCHMARKS.replace("internal", "guess")
    errors = validate_definitions(
        _good(tmp_path, sales_process_stages__csv=stages, stage_benchmarks__csv=benchmarks)
    )
    assert ("sales_process_stages.csv", 3, "sales_process") in _places(errors)
    assert ("sales_process_stages.csv", 3, "stage_order") in _places(errors)
    by_place = {(e.file, e.line, e.field): e.message for e in errors}
    assert by_place[("sales_process_stages.csv", 3, "sales_process")] == "is required"
    assert by_place[("sales_process_stages.csv", 3, "stage_order")] == "0 is less than 1"
    assert by_place[("stage_benchmarks.csv", 3, "benchmark_source")] == (
        "guess is not one of industry, internal"
    )


def test_duplicates_of_the_declared_key(tmp_path: Path) -> None:
    stages = GOOD_STAGES + "standard,proposal,4,0.50,false\n"
    errors = validate_definitions(_good(tmp_path, sales_process_stages__csv=stages))
    assert [str(e) for e in errors] == [
        "sales_process_stages.csv, line 5, field stage_code: duplicate (stage_code, "
        "sales_process) = (proposal, standard), first on line 3",
        # the won stage is no longer the last one
        "sales_process_stages.csv, line 4, field is_won_stage: the won stage of process "
        "standard must be its last stage (stage_order 4)",
    ]


def test_stage_order_unique_per_process(tmp_path: Path) -> None:
    stages = GOOD_STAGES.replace("proposal,2,", "proposal,1,")
    errors = validate_definitions(_good(tmp_path, sales_process_stages__csv=stages))
    assert _places(errors) == [("sales_process_stages.csv", 3, "stage_order")]


def test_missing_file_and_undeclared_file(tmp_path: Path) -> None:
    folder = _good(tmp_path)
    (folder / "stage_benchmarks.csv").unlink()
    (folder / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    errors = validate_definitions(folder)
    assert [str(e) for e in errors] == [
        "stage_benchmarks.csv: file is missing (declared in _seeds.yml)",
        "notes.csv: no *.yml property file in the folder declares it",
    ]


def test_missing_and_undeclared_columns(tmp_path: Path) -> None:
    benchmarks = "sales_process,from_stage,benchmark_source,comment\nstandard,x,industry,hi\n"
    errors = validate_definitions(_good(tmp_path, stage_benchmarks__csv=benchmarks))
    assert _places(errors) == [
        ("stage_benchmarks.csv", 1, "to_stage"),
        ("stage_benchmarks.csv", 1, "comment"),
    ]
    assert errors[0].message == "column is missing from the header"
    assert errors[1].message == "not declared in _seeds.yml"


def test_wrong_number_of_values_and_blank_lines(tmp_path: Path) -> None:
    benchmarks = GOOD_BENCHMARKS + "\nstandard,proposal\n"
    errors = validate_definitions(_good(tmp_path, stage_benchmarks__csv=benchmarks))
    assert [str(e) for e in errors] == [
        "stage_benchmarks.csv, line 5: has 2 values, the header has 4"
    ]


def test_references_and_benchmark_stages_in_the_process(tmp_path: Path) -> None:
    benchmarks = GOOD_BENCHMARKS + "renewal,initial_contact,proposal,industry\n"
    benchmarks = benchmarks.replace("standard,proposal,signed", "standard,proposal,closing")
    errors = validate_definitions(_good(tmp_path, stage_benchmarks__csv=benchmarks))
    assert [str(e) for e in errors] == [
        "stage_benchmarks.csv, line 4, field sales_process: renewal is not a sales_process "
        "of sales_process_stages.csv",
        "stage_benchmarks.csv, line 3, field to_stage: closing is not a stage of process "
        "standard in sales_process_stages.csv",
        "stage_benchmarks.csv, line 4, field from_stage: initial_contact is not a stage of "
        "process renewal in sales_process_stages.csv",
        "stage_benchmarks.csv, line 4, field to_stage: proposal is not a stage of process "
        "renewal in sales_process_stages.csv",
    ]


def test_benchmarks_must_be_consecutive(tmp_path: Path) -> None:
    benchmarks = GOOD_BENCHMARKS.replace("initial_contact,proposal", "initial_contact,signed")
    errors = validate_definitions(_good(tmp_path, stage_benchmarks__csv=benchmarks))
    assert _places(errors) == [("stage_benchmarks.csv", 2, "to_stage")]


def test_exactly_one_won_stage_per_process(tmp_path: Path) -> None:
    two = GOOD_STAGES.replace("proposal,2,0.40,false", "proposal,2,0.40,true")
    none = GOOD_STAGES.replace("1.00,true", "1.00,false")
    assert [
        str(e) for e in validate_definitions(_good(tmp_path, sales_process_stages__csv=two))
    ] == [
        "sales_process_stages.csv, line 4, field is_won_stage: process standard has 2 won "
        "stages, exactly 1 is needed"
    ]
    errors = validate_definitions(_good(tmp_path, sales_process_stages__csv=none))
    assert _places(errors) == [("sales_process_stages.csv", 4, "is_won_stage")]


def test_non_decreasing_win_probability_is_not_required(tmp_path: Path) -> None:
    stages = GOOD_STAGES.replace("proposal,2,0.40", "proposal,2,0.05")
    assert validate_definitions(_good(tmp_path, sales_process_stages__csv=stages)) == []


def test_seed_row_counts_and_dates(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "_fiscal_calendar.yml": """
                seeds:
                  - name: fiscal_calendar
                    config: {meta: {validate: {min_rows: 1, max_rows: 1}}}
                    columns:
                      - name: fiscal_year_start_month
                        data_type: integer
                        config: {meta: {validate: {min: 1, max: 12}}}
                      - name: starts_on
                        data_type: date
            """,
            "fiscal_calendar.csv": "fiscal_year_start_month,starts_on\n13,2025-02-30\n4,\n",
        },
    )
    assert [str(e) for e in validate_definitions(folder)] == [
        "fiscal_calendar.csv: has 2 rows, at most 1 allowed",
        "fiscal_calendar.csv, line 2, field fiscal_year_start_month: 13 is not between 1 and 12",
        "fiscal_calendar.csv, line 2, field starts_on: 2025-02-30 is not a date YYYY-MM-DD",
    ]


def test_mistakes_in_the_property_file(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "_rules.yml": """
                seeds:
                  - name: rules
                    columns:
                      - name: tier
                        data_type: textish
                        config: {meta: {validate: {requird: true, allowed: []}}}
                      - name: weight
                        data_type: text
                        meta: {validate: {min: 0}}
                        config: {meta: {validate: {min: 0, references: nothing}}}
            """,
            "_broken.yml": "seeds: [\n",
            "rules.csv": "tier,weight\nA,1\n",
        },
    )
    assert _places(validate_definitions(folder)) == [
        ("_broken.yml", 2, None),
        ("_rules.yml", None, "rules.tier.data_type"),
        ("_rules.yml", None, "rules.tier.validate.requird"),
        ("_rules.yml", None, "rules.tier.validate.allowed"),
        ("_rules.yml", None, "rules.weight"),
        ("_rules.yml", None, "rules.weight.validate.min"),
        ("_rules.yml", None, "rules.weight.validate.references"),
    ]


def test_utf8_bom_and_quoted_values(tmp_path: Path) -> None:
    stages = GOOD_STAGES.replace("standard,initial_contact", '"standard","initial_contact"')
    folder = _good(tmp_path)
    (folder / "sales_process_stages.csv").write_bytes(b"\xef\xbb\xbf" + stages.encode())
    assert validate_definitions(folder) == []


def test_the_real_seeds_validate_clean() -> None:
    assert validate_definitions(DEFAULT_FOLDER) == []


def test_a_copy_of_the_seeds_with_one_mistake(tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    shutil.copytree(DEFAULT_FOLDER, folder)
    rules = (folder / "segment_rules.csv").read_text(encoding="utf-8")
    (folder / "segment_rules.csv").write_text(rules.replace("A,KA", "A,VIP"), encoding="utf-8")
    assert [str(e) for e in validate_definitions(folder)] == [
        "segment_rules.csv, line 2, field importance: VIP is not one of KA, SMB"
    ]


def test_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stages = GOOD_STAGES.replace("proposal,2,0.40", "proposal,2,1.5")
    folder = _good(tmp_path, sales_process_stages__csv=stages)
    assert main([str(folder)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "sales_process_stages.csv, line 3, field win_probability: "
        "1.5 is not a fraction between 0 and 1"
    ]
    assert "1 error(s)" in out.err
    monkeypatch.setenv("FUNNEL_DEFINITIONS", str(DEFAULT_FOLDER))
    assert main([]) == 0
    assert "OK" in capsys.readouterr().out
    assert main([str(tmp_path / "absent")]) == 1


def test_targets_start_on_their_period_and_all_goes_with_all(tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    shutil.copytree(DEFAULT_FOLDER, folder)
    targets = folder / "sales_targets.csv"
    lines = targets.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "quarter,2024-07-01,team,east-1,3000000.00"
    lines[1:1] = [
        "quarter,2024-08-01,team,east-1,1.00",  # line 2: not a quarter start
        "month,2024-08-15,region,east,1.00",  # line 3: not a month start
        "year,2025-01-01,all,all,9.00",  # line 4: fine
        "year,2025-01-01,team,all,9.00",  # line 5: value all needs dimension all
        "quarter,2024-07-01,all,company,9.00",  # line 6: dimension all needs value all
        "quarter,2024-07-01,branch,shanghai,9.00",  # line 7: not a target dimension
    ]
    targets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = [str(e) for e in validate_definitions(folder) if e.file == "sales_targets.csv"]
    assert errors == [
        "sales_targets.csv, line 7, field target_dimension: branch is not one of all, team, "
        "region, customer_type, tier, product_category, opportunity_type",
        "sales_targets.csv, line 2, field period_start: 2024-08-01 is not the first day of a "
        "quarter",
        "sales_targets.csv, line 3, field period_start: 2024-08-15 is not the first day of a month",
        "sales_targets.csv, line 5, field target_value: must be all exactly when "
        "target_dimension is all (got team = all)",
        "sales_targets.csv, line 6, field target_value: must be all exactly when "
        "target_dimension is all (got all = company)",
    ]


def test_process_selection_rules_need_exactly_one_default(tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    shutil.copytree(DEFAULT_FOLDER, folder)
    rules = folder / "sales_process_rules.csv"
    header, renewal, default = rules.read_text(encoding="utf-8").splitlines()
    rules.write_text("\n".join([header, renewal]) + "\n", encoding="utf-8")
    assert [str(e) for e in validate_definitions(folder)] == [
        "sales_process_rules.csv: needs a default rule with * in org_unit, customer_type, "
        "product_category, opportunity_type"
    ]
    second = default.replace("100,", "200,").replace(",standard,", ",renewal,")
    unknown = renewal.replace("10,", "20,").replace(",renewal,Renewals", ",express,Renewals")
    rules.write_text("\n".join([header, renewal, default, second, unknown]) + "\n", "utf-8")
    assert [str(e) for e in validate_definitions(folder)] == [
        "sales_process_rules.csv, line 5, field sales_process: express is not a sales_process "
        "of sales_process_stages.csv",
        "sales_process_rules.csv, line 4: a second default rule (the first is on line 3)",
    ]
