"""Unit tests of lab 04's checks (autograder/checks/04_validation.py): items run on in-memory answers.

The reference values come from the module's own helpers, so these tests pin the verdicts and the
messages, not the numbers; no notebook is executed.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import lab_checks

LAB = "04_validation"


@pytest.fixture(scope="module")
def ref():
    """The lab module, for its reference helpers."""
    return lab_checks(LAB).module


def test_every_test_cell_of_the_lab_has_an_item():
    """Does the module declare exactly the notebook's auto-graded items, in notebook order?"""
    from pmle.course import notebooks as nbu

    from conftest import source

    cells = [nbu.grade_id(c) for c in source(LAB).cells if nbu.is_test(c)]
    assert list(lab_checks(LAB).items) == cells


def test_every_item_has_a_worked_explanation():
    """Does every item carry the worked explanation shown after a pass?"""
    assert all(item.explanation.strip() for item in lab_checks(LAB).items.values())


@pytest.fixture
def run(verdict):
    return lambda item, cell_errors=None, untouched=(), **answers: verdict(LAB, item, cell_errors, untouched, **answers)


def assert_wrong(result, fragment: str, status: str = "wrong"):
    assert result.status == status, result
    assert fragment.lower() in result.message.lower(), result.message


# ---------------------------------------------------------------- schemes


SCHEMES = {"app_activity": "GroupKFold", "tickets": "TimeSeriesSplit", "defaults": "StratifiedKFold",
           "house_prices": "KFold", "scans": "StratifiedGroupKFold"}


def test_schemes_reference_and_alternative(run):
    """Does the reference mapping pass, and StratifiedGroupKFold for the app model too?"""
    assert run("schemes", schemes=SCHEMES).passed
    assert run("schemes", schemes={**SCHEMES, "app_activity": "StratifiedGroupKFold"}).passed


@pytest.mark.parametrize("key, wrong, fragment", [
    ("tickets", "KFold", "a shuffled time series"),
    ("app_activity", "StratifiedKFold", "group leakage"),
    ("defaults", "KFold", "StratifiedKFold keeps the rate in every fold"),
    ("scans", "GroupKFold", "StratifiedGroupKFold keeps both"),
])
def test_schemes_mistakes_are_named(run, key, wrong, fragment):
    """Does a wrong splitter for one project fail with the mistake it shows?"""
    assert_wrong(run("schemes", schemes={**SCHEMES, key: wrong}), fragment)


def test_schemes_placeholder_is_not_attempted(run):
    """Is the untouched placeholder dict, or no `schemes` at all, "not attempted"?"""
    assert run("schemes", schemes=dict.fromkeys(SCHEMES)).status == "not attempted"
    assert run("schemes").status == "not attempted"


# ---------------------------------------------------------------- group_gap


def gap_answer(ref, random=None, group=None, optimism=None):
    scores = ref.gap_scores()
    random = scores["random"] if random is None else random
    group = scores["group"] if group is None else group
    return {"random_auc": random, "group_auc": group, "optimism": random - group if optimism is None else optimism}


def test_group_gap_reference_passes(run, ref):
    """Do the reference scores pass, a shuffled GroupKFold's grouped score too, and numbers rounded to 2 decimals?"""
    from sklearn.model_selection import GroupKFold

    assert run("group_gap", **gap_answer(ref)).passed
    X, _, customers, _, active = ref._app_data()
    for seed in (0, 3):  # the lowest grouped scores of 20 shuffles (0.508, 0.509)
        shuffled = ref._knn_cv(X[ref.profile_columns(X)], active, GroupKFold(5, shuffle=True, random_state=seed), customers)
        assert run("group_gap", **gap_answer(ref, group=shuffled)).passed
    scores = ref.gap_scores()
    random, group = round(scores["random"], 2), round(scores["group"], 2)
    assert run("group_gap", random_auc=random, group_auc=group, optimism=round(scores["random"] - scores["group"], 2)).passed


def test_group_gap_optimism_is_the_learners_own_difference(run, ref):
    """Is `optimism` judged against the learner's own two (accepted) scores, not only the reference's?"""
    scores = ref.gap_scores()
    random, group = scores["random"] + 0.01, scores["group"] - 0.02
    assert run("group_gap", random_auc=random, group_auc=group, optimism=random - group).passed
    result = run("group_gap", random_auc=random, group_auc=group, optimism=scores["random"] - scores["group"] - 0.03)
    assert_wrong(result, "your own two scores")


