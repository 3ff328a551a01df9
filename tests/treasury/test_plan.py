"""The plan document: canonical bytes, plan hash, round trips, and the differences `union verify` reports."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import BaseModel

from tests.treasury.builders import RESEARCH, History, addr, start
from treasury._keccak import keccak256
from treasury.plan import (
    EMPTY_ROOT,
    PLAN_SCHEMA_VERSION,
    ContractsDoc,
    EpochDoc,
    EventIdsDoc,
    InputsDoc,
    Plan,
    PolicyDoc,
    PurposeDoc,
    ScheduleDoc,
    TotalsDoc,
    plan_differences,
)
from union.errors import UnionValueError

A, B, C = addr(0xA), addr(0xB), addr(0xC)


def small_history() -> History:
    history = History()
    history.policy(start(1) - 50, reserve=1_000, operations=500, floor=2_000, cap=6_000)
    history.entry(1, A, 5)
    history.entry(1, B, 1)
    history.entry(2, C, 2)
    history.consent(A, RESEARCH, True, start(1) - 1)
    history.revenue(1, 10**18)
    history.revenue(2, 3 * 10**17 + 1, RESEARCH)
    return history


def test_canonical_bytes_have_sorted_keys_decimal_string_amounts_and_no_floats() -> None:
    plan = Plan.from_inputs(small_history().inputs(0, 2))
    raw = plan.canonical_bytes()
    document = json.loads(raw)
    assert raw == json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert document["schemaVersion"] == PLAN_SCHEMA_VERSION
    assert document["algorithm"] == "union-dividends/2"
    assert document["totals"]["amount"] == str(plan.totals.amount)
    assert all(isinstance(amount, str) for amount in document["newCumulative"].values())
    assert b"." not in raw.replace(b"union-dividends/2", b"")
    assert plan.plan_hash == "0x" + keccak256(raw).hex()


DOCUMENT_MODELS = [ContractsDoc, ScheduleDoc, EventIdsDoc, InputsDoc, PolicyDoc, PurposeDoc, EpochDoc, TotalsDoc, Plan]


@pytest.mark.parametrize("model", DOCUMENT_MODELS, ids=lambda model: model.__name__)
def test_document_fields_are_declared_in_canonical_key_order(model: type[BaseModel]) -> None:
    aliases = [field.alias or name for name, field in model.model_fields.items()]
    assert aliases == sorted(aliases)


def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def test_a_document_with_keys_in_any_order_reads_back_to_the_canonical_bytes() -> None:
    plan = Plan.from_inputs(small_history().inputs(0, 2))
    scrambled = json.dumps(reversed_keys(json.loads(plan.canonical_bytes())), indent=1)
    assert Plan.from_json(scrambled).canonical_bytes() == plan.canonical_bytes()


def test_plan_round_trips_through_its_json_to_the_same_bytes() -> None:
    plan = Plan.from_inputs(small_history().inputs(0, 2))
    assert Plan.from_json(plan.canonical_bytes()).canonical_bytes() == plan.canonical_bytes()
    assert Plan.from_json(plan.model_dump_json(by_alias=True, indent=2)).plan_hash == plan.plan_hash


def test_plan_records_inputs_policy_per_epoch_and_every_stage() -> None:
    history = small_history()
    plan = Plan.from_inputs(history.inputs(0, 2))
    assert plan.inputs.events.contributions == [entry.event.id for entry in history.contributions]
    assert [epoch.policy.reserve_bps for epoch in plan.epochs] == [1_000, 1_000]
    general = plan.epochs[0].purposes[0]
    assert general.reserve == 10**17
    assert general.operations == 5 * 10**16
    assert plan.totals.amount == sum(plan.new_cumulative.values())
    assert plan.tree is not None
    assert plan.root == plan.tree["tree"][0]


def test_a_changed_copy_of_a_plan_has_another_hash() -> None:
    plan = Plan.from_inputs(small_history().inputs(0, 2))
    original_hash = plan.plan_hash
    changed = plan.model_copy(update={"root": "0x" + "ee" * 32})
    assert changed.plan_hash != original_hash
    assert plan.plan_hash == original_hash


def test_amounts_must_be_canonical_decimal_strings() -> None:
    document = json.loads(Plan.from_inputs(small_history().inputs(0, 1)).canonical_bytes())
    document["totals"]["amount"] = "0123"
    with pytest.raises(UnionValueError, match="leading zeros"):
        Plan.from_json(json.dumps(document))
    document["totals"]["amount"] = 1.5
    with pytest.raises(UnionValueError):
        Plan.from_json(json.dumps(document))


def test_sharing_the_hashing_with_an_executor_does_not_change_the_plan() -> None:
    history = History()
    history.policy(start(1) - 50, floor=1_000)
    for number in range(20_000):
        history.entry(1, addr(0x100000 + number * 7919), number % 13 + 1)
    history.revenue(1, 10**21 + 7)
    inputs = history.inputs(0, 1)
    with ThreadPoolExecutor(max_workers=1) as executor:
        shared = Plan.from_inputs(inputs, executor=executor)
    assert shared.canonical_bytes() == Plan.from_inputs(inputs).canonical_bytes()


def test_a_plan_with_nothing_allocated_has_the_empty_root() -> None:
    history = History()
    history.policy(start(1) - 50)
    plan = Plan.from_inputs(history.inputs(0, 1))
    assert (plan.root, plan.tree, plan.totals.amount) == (EMPTY_ROOT, None, 0)


def test_plan_differences_name_a_tampered_allocation_a_skipped_member_and_a_lowered_cumulative() -> None:
    history = small_history()
    expected = Plan.from_inputs(history.inputs(1, 2, previous_cumulative={A: 10, C: 7}))
    tampered_cumulative = dict(expected.new_cumulative)
    tampered_cumulative[A] += 1
    del tampered_cumulative[C]
    published = expected.model_copy(update={"new_cumulative": tampered_cumulative, "root": "0x" + "ab" * 32})
    report = "\n".join(plan_differences(expected, published))
    assert "root: expected" in report
    assert f"account {A}: expected cumulative" in report
    assert f"account {C} is missing" in report
    assert f"account {C}: cumulative went down from 7 to 0" in report
    assert plan_differences(expected, expected) == []
