"""A fine-tuning run's identity (torch-free): the key a checkpoint records, how two keys differ in
words, and the one line said about a stopped run found in the run folder."""
import json

from colorstudio.training import run_identity as ri

PAIRS = [("/p/a_mono.png", "/p/a_color.png"), ("/p/b_mono.png", "/p/b_color.png")]


def test_a_key_without_held_apart_pairs_or_seed_is_the_one_older_versions_wrote():
    old = json.dumps({"base": "shipped", "pairs": ["/p/a_mono.png", "/p/b_mono.png"], "lr": 1e-4,
                      "crop": [64, 96]}, sort_keys=True)     # finetune.run_key before session 31
    assert ri.run_key(None, PAIRS, 1e-4, (64, 96)) == old
    assert json.loads(ri.run_key(None, PAIRS, 1e-4, (64, 96), method="ccdc"))["method"] == "ccdc"
    given = json.loads(ri.run_key(None, PAIRS, 1e-4, (64, 96), validation=[PAIRS[0]], seed=3))
    assert given["validation"] == ["/p/a_mono.png"] and given["seed"] == 3


def test_the_differences_are_said_in_words():
    key = ri.run_key(None, PAIRS, 1e-4, (64, 96), method="ccdc")
    more = PAIRS + [("/p/c_mono.png", "/p/c_color.png")]
    assert ri.differences(key, ri.run_key(None, more[1:], 1e-4, (64, 96), method="ccdc")) == \
        ["other training pairs (1 added, 1 gone)"]
    assert ri.differences(key, ri.run_key(None, PAIRS, 1e-5, (96, 96), method="ccdc")) == \
        ["another learning rate (0.0001, now 1e-05)", "another crop (64x96, now 96x96)"]
    held = ri.run_key(None, PAIRS, 1e-4, (64, 96), [PAIRS[1]], method="ccdc")
    assert ri.differences(held, ri.run_key(None, PAIRS, 1e-4, (64, 96), [PAIRS[0]], 2, method="ccdc")) == \
        ["other held-apart pairs", "another seed (default, now 2)"]
    assert ri.differences(key, ri.run_key("/m/base.safetensors", PAIRS, 1e-4, (64, 96))) == \
        ["another network", "another base model"]
    assert ri.differences(None, key) == ["another kind of run"] == ri.differences("not json", key)
    # a CCDC key an older version wrote (no held-apart pairs recorded) is not said to have other ones
    assert ri.differences(key, ri.run_key(None, PAIRS, 1e-4, (64, 96), [PAIRS[0]], method="ccdc")) == \
        ["held-apart pairs it did not record (its own split, or an older version's run)"]
    assert ri.key_method(key) == "ccdc" and ri.key_method(ri.run_key(None, PAIRS, 1e-4, (64, 96))) is None
    assert ri.key_method(None) is None and ri.key_method("[1]") is None


def test_the_note_says_whether_a_stopped_run_is_resumed_or_replaced_and_why():
    key = ri.run_key(None, PAIRS, 1e-4, (64, 96))
    other = ri.run_key(None, PAIRS[:1], 1e-4, (64, 96))
    state = {"step": 120, "seconds": 190.4, "options": {"run_key": key}}
    assert ri.stored_key(state) == key == ri.stored_key({"run_key": key})
    assert ri.earlier_run_note({}, None, key, False, "/r", False) == ""
    assert ri.earlier_run_note(state, key, key, True, "/r", False) == "resuming the run stopped at step 120 (3:10 trained)"
    assert ri.earlier_run_note(state, key, other, False, "/r", False) == (
        "starting afresh: the run in /r (step 120, 3:10 trained) is replaced, as it had other training pairs (1 gone)")
    assert ri.earlier_run_note(state, key, key, True, "/r", True) == (
        "resuming the run stopped at step 120 (3:10 trained); its budget is spent, so its model is written now")
    assert "--resume /r goes on with it" in ri.earlier_run_note(state, key, key, False, "/r", False)


def test_a_budget_is_spent_by_steps_or_by_minutes():
    state = {"step": 10, "seconds": 600.0}
    assert ri.budget_spent(state, None, 10) and not ri.budget_spent(state, None, 11)
    assert ri.budget_spent(state, 10, None) and not ri.budget_spent(state, 10.5, None)
    assert not ri.budget_spent({}, 1, 1)