def test_group_gap_mistakes_are_named(run, ref):
    """Do grouping by month, a flipped sign and all of `X` as features fail with their messages?"""
    scores = ref.gap_scores()
    assert_wrong(run("group_gap", **gap_answer(ref, group=scores["by_month"])), "grouped by snapshot month")
    assert_wrong(run("group_gap", **gap_answer(ref, group=scores["random"])), "same customer is still in train and test")
    flipped = scores["group"] - scores["random"]
    assert_wrong(run("group_gap", **gap_answer(ref, optimism=flipped)), "sign is flipped")
    leaky = ref.gap_mistakes()["random_all_columns"]
    assert_wrong(run("group_gap", **gap_answer(ref, random=leaky)), "`sessions_30d`")
    unshuffled = ref.gap_mistakes()["random_unshuffled"]
    assert_wrong(run("group_gap", **gap_answer(ref, random=unshuffled)), "without `shuffle=True`")
    accuracy = ref.gap_mistakes()["random_accuracy"]
    assert_wrong(run("group_gap", **gap_answer(ref, random=accuracy)), "this is accuracy")


def test_group_gap_missing_is_not_attempted(run):
    """Is the placeholder (None) "not attempted"?"""
    assert run("group_gap", random_auc=None, group_auc=None, optimism=None).status == "not attempted"


# ---------------------------------------------------------------- walk_forward_splits


def walk_generator(periods, n_splits):
    import pandas as pd

    series = pd.Series(np.asarray(periods))
    order = sorted(series.unique())
    if n_splits < 1 or n_splits >= len(order):
        raise ValueError("n_splits")
    for period in order[-n_splits:]:
        yield np.where(series < period)[0].tolist(), np.where(series == period)[0].tolist()


def test_walk_forward_reference_and_generator_pass(run, ref):
    """Do the reference splitter and a generator of lists with pandas pass?"""
    assert run("walk_forward_splits", walk_forward_splits=ref.ref_walk).passed
    assert run("walk_forward_splits", walk_forward_splits=walk_generator).passed


@pytest.mark.parametrize("index", range(8))
def test_walk_forward_mistakes_are_named(run, ref, index):
    """Does every recorded wrong splitter fail with its own message?"""
    wrong, message = ref.WALK_MISTAKES[index]
    assert_wrong(run("walk_forward_splits", walk_forward_splits=wrong), message[:40])


def test_walk_forward_unattempted_and_broken(run):
    """Is a body that still raises NotImplementedError "not attempted", and one that raises TypeError an "error"?"""
    def todo(periods, n_splits):
        raise NotImplementedError

    def broken(periods, n_splits):
        raise TypeError("boom")

    assert run("walk_forward_splits", walk_forward_splits=todo).status == "not attempted"
    assert run("walk_forward_splits").status == "not attempted"
    assert_wrong(run("walk_forward_splits", walk_forward_splits=broken), "boom", status="error")


# ---------------------------------------------------------------- best_depth


def depth_answer(ref, splitter=None):
    scores = ref.depth_scores(splitter or ref.ref_walk)
    cv = scores["cv"]
    best = max(cv, key=cv.get)
    june = ref.depth_scores(ref.ref_walk)["june"][best]
    return {"cv_auc": dict(cv), "best_depth": best, "june_auc": june}


def test_best_depth_reference_passes(run, ref):
    """Do the reference scores, depth and June AUC pass, with cv_auc in any key order?"""
    answer = depth_answer(ref)
    assert run("best_depth", walk_forward_splits=ref.ref_walk, **answer).passed
    reordered = dict(reversed(list(answer["cv_auc"].items())))
    assert run("best_depth", **{**answer, "cv_auc": reordered}).passed


def test_best_depth_accepts_numpy_keys_and_values(run, ref):
    """Does a cv_auc with numpy integer keys and numpy float scores (as GridSearchCV's results give) pass?"""
    answer = depth_answer(ref)
    numpy_cv = {np.int64(d): np.float64(v) for d, v in answer["cv_auc"].items()}
    assert run("best_depth", **{**answer, "cv_auc": numpy_cv, "best_depth": np.int64(answer["best_depth"])}).passed


