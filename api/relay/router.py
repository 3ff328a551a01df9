"""The relay's HTTP endpoints, under ``/v1/relay`` — the only endpoints of the API that write (to the chain).

The app that mounts :data:`router` puts the process's :class:`~api.relay.service.RelayService` in
``app.state.relay``; an API replica without one answers 503 here and serves its read endpoints as usual. Every
refusal has the API's one error shape — ``{"error": {"status", "code", "message", "details"}}``, with a stable
snake_case ``code`` (``already_voted``, ``stale_nonce``, ``invalid_signature``, ``reverted`` …) — and a status that
says whose move it is: 4xx for the request (nothing was sent, no gas spent), 429 with ``Retry-After`` for the abuse
limits, 503 when the relay cannot pay.

The per-client abuse limit keys on the connection's address; behind a reverse proxy, run uvicorn with
``--proxy-headers --forwarded-allow-ips=<the proxy>`` so that address is the member's, not the proxy's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Final, Literal

import requests
from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.errors import error_json
from api.relay.models import (
    BallotRequest,
    ClaimRequest,
    ConsentRequest,
    HexData,
    RelayStatusPublic,
    SubmissionPublic,
    TypedDataPublic,
    Uint256,
    parse_support,
)
from api.relay.service import RelayService, SubmissionResult, purpose_id_of
from api.schemas.common import AddressParam as Address
from api.schemas.common import ErrorPublic
from union.errors import (
    ContractRevertError,
    InsufficientFundsError,
    InvalidSignatureError,
    RateLimitExceededError,
    RelayerUnderfundedError,
    RelayRefusedError,
    RpcUnavailableError,
    UnionError,
    UnionValueError,
)
from voting.typed_data import VoteSupport

__all__ = ["RelayServiceDep", "error_response", "get_relay_service", "router"]

_REFUSAL_STATUS: Final = {
    "UnknownProposal": status.HTTP_404_NOT_FOUND,
    "NoAllocation": status.HTTP_404_NOT_FOUND,
    "NoVotingWeight": status.HTTP_403_FORBIDDEN,
    "NotMember": status.HTTP_403_FORBIDDEN,
    "WrongChain": status.HTTP_403_FORBIDDEN,
    "UnknownPurpose": status.HTTP_404_NOT_FOUND,
    "ExpiredSignature": status.HTTP_403_FORBIDDEN,
    "ClaimsUnavailable": status.HTTP_404_NOT_FOUND,
    "PlanNotFunded": status.HTTP_409_CONFLICT,
    "RelayDisabled": status.HTTP_503_SERVICE_UNAVAILABLE,
}
"""Refusals that are not a conflict with the chain's current state (409, the default). A signature that authorizes
nothing here (not the signer's, for another chain, expired) is a 403 like a signer who may not act: 422 is kept for
requests the OpenAPI document itself refuses, so a well-formed request never meets one."""


def _code(reason: str) -> str:
    """``AlreadyVoted`` -> ``already_voted``: the API's codes are snake_case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", reason).lower()


def _error(status_code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    return error_json(status_code, _code(reason), message, [details] if details else [])


def error_response(exc: UnionError) -> JSONResponse:
    """The JSON answer for one of the union's errors met while relaying."""
    if isinstance(exc, RelayRefusedError):
        code = _REFUSAL_STATUS.get(exc.reason, status.HTTP_409_CONFLICT)
        return _error(code, exc.reason, str(exc), exc.details)
    if isinstance(exc, InvalidSignatureError):
        return _error(status.HTTP_403_FORBIDDEN, "InvalidSignature", str(exc))
    if isinstance(exc, ContractRevertError):
        details = {"revert": exc.name, "args": exc.args_by_name} | ({"raw": exc.raw} if exc.raw else {})
        return _error(
            status.HTTP_409_CONFLICT,
            "Reverted",
            f"the chain would refuse this transaction: {exc}",
            details,
        )
    if isinstance(exc, RateLimitExceededError):
        response = _error(status.HTTP_429_TOO_MANY_REQUESTS, "RateLimited", str(exc))
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return response
    if isinstance(exc, RelayerUnderfundedError | InsufficientFundsError):
        return _error(status.HTTP_503_SERVICE_UNAVAILABLE, "RelayerUnderfunded", str(exc))
    if isinstance(exc, RpcUnavailableError):
        return _error(status.HTTP_503_SERVICE_UNAVAILABLE, "ChainUnavailable", str(exc))
    if isinstance(exc, UnionValueError):
        return _error(status.HTTP_422_UNPROCESSABLE_CONTENT, "InvalidRequest", str(exc))
    return _error(status.HTTP_502_BAD_GATEWAY, "RelayFailed", str(exc))


class _RelayRoute(APIRoute):
    """Turns the union's errors into JSON refusals inside the router, whatever handlers the mounting app has."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except UnionError as exc:
                response = error_response(exc)
            except (requests.exceptions.RequestException, OSError) as exc:
                response = error_response(RpcUnavailableError(f"cannot reach the RPC node: {exc}"))
            # Nonces and balances change with every block: nothing here may be cached by a browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
            return response

        return handle


_REFUSALS: Final[dict[int | str, dict[str, Any]]] = {
    code: {"model": ErrorPublic, "description": description}
    for code, description in (
        (400, "the body is not JSON"),
        (
            403,
            "the signature authorizes nothing here (not the signer's, signed for another chain, expired), or the "
            "signer may not do this (no voting weight, not a member)",
        ),
        (404, "unknown proposal or purpose, or no stored plan or allocation for the account"),
        (
            409,
            "conflicts with the chain's state (not active, already voted, stale nonce, nothing to claim), or the "
            "simulated transaction reverts (decoded reason)",
        ),
        (413, "the body is larger than the API accepts (max_body_bytes)"),
        (422, "the request does not match this document, or its body nests deeper than the API accepts"),
        (429, "abuse limit reached; see Retry-After"),
        (503, "the relay cannot pay right now (balance floor) or is not run by this instance"),
    )
}

router = APIRouter(prefix="/v1/relay", tags=["relay"], route_class=_RelayRoute, responses=_REFUSALS)


def get_relay_service(request: Request) -> RelayService:
    """The process's relay (``app.state.relay``); only the one process given the relayer keystore has one."""
    service = getattr(request.app.state, "relay", None)
    if not isinstance(service, RelayService):
        raise RelayRefusedError("RelayDisabled", "this API instance does not run the relay")
    return service


RelayServiceDep = Annotated[RelayService, Depends(get_relay_service)]


def _support(text: str) -> VoteSupport:
    choice = parse_support(text)
    try:
        return VoteSupport(int(str(choice)))
    except ValueError:
        raise UnionValueError(f"support is for, against or abstain (1, 0, 2), not {text!r}") from None


_DUPLICATE: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "model": SubmissionPublic,
        "description": "this exact request was sent before: its transaction, not a new one",
    }
}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _submission(result: SubmissionResult, response: Response) -> SubmissionPublic:
    response.status_code = status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED
    return SubmissionPublic(
        kind=result.kind,
        transaction_hash=result.transaction_hash,
        duplicate=result.duplicate,
        block_number=result.block_number,
    )


