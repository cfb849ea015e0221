"""Conversation flows: triage, repeat, another, commands, unknown, empty input."""

from __future__ import annotations

import random

from voice.dialog.crisis import spoken_words
from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.dialog.placeholders import MAX_SPOKEN_WORDS, fill
from voice.dialog.schema import CATEGORIES, COMMANDS


def test_ambiguous_guilt_asks_then_routes_guilt(conversation: Conversation) -> None:
    ask = conversation.respond("um i feel so guilty")
    assert (ask.category, ask.response_id) == ("guilt", "triage")
    assert "?" in ask.text
    answer = conversation.respond("it was something i did this morning")
    assert (answer.category, answer.response_id, answer.intent) == (
        "guilt",
        "repair",
        "guilt_or_shame",
    )


def test_ambiguous_guilt_routes_shame(conversation: Conversation) -> None:
    conversation.respond("the mom guilt is bad today")
    answer = conversation.respond("i guess it feels like i am the problem")
    assert (answer.category, answer.response_id) == ("shame", "act_not_identity")


def test_unclear_answer_goes_to_otherwise(conversation: Conversation) -> None:
    conversation.respond("i feel guilty")
    answer = conversation.respond("hmm i am not sure")
    assert answer.response_id == "notice_name"
    unclear = Conversation(conversation.dialog, random.Random(1))
    unclear.respond("i feel guilty")
    assert unclear.respond("purple elephants").response_id == "notice_name"


def test_a_new_topic_during_a_question_is_followed(conversation: Conversation) -> None:
    conversation.respond("i feel so guilty")
    moved_on = conversation.respond("actually i need help to calm down")
    assert moved_on.category == "breathing"


def test_repeat_says_last_reply_word_for_word(conversation: Conversation) -> None:
    first = conversation.respond("i yelled at my kids")
    again = conversation.respond("say that again")
    assert again.text == first.text
    assert (again.category, again.command) == ("command", "repeat")
    assert conversation.respond("repeat").text == first.text


def test_repeat_before_anything_was_said(conversation: Conversation) -> None:
    reply = conversation.respond("repeat that")
    assert reply.command == "repeat" and reply.response_id == "nothing_yet"


def test_another_never_repeats_until_pool_is_exhausted(dialog: Dialog) -> None:
    conversation = Conversation(dialog, random.Random(3))
    first = conversation.respond("give me a mantra")
    pool = {text for r in dialog.in_category(first.category) for text in r.say}
    heard = [first.text]
    for _ in range(len(pool) - 1):
        reply = conversation.respond("another one")
        assert reply.command == "another"
        assert reply.text not in heard, "a line came back before the pool ran out"
        heard.append(reply.text)
    assert set(heard) == pool
    # Pool exhausted: the least recently heard comes back first.
    assert conversation.respond("another").text == heard[0]


def test_another_stays_with_the_same_kind(dialog: Dialog) -> None:
    conversation = Conversation(dialog, random.Random(5))
    first = conversation.respond("i am a terrible mom")
    same = conversation.respond("another")
    assert same.response_id == first.response_id
    assert same.text != first.text


def test_normal_replies_avoid_recent_repeats(dialog: Dialog) -> None:
    conversation = Conversation(dialog, random.Random(11))
    response = dialog.response("repair")
    texts = [conversation.respond("i yelled at my kids").text for _ in response.say]
    assert sorted(texts) == sorted(response.say)


def test_commands_carry_their_name(conversation: Conversation) -> None:
    said = {
        "stop": "stop",
        "okay stop please": "stop",
        "slow down": "slower",
        "faster please": "faster",
        "speak up": "louder",
        "too loud": "quieter",
        "what can you do": "help",
        "good night": "goodbye",
        "thank you so much": "thanks",
    }
    for text, name in said.items():
        reply = conversation.respond(text)
        assert (reply.category, reply.command) == ("command", name), text
        assert reply.command in COMMANDS


def test_command_words_inside_a_sentence_are_not_commands(conversation: Conversation) -> None:
    reply = conversation.respond("i can not stop yelling at my kids")
    assert reply.command is None and reply.category == "guilt"


def test_out_of_domain_says_what_it_can_do(conversation: Conversation) -> None:
    for text in ("set a timer for ten minutes", "what is the weather", "play some music"):
        reply = conversation.respond(text)
        assert reply.category == "unknown" and reply.command is None
        assert "mantra" in reply.text and "breathe" in reply.text


def test_empty_and_filler_only_input(conversation: Conversation) -> None:
    for text in ("", "   ", "um uh", "\x00\x01"):
        reply = conversation.respond(text)
        assert reply.category == "unknown" and reply.text


def test_an_unfinished_start_is_waited_for_not_misunderstood(
    conversation: Conversation,
) -> None:
    for text in ("well", "so um is it", "and um"):
        assert conversation.respond(text).response_id == "listening", text
    assert conversation.respond("blorp zibble").response_id == "fallback"


def test_every_category_in_the_contract(dialog: Dialog) -> None:
    used = {r.category for r in dialog.scripts.responses.values()}
    assert used <= set(CATEGORIES)
    assert used | {"crisis"} == set(CATEGORIES)


def test_replies_are_short_enough_to_hear_while_stirring(dialog: Dialog) -> None:
    # Thirty words as heard, with every country's numbers read digit by digit.
    for response in dialog.scripts.responses.values():
        for line in response.say:
            for code, helplines in dialog.helplines.items():
                said = fill(line, helplines, "i forgot my daughter's swimming kit again")
                assert spoken_words(said) <= MAX_SPOKEN_WORDS, (code, response.id, said)


def test_no_line_is_in_more_than_one_pool(dialog: Dialog) -> None:
    seen: dict[str, str] = {}
    for response in dialog.scripts.responses.values():
        for line in response.say:
            key = " ".join(line.lower().split())
            assert key not in seen, (line, seen.get(key), response.id)
            seen[key] = response.id


def test_not_understood_has_at_least_five_ways_of_saying_so(dialog: Dialog) -> None:
    assert len(set(dialog.response("fallback").say)) >= 5


def test_every_question_has_a_step_that_hears_the_answer(dialog: Dialog) -> None:
    for response in dialog.scripts.responses.values():
        if any(line.rstrip().endswith("?") for line in response.say):
            assert response.ask in dialog.scripts.steps, response.id


def test_at_least_forty_distinct_mantras_and_reframes(dialog: Dialog) -> None:
    reframes = {
        text
        for r in dialog.scripts.responses.values()
        if r.category not in {"command", "unknown", "breathing"}
        for text in r.say
    }
    assert len(reframes) >= 40


def test_words_in_other_scripts_or_emoji_are_not_taken_for_silence(
    conversation: Conversation,
) -> None:
    for text in ["שלום מה שלומך", "مرحبا كيف حالك", "😭😭😭"]:
        assert conversation.respond(text).response_id == "fallback", text
    assert conversation.respond("... ").response_id == "listening"