def test_best_depth_mistakes_are_named(run, ref):
    """Do a depth tuned on June, June's AUC on training rows, an empty cv_auc and TimeSeriesSplit folds fail by name?"""
    answer = depth_answer(ref)
    june = ref.depth_scores(ref.ref_walk)["june"]
    train = ref.depth_scores(ref.ref_walk)["train"]
    on_june = max(june, key=june.get)
    assert on_june != answer["best_depth"]
    assert_wrong(run("best_depth", cv_auc={}, best_depth=on_june, june_auc=june[on_june]), "best depth on June")
    assert_wrong(run("best_depth", **{**answer, "june_auc": train[answer["best_depth"]]}),
                 "training months the tree was fitted on")
    assert_wrong(run("best_depth", **{**answer, "cv_auc": {}}), "`cv_auc` is empty")
    by_position = ref.by_position_scores()
    assert_wrong(run("best_depth", **{**answer, "cv_auc": by_position}), "TimeSeriesSplit")
    assert_wrong(run("best_depth", **{**answer, "cv_auc": {d: s for d, s in answer["cv_auc"].items() if d != 10}}),
                 "no score for depth 10")
    assert_wrong(run("best_depth", **{**answer, "cv_auc": ref.label_cv_scores()}), "hard 0/1 predictions")
    june_labels = ref.depth_scores(ref.ref_walk)["june_labels"][answer["best_depth"]]
    assert_wrong(run("best_depth", **{**answer, "june_auc": june_labels}), "hard 0/1 predictions")


def test_best_depth_training_scores_and_test_month_in_training_are_named(run, ref):
    """Do training-fold scores (for cv_auc and the depth they pick) and a June tree fitted on June too fail by name?"""
    answer = depth_answer(ref)
    train_folds = ref.train_fold_scores()
    assert_wrong(run("best_depth", **{**answer, "cv_auc": train_folds}), "own training months (`train_score`)")
    deepest = max(train_folds, key=train_folds.get)
    assert deepest != answer["best_depth"]
    assert_wrong(run("best_depth", **{**answer, "cv_auc": train_folds, "best_depth": deepest}),
                 "own training months (`train_score`)")
    on_all = ref.june_of_tree_fitted_on_all(answer["best_depth"])
    assert abs(on_all - answer["june_auc"]) > 0.01
    assert_wrong(run("best_depth", **{**answer, "june_auc": on_all}), "train plus test")


def test_best_depth_message_shows_digits_enough(run, ref):
    """Does a cv_auc off by 1e-5 show two numbers that differ, never one number and its rounding?"""
    answer = depth_answer(ref)
    off = {d: v + (1e-5 if d == 4 else 0) for d, v in answer["cv_auc"].items()}
    message = run("best_depth", **{**answer, "cv_auc": off}).message
    got, want = re.search(r"= ([0-9.]+), expected about ([0-9.]+)", message).groups()
    assert got != want and "walk-forward folds" in message, message


def test_best_depth_carries_the_learner_splitter_forward(run, ref):
    """Is Q4 scored with the learner's own (wrong) splitter, so Q3's mistake is not charged twice?"""
    off_by_one = ref.WALK_MISTAKES[1][0]  # training rows include the test month
    theirs = depth_answer(ref, ref._test_in_train)
    assert theirs["cv_auc"] != depth_answer(ref)["cv_auc"]
    assert run("best_depth", walk_forward_splits=off_by_one, **theirs).passed
    assert run("best_depth", walk_forward_splits=off_by_one, **depth_answer(ref)).status == "wrong"
    # A splitter that matches no known behaviour (or is missing) is scored as the reference.
    assert run("best_depth", walk_forward_splits=lambda p, n: [], **depth_answer(ref)).passed
    assert run("best_depth", **depth_answer(ref)).passed


def test_best_depth_missing_is_not_attempted(run):
    """Is the placeholder depth "not attempted"?"""
    blank = {"cv_auc", "best_depth", "june_auc"}
    assert run("best_depth", untouched=blank, cv_auc={}, best_depth=None, june_auc=None).status == "not attempted"


# ---------------------------------------------------------------- make_churn_model


def test_make_churn_model_reference_and_named_steps_pass(run, ref):
    """Do the reference factory and a Pipeline with named steps pass?"""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    def named(C=1.0):
        return Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler()),
                         ("model", LogisticRegression(C=C, solver="newton-cholesky"))])

    assert run("make_churn_model", make_churn_model=ref.ref_churn_model).passed
    assert run("make_churn_model", make_churn_model=named).passed


