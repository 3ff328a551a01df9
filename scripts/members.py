"""Members' commands: vote, claim, change consent, look yourself up, and keep your key in an encrypted keystore.

Through a relay (``--relay URL``) a member needs no ETH: the command fetches the EIP-712 payload from the relay,
checks it says what the member asked for, signs it with the keystore's key and posts the signature; claims need no
signature at all (the distributor pays the account, whoever sends). ``--direct`` sends the transaction from the
member's own account instead (it pays the gas), talking to the chain at ``--rpc-url`` with the deployment manifest.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final

import httpx
import typer
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import is_address, to_checksum_address
from rich.table import Table
from web3.contract.contract import ContractFunction

from api.relay.service import purpose_id_of
from scripts.cli import app, console, friendly_errors
from union.chain import TransactionSender, connect, tx_hash_hex
from union.contracts import UnionContracts
from union.errors import ConfigurationError, KeystoreError, RelayRefusedError, UnionError, UnionValueError
from union.manifest import DeploymentManifest
from union.settings import DEFAULT_STATE_DIR
from union.signers import create_keystore, load_keystore, read_password
from union.types import ZERO_ADDRESS
from voting.typed_data import VoteSupport, sign_typed_data

__all__ = ["keystore_app", "member_app"]

_HTTP_TIMEOUT: Final = 60.0

KeystoreFile = Annotated[
    Path, typer.Option("--keystore", envvar="UNION_KEYSTORE", help="your encrypted JSON keystore (union keystore new)")
]
PasswordFile = Annotated[
    Path | None,
    typer.Option("--password-file", envvar="UNION_PASSWORD_FILE", help="file with the keystore password (else asked)"),
]
RelayUrl = Annotated[
    str | None, typer.Option("--relay", envvar="UNION_RELAY_URL", help="relay base URL: the relay pays the gas")
]
Direct = Annotated[bool, typer.Option("--direct", help="send the transaction yourself (you pay the gas)")]
RpcUrl = Annotated[str, typer.Option("--rpc-url", envvar="UNION_RPC_URL", help="JSON-RPC endpoint (with --direct)")]
Manifest = Annotated[
    Path, typer.Option("--manifest", envvar="UNION_MANIFEST", help="deployment manifest (with --direct)")
]
ApiUrl = Annotated[str, typer.Option("--api", envvar="UNION_API_URL", help="the union's API base URL")]

keystore_app = typer.Typer(help="Create or import an encrypted keystore (the password is never echoed or logged).")
member_app = typer.Typer(help="Look up members.")
app.add_typer(keystore_app, name="keystore")
app.add_typer(member_app, name="member")


# -- plumbing -----------------------------------------------------------------------------------------------------
def _route(relay: str | None, direct: bool) -> str | None:
    """The relay URL, or None for --direct; exactly one must be chosen."""
    if relay and direct:
        raise ConfigurationError("give either --relay URL or --direct, not both")
    if not relay and not direct:
        raise ConfigurationError("give --relay URL (or set UNION_RELAY_URL) to vote for free, or --direct to pay gas")
    return None if direct else relay


def _keystore_address(path: Path) -> ChecksumAddress | None:
    """The address an eth-account keystore records in clear, so a claim needs no password."""
    try:
        recorded = json.loads(path.read_text()).get("address")
    except (OSError, ValueError, AttributeError) as exc:
        raise KeystoreError(f"{path} is not a readable JSON keystore: {exc}") from exc
    if isinstance(recorded, str) and is_address(recorded if recorded.startswith("0x") else "0x" + recorded):
        return to_checksum_address(recorded if recorded.startswith("0x") else "0x" + recorded)
    return None


def _signer(keystore: Path, password_file: Path | None) -> LocalAccount:
    return load_keystore(keystore, read_password(password_file))


def _http(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url.rstrip("/"), timeout=_HTTP_TIMEOUT, headers={"accept": "application/json"})


def _call(client: httpx.Client, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """One request to the relay or API; a refusal becomes one clear error carrying the server's reason."""
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise UnionError(f"cannot reach {client.base_url}: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success and isinstance(body, dict):
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and "code" in error:  # the API's one error shape
        raise RelayRefusedError(str(error["code"]), f"{error.get('message', error['code'])} ({error['code']})")
    raise UnionError(f"{client.base_url} answered {response.status_code} to {path}: {response.text[:200]}")


def _expect(payload: dict[str, Any], field: str, wanted: object) -> None:
    """Refuse to sign a payload that does not say what the member asked for (a relay must not be trusted blindly)."""
    got = payload.get("message", {}).get(field)
    if str(got).lower() != str(wanted).lower():
        raise UnionValueError(f"the relay's payload has {field}={got!r}, but you asked for {wanted!r}; not signing it")


def _report(action: str, result: dict[str, Any]) -> None:
    suffix = " (this exact request had been submitted before: same transaction)" if result.get("duplicate") else ""
    console.print(f"[green]{action}[/]: transaction {result['transaction_hash']}{suffix}", highlight=False)


def _contracts(rpc_url: str, manifest_path: Path) -> UnionContracts:
    manifest = DeploymentManifest.load(manifest_path)
    w3 = connect(rpc_url, expected_chain_id=manifest.chain_id)
    return UnionContracts.from_manifest(w3, manifest)


def _send(contracts: UnionContracts, account: LocalAccount, call: ContractFunction) -> str:
    # transact() simulates first: a refusal costs nothing, and the gas limit has headroom for checkpoint writes.
    return tx_hash_hex(TransactionSender(contracts.governor.w3, account).transact(call))


def _on_off(value: str) -> bool:
    choice = value.strip().lower()
    if choice not in {"on", "off"}:
        raise UnionValueError(f"consent is 'on' or 'off', not {value!r}")
    return choice == "on"


# -- voting -------------------------------------------------------------------------------------------------------
@app.command()
@friendly_errors
def vote(
    proposal: Annotated[str, typer.Argument(help="the proposal id (decimal or 0x hex)")],
    support: Annotated[str, typer.Argument(help="for, against or abstain")],
    keystore: KeystoreFile,
    reason: Annotated[str | None, typer.Option("--reason", help="a reason, signed with the ballot")] = None,
    password_file: PasswordFile = None,
    relay: RelayUrl = None,
    direct: Direct = False,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: Manifest = DEFAULT_STATE_DIR / "manifest.json",
) -> None:
    """Vote on a proposal: sign a ballot for the relay (free), or cast it yourself with --direct."""
    choice = VoteSupport.parse(support)
    try:
        proposal_id = int(proposal, 16) if proposal.lower().startswith("0x") else int(proposal)
    except ValueError:
        raise UnionValueError(f"a proposal id is a number, not {proposal!r}") from None
    relay_url = _route(relay, direct)
    account = _signer(keystore, password_file)
    if relay_url is None:
        contracts = _contracts(rpc_url, manifest)
        governor = contracts.governor.functions
        call = (
            governor.castVote(proposal_id, int(choice))
            if reason is None
            else governor.castVoteWithReason(proposal_id, int(choice), reason)
        )
        _report(f"voted {choice.name.lower()}", {"transaction_hash": _send(contracts, account, call)})
        return
    with _http(relay_url) as client:
        query: dict[str, str] = {"proposalId": str(proposal_id), "support": str(int(choice)), "voter": account.address}
        if reason is not None:
            query["reason"] = reason
        payload = _call(client, "GET", "/v1/relay/typed-data/ballot", params=query)
        _expect(payload, "proposalId", proposal_id)
        _expect(payload, "support", int(choice))
        _expect(payload, "voter", account.address)
        message = payload["message"]
        body = {
            "proposalId": message["proposalId"],
            "support": message["support"],
            "voter": message["voter"],
            "nonce": message["nonce"],
            "signature": "0x" + sign_typed_data(account, payload).hex(),
            "chainId": payload["domain"]["chainId"],
        }
        if "reason" in message:
            body |= {"reason": message["reason"], "params": message["params"]}
        _report(f"voted {choice.name.lower()}", _call(client, "POST", "/v1/relay/votes", json=body))


# -- consent ------------------------------------------------------------------------------------------------------
@app.command()
@friendly_errors
def consent(
    purpose: Annotated[str, typer.Argument(help="the purpose's registered name (e.g. ai-training) or 0x id")],
    state: Annotated[str, typer.Argument(help="on or off")],
    keystore: KeystoreFile,
    password_file: PasswordFile = None,
    relay: RelayUrl = None,
    direct: Direct = False,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: Manifest = DEFAULT_STATE_DIR / "manifest.json",
) -> None:
    """Give (on) or withdraw (off) your consent to a data-use purpose; it counts from the next epoch."""
    granted = _on_off(state)
    relay_url = _route(relay, direct)
    account = _signer(keystore, password_file)
    if relay_url is None:
        contracts = _contracts(rpc_url, manifest)
        call = contracts.membership.functions.setConsent(purpose_id_of(purpose), granted)
        _report(f"consent {state.lower()}", {"transaction_hash": _send(contracts, account, call)})
        return
    with _http(relay_url) as client:
        query = {"member": account.address, "purpose": purpose, "granted": "true" if granted else "false"}
        payload = _call(client, "GET", "/v1/relay/typed-data/consent", params=query)
        _expect(payload, "member", account.address)
        _expect(payload, "purposeId", "0x" + purpose_id_of(purpose).hex())
        _expect(payload, "granted", granted)
        message = payload["message"]
        body = {
            "member": message["member"],
            "purposeId": message["purposeId"],
            "granted": message["granted"],
            "nonce": message["nonce"],
            "deadline": message["deadline"],
            "signature": "0x" + sign_typed_data(account, payload).hex(),
            "chainId": payload["domain"]["chainId"],
        }
        _report(f"consent {state.lower()}", _call(client, "POST", "/v1/relay/consent", json=body))


# -- claims -------------------------------------------------------------------------------------------------------
@app.command()
@friendly_errors
def claim(
    keystore: KeystoreFile,
    token: Annotated[str, typer.Option("--token", help="token address; the zero address is ETH")] = ZERO_ADDRESS,
    password_file: PasswordFile = None,
    relay: RelayUrl = None,
    direct: Direct = False,
    api: Annotated[
        str | None,
        typer.Option(
            "--api", envvar="UNION_API_URL", help="the union's API, where --direct reads your claim arguments"
        ),
    ] = None,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: Manifest = DEFAULT_STATE_DIR / "manifest.json",
) -> None:
    """Claim all your dividends in a token, for every funded epoch at once; they are paid to your address."""
    if not is_address(token):
        raise UnionValueError(f"--token must be a token address, not {token!r}")
    token = to_checksum_address(token)
    relay_url = _route(relay, direct)
    if relay_url is not None:
        address = _keystore_address(keystore) or _signer(keystore, password_file).address
        with _http(relay_url) as client:
            _report("claimed", _call(client, "POST", "/v1/relay/claims", json={"account": address, "token": token}))
        return
    if not api:
        raise ConfigurationError("--direct needs --api URL to read your claim arguments (cumulative amount and proof)")
    account = _signer(keystore, password_file)
    with _http(api) as client:
        arguments = _call(client, "GET", f"/v1/members/{account.address}/claims/{token}")
    cumulative = int(arguments["cumulative_amount"])
    contracts = _contracts(rpc_url, manifest)
    claimed = int(contracts.distributor.functions.claimed(token, account.address).call())
    if cumulative <= claimed:  # read from the chain, not the API: the API may lag the chain
        raise RelayRefusedError("nothing_to_claim", f"{account.address} has claimed all {claimed} of {token} already")
    call = contracts.distributor.functions.claim(token, account.address, cumulative, list(arguments["proof"]))
    _report("claimed", {"transaction_hash": _send(contracts, account, call)})


# -- members ------------------------------------------------------------------------------------------------------
@member_app.command("show")
@friendly_errors
def member_show(
    address: Annotated[str, typer.Argument(help="the member's address")],
    api: ApiUrl = "http://127.0.0.1:8000",
    as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON as it is")] = False,
) -> None:
    """A member's statement from the union's API: membership, consent, contributions, dividends, votes."""
    if not is_address(address):
        raise UnionValueError(f"{address!r} is not an Ethereum address")
    with _http(api) as client:
        statement = _call(client, "GET", f"/v1/members/{to_checksum_address(address)}")
    if as_json:
        console.print_json(data=statement)
        return
    _print_statement(statement)


def _token_name(token: str) -> str:
    return "ETH" if token == ZERO_ADDRESS else token


def _when(timestamp: int | None) -> str:
    return "" if timestamp is None else datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _section(title: str, columns: list[str], rows: list[list[str]]) -> None:
    """One table of the statement; amounts stay exact integers in the token's smallest unit, as on chain."""
    if not rows:
        console.print(f"[dim]{title}: none[/]")
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in _NUMERIC_COLUMNS else "left", overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)


