"""The API's contract is exact: schemathesis, every check on, against the app a relaying process serves — a real
uvicorn over the API suite's indexed store, with the relay over the session's union (members admitted, a proposal
open for votes) — and any failure fails the test, not only a 5xx.

Its checks, in every phase (schema examples, the coverage of each constraint's edges, fuzzing, and stateful
sequences that feed one answer's values into the next request): no 5xx; every status, header, content type and
body as documented; every schema-valid input accepted and every schema-invalid one refused; unsupported methods
answered 405 with an ``Allow`` header that lists what the path supports. The generator sees only the OpenAPI
document, as any client's would (no custom format is registered): what it says must be what the server does.

Generated submissions are well formed but never validly signed, and name no account with an allocation, so the
relay refuses them before spending gas; the relayer's nonce shows that not one was paid for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from api.app import create_app
from api.relay import RateLimit, RelayConfig
from indexer.store import Store
from tests.api.conftest import IndexedRound, api_settings
from tests.api.relay.conftest import make_service, open_proposal
from tests.helpers.driver import UnionDriver
from tests.helpers.serving import serving_in_thread
from union.localnet import LocalAccounts

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
EXAMPLES_PER_OPERATION = 25
"""Cases hypothesis generates per operation in the fuzzing phase (the coverage phase adds each constraint's edges)."""
RUN_TIMEOUT = 900


def test_the_running_api_conforms_to_its_openapi_document_under_every_check(
    indexed_round: IndexedRound, api_store: Store, union: UnionDriver, tmp_path: Path
) -> None:
    members = [LocalAccounts.member(index) for index in range(3)]
    union.admit([member.address for member in members])
    union.advance(10)
    open_proposal(union, members[0])  # ballots for it reach the relay's deeper checks
    generous = RateLimit.per_minute(100_000, burst=100_000)
    relay = make_service(union, RelayConfig(client_limit=generous, subject_limit=generous))
    app = create_app(api_settings(indexed_round.store_url), api_store, indexed_round.schedule, relay=relay)
    relayer = union.accounts.relayer.address
    nonce_before = union.w3.eth.get_transaction_count(relayer)
    with serving_in_thread(app, name="conformance-uvicorn") as base_url:
        done = subprocess.run(
            [
                SCHEMATHESIS,
                "run",
                f"{base_url}/openapi.json",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--workers",
                "1",
                "--request-timeout",
                "60",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    report = done.stdout + done.stderr
    (tmp_path / "schemathesis.txt").write_text(report)  # the whole report, kept with the test's files
    assert done.returncode == 0, report[-20_000:]
    assert "Tested: " in report
    assert union.w3.eth.get_transaction_count(relayer) == nonce_before  # not one generated request was paid for
