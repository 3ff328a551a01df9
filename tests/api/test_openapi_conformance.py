"""schemathesis against the running app's OpenAPI document, its checks on: no 5xx, every status documented, every
response matching its schema and content type, invalid inputs refused, valid ones accepted.

Each operation gets a bounded number of generated cases, valid and invalid (hypothesis, no example database), so
the whole document is exercised in well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from eth_utils import to_checksum_address
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.openapi import from_asgi
from schemathesis.schemas import BaseSchema

from api.app import create_app
from indexer.store import Store
from tests.api.conftest import IndexedRound, api_settings

EXAMPLES_PER_OPERATION = 15

# An address is valid all lower-case or EIP-55 checksummed; JSON Schema cannot say "checksummed", so the document
# names the format and the generator knows it (any other spelling is schemathesis' negative data, refused with 422).
_ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex())
schemathesis.openapi.format("eth-address", st.one_of(_ADDRESSES, _ADDRESSES.map(to_checksum_address)))


@pytest.fixture(scope="session")
def api_schema(indexed_round: IndexedRound, api_store: Store) -> BaseSchema:
    app: FastAPI = create_app(api_settings(indexed_round.store_url), api_store, indexed_round.schedule)
    return from_asgi("/openapi.json", app)


def test_every_operation_conforms_to_the_openapi_document(api_schema: BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        cases = st.one_of(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: Case) -> None:
            case.call_and_validate()

        conforms()
