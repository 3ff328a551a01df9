"""A token's plans rebuilt from the chain, round after round, and the next plan built on top of them.

A plan's previous cumulative amounts and carries are those of the plan that funded its ``fromEpoch``. That plan
is itself rebuilt from the chain: every ``DividendsFunded`` of the token, in order, each from its own range and
its own closing block, starting from nothing. A stored plan document may stand in for that recursion when its
hash is the ``planHash`` the chain recorded (it is then, byte for byte, the plan the members voted for).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass

from eth_typing import BlockNumber, ChecksumAddress, HexStr

from treasury.inputs import EpochId, PurposeId, purpose_id
from treasury.plan import Plan
from treasury.readers.base import ChainFacts, FundedRound, PlanInputsReader, plan_inputs
from union.errors import PlanNotReadyError, UnionValueError

__all__ = ["PlanHistory", "RebuiltRound", "funded_purposes"]

logger = logging.getLogger(__name__)


def funded_purposes(funded: FundedRound) -> list[tuple[PurposeId, int, int]]:
    """What a funding took from each purpose, in :meth:`Plan.purpose_fundings`' form."""
    return [(purpose, funding.amount, funding.reserve_released) for purpose, funding in sorted(funded.purposes.items())]


@dataclass(frozen=True, slots=True)
class RebuiltRound:
    """A funded round and the plan rebuilt for it from chain data (``reproduced``: the chain holds its root)."""

    funded: FundedRound
    plan: Plan

    @property
    def reproduced(self) -> bool:
        """Whether the rebuilt plan has the root, plan hash and totals (per purpose too) the chain recorded."""
        return (
            self.plan.root == self.funded.root
            and self.plan.plan_hash == self.funded.plan_hash
            and self.plan.totals.amount == self.funded.amount
            and self.plan.totals.reserve_released == self.funded.reserve_released
            and self.plan.purpose_fundings() == funded_purposes(self.funded)
        )


