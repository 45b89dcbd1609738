"""Parameter files are validated before anything runs; errors name the file and the key."""


import re

import pytest

from analysis.errors import InputError
from analysis.reporting.params import load_params, params_files
from tests.conftest import ROOT  # noqa: E402

MINIMAL = 'code: "{code}"\nname: テスト市\n'


def _write(tmp_path, text, name="40203_test.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_is_valid_with_defaults(tmp_path):
    params = load_params(_write(tmp_path, MINIMAL.format(code="40203")))
    assert params.code == "40203"
    assert params.reports == ["resources", "demand", "scene_trends", "pdca"]
    assert params.comparison.peers == 5


def test_six_digit_code_is_checked_and_reduced_to_five(tmp_path):
    assert load_params(_write(tmp_path, MINIMAL.format(code="402036"))).code == "40203"


def test_wrong_check_digit_names_the_file_and_key(tmp_path):
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, MINIMAL.format(code="402035")))
    message = str(err.value)
    assert "40203_test.yaml" in message and "key 'code'" in message and "402036" in message


def test_unquoted_code_asks_for_quotes(tmp_path):
    # YAML reads 01101 as an octal number: the code must be quoted.
    with pytest.raises(InputError, match="quotes"):
        load_params(_write(tmp_path, "code: 01101\nname: 札幌市中央区\n"))


def test_unknown_key_is_an_error_naming_the_key(tmp_path):
    with pytest.raises(InputError, match=r"key 'comparison.neighbours'.*unknown key"):
        load_params(_write(tmp_path, MINIMAL.format(code="40203") + "comparison:\n  neighbours: 3\n"))


def test_wrong_type_is_an_error_naming_the_key(tmp_path):
    with pytest.raises(InputError, match=r"key 'comparison.peers'"):
        load_params(_write(tmp_path, MINIMAL.format(code="40203") + "comparison:\n  peers: many\n"))


def test_unknown_report_is_an_error(tmp_path):
    with pytest.raises(InputError, match=r"key 'reports.0'"):
        load_params(_write(tmp_path, MINIMAL.format(code="40203") + "reports: [resource]\n"))


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_params(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="mapping"):
        load_params(_write(tmp_path, "- a\n- b\n"))


def test_committed_parameter_files_are_all_valid():
    files = params_files(ROOT / "params")
    assert len(files) >= 6
    for path in files:
        load_params(path)


def test_plan_title_and_adoption_date_become_the_plan_tables_source_and_as_of(tmp_path):
    from analysis.measures.pdca import plan_source

    text = MINIMAL.format(code="40203") + "plan:\n  title: 第9期介護保険事業計画\n  adopted: 2024-03-29\n  vision: 住み慣れた地域で\n"
    params = load_params(_write(tmp_path, text))
    assert plan_source(params.plan) == ("自治体の計画（第9期介護保険事業計画）", "2024-03-29")
    bare = load_params(_write(tmp_path, MINIMAL.format(code="40203") + "plan:\n  vision: 住み慣れた地域で\n", name="40203_b.yaml"))
    assert plan_source(bare.plan) == ("自治体の設定ファイル（計画）", None)


def test_an_impossible_adoption_date_names_the_key(tmp_path):
    text = MINIMAL.format(code="40203") + "plan:\n  adopted: 2024-13-01\n  vision: 住み慣れた地域で\n"
    with pytest.raises(InputError, match=r"plan\.adopted"):
        load_params(_write(tmp_path, text))


def test_a_yaml_syntax_error_gives_its_line_and_column(tmp_path):
    text = MINIMAL.format(code="40203") + "comparison:\n  peers: 3\n    national: true\n"
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, text))
    assert str(err.value) == "40203_test.yaml: line 5, column 13: not valid YAML: mapping values are not allowed here"


def test_tab_indentation_names_the_line_and_says_to_use_spaces(tmp_path):
    text = MINIMAL.format(code="40203") + "comparison:\n\tpeers: 3\n"
    with pytest.raises(InputError, match=r"^40203_test\.yaml: line 4, column 1: a tab character is used for indentation"):
        load_params(_write(tmp_path, text))


@pytest.mark.parametrize(("text", "key", "where"), [
    ('code: "40203"\nname: テスト市\nname: 別の名前\n', "name", "line 3, column 1"),
    ('code: "40203"\nname: テスト市\nplan:\n  vision: 一\n  vision: 二\n', "plan.vision", "line 5, column 3"),
])
def test_a_key_written_twice_is_an_error_naming_the_key_and_both_lines(tmp_path, text, key, where):
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, text))
    assert str(err.value).startswith(f"40203_test.yaml, key '{key}': {where}: key written twice in the same mapping (first at line")