@router.get("/status", response_model=RelayStatusPublic, summary="Whether the relay accepts submissions")
def relay_status(relay: RelayServiceDep) -> RelayStatusPublic:
    current = relay.status()
    return RelayStatusPublic(
        chain_id=current.chain_id,
        relayer=current.relayer,
        balance=str(current.balance),
        balance_floor=str(current.balance_floor),
        accepting=current.accepting,
        claims=current.claims,
    )


@router.get(
    "/typed-data/ballot",
    response_model=TypedDataPublic,
    response_model_by_alias=True,
    summary="The EIP-712 ballot to sign with eth_signTypedData_v4",
)
def ballot_typed_data(
    relay: RelayServiceDep,
    proposal_id: Annotated[Uint256, Query(alias="proposalId", description="decimal or 0x hex")],
    support: Annotated[
        Literal["for", "against", "abstain", "1", "0", "2"], Query(description="for, against, abstain (or 1, 0, 2)")
    ],
    voter: Annotated[Address, Query(description="the member's address (an EOA or an EIP-1271 wallet)")],
    reason: Annotated[str | None, Query(max_length=10_000, description="signed with the ballot when given")] = None,
    params: Annotated[HexData, Query()] = "0x",
) -> TypedDataPublic:
    typed = relay.ballot_typed_data(proposal_id, _support(support), voter, reason, bytes.fromhex(params[2:]))
    return TypedDataPublic.model_validate(typed)


@router.post(
    "/votes",
    response_model=SubmissionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_DUPLICATE,
    summary="Relay a ballot",
)
def submit_vote(
    ballot: BallotRequest, relay: RelayServiceDep, request: Request, response: Response
) -> SubmissionPublic:
    return _submission(relay.submit_ballot(ballot, _client(request)), response)


@router.get(
    "/typed-data/consent",
    response_model=TypedDataPublic,
    response_model_by_alias=True,
    summary="The EIP-712 consent change to sign with eth_signTypedData_v4",
)
def consent_typed_data(
    relay: RelayServiceDep,
    member: Annotated[Address, Query()],
    purpose: Annotated[
        str,
        Query(min_length=1, max_length=100, pattern=r"\S", description="registered name, or its 0x id (32 bytes)"),
    ],
    granted: Annotated[bool, Query(description="true to give consent, false to withdraw it")],
    deadline: Annotated[Uint256 | None, Query(description="unix time; default: an hour from now")] = None,
) -> TypedDataPublic:
    typed = relay.consent_typed_data(member, purpose_id_of(purpose), granted, deadline)
    return TypedDataPublic.model_validate(typed)


@router.post(
    "/consent",
    response_model=SubmissionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_DUPLICATE,
    summary="Relay a consent change",
)
def submit_consent(
    consent: ConsentRequest, relay: RelayServiceDep, request: Request, response: Response
) -> SubmissionPublic:
    return _submission(relay.submit_consent(consent, _client(request)), response)


@router.post(
    "/claims",
    response_model=SubmissionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_DUPLICATE,
    summary="Claim for an account",
)
def submit_claim(claim: ClaimRequest, relay: RelayServiceDep, request: Request, response: Response) -> SubmissionPublic:
    return _submission(relay.submit_claim(claim.token, claim.account, _client(request)), response)