class PlanHistory:
    """Plans of any token from one reader's facts, read once up to the newest final block.

    ``documents`` are stored plan documents; one is used in place of a rebuild only where its hash is the
    on-chain ``planHash`` of that round.
    """

    def __init__(
        self, reader: PlanInputsReader, *, documents: Iterable[Plan] = (), executor: Executor | None = None
    ) -> None:
        self._reader = reader
        self._executor = executor
        self._documents = {document.plan_hash: document for document in documents}
        self._final = reader.final_block()
        self._facts = reader.facts(self._final.number)
        self._rebuilt: dict[ChecksumAddress, list[RebuiltRound]] = {}

    @property
    def reader(self) -> PlanInputsReader:
        return self._reader

    @property
    def facts(self) -> ChainFacts:
        """Every fact up to the final block the history was opened at."""
        return self._facts

    def funded_rounds(self, token: ChecksumAddress) -> list[FundedRound]:
        """``DividendsFunded`` of ``token`` up to the final block, in chain order."""
        return self._facts.rounds_of(token)

    def last_funded_epoch(self, token: ChecksumAddress) -> EpochId:
        """The distributor's last funded epoch of ``token`` as of the final block (0 before the first round)."""
        rounds = self.funded_rounds(token)
        return rounds[-1].through_epoch if rounds else EpochId(0)

    def closing_block(self, epoch: int) -> BlockNumber:
        """The block a plan through ``epoch`` is read up to; :class:`PlanNotReadyError` while the epoch is open."""
        schedule = self._reader.schedule
        closing = self._reader.closing_block(EpochId(epoch)) if epoch >= 1 else None
        if closing is None or closing.number > self._final.number:
            closes_at = schedule.end(epoch) + schedule.grace
            raise PlanNotReadyError(
                f"epoch {epoch} cannot be planned yet: entries may change until {closes_at} (end + grace), and no "
                f"final block has that timestamp (the final block {self._final.number} has {self._final.timestamp})"
            )
        return closing.number

    def plan(
        self,
        token: ChecksumAddress,
        from_epoch: int,
        through_epoch: int,
        previous: Plan | None,
        *,
        to_block: BlockNumber | None = None,
    ) -> Plan:
        """The plan of ``token`` over ``(from_epoch, through_epoch]`` on top of ``previous`` (``None`` from epoch 0).

        ``to_block`` defaults to the closing block of ``through_epoch``; a later final block gives the same
        allocations (nothing of the range can change after it) but another ``inputs.toBlock``, hence another hash.
        """
        if previous is None and from_epoch != 0:
            raise UnionValueError(f"a plan from epoch {from_epoch} needs the plan that funded epoch {from_epoch}")
        if previous is not None and (previous.token != token or previous.through_epoch != from_epoch):
            raise UnionValueError(
                f"the previous plan covers {previous.token} through epoch {previous.through_epoch}, "
                f"not {token} through epoch {from_epoch}"
            )
        closing = self.closing_block(through_epoch)
        if to_block is None:
            to_block = closing
        elif not closing <= to_block <= self._final.number:
            raise UnionValueError(f"block {to_block} is not between the closing block {closing} and the final block")
        inputs = plan_inputs(
            self._reader.chain,
            self._reader.schedule,
            self._facts.through_block(to_block),
            token=token,
            from_epoch=from_epoch,
            through_epoch=through_epoch,
            previous_cumulative=previous.new_cumulative if previous is not None else None,
            previous_carries=(
                {purpose_id(purpose): carry for purpose, carry in previous.totals.carries.items()}
                if previous is not None
                else None
            ),
            previous_releases_owed=(
                {purpose_id(purpose): owed for purpose, owed in previous.totals.releases_owed.items()}
                if previous is not None
                else None
            ),
        )
        return Plan.from_inputs(inputs, executor=self._executor)

    def rebuilt_rounds(self, token: ChecksumAddress) -> list[RebuiltRound]:
        """Every funded round of ``token`` with its plan rebuilt from chain data alone, each on the previous rebuild."""
        if token not in self._rebuilt:
            rounds: list[RebuiltRound] = []
            previous: Plan | None = None
            for funded in self.funded_rounds(token):
                if funded.from_epoch != (previous.through_epoch if previous is not None else 0):
                    raise UnionValueError(f"round {funded.event.id} starts at epoch {funded.from_epoch}: out of order")
                previous = self.plan(token, funded.from_epoch, funded.through_epoch, previous)
                rounds.append(RebuiltRound(funded, previous))
                logger.info(
                    "rebuilt round through epoch %d of %s: reproduced=%s",
                    funded.through_epoch,
                    token,
                    rounds[-1].reproduced,
                    extra={"epoch": funded.through_epoch},
                )
            self._rebuilt[token] = rounds
        return self._rebuilt[token]

    def funded_plan(self, token: ChecksumAddress, through_epoch: int) -> Plan | None:
        """The plan the chain's state rests on after the round that funded ``through_epoch`` (``None`` for 0).

        That is the stored document whose hash the chain recorded, if given; else the rebuild, which must then
        reproduce the on-chain root (building on a plan the chain does not hold would make the next root wrong).
        """
        if through_epoch == 0:
            return None
        funded = next((item for item in self.funded_rounds(token) if item.through_epoch == through_epoch), None)
        if funded is None:
            raise UnionValueError(f"no round of {token} was funded through epoch {through_epoch}")
        document = self._documents.get(HexStr(funded.plan_hash))
        if document is not None:
            return document
        rebuilt = next(item for item in self.rebuilt_rounds(token) if item.funded == funded)
        if rebuilt.plan.root != funded.root:
            raise UnionValueError(
                f"the round that funded {token} through epoch {through_epoch} does not reproduce from chain data "
                f"(on-chain root {funded.root}, rebuilt {rebuilt.plan.root}); run `union verify`, or pass the "
                f"published plan document whose hash is {funded.plan_hash}"
            )
        return rebuilt.plan

    def next_plan(self, token: ChecksumAddress, through_epoch: int, *, to_block: BlockNumber | None = None) -> Plan:
        """The plan of ``token`` from its last funded epoch through ``through_epoch`` (what the next vote funds)."""
        from_epoch = self.last_funded_epoch(token)
        if through_epoch <= from_epoch:
            raise UnionValueError(f"{token} is already funded through epoch {from_epoch}; plan a later epoch")
        return self.plan(token, from_epoch, through_epoch, self.funded_plan(token, from_epoch), to_block=to_block)
