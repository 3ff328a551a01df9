"""The dashboard in headless Chromium against the API serving a real indexed round on anvil: what it shows matches
the API, and what a member does in the page (with an injected EIP-1193 wallet) lands on the chain."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert

from api.plans import PLAN_VERIFICATIONS
from tests.browser.conftest import README_SCREENSHOT, WAIT_MS, LiveRound, PageFactory, Server
from tests.helpers.driver import purpose_id
from union.types import ZERO_ADDRESS

pytestmark = pytest.mark.browser


def test_overview_loads_without_console_errors_and_its_charts_show_the_apis_numbers(
    open_page: PageFactory, server: Server
) -> None:
    dashboard = open_page()
    dashboard.open("/", "overview")
    page = dashboard.page

    treasury = server.get("/v1/treasury")
    flows = server.get_all("/v1/treasury/flows", period="epoch")
    by_purpose = server.get_all("/v1/treasury/revenue/by-purpose")
    assert len(treasury["tokens"]) == 2
    for books in treasury["tokens"]:
        token = books["token"]
        card = page.locator(f'section.token-books[data-token="{token}"]')
        for key in ("booked_balance", "earmarked", "free", "claimed", "unclaimed"):
            assert card.locator(f'[data-figure="{key}"] .amount').get_attribute("data-wei") == books[key]
        chart = card.locator("svg.balance-chart")
        assert chart.get_attribute("data-final-balance") == books["booked_balance"]
        running = 0
        expected_points = []
        for flow in (item for item in flows if item["token"] == token):
            running += int(flow["money_in"]) - int(flow["money_out"])
            expected_points.append((flow["period"], str(running)))
        points = chart.locator("circle.point")
        shown = [
            (points.nth(i).get_attribute("data-period"), points.nth(i).get_attribute("data-balance"))
            for i in range(points.count())
        ]
        assert shown == [(f"epoch {period}", balance) for period, balance in expected_points]
        bars = card.locator("svg.purpose-chart g.bar")
        expected_bars = [(item["purpose"], item["amount"]) for item in by_purpose if item["token"] == token]
        assert [
            (bars.nth(i).get_attribute("data-label"), bars.nth(i).get_attribute("data-amount"))
            for i in range(bars.count())
        ] == expected_bars
    expect(page.locator("#health")).to_be_hidden()
    eth_card = page.locator(f'section.token-books[data-token="{ZERO_ADDRESS}"]')
    expect(eth_card.locator('[data-figure="booked_balance"] dd')).to_contain_text("ETH")

    dashboard.screenshot("overview")
    shutil.copyfile(dashboard.screenshot("dashboard"), README_SCREENSHOT)
    assert dashboard.console_errors == []


def test_epochs_show_pot_members_paid_root_plan_hash_and_verification(
    open_page: PageFactory, server: Server, live_round: LiveRound
) -> None:
    dashboard = open_page()
    dashboard.open("/epochs", "epochs")
    page = dashboard.page
    indexed = live_round.round
    epoch = server.get(f"/v1/epochs/{indexed.epoch}")
    distributions = {item["plan_hash"]: item for item in server.get_all("/v1/distributions")}
    card = page.locator(f'section.epoch[data-epoch="{indexed.epoch}"]')

    pots: dict[str, int] = {}
    for revenue in epoch["revenue"]:
        pots[revenue["token"]] = pots.get(revenue["token"], 0) + int(revenue["amount"])
    for token, total in pots.items():
        assert card.locator(f'[data-pot-token="{token}"]').get_attribute("data-pot") == str(total)

    for plan in (indexed.eth_plan, indexed.token_plan):
        block = card.locator(f'.distribution[data-plan-hash="{plan.plan_hash}"]')
        section = next(item for item in plan.epochs if item.epoch == indexed.epoch)
        paid = {account for purpose in section.purposes for account, value in purpose.allocations.items() if value > 0}
        expect(block.locator('[data-figure="members_paid"] dd')).to_have_text(str(len(paid)))
        assert block.locator("[data-root]").inner_text() == distributions[plan.plan_hash]["root"] == plan.root
        expect(block).to_contain_text(plan.plan_hash)
        link = block.locator("a.plan-link")
        assert link.get_attribute("href") == distributions[plan.plan_hash]["document_url"]
    # The ETH plan's recomputation was recorded as reproduced; the token plan's has not run yet.
    eth_block = card.locator(f'.distribution[data-plan-hash="{indexed.eth_plan.plan_hash}"]')
    expect(eth_block.locator(".verification")).to_have_attribute("data-verified", "true")
    expect(eth_block.locator(".verification")).to_have_text("✔ verified from chain data")
    token_block = card.locator(f'.distribution[data-plan-hash="{indexed.token_plan.plan_hash}"]')
    expect(token_block.locator(".verification")).to_have_attribute("data-verified", "unknown")

    document = page.request.get(server.url + distributions[indexed.eth_plan.plan_hash]["document_url"])
    assert document.body() == indexed.eth_plan.canonical_bytes()
    dashboard.screenshot("epochs")
    assert dashboard.console_errors == []


def test_member_statement_matches_the_api_and_downloads_as_csv(
    open_page: PageFactory, server: Server, live_round: LiveRound
) -> None:
    member = live_round.round.members[0]
    statement = server.get(f"/v1/members/{member.address}")
    dashboard = open_page()
    dashboard.open(f"/members/{member.address}", "statement")
    page = dashboard.page

    for position in statement["tokens"]:
        shown = page.locator(f'.dividends tr[data-token="{position["token"]}"]')
        for key in ("cumulative", "claimed", "claimable"):
            assert shown.get_attribute(f"data-{key}") == position[key]
    contributions = page.locator(".contributions tbody tr[data-epoch]")
    assert [
        (contributions.nth(i).get_attribute("data-epoch"), contributions.nth(i).get_attribute("data-net-units"))
        for i in range(contributions.count())
    ] == [(str(item["epoch"]), item["net_units"]) for item in statement["contributions"]]
    allocations = page.locator(".allocations tbody tr[data-token]")
    assert [
        (allocations.nth(i).get_attribute("data-token"), allocations.nth(i).get_attribute("data-amount"))
        for i in range(allocations.count())
    ] == [(item["token"], item["amount"]) for item in statement["allocations"]]
    votes = page.locator(".member-votes tbody tr[data-proposal-id]")
    assert [votes.nth(i).get_attribute("data-proposal-id") for i in range(votes.count())] == [
        vote["proposal_id"] for vote in statement["votes"]
    ]
    expect(page.locator(".consent")).to_contain_text("ai-training")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"statement-{statement['address']}.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text())))
    assert [(row["token"], row["epoch"], row["amount"]) for row in rows if row["section"] == "allocation"] == [
        (item["token"], str(item["epoch"]), item["amount"]) for item in statement["allocations"]
    ]
    for position in statement["tokens"]:
        for key in ("cumulative", "claimed", "claimable"):
            assert {"section": key, "token": position["token"], "amount": position[key]}.items() <= next(
                row for row in rows if row["section"] == key and row["token"] == position["token"]
            ).items()
    assert sum(row["section"] == "vote" for row in rows) == len(statement["votes"])
    assert sum(row["section"] == "consent" for row in rows) == len(statement["consent_history"])
    dashboard.screenshot("member-statement")

    votes.first.locator("a").click()
    page.wait_for_selector('main[data-ready="proposal"]', timeout=WAIT_MS)
    assert page.locator("section.proposal").get_attribute("data-proposal-id") == statement["votes"][0]["proposal_id"]
    assert dashboard.console_errors == []


def test_members_list_links_every_member_to_their_statement(
    open_page: PageFactory, server: Server, live_round: LiveRound
) -> None:
    members = server.get_all("/v1/members", status="all")
    dashboard = open_page()
    dashboard.open("/members", "members")
    page = dashboard.page

    links = page.locator("main table tbody tr td:first-child a")
    assert [links.nth(i).inner_text() for i in range(links.count())] == [member["address"] for member in members]
    expect(page.get_by_role("button", name="Show 100 more")).to_be_hidden()
    page.get_by_label("Address").fill(live_round.round.members[2].address.lower())
    page.get_by_role("button", name="Show statement").click()
    page.wait_for_selector('main[data-ready="statement"]', timeout=WAIT_MS)
    expect(page.locator(".statement")).to_have_attribute("data-address", live_round.round.members[2].address)
    assert dashboard.console_errors == []


def test_the_lookup_forms_help_sits_under_its_field_on_a_wide_screen(open_page: PageFactory) -> None:
    dashboard = open_page(viewport=(1366, 900))
    dashboard.open("/members", "members")
    page = dashboard.page

    field = page.get_by_label("Address").bounding_box()
    help_text = page.locator("#member-address-help").bounding_box()

    assert field is not None
    assert help_text is not None
    assert help_text["y"] >= field["y"] + field["height"], "the help text runs on beside the field"
    assert abs(help_text["x"] - field["x"]) < 1


def test_signing_a_vote_in_the_page_casts_it_on_chain_and_shows_it_in_the_tallies(
    open_page: PageFactory, server: Server, live_round: LiveRound
) -> None:
    voter = live_round.round.members[0]
    proposal_id = live_round.open_proposal
    governor = live_round.driver.contracts.governor.functions
    assert not governor.hasVoted(proposal_id, voter.address).call()
    dashboard = open_page(voter)
    dashboard.open("/proposals", "proposals")
    page = dashboard.page
    card = page.locator(f'section.proposal[data-proposal-id="{proposal_id}"]')
    expect(card).to_have_attribute("data-state", "active")
    expect(card.locator(".tally")).to_have_attribute("data-for", "0")

    # The reason is typed before connecting: connecting redraws the view, which must keep what was typed.
    card.get_by_label("Reason (optional, signed with your vote)").fill("a larger reserve is prudent")
    page.get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#account")).to_contain_text(voter.address[:6])
    expect(page.locator("main")).to_have_attribute("data-ready", "proposals")
    card = page.locator(f'section.proposal[data-proposal-id="{proposal_id}"]')
    expect(card.get_by_label("Reason (optional, signed with your vote)")).to_have_value("a larger reserve is prudent")
    card.get_by_role("button", name="Vote for").click()
    expect(page.locator("#status")).to_contain_text("was cast in transaction", timeout=WAIT_MS)

    assert governor.hasVoted(proposal_id, voter.address).call()
    assert governor.proposalVotes(proposal_id).call()[1] == 1  # (against, for, abstain)
    assert dashboard.wallet is not None
    (signed,) = dashboard.wallet.signed
    assert signed["primaryType"] == "ExtendedBallot"
    assert signed["message"]["reason"] == "a larger reserve is prudent"

    live_round.index()
    # The page re-reads the proposal until the indexer has the vote, then redraws the tallies.
    card = page.locator(f'section.proposal[data-proposal-id="{proposal_id}"]')
    expect(card.locator(".tally")).to_have_attribute("data-for", "1", timeout=WAIT_MS)
    expect(page.locator("#status")).to_contain_text("counted in the tallies")
    tally = server.get(f"/v1/proposals/{proposal_id}")["tally"]
    assert tally["for_votes"] == "1"
    assert card.locator(".tally").get_attribute("data-voters") == str(tally["voters"])
    # The quorum shown is the one the governor applies at the snapshot, with its rule (DESIGN.md §8).
    assert tally["quorum"] == str(governor.quorum(governor.proposalSnapshot(proposal_id).call()).call())
    expect(card.locator(".tally")).to_contain_text(
        f"Quorum: {tally['quorum']} of {tally['eligible_votes']} votes (for + abstain) — not reached yet. The quorum "
        f"is {tally['quorum_percent']} % of the members rounded up, at least {tally['min_quorum']}."
    )
    card.locator("details.votes summary").click()
    expect(card.locator(f'details.votes tr[data-voter="{voter.address}"]')).to_contain_text(
        "a larger reserve is prudent"
    )
    dashboard.screenshot("proposals")
    assert dashboard.console_errors == []


def test_claiming_through_the_page_pays_the_claimable_amount_exactly(
    open_page: PageFactory, server: Server, live_round: LiveRound
) -> None:
    member = live_round.round.members[1]
    w3 = live_round.driver.w3
    position = next(
        item for item in server.get(f"/v1/members/{member.address}")["tokens"] if item["token"] == ZERO_ADDRESS
    )
    claimable = int(position["claimable"])
    assert claimable > 0
    before = w3.eth.get_balance(member.address)
    dashboard = open_page()
    dashboard.open(f"/members/{member.address}", "statement")
    page = dashboard.page

    page.locator(f'button.claim[data-token="{ZERO_ADDRESS}"]').click()
    expect(page.locator("#status")).to_contain_text("Claimed:", timeout=WAIT_MS)

    assert w3.eth.get_balance(member.address) - before == claimable
    distributor = live_round.driver.contracts.distributor.functions
    assert distributor.claimed(ZERO_ADDRESS, member.address).call() == int(position["cumulative"])
    live_round.index()
    row = page.locator(f'.dividends tr[data-token="{ZERO_ADDRESS}"]')
    expect(row).to_have_attribute("data-claimable", "0", timeout=WAIT_MS)
    expect(row).to_have_attribute("data-claimed", position["cumulative"])
    assert dashboard.console_errors == []


def test_consent_given_by_signature_in_the_page_is_set_on_chain(open_page: PageFactory, live_round: LiveRound) -> None:
    member = live_round.round.members[1]
    membership = live_round.driver.contracts.membership.functions
    assert not membership.consentOf(member.address, purpose_id("ai-training")).call()
    dashboard = open_page(member)
    dashboard.open(f"/members/{member.address}", "statement")
    page = dashboard.page
    page.get_by_role("button", name="Connect wallet").click()

    page.get_by_label("Purpose (its registered name)").fill("ai-training")
    page.get_by_role("button", name="Give consent").click()
    expect(page.locator("#status")).to_contain_text("Consent given for ai-training in transaction", timeout=WAIT_MS)

    assert membership.consentOf(member.address, purpose_id("ai-training")).call()
    assert dashboard.wallet is not None
    assert [payload["primaryType"] for payload in dashboard.wallet.signed] == ["Consent"]
    live_round.index()
    expect(page.locator('.consent tr[data-purpose="ai-training"]')).to_contain_text("given", timeout=WAIT_MS)
    assert dashboard.console_errors == []


def test_a_refused_signature_is_reported_in_words_and_nothing_is_sent(
    open_page: PageFactory, live_round: LiveRound
) -> None:
    voter = live_round.round.members[3]
    dashboard = open_page(voter, refuse_signing=True)
    dashboard.open("/proposals", "proposals")
    page = dashboard.page
    card = page.locator(f'section.proposal[data-proposal-id="{live_round.open_proposal}"]')

    card.get_by_role("button", name="Vote against").click()

    expect(page.locator("#alert")).to_have_text("Voting failed: you declined the request in your wallet")
    governor = live_round.driver.contracts.governor.functions
    assert not governor.hasVoted(live_round.open_proposal, voter.address).call()


def test_a_ballot_the_relay_refuses_is_reported_with_the_relays_reason(
    open_page: PageFactory, live_round: LiveRound
) -> None:
    delegator = live_round.round.members[2]  # delegated their vote to another member before the snapshot
    dashboard = open_page(delegator)
    dashboard.open(f"/proposals/{live_round.open_proposal}", "proposal")
    page = dashboard.page

    page.get_by_role("button", name="Abstain").click()

    expect(page.locator("#alert")).to_contain_text("Voting failed:", timeout=WAIT_MS)
    expect(page.locator("#alert")).to_contain_text("had no vote at the proposal's snapshot")
    expect(page.locator("#status")).to_have_text("")
    assert dashboard.wallet is not None
    assert len(dashboard.wallet.signed) == 1  # signed, then refused by the relay before any transaction
    governor = live_round.driver.contracts.governor.functions
    assert not governor.hasVoted(live_round.open_proposal, delegator.address).call()


def test_a_phone_sized_screen_shows_every_view_without_sideways_scrolling(
    open_page: PageFactory, live_round: LiveRound
) -> None:
    dashboard = open_page(viewport=(390, 844))
    member = live_round.round.members[0]
    for route, view in (
        ("/", "overview"),
        ("/epochs", "epochs"),
        ("/proposals", "proposals"),
        (f"/members/{member.address}", "statement"),
    ):
        dashboard.open(route, view)
        overflow = dashboard.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{route} is {overflow}px wider than a phone's screen"
    dashboard.screenshot("phone-statement")
    assert dashboard.console_errors == []


def test_a_phone_sized_screen_keeps_a_connected_members_statement_within_its_width(
    open_page: PageFactory, live_round: LiveRound
) -> None:
    member = live_round.round.members[0]
    dashboard = open_page(member, viewport=(390, 844))
    dashboard.open(f"/members/{member.address}", "statement")
    page = dashboard.page

    page.get_by_role("button", name="Connect wallet").click()
    # The status line names the whole address (42 characters that do not break by themselves).
    expect(page.locator("#status")).to_contain_text(f"Connected as {member.address}")
    expect(page.locator(".consent-form")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the connected statement is {overflow}px wider than a phone's screen"
    assert dashboard.console_errors == []


def test_keyboard_reaches_every_control_and_every_control_has_a_name(
    open_page: PageFactory, live_round: LiveRound
) -> None:
    member = live_round.round.members[0]
    dashboard = open_page(member)
    dashboard.open("/proposals", "proposals")
    page = dashboard.page

    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Treasury")).to_be_focused()
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, a[href]')]
            .filter((el) => !(el.labels && el.labels.length))
            .filter((el) => !el.getAttribute('aria-label') && !el.textContent.trim())
            .map((el) => el.outerHTML)"""
    )
    assert unnamed == []
    expect(page.locator("#status")).to_have_attribute("aria-live", "polite")