_NUMERIC_COLUMNS = frozenset(
    {"epoch", "entries", "units", "revoked", "net units", "amount", "cumulative", "claimed", "claimable", "weight"}
)


def _print_statement(statement: dict[str, Any]) -> None:
    """The statement as a member reads it: who, consent, work, money, votes (``--json`` gives the API's document)."""
    member = statement.get("member")
    console.print(f"[bold]{statement['address']}[/] as of block {statement.get('as_of_block')}")
    if member is None:
        console.print("never a member (an account that only receives, such as the operations account)")
    else:
        delegate = member.get("delegate") or "self"
        left = f", left {_when(member['left_at'])}" if member.get("left_at") else ""
        console.print(f"{member['status']} since {_when(member['joined_at'])}{left}; votes delegated to {delegate}")
    _section(
        "consent now",
        ["purpose", "granted", "since"],
        [
            [c["purpose"] or c["purpose_id"], "yes" if c["granted"] else "no", _when(c["since"])]
            for c in statement["consents"]
        ],
    )
    _section(
        "contributions",
        ["epoch", "entries", "units", "revoked", "net units"],
        [
            [str(c["epoch"]), str(c["entries"]), c["units"], c["revoked_units"], c["net_units"]]
            for c in statement["contributions"]
        ],
    )
    _section(
        "dividends",
        ["token", "cumulative", "claimed", "claimable"],
        [[_token_name(t["token"]), t["cumulative"], t["claimed"], t["claimable"]] for t in statement["tokens"]],
    )
    _section(
        "allocations",
        ["epoch", "token", "amount", "plan"],
        [[str(a["epoch"]), _token_name(a["token"]), a["amount"], a["plan_hash"]] for a in statement["allocations"]],
    )
    _section(
        "votes",
        ["proposal", "support", "weight", "relayed", "reason"],
        [
            [v["proposal_id"], v["support"], v["weight"], "yes" if v["relayed"] else "no", v["reason"]]
            for v in statement["votes"]
        ],
    )


