"""Response models of the treasury: balances, flows by period / purpose / payer, and the ledger."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from api.schemas.common import AmountStr, PublicModel

__all__ = [
    "LEDGER_KINDS",
    "LedgerEntryPublic",
    "LedgerKind",
    "PeriodFlowPublic",
    "RevenueByPayerPublic",
    "RevenueByPurposePublic",
    "TokenBooksPublic",
    "TreasuryPublic",
]

LedgerKind = Literal["revenue", "unattributed_booked", "dividends_funded", "transfer", "earmark_released"]
LEDGER_KINDS: tuple[LedgerKind, ...] = (
    "revenue",
    "unattributed_booked",
    "dividends_funded",
    "transfer",
    "earmark_released",
)

_ETH = "0x0000000000000000000000000000000000000000"


class TokenBooksPublic(PublicModel):
    """One token's books (the zero address is ETH): what came in, what went out, what is held and earmarked."""

    token: str
    booked_balance: AmountStr = Field(
        description="revenue + booked unattributed inflows − dividends funded − transfers"
    )
    earmarked: AmountStr = Field(description="booked revenue not yet distributed, released or transferred")
    free: AmountStr = Field(description="booked balance above the earmark: what governance may transfer")
    revenue: AmountStr = Field(description="all revenue booked by payRevenue")
    unattributed_booked: AmountStr
    dividends_funded: AmountStr = Field(description="sent to the distributor for members' claims")
    reserve_released: AmountStr = Field(description="reserve freed from the earmark by funded plans")
    earmark_released: AmountStr = Field(description="earmark released by governance (releaseEarmark)")
    transferred: AmountStr = Field(description="paid out by governance (memo'd transfer)")
    claimed: AmountStr = Field(description="paid by the distributor to members")
    unclaimed: AmountStr = Field(description="funded but not yet claimed: held by the distributor")
    movements: int = Field(description="ledger entries of this token")


class TreasuryPublic(PublicModel):
    """The treasury's books per token, as of the last indexed block."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "as_of_block": 1234,
                    "as_of_timestamp": 1767225600,
                    "tokens": [
                        {
                            "token": _ETH,
                            "booked_balance": "1000000000000000000",
                            "earmarked": "0",
                            "free": "1000000000000000000",
                            "revenue": "10000000000000000000",
                            "unattributed_booked": "0",
                            "dividends_funded": "9000000000000000000",
                            "reserve_released": "1000000000000000000",
                            "earmark_released": "0",
                            "transferred": "0",
                            "claimed": "9000000000000000000",
                            "unclaimed": "0",
                            "movements": 2,
                        }
                    ],
                }
            ]
        },
    )

    as_of_block: int | None = Field(description="the indexer's cursor: every event up to this block is counted")
    as_of_timestamp: int | None
    tokens: list[TokenBooksPublic]


class PeriodFlowPublic(PublicModel):
    """Money in and out of one token during one period (an epoch, a UTC day or a UTC month)."""

    period: str = Field(description="epoch number, YYYY-MM-DD or YYYY-MM", examples=["3", "2026-11-22", "2026-11"])
    start: int = Field(description="first second of the period (Unix time)")
    token: str
    revenue: AmountStr
    unattributed_booked: AmountStr
    money_in: AmountStr = Field(description="revenue + booked unattributed inflows")
    dividends_funded: AmountStr
    transferred: AmountStr
    money_out: AmountStr = Field(description="dividends funded + transfers")


class RevenueByPurposePublic(PublicModel):
    """Revenue of one token for one data-use purpose."""

    token: str
    purpose_id: str
    purpose: str | None = Field(description="the purpose's registered name ('general' for id zero)")
    amount: AmountStr
    payments: int
    earmarked: AmountStr = Field(
        description="still earmarked for this purpose: booked, less what fundings took and governance released"
    )


class RevenueByPayerPublic(PublicModel):
    """Revenue of one token paid by one payer."""

    token: str
    payer: str
    amount: AmountStr
    payments: int


class LedgerEntryPublic(PublicModel):
    """One change of the treasury's books, with the running balance and earmark of its token after it."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "block_number": 120,
                    "log_index": 3,
                    "tx_hash": "0x" + "ab" * 32,
                    "timestamp": 1767225600,
                    "token": _ETH,
                    "kind": "revenue",
                    "amount": "10000000000000000000",
                    "balance_delta": "10000000000000000000",
                    "earmark_delta": "10000000000000000000",
                    "balance_after": "10000000000000000000",
                    "earmarked_after": "10000000000000000000",
                    "counterparty": "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4",
                    "purpose_id": "0x" + "00" * 32,
                    "memo": "grant-2026",
                }
            ]
        },
    )

    block_number: int
    log_index: int
    tx_hash: str
    timestamp: int
    token: str
    kind: LedgerKind
    amount: AmountStr
    balance_delta: AmountStr
    earmark_delta: AmountStr
    balance_after: AmountStr = Field(description="running booked balance of this token")
    earmarked_after: AmountStr
    counterparty: str | None = Field(description="payer of revenue, recipient of a transfer")
    purpose_id: str | None
    memo: str | None = Field(description="licence reference, transfer memo, or the plan hash of a funding")