# Last: it records a failed verification, which every later page would then show as an alarm.
def test_a_plan_that_was_not_reproduced_shows_a_red_warning_naming_the_difference(
    open_page: PageFactory, server: Server, live_round: LiveRound
) -> None:
    plan = live_round.round.token_plan
    difference = "root: published 0xaaaa… but chain data gives 0xbbbb…"
    with server.store.engine.begin() as db:
        db.execute(
            insert(PLAN_VERIFICATIONS).values(
                plan_hash=plan.plan_hash,
                proposal_id=str(live_round.round.token_proposal),
                checked_at=time.time(),
                reproduced=False,
                differences=json.dumps([difference]),
            )
        )
    dashboard = open_page()
    dashboard.open("/epochs", "epochs")

    warning = dashboard.page.locator(f'.distribution[data-plan-hash="{plan.plan_hash}"] .verification')
    expect(warning).to_have_attribute("data-verified", "false")
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("NOT reproduced from chain data")
    expect(warning).to_contain_text(difference)
    # Every view carries the alarm, not only the one that shows the plan.
    dashboard.navigate("/", "overview")
    expect(dashboard.page.locator("#health")).to_contain_text("NOT reproduced from chain data")
    expect(dashboard.page.locator("#health")).to_contain_text(plan.plan_hash[:10])
    assert dashboard.console_errors == []
