"""``Annotated`` dependency aliases shared by the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.schemas.common import AddressParam, Uint256Decimal

__all__ = [
    "AddressPath",
    "ContextDep",
    "PlanHashPath",
    "ProposalIdPath",
    "SessionDep",
    "get_context",
    "get_session",
]


def get_context(request: Request) -> ApiContext:
    """The app's shared context (set by :func:`api.app.create_app`)."""
    context: ApiContext = request.app.state.context
    return context


ContextDep = Annotated[ApiContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[Session]:
    """One read session per request; its connection is taken on first use and returned to the pool afterwards.

    An async generator on purpose: FastAPI closes a sync generator dependency through a one-thread limiter, so under
    load sessions wait in line to give their connections back and the pool runs dry; closing here is immediate.
    """
    session = Session(context.store.engine)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]

AddressPath = Annotated[AddressParam, Path(description="an address, checksummed (EIP-55) or all lower-case")]
PlanHashPath = Annotated[
    str,
    Path(
        pattern=r"^0x[0-9a-fA-F]{64}$",
        description="the plan's hash: keccak-256 of its canonical document",
        examples=["0x" + "42" * 32],
    ),
]
ProposalIdPath = Annotated[
    Uint256Decimal, Path(description="the governor's proposal id: a uint256 in decimal (0 to 2**256 - 1)")
]