def test_make_churn_model_accepts_other_l2_spellings(run):
    """Do the default lbfgs solver (same problem, same optimum) and an explicit L2 penalty pass?"""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def lbfgs(C=1.0):
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                             LogisticRegression(C=C))

    def zero_l1_ratio(C=1.0):
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                             LogisticRegression(C=C, l1_ratio=0.0, solver="newton-cholesky"))

    assert run("make_churn_model", make_churn_model=lbfgs).passed
    assert run("make_churn_model", make_churn_model=zero_l1_ratio).passed


def _factories():
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    shared = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                           LogisticRegression(solver="newton-cholesky"))
    rs = np.random.default_rng(0)
    X, y = rs.normal(size=(40, 3)), np.tile([0, 1], 20)
    return {
        "not a Pipeline": lambda C=1.0: LogisticRegression(C=C),
        "no scaler inside the pipeline": lambda C=1.0: make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                                                      LogisticRegression(C=C)),
        "ignores its `C` argument": lambda C=1.0: make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                                                StandardScaler(), LogisticRegression()),
        "missing-value indicators": lambda C=1.0: make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                                                                LogisticRegression(C=C)),
        "strategy=\"median\"": lambda C=1.0: make_pipeline(SimpleImputer(add_indicator=True), StandardScaler(),
                                                           LogisticRegression(C=C)),
        "already fitted": lambda C=1.0: make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                                      StandardScaler(), LogisticRegression(C=C)).fit(X, y),
        "same object each call": lambda C=1.0: shared.set_params(logisticregression__C=C),
        "impute before scaling": lambda C=1.0: make_pipeline(StandardScaler(),
                                                             SimpleImputer(strategy="median", add_indicator=True),
                                                             LogisticRegression(C=C, solver="newton-cholesky")),
        "default L2 penalty": lambda C=1.0: make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                                          StandardScaler(),
                                                          LogisticRegression(C=C, penalty="l1", solver="liblinear")),
        "its default must be": lambda C=0.5: make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                                           StandardScaler(), LogisticRegression(C=C)),
    }


@pytest.mark.parametrize("fragment", list(_factories()))
def test_make_churn_model_mistakes_are_named(run, fragment):
    """Does each recorded wrong factory fail with the message that names its mistake?"""
    assert_wrong(run("make_churn_model", make_churn_model=_factories()[fragment]), fragment)


def test_make_churn_model_names_the_unscaled_penalty_and_the_never_users(run, ref):
    """Do the no-scaler and no-indicator messages name the mistake (an unscaled penalty; never-users' churn rate)?"""
    assert_wrong(run("make_churn_model", make_churn_model=_factories()["no scaler inside the pipeline"]),
                 "an unscaled penalty")
    never, others = ref.never_user_churn()
    assert never > 3 * others  # the indicator matters: never-users churn far more often
    message = run("make_churn_model", make_churn_model=_factories()["missing-value indicators"]).message
    assert f"{never:.0%}" in message and f"{others:.0%}" in message


def test_make_churn_model_unattempted_and_broken(run):
    """Is a factory that raises NotImplementedError "not attempted", and one that raises an "error"?"""
    def todo(C=1.0):
        raise NotImplementedError

    def broken(C=1.0):
        raise ValueError("no pipeline today")

    assert run("make_churn_model", make_churn_model=todo).status == "not attempted"
    assert run("make_churn_model").status == "not attempted"
    assert_wrong(run("make_churn_model", make_churn_model=broken), "no pipeline today", status="error")


# ---------------------------------------------------------------- honest, after_nested, search_design, report


HONEST = {"pipeline_walk", "nested_walk"}
RIGHT = {"honest": {"honest": HONEST}, "after_nested": {"after_nested": "refit_all"},
         "search_design": {"search_design": "random", "managed_search": "bayesian"},
         "report": {"report": "mean_spread", "tracking": "experiments"}}