def test_a_merge_key_may_be_overridden_on_purpose(tmp_path):
    text = 'code: "40203"\nname: テスト市\ncomparison:\n  <<: {peers: 3, national: false}\n  peers: 4\n'
    assert load_params(_write(tmp_path, text)).comparison.peers == 4


def test_a_folder_or_an_unreadable_entry_is_one_error_naming_it(tmp_path):
    (tmp_path / "40203_folder.yaml").mkdir()
    with pytest.raises(InputError, match=r"^40203_folder\.yaml: is a folder, expected a YAML parameter file$"):
        load_params(tmp_path / "40203_folder.yaml")
    unreadable = tmp_path / "40203_unreadable.yaml"
    unreadable.symlink_to("/proc/self/mem")  # reading it fails with EIO, for root too
    with pytest.raises(InputError, match=r"^40203_unreadable\.yaml: cannot be read \(Input/output error\)"):
        load_params(unreadable)


def test_text_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "40203_sjis.yaml"
    path.write_bytes('code: "40203"\nname: テスト市\n'.encode("cp932"))
    with pytest.raises(InputError, match=r"^40203_sjis\.yaml: line 2: not UTF-8 text \(byte 0x83\)"):
        load_params(path)


def test_time_limits_are_positive_seconds(tmp_path):
    ok = load_params(_write(tmp_path, MINIMAL.format(code="40203") + "time_limits:\n  cell_seconds: 120\n"))
    assert (ok.time_limits.cell_seconds, ok.time_limits.municipality_seconds) == (120, None)
    with pytest.raises(InputError, match=r"key 'time_limits.municipality_seconds'.*greater than 0"):
        load_params(_write(tmp_path, MINIMAL.format(code="40203") + "time_limits:\n  municipality_seconds: 0\n"))
    with pytest.raises(InputError, match=r"key 'time_limits.minutes'.*unknown key"):
        load_params(_write(tmp_path, MINIMAL.format(code="40203") + "time_limits:\n  minutes: 5\n"))


def test_a_medical_area_file_takes_its_four_digit_code_as_the_subject(tmp_path):
    params = load_params(_write(tmp_path, 'medical_area: "4009"\nname: 架空中央医療圏\n'))
    assert (params.code, params.medical_area) == ("4009", "4009")


@pytest.mark.parametrize("text, key, words", [
    ('medical_area: 4009\nname: 圏\n', "medical_area", "4 digits in quotes"),
    ('medical_area: "409"\nname: 圏\n', "medical_area", "4 digits in quotes"),
    ('medical_area: "9909"\nname: 圏\n', "medical_area", "prefecture part 99"),
    ('code: "40901"\nmedical_area: "4009"\nname: 圏\n', "code", "not both"),
    ('name: 圏\n', "code", "code is missing"),
])
def test_a_subject_must_be_one_code_or_one_medical_area(tmp_path, text, key, words):
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, text))
    assert f"key '{key}'" in str(err.value) and words in str(err.value)


GOAL = ("plan:\n  vision: 住み慣れた地域で\n  goals:\n    - scene: end_of_life\n      goal: {goal}\n      indicators:\n"
        "        - indicator_id: home_deaths\n          layer: outcome\n          baseline: {{fiscal_year: 2019, value: 20}}\n"
        "          target: {{fiscal_year: 2026, value: {target}}}\n")


@pytest.mark.parametrize("target, words", [("-5", "greater than or equal to 0"), (".inf", "finite number"),
                                           ("1e400", "finite number"), ("1.0e+400", "finite number"), (".nan", "finite number")])
def test_a_target_no_count_can_have_names_its_key(tmp_path, target, words):
    text = MINIMAL.format(code="40203") + GOAL.format(goal="在宅で看取る", target=target)
    with pytest.raises(InputError, match=rf"key 'plan\.goals\.0\.indicators\.0\.target\.value': .*{words}"):
        load_params(_write(tmp_path, text))


@pytest.mark.parametrize("text, key", [
    ('code: "40203"\nname: "テスト市\\ndisclosure:"\n', "name"),
    ('code: "40203"\nname: "テスト\\u200b市"\n', "name"),
    (MINIMAL.format(code="40203") + GOAL.format(goal='"在宅で\\u202e看取る"', target="30"), "plan.goals.0.goal"),
])
def test_a_name_or_goal_with_a_line_break_or_an_invisible_character_names_its_key(tmp_path, text, key):
    with pytest.raises(InputError, match=rf"key '{re.escape(key)}': character \d+ is"):
        load_params(_write(tmp_path, text))
