"""The script loader: each rule, each error naming file, line and key path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from voice.dialog.loader import ScriptError, load_scripts

from .conftest import DIALOGS

GOOD = """\
intents:
  hello:
    examples: [hello there]
    reply: greet
responses:
  greet:
    category: support
    say: ["Hi."]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, extra: str | None = None) -> list[str]:
    write(tmp_path, "a.yaml", text)
    if extra is not None:
        write(tmp_path, "b.yaml", extra)
    with pytest.raises(ScriptError) as info:
        load_scripts([tmp_path])
    return info.value.problems


def test_good_script_loads_into_frozen_dataclasses(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    scripts = load_scripts([tmp_path])
    assert scripts.intents[0].id == "hello"
    assert scripts.responses["greet"].say == ("Hi.",)
    with pytest.raises(AttributeError):
        scripts.intents[0].reply = "x"  # type: ignore[misc]


def test_empty_say_list_names_file_line_and_key(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace('say: ["Hi."]', "say: []"))
    assert found == [f"{tmp_path / 'a.yaml'}:8: responses.greet.say: must be a non-empty list"]


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("    reply: greet", "    reply: greet\n    mood: sad"))
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'a.yaml'}:5: intents.hello.mood: unknown key")


def test_unknown_top_level_section(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD + "extras: {}\n")
    assert found[0].startswith(f"{tmp_path / 'a.yaml'}:9: extras: unknown key")


def test_duplicate_key_in_one_file(tmp_path: Path) -> None:
    text = GOOD + "  greet:\n    category: support\n    say: [Hey.]\n"
    found = problems(tmp_path, text)
    assert any(":9: responses.greet: duplicate key (first at line 6)" in p for p in found)


def test_duplicate_id_across_files_names_both(tmp_path: Path) -> None:
    other = "responses:\n  greet:\n    category: support\n    say: [Hey.]\n"
    found = problems(tmp_path, GOOD, other)
    assert found == [
        f"{tmp_path / 'b.yaml'}:2: responses.greet: duplicate id 'greet' "
        f"(first defined at {tmp_path / 'a.yaml'}:6)"
    ]


def test_dangling_reference(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("reply: greet", "reply: wave"))
    assert found == [
        f"{tmp_path / 'a.yaml'}:4: intents.hello.reply: refers to 'wave', "
        "which no script defines under responses"
    ]


def test_dangling_step_and_pattern(tmp_path: Path) -> None:
    text = GOOD.replace('say: ["Hi."]', 'say: ["Hi."]\n    ask: nowhere\n    breathing: zen')
    found = problems(tmp_path, text)
    assert any(":9: responses.greet.ask: refers to 'nowhere'" in p for p in found)
    assert any(":10: responses.greet.breathing: refers to 'zen'" in p for p in found)


def test_bad_category_and_missing_key(tmp_path: Path) -> None:
    text = GOOD.replace("category: support", "category: joy").replace("    reply: greet\n", "")
    found = problems(tmp_path, text)
    assert any(":6: responses.greet.category: 'joy' is not one of" in p for p in found)
    assert any(":2: intents.hello: missing required key 'reply'" in p for p in found)


def test_repeated_variant_and_empty_text(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace('say: ["Hi."]', 'say: ["Hi.", "Hi.", ""]'))
    assert any("responses.greet.say.[1]: repeats an earlier entry" in p for p in found)
    assert any("responses.greet.say.[2]: must not be empty" in p for p in found)


def test_syntax_error_names_line(tmp_path: Path) -> None:
    found = problems(tmp_path, "intents:\n  hello: [unclosed\n")
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'a.yaml'}:3: (syntax):")


def test_empty_file_and_non_mapping(tmp_path: Path) -> None:
    assert problems(tmp_path, "") == [f"{tmp_path / 'a.yaml'}:1: (top): the file is empty"]
    found = problems(tmp_path, "- just\n- a list\n")
    assert found == [f"{tmp_path / 'a.yaml'}:1: (top): must be a mapping of keys to values"]


def test_a_script_cannot_speak_as_the_crisis_reply(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("category: support", "category: crisis"))
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'a.yaml'}:7: responses.greet.category: 'crisis'")


def test_example_files_load_and_unknown_names_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    (tmp_path / "examples").mkdir()
    write(tmp_path, "examples/hello.txt", "# a comment\nhiya there\n\nhowdy\n")
    write(tmp_path, "examples/crisis_self.txt", "i want to die\n")
    scripts = load_scripts([tmp_path])
    assert set(scripts.lines) == {
        ("hello", "hiya there"),
        ("hello", "howdy"),
        ("crisis_self", "i want to die"),
    }
    write(tmp_path, "examples/goodbye.txt", "see ya\n")
    with pytest.raises(ScriptError) as info:
        load_scripts([tmp_path])
    assert info.value.problems[0].startswith(f"{tmp_path / 'examples' / 'goodbye.txt'}:1:")