@pytest.mark.parametrize("item, wrong, fragment", [
    ("honest", {"honest": HONEST | {"scale_first"}}, "preprocessing fitted before the split"),
    ("honest", {"honest": HONEST | {"tune_on_june"}}, "hyperparameters chosen on the test set"),
    ("honest", {"honest": HONEST | {"select_first"}}, "labels of the scored rows choose the features"),
    ("honest", {"honest": HONEST | {"group_kfold"}}, "validated walk-forward"),
    ("honest", {"honest": {"pipeline_walk"}}, "`nested_walk` is honest"),
    ("honest", {"honest": {"nested_walk"}}, "`pipeline_walk` is honest"),
    ("after_nested", {"after_nested": "best_inner"}, "`best_score_` is the maximum"),
    ("search_design", {"search_design": "grid"}, "tries only 4 distinct values"),
    ("search_design", {"search_design": "same"}, "not the same number of distinct values"),
    ("search_design", {"managed_search": "random"}, "random search ignores the finished trials"),
    ("search_design", {"managed_search": "grid"}, "only integer, discrete or categorical"),
    ("report", {"report": "best_seed"}, "tuning on the evaluation"),
    ("report", {"report": "fixed_seed"}, "repeatable, not reliable"),
    ("report", {"tracking": "logging"}, "Cloud Logging keeps lines of text"),
    ("report", {"tracking": "registry"}, "Model Registry versions and deploys"),
    ("report", {"tracking": "notebook"}, "overwritten by the next run"),
])
def test_choices(run, item, wrong, fragment):
    """Does the right answer pass, a recorded wrong option fail by name, and the placeholders count as not attempted?"""
    right = RIGHT[item]
    assert run(item, **right).passed
    assert_wrong(run(item, **{**right, **wrong}), fragment)
    assert run(item, **dict.fromkeys(right)).status == "not attempted"


def test_honest_has_exactly_the_walk_forward_answers(run, ref):
    """Is the expected set exactly the two estimates that train only on earlier months with every step in the folds?"""
    assert run("honest", honest=["nested_walk", "pipeline_walk"]).passed
    for option in ref.HONEST_OPTIONS:
        if option not in HONEST:
            assert run("honest", honest=HONEST | {option}).status == "wrong", option


def test_two_part_choices_need_both_parts(run):
    """Is a two-part scenario with only its first part answered not passed?"""
    assert run("search_design", search_design="random", managed_search=None).status == "not attempted"
    assert run("report", report="mean_spread", tracking=None).status == "not attempted"


# ---------------------------------------------------------------- nested


def nested_answer(ref, **changes):
    values = ref.nested_reference()
    answer = {"best_inner_score": values["best"], "nested_scores": values["nested"].copy(),
              "nested_score": float(values["nested"].mean())}
    return {**answer, **changes}


def test_nested_reference_passes_in_any_fold_order(run, ref):
    """Do the reference numbers pass, with the outer scores as a list in another order too?"""
    assert run("nested", **nested_answer(ref)).passed
    reversed_list = list(ref.nested_reference()["nested"][::-1])
    assert run("nested", **nested_answer(ref, nested_scores=reversed_list)).passed


def test_nested_reference_is_gridsearchcv(ref):
    """Is the reference the pilot's GridSearchCV with its best score above the nested estimate (as the lab says)?"""
    values = ref.nested_reference()
    assert values["nested"].shape == (4,)
    assert values["best"] > values["nested"].mean()


def test_nested_mistakes_are_named(run, ref):
    """Do the best inner score as estimate, the best outer fold and a non-nested outer CV fail by name?"""
    values = ref.nested_reference()
    assert_wrong(run("nested", **nested_answer(ref, nested_score=values["best"])), "this is the best inner score")
    assert_wrong(run("nested", **nested_answer(ref, nested_score=float(values["nested"].max()))), "best outer fold")
    tuned = values["tuned_first"]
    assert_wrong(run("nested", **nested_answer(ref, nested_scores=tuned)), "already tuned on every pilot row")
    assert_wrong(run("nested", **nested_answer(ref, best_inner_score=float(values["nested"].mean()))),
                 "this is the nested estimate")
    assert_wrong(run("nested", **nested_answer(ref, best_inner_score=values["refit_on_pilot"])),
                 "rows it was trained on")
    assert_wrong(run("nested", **nested_answer(ref, nested_scores=values["nested"] + 0.01)), "their order does not matter")


def test_nested_missing_is_not_attempted(run):
    """Is the placeholder "not attempted", and a cell that raised an "error"?"""
    assert run("nested", best_inner_score=None, nested_scores=None, nested_score=None).status == "not attempted"
    broken = run("nested", cell_errors={"best_inner_score": "ValueError: groups"}, best_inner_score=None)
    assert broken.status == "error"


# ---------------------------------------------------------------- seed_spread


def spread_answer(folds):
    means = folds.mean(axis=1)
    return {"seed_means": [float(m) for m in means], "seed_sd": float(np.std(means, ddof=1))}


