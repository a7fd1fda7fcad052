"""Learning how an endpoint counts images from the usage it reports."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.learning import (
    ImageCostLearner,
    ImageRule,
    Observation,
    learning_key,
    observation_of,
    rule_from,
)
from app.store.learned_costs import LearnedCostStore

KEY = learning_key("https://api.x.ai/v1/", "grok-4")


def test_nothing_is_learned_from_turns_without_images_or_figures() -> None:
    assert observation_of(0, 100, 0) is None
    assert observation_of(512, None, 1) is None
    assert observation_of(512, 700, 1, unknown_images=1) is None
    assert observation_of(512, 768, 1) == Observation(512, 768, 1)
    assert KEY == "https://api.x.ai/v1|grok-4"


def test_three_turns_with_the_same_ratio_teach_it() -> None:
    learner = ImageCostLearner()
    assert not learner.observe(KEY, Observation(512, 768, 1))
    assert not learner.observe(KEY, Observation(2304, 3456, 2))
    assert learner.rule(KEY) is None
    assert learner.observe(KEY, Observation(1792, 2688, 1))
    rule = learner.rule(KEY)
    assert rule == ImageRule("ratio", 1.5)
    assert rule.describe() == "1.5× the formula"
    assert rule.apply(512) == 768
    # Another agreeing turn changes nothing; other models and endpoints are not affected.
    assert not learner.observe(KEY, Observation(512, 768, 1))
    assert learner.rule(learning_key("https://api.x.ai/v1", "grok-3")) is None


def test_a_fixed_offset_per_image_is_learned_when_the_ratio_varies() -> None:
    learner = ImageCostLearner()
    for formula, images in ((512, 1), (1792 + 512, 2), (1792, 1)):
        learner.observe(KEY, Observation(formula, formula + 85 * images, images))
    rule = learner.rule(KEY)
    assert rule == ImageRule("offset", 85.0)
    assert rule.apply(512) == 597
    assert rule.describe() == "85 tokens more per image than the formula"
    assert ImageRule("offset", -256).describe() == "256 tokens fewer per image than the formula"


def test_disagreeing_turns_keep_what_was_learned_and_the_formula_again_forgets_it() -> None:
    learner = ImageCostLearner()
    for _ in range(3):
        learner.observe(KEY, Observation(1024, 2048, 2))
    assert learner.rule(KEY) == ImageRule("ratio", 2.0)
    learner.observe(KEY, Observation(512, 600, 1))
    learner.observe(KEY, Observation(512, 1400, 1))
    assert learner.rule(KEY) == ImageRule("ratio", 2.0)
    assert rule_from([Observation(512, 512, 1)] * 2) is None
    changed = [learner.observe(KEY, Observation(512, 512, 1)) for _ in range(3)]
    assert changed == [False, False, True]
    assert learner.rule(KEY) is None


def test_what_was_learned_survives_a_restart(tmp_path: Path) -> None:
    store = LearnedCostStore(tmp_path)
    assert store.load().rules == {}
    learner = ImageCostLearner()
    for _ in range(3):
        learner.observe(KEY, Observation(512, 1024, 1))
    store.save(learner)
    again = store.load()
    assert again.rule(KEY) == ImageRule("ratio", 2.0)
    assert again.observations[KEY] == learner.observations[KEY]


def test_a_damaged_file_is_an_empty_learner(tmp_path: Path) -> None:
    store = LearnedCostStore(tmp_path)
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load().rules == {}
    store.path.write_text(
        json.dumps(
            {
                KEY: {
                    "observations": [
                        {"formula": 512, "reported": "x", "images": 1},
                        {"formula": 512, "reported": 700, "images": 1},
                    ],
                    "rule": {"kind": "ratio", "value": True},
                },
                "other": {"rule": {"kind": "offset", "value": 12.5}},
                "bad": [1, 2],
            }
        ),
        encoding="utf-8",
    )
    learner = store.load()
    assert learner.observations[KEY] == [Observation(512, 700, 1)]
    assert learner.rule(KEY) is None
    assert learner.rule("other") == ImageRule("offset", 12.5)