def test_breathing_pattern_needs_rounds_or_minutes(tmp_path: Path) -> None:
    pattern = """\
    patterns:
      calm:
        title: Calm
        intro: In we go.
        closing: Done.
        phases:
          - {name: in, seconds: 4, cue: In}
          - {name: sideways, seconds: 99, cue: Out}
    """
    found = problems(tmp_path, GOOD, pattern)
    assert any(":2: patterns.calm: give exactly one of 'rounds' or 'minutes'" in p for p in found)
    assert any("patterns.calm.phases.[1].name: 'sideways' is not one of" in p for p in found)
    assert any("patterns.calm.phases.[1].seconds: must be between 0.5 and 30" in p for p in found)


def test_no_files(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="no dialog scripts found"):
        load_scripts([tmp_path])


def test_shipped_scripts_are_valid() -> None:
    scripts = load_scripts([DIALOGS])
    assert len(scripts.intents) >= 30


ASKS = """\
responses:
  greet:
    category: support
    say:
      - "Hi."
      - "What's on your mind today?"
"""


def test_a_question_nobody_hears_the_answer_to_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, ASKS)
    assert found == [
        f"{tmp_path / 'a.yaml'}:6: responses.greet.say.[1]: asks a question but nothing hears "
        "the answer: add 'ask: <step>' to the response, or 'expects_answer: false' if no "
        "answer is wanted"
    ]


def test_a_question_may_say_it_expects_no_answer(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", ASKS + "    expects_answer: false\n")
    assert load_scripts([tmp_path]).responses["greet"].ask is None


def test_expects_no_answer_and_a_step_contradict(tmp_path: Path) -> None:
    steps = """\
    steps:
      topic:
        answers:
          - examples: [work]
            reply: greet
        otherwise: greet
    """
    found = problems(tmp_path, ASKS + "    expects_answer: false\n    ask: topic\n", steps)
    assert found == [
        f"{tmp_path / 'a.yaml'}:7: responses.greet.expects_answer: cannot be false when 'ask' "
        "names a step"
    ]


def test_breathing_rounds_must_be_whole(tmp_path: Path) -> None:
    pattern = """\
    patterns:
      calm:
        title: Calm
        rounds: 1.5
        intro: In we go.
        closing: Done.
        phases:
          - {name: in, seconds: 4, cue: In}
    """
    found = problems(tmp_path, GOOD, pattern)
    assert found == [
        f"{tmp_path / 'b.yaml'}:4: patterns.calm.rounds: must be a whole number of rounds"
    ]


CALM = """\
patterns:
  calm:
    title: Calm
    rounds: 1
    examples: [calm breathing, the calm one]
    intro: In we go.
    closing: Done.
    phases:
      - {name: in, seconds: 4, cue: In}
"""


def test_a_pattern_with_examples_makes_its_own_intent_and_reply(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", CALM)
    scripts = load_scripts([tmp_path])
    intent = next(i for i in scripts.intents if i.id == "calm")
    assert intent.examples == ("calm breathing", "the calm one") and intent.reply == "calm"
    reply = scripts.responses["calm"]
    assert (reply.category, reply.say, reply.breathing) == ("breathing", ("In we go.",), "calm")


def test_a_pattern_with_examples_cannot_share_its_name(tmp_path: Path) -> None:
    twice = GOOD.replace(
        "intents:\n", "intents:\n  calm:\n    examples: [calm]\n    reply: greet\n"
    )
    found = problems(tmp_path, twice, CALM)
    assert len(found) == 1 and f"{tmp_path / 'b.yaml'}:" in found[0], found
    assert "duplicate id 'calm'" in found[0], found


def test_deep_nesting_is_refused_with_its_line(tmp_path: Path) -> None:
    # Fifty thousand brackets once crashed the parser itself.
    found = problems(tmp_path, "intents:\n  x: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert found == [
        f"{tmp_path / 'a.yaml'}:2: (structure): lists or mappings nested more than 32 deep"
    ]


def test_an_alias_that_repeats_a_whole_list_is_refused(tmp_path: Path) -> None:
    # Lists of lists of aliases grow to billions of entries when read.
    levels = ['a0: &a0 ["lol", "lol", "lol"]']
    levels += [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}]" for n in range(1, 12)]
    found = problems(tmp_path, "\n".join(levels) + "\n")
    assert found == [
        f"{tmp_path / 'a.yaml'}:2: (alias): *a0 repeats a whole list or mapping; "
        "write it out instead"
    ]


def test_an_alias_of_one_line_of_text_is_fine(tmp_path: Path) -> None:
    text = GOOD.replace('say: ["Hi."]', 'say: ["Hi.", *hi]').replace(
        "examples: [hello there]", "examples: [&hi hello there]"
    )
    write(tmp_path, "a.yaml", text)
    assert load_scripts([tmp_path]).responses["greet"].say == ("Hi.", "hello there")


def test_a_complex_key_is_named_plainly(tmp_path: Path) -> None:
    found = problems(tmp_path, "intents:\n  ? [a, b]\n  : x\n")
    assert found == [
        f"{tmp_path / 'a.yaml'}:2: intents.(complex key): keys must be plain non-empty names"
    ]