def test_seed_spread_reference_passes(run, ref):
    """Do the reference means pass, as an array too, and means rounded to 4 decimals with their own spread?"""
    folds = ref.ref_seed_folds()
    assert run("seed_spread", make_churn_model=ref.ref_churn_model, **spread_answer(folds)).passed
    means = folds.mean(axis=1)
    assert run("seed_spread", make_churn_model=ref.ref_churn_model, seed_means=means,
               seed_sd=float(np.std(means, ddof=1))).passed
    rounded = np.round(means, 4)
    assert run("seed_spread", make_churn_model=ref.ref_churn_model, seed_means=rounded,
               seed_sd=float(np.std(rounded, ddof=1))).passed


def test_seed_spread_standard_error_is_named(run, ref):
    """Does the standard error of the seeds' average (sd / sqrt(5), with ddof=1 or 0) fail by name?"""
    means = ref.ref_seed_folds().mean(axis=1)
    for ddof in (1, 0):
        standard_error = float(np.std(means, ddof=ddof) / np.sqrt(len(means)))
        result = run("seed_spread", make_churn_model=ref.ref_churn_model, seed_means=means, seed_sd=standard_error)
        assert_wrong(result, "standard error of the seeds' average")


def test_seed_spread_population_sd_is_named(run, ref):
    """Does the population standard deviation (ddof=0, 10.6 % below ddof=1 with five seeds) fail by name?"""
    means = ref.ref_seed_folds().mean(axis=1)
    result = run("seed_spread", make_churn_model=ref.ref_churn_model, seed_means=means, seed_sd=float(means.std()))
    assert_wrong(result, "population standard deviation (ddof=0)")
    assert "ddof=1" in result.message


def test_seed_spread_mistakes_are_named(run, ref):
    """Do one seed's fold scores, their spread, the range, a reordered list and an unseeded splitter fail by name?"""
    folds = ref.ref_seed_folds()
    answer = spread_answer(folds)
    means = folds.mean(axis=1)
    model = {"make_churn_model": ref.ref_churn_model}
    assert_wrong(run("seed_spread", **model, **{**answer, "seed_means": list(folds[0])}), "fold scores of one seed")
    assert_wrong(run("seed_spread", **model, **{**answer, "seed_sd": float(np.std(folds[0], ddof=1))}),
                 "spread across the folds of one seed")
    assert_wrong(run("seed_spread", **model, **{**answer, "seed_sd": float(np.ptp(means))}), "range (max - min)")
    assert_wrong(run("seed_spread", **model, **{**answer, "seed_means": sorted(means)}), "in another order")
    unshuffled = ref.seed_folds(ref.ref_churn_model(), ref.SPLIT_SEEDS[:1], shuffle=False)[0].mean()
    assert_wrong(run("seed_spread", **model, seed_means=[unshuffled] * 5, seed_sd=0.0), "ignores the seed")


def test_seed_spread_carries_the_learner_pipeline_forward(run, ref):
    """Is Q10 scored with the learner's own pipeline (Q5's no-scaler mistake) when it behaves like the reference?"""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    def no_scaler(C=1.0):
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                             LogisticRegression(C=C, solver="newton-cholesky"))

    theirs = ref.seed_folds(no_scaler())
    assert not np.allclose(theirs.mean(axis=1), ref.ref_seed_folds().mean(axis=1), atol=1e-4)
    assert run("seed_spread", make_churn_model=no_scaler, **spread_answer(theirs)).passed
    assert run("seed_spread", make_churn_model=no_scaler, **spread_answer(ref.ref_seed_folds())).status == "wrong"


def test_seed_spread_scores_an_unknown_factory_as_the_reference(run, ref):
    """Is a constant-model factory (or a missing one) scored as the reference, so its spread of 0 fails?"""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def constant(C=1.0):
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                             LogisticRegression(C=C, tol=1e10))

    assert_wrong(run("seed_spread", make_churn_model=constant, seed_means=[0.5] * 5, seed_sd=0.0),
                 "differs from the expected values")
    assert run("seed_spread", make_churn_model=constant, **spread_answer(ref.ref_seed_folds())).passed
    assert run("seed_spread", **spread_answer(ref.ref_seed_folds())).passed


def test_seed_spread_missing_is_not_attempted(run):
    """Is the placeholder "not attempted"?"""
    assert run("seed_spread", untouched={"seed_means", "seed_sd"}, seed_means=None, seed_sd=None).status == "not attempted"