# -- keystores ----------------------------------------------------------------------------------------------------
KeystoreOut = Annotated[Path, typer.Option("--out", help="where to write the encrypted keystore (never overwritten)")]


@keystore_app.command("new")
@friendly_errors
def keystore_new(out: KeystoreOut, password_file: PasswordFile = None) -> None:
    """Create a fresh key in an encrypted keystore."""
    account = create_keystore(out, read_password(password_file, prompt="New keystore password: ", confirm=True))
    console.print(f"[green]keystore written[/]: {out} for address {account.address}", highlight=False)


@keystore_app.command("import")
@friendly_errors
def keystore_import(
    out: KeystoreOut,
    private_key_file: Annotated[
        Path | None, typer.Option("--private-key-file", help="file holding the hex private key (else asked, hidden)")
    ] = None,
    password_file: PasswordFile = None,
) -> None:
    """Encrypt an existing private key into a keystore (the key is read from a file or a hidden prompt)."""
    if private_key_file is not None:
        try:
            private_key = private_key_file.read_text().strip()
        except OSError as exc:
            raise KeystoreError(f"cannot read {private_key_file}: {exc.strerror}") from exc
    else:
        private_key = getpass.getpass("Private key (hex, hidden): ").strip()
    try:
        account = create_keystore(
            out, read_password(password_file, prompt="New keystore password: ", confirm=True), private_key
        )
    except (ValueError, TypeError) as exc:
        if isinstance(exc, UnionError):
            raise
        raise KeystoreError("the private key is malformed (expected 32 bytes of hex)") from None
    console.print(f"[green]keystore written[/]: {out} for address {account.address}", highlight=False)
