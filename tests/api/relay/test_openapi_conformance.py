"""schemathesis against the relay's part of the API's OpenAPI document (the app as the relaying process runs it, over a
real union): no 5xx, every status documented, every
answer matching its schema, invalid inputs refused.

Generated ballots, consent changes and claims are well formed but never validly signed or funded, so the relay
refuses them (403/404/409/422, all documented); "valid data is accepted" is therefore checked only for the reads
(typed data and status), whose schema-valid inputs the relay must answer. Nothing generated can move funds: a
submission needs a signature by a member's key, or an allocation in a funded plan.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import schemathesis
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.openapi import from_asgi

from api.app import create_app
from api.context import EpochSchedule
from api.relay import RateLimit, RelayConfig
from api.settings import ApiSettings
from indexer.store import Store
from tests.api.relay.conftest import RelayEnv, make_service, open_proposal

EXAMPLES_PER_OPERATION = 15

_ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex())
schemathesis.openapi.format("eth-address", st.one_of(_ADDRESSES, _ADDRESSES.map(to_checksum_address)))


def test_every_relay_operation_conforms_to_its_openapi_document(relay: RelayEnv, tmp_path: Path) -> None:
    open_proposal(relay.union, relay.members[0])  # an active proposal, so ballots reach the deeper checks
    generous = RateLimit.per_minute(10_000, burst=10_000)
    service = make_service(relay.union, RelayConfig(client_limit=generous, subject_limit=generous))
    union = relay.union.union
    url = f"sqlite:///{tmp_path / 'union.db'}"
    store = Store.open(url)  # migrated and empty: the relay reads the chain, not the store
    app = create_app(ApiSettings(database_url=url), store, EpochSchedule.load(union.manifest_path), relay=service)
    schema = from_asgi("/openapi.json", app)
    nonce_before = relay.relayer_nonce()
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if "/relay/" in op.path]
    assert len(operations) == 6
    for operation in operations:
        excluded = [positive_data_acceptance] if operation.method.upper() == "POST" else []
        _conforms(operation.as_strategy, excluded)()
    assert relay.relayer_nonce() == nonce_before  # not one generated request was paid for


def _conforms(strategy: Callable[[GenerationMode], st.SearchStrategy[Case]], excluded: list[Any]) -> Callable[[], None]:
    cases = st.one_of(strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def conforms(case: Case) -> None:
        case.call_and_validate(excluded_checks=excluded)

    return conforms
