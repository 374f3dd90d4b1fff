"""The demo dapp's logic: its state, its flows and what it tells the user. No DOM, no ``js``.

``web/app.py`` wires a :class:`Demo` to the page (PyScript); ``tests/host/test_demo_logic.py``
drives the same class on CPython with a real signing wallet. Only did_session's public API
is used. What the page needs from its surroundings comes in through small interfaces: a
:class:`Wallet` (one per wallet kind), :class:`Passkeys` (the page's WebAuthn, optional), a
:class:`Storage` for the user's preferences, a clock, and optionally the session store and
key back end (None: the platform's, IndexedDB and WebCrypto in a page).
"""

from __future__ import annotations

import base64
import json
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from did_session import (
    AccountId,
    AccountIdError,
    AuthMethod,
    Clock,
    DIDSession,
    DIDSessionError,
    EthereumNodeAuth,
    EthereumWebAuth,
    KeyBackend,
    PasskeyRefusedError,
    PasskeyUnavailableError,
    SessionStore,
    SolanaNodeAuth,
    SolanaWebAuth,
    TimePolicy,
    UserRejectedError,
    WalletUnavailableError,
    get_account_id,
    request_accounts,
    request_solana_account,
    verify_jws,
)

PREFS_KEY = "did-session-demo"  # {account, resources, lifetime, session}, as JSON
DEFAULT_RESOURCES = ("ceramic://*",)


class InputError(ValueError):
    """What the user typed cannot be used (the message says why, for the user)."""


# ------------------------------------------------------------------ injected interfaces


class Wallet(Protocol):
    """One kind of wallet (Ethereum, Solana): each is a class with these members."""

    kind: str  # "ethereum" | "solana" | "passkey": what the page's chooser names
    label: str  # for people: "Ethereum"
    sign_prompt: str  # what to tell the user while the wallet is asked to sign

    @property
    def available(self) -> bool:
        """Whether the page has such a wallet at all."""
        ...

    @property
    def missing_message(self) -> str:
        """What to tell a user who has none."""
        ...

    def parse_account(self, text: str) -> Account:
        """The account of a remembered ``str(account)`` (a DIDSessionError if not ours)."""
        ...

    async def connect(self) -> Account:
        """Ask the wallet for an account (the user may refuse: UserRejectedError)."""
        ...

    def auth_method(self, account: Any) -> AuthMethod:
        """The did_session auth method that makes the wallet sign for ``account`` (one of
        the accounts this wallet made)."""
        ...


@dataclass(frozen=True)
class PasskeyAccount:
    """A passkey as the demo's account: no chain, its did:key is the identity.
    ``DIDSession.get`` takes it as it is (it has a ``did``) and stores under the did:key."""

    did: str
    chain = "passkey (WebAuthn P-256)"  # shown where a wallet account shows its chain

    @property
    def address(self) -> str:
        return self.did

    def __str__(self) -> str:
        return self.did


Account = AccountId | PasskeyAccount


class Passkeys(Protocol):
    """The page's passkeys (``did_session.browser.webauthn`` in a page)."""

    @property
    def available(self) -> bool:
        """Whether this page can use passkeys (WebAuthn, a secure context, a hostname)."""
        ...

    async def remembered(self) -> list[str]:
        """The did:keys of the passkeys remembered for this site, the newest first."""
        ...

    async def create(self) -> str:
        """Create a passkey for this site (a ceremony); its did:key."""
        ...

    def auth_method(self, did: str) -> AuthMethod:
        """The auth method making the passkey of ``did`` sign (a ceremony each time)."""
        ...


class PasskeyWallet:
    """Passkeys as a kind of wallet: its account is the site's remembered passkey, or a
    new one when there is none."""

    kind = "passkey"
    label = "Passkey"
    sign_prompt = "Confirm with your passkey to create the session…"
    missing_message = (
        "Passkeys are not available here: this browser has no WebAuthn, or the page was "
        "opened by IP address (open it as http://localhost:<port>/ or over https)."
    )

    def __init__(self, passkeys: Passkeys | None) -> None:
        self._passkeys = passkeys
        self.created: bool | None = None  # whether the last connect() made a new passkey

    @property
    def available(self) -> bool:
        return self._passkeys is not None and self._passkeys.available

    def _need(self) -> Passkeys:
        if self._passkeys is None or not self._passkeys.available:
            raise PasskeyUnavailableError(self.missing_message)
        return self._passkeys

    def parse_account(self, text: str) -> PasskeyAccount:
        if not isinstance(text, str) or not text.startswith("did:key:z"):
            raise AccountIdError("not the did:key of a passkey")
        return PasskeyAccount(text)

    async def connect(self) -> PasskeyAccount:
        passkeys = self._need()
        remembered = await passkeys.remembered()
        self.created = not remembered
        return PasskeyAccount(remembered[0] if remembered else await passkeys.create())

    def auth_method(self, account: PasskeyAccount) -> AuthMethod:
        return self._need().auth_method(account.did)


class Storage(Protocol):
    """Small synchronous string storage (``window.localStorage`` in the page)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class EthereumWallet:
    """An EIP-1193 wallet: ``window.ethereum`` in a page, any Python provider elsewhere.

    ``domain`` is the SIWE domain: None means the page's hostname (``EthereumWebAuth``);
    outside a page give an app name (``EthereumNodeAuth``).
    """

    kind = "ethereum"
    label = "Ethereum"
    sign_prompt = "Sign the message in your wallet to create the session…"
    namespace = "eip155"
    missing_message = (
        "No Ethereum wallet found: install a browser wallet such as MetaMask, "
        "then reload this page."
    )

    def __init__(self, provider: Any, *, domain: str | None = None) -> None:
        self._provider = provider
        self._domain = domain

    @property
    def available(self) -> bool:
        return self._provider is not None

    def parse_account(self, text: str) -> AccountId:
        account = AccountId.parse(text)
        if account.namespace != self.namespace:
            raise AccountIdError(f"not an account of a {self.label} wallet")
        return account

    async def connect(self) -> AccountId:
        addresses = await request_accounts(self._provider)
        return await get_account_id(self._provider, addresses[0])

    def auth_method(self, account: AccountId) -> AuthMethod:
        if self._domain is None:
            return EthereumWebAuth.get_auth_method(self._provider, account)
        return EthereumNodeAuth.get_auth_method(self._provider, account, self._domain)


class SolanaWallet(EthereumWallet):
    """A Solana wallet: the page's injected one (``window.phantom.solana`` /
    ``window.solana``), or any Python object with ``async connect()`` and
    ``async sign_message(bytes)`` elsewhere. Accounts are on Solana mainnet."""

    kind = "solana"
    label = "Solana"
    namespace = "solana"
    missing_message = (
        "No Solana wallet found: install a browser wallet such as Phantom, then reload this page."
    )

    async def connect(self) -> AccountId:
        return await request_solana_account(self._provider)

    def auth_method(self, account: AccountId) -> AuthMethod:
        if self._domain is None:
            return SolanaWebAuth.get_auth_method(self._provider, account)
        return SolanaNodeAuth.get_auth_method(self._provider, account, self._domain)


# ------------------------------------------------------------------ what the page shows


@dataclass(frozen=True)
class Message:
    text: str
    kind: str = "info"  # info | ok | warn | error


@dataclass(frozen=True)
class Notice:
    """A result box: ``kind`` ok | warn | bad, a bold title, a detail and facts."""

    kind: str
    title: str
    detail: str = ""
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Failure:
    """An error as the page reports it: ``"ErrorClass: message"`` and the class name."""

    text: str
    error_class: str

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        return cls(describe(error), type(error).__name__)


@dataclass(frozen=True)
class Signed:
    """A JWS the session signed, and what verifying it established."""

    jws: dict[str, Any]
    issuer: str
    signer: str
    payload: str  # as shown: JSON re-encoded, or the text


@dataclass(frozen=True)
class Prefs:
    """What the page remembers between visits (never a key: the session store has those)."""

    account: str | None = None
    resources: tuple[str, ...] = DEFAULT_RESOURCES
    lifetime: int | None = None
    session: bool = False  # a session was created (and not logged out of)

    def to_json(self) -> str:
        return json.dumps(
            {
                "account": self.account,
                "resources": list(self.resources),
                "lifetime": self.lifetime,
                "session": self.session,
            }
        )

    @classmethod
    def from_json(cls, text: str | None) -> Prefs:
        """Tolerant: whatever another version or script left there, never an error."""
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            return cls()
        account, resources = data.get("account"), data.get("resources")
        lifetime = data.get("lifetime")
        if not (
            isinstance(resources, list)
            and resources
            and all(isinstance(r, str) and r for r in resources)
        ):
            resources = DEFAULT_RESOURCES
        if isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0:
            lifetime = None
        return cls(
            account=account if isinstance(account, str) and account else None,
            resources=tuple(resources),
            lifetime=lifetime,
            session=data.get("session") is True,
        )


WALLET_HINT = (
    "Your wallet signs one Sign-In-with-Ethereum message; a session key kept in this browser"
    " then signs for you."
)
PASSKEY_HINT = (
    "Your passkey signs the session's capability (a CACAO) once; a session key kept in this"
    " browser then signs for you."
)


@dataclass(frozen=True)
class Controls:
    """Which buttons are enabled / shown, and their labels."""

    connect: bool
    connect_label: str
    no_wallet_shown: bool  # the "No ... wallet found" notice (not once a passkey signed in)
    passkey: bool  # "Sign in with a passkey"
    passkey_shown: bool
    session_hint: str  # what signs the session's capability: the wallet or the passkey
    create: bool
    create_label: str
    renew: bool
    renew_shown: bool
    logout: bool
    logout_shown: bool
    sign: bool
    tamper: bool
    authorize: bool
    load: bool


# ------------------------------------------------------------------ helpers


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def fmt_duration(secs: float) -> str:
    secs = max(0, int(secs))
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours:02d} h {minutes:02d} min"
    if hours:
        return f"{hours} h {minutes:02d} min {seconds:02d} s"
    return f"{minutes} min {seconds:02d} s"


def parse_resources(text: str) -> list[str]:
    """One resource per line or comma-separated; at least one."""
    resources = [r.strip() for r in text.replace(",", "\n").split("\n") if r.strip()]
    if not resources:
        raise InputError("Type at least one resource, e.g. ceramic://*")
    return resources


def resources_text(resources: Sequence[str]) -> str:
    """How the resources field shows remembered resources."""
    return "\n".join(resources)


def parse_lifetime(value: str) -> int:
    try:
        secs = int(value)
    except ValueError:
        secs = 0
    if secs <= 0:
        raise InputError("The lifetime is a positive number of seconds.")
    return secs


def parse_payload(raw: str, *, as_json: bool) -> Any:
    """What to sign: the text as UTF-8 bytes, or a JSON object / array."""
    if not as_json:
        return raw.encode("utf-8")
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise InputError(f"Cannot sign: the payload is not valid JSON ({e})") from None
    if not isinstance(value, dict | list):
        raise InputError("Cannot sign: a JSON payload must be an object or an array")
    return value


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def tampered(jws: dict[str, Any]) -> dict[str, Any]:
    """The JWS with its payload changed after signing (its signature no longer fits)."""
    return {**jws, "payload": _b64url_encode(_b64url_decode(jws["payload"]) + b" (tampered)")}


# ------------------------------------------------------------------ the state machine


class Demo:
    """The dapp: call :meth:`start` once, then :meth:`run` one action at a time.

    Everything the page renders is read from the attributes below (treat them as read-only)
    and from :meth:`controls`, :meth:`countdown` and the ``*_notice`` methods.
    ``on_change`` is called whenever a render is due in the middle of an action.
    """

    def __init__(
        self,
        wallet: Wallet | Sequence[Wallet],
        storage: Storage,
        *,
        clock: Clock = time.time,
        store: SessionStore | None = None,  # None: the platform's (IndexedDB in a page)
        keys: KeyBackend | None = None,  # None: the platform's (WebCrypto in a page)
        passkeys: Passkeys | None = None,  # None: no "Sign in with a passkey"
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        # Every kind the page knows; the first one the page has is used until the person
        # chooses another (choose_wallet) or a remembered account names one.
        self.wallets: tuple[Wallet, ...] = (
            tuple(wallet) if isinstance(wallet, Sequence) else (wallet,)
        )
        if not self.wallets:
            raise ValueError("Demo needs at least one wallet kind")
        self.wallet: Wallet = next((w for w in self.wallets if w.available), self.wallets[0])
        # Passkeys sit beside the chooser (their own button), not in it.
        self.passkey_wallet = PasskeyWallet(passkeys)
        self._storage = storage
        self._time = TimePolicy(clock=clock)  # one clock for sessions and verification
        self._store = store
        self._keys = keys
        self._on_change = on_change

        self.phase = "loading"  # loading | ready
        self.busy = False
        self.action: str | None = None  # the last action started
        self.seq = 0  # actions finished
        self.error: str | None = None  # the last action's failure, described
        self.message: Message | None = None
        self.prefs = Prefs()

        self.account: Account | None = None
        self.session: DIDSession | None = None  # the persisted session
        self.restored: bool | None = None
        self.logged_out: bool | None = None
        self.expired: bool | None = None  # as of the last clock reading (tick)
        self.expires_in: int | None = None
        self.previous_expired = False  # a remembered session could not be restored

        self.signed: Signed | None = None
        self.tamper: Failure | None = None  # why the tampered JWS failed
        self.tamper_verified: bool | None = None

        self.portable: DIDSession | None = None
        self.serialized: str | None = None  # the portable session's string (holds its seed)
        self.copied: bool | None = None
        self.loaded: DIDSession | None = None
        self.load_failure: Failure | None = None

    # ---- start-up and the clock --------------------------------------------------------

    async def start(self) -> None:
        """Restore the remembered account's session without asking the wallet."""
        try:
            await self._restore()
        except DIDSessionError as e:
            self._fail(e, f"Could not restore your session: {describe(e)}", "error")
        self.phase = "ready"
        self.tick()

    async def _restore(self) -> None:
        self.prefs = Prefs.from_json(self._storage.get(PREFS_KEY))
        if self.prefs.account is None:
            return
        account = None
        for wallet in (*self.wallets, self.passkey_wallet):  # the kind that made it
            try:
                account = wallet.parse_account(self.prefs.account)
            except DIDSessionError:
                continue
            self.wallet = wallet
            break
        if account is None:
            return  # remembered by a wallet kind this page does not know: start afresh
        self.account = account
        resources = list(self.prefs.resources)
        if await DIDSession.has_session_for(
            account, resources=resources, store=self._store, time_policy=self._time
        ):
            self.session = await DIDSession.get(
                account,
                self.wallet.auth_method(account),
                resources=resources,
                store=self._store,
                keys=self._keys,
                time_policy=self._time,
            )
            self.restored = True
            self._say(
                "Welcome back: your session was restored from this browser, no wallet prompt.",
                "ok",
            )
        elif self.prefs.session:
            self.restored = False
            self.previous_expired = True
            self._say(
                "Your previous session has expired (or was removed): create or renew it.", "warn"
            )

    def tick(self) -> None:
        """Read the clock: the countdown, and the expiry announced once."""
        session = self.session
        if session is None:
            self.expired = True if self.previous_expired else None
            self.expires_in = None
            return
        was_expired = self.expired
        self.expired = session.is_expired
        self.expires_in = 0 if self.expired else int(session.expires_in_secs)
        if self.expired and not was_expired:
            self._say(
                "Your session has expired: renew it to sign again (your wallet will ask once).",
                "warn",
            )

    def countdown(self) -> str:
        if self.expired:
            return "expired"
        return fmt_duration(self.expires_in or 0)

    # ---- actions -----------------------------------------------------------------------

    async def run(self, action: str, flow: Callable[[], Awaitable[None]]) -> bool:
        """Run one action: never two at once, every failure told to the user.

        Returns False (and does nothing) while another action runs.
        """
        if self.busy:
            return False
        self.busy, self.action, self.error = True, action, None
        self._on_change()
        try:
            await flow()
        except InputError as e:
            self._fail(e, str(e), "error")
        except UserRejectedError as e:
            self._fail(e, "You declined the request in your wallet. Nothing was changed.", "warn")
        except PasskeyRefusedError as e:
            self._fail(e, "The passkey request was cancelled. Nothing was changed.", "warn")
        except PasskeyUnavailableError as e:
            self._fail(e, f"{self.passkey_wallet.missing_message} ({e})", "warn")
        except WalletUnavailableError as e:
            self._fail(e, self.wallet.missing_message, "warn")
        except DIDSessionError as e:
            self._fail(e, describe(e), "error")
        except Exception as e:  # a bug: say so plainly, keep the page usable
            traceback.print_exc()  # the console, in a page
            self._fail(e, f"Unexpected error: {describe(e)}", "error")
        finally:
            self.busy = False
            self.seq += 1
            self.tick()
            self._on_change()
        return True

    @property
    def wallet_choices(self) -> tuple[tuple[str, str], ...]:
        """(kind, label) of every wallet kind the page has: what the chooser offers."""
        return tuple((w.kind, w.label) for w in self.wallets if w.available)

    def choose_wallet(self, kind: str) -> None:
        """Use the wallet ``kind`` from now on. The account and session shown belong to
        the previous kind: they are put away (the stored session stays for its account)."""
        if self.busy or kind == self.wallet.kind:
            return
        chosen = next((w for w in self.wallets if w.kind == kind), None)
        if chosen is None:
            raise InputError(f"No {kind} wallet here.")
        self.wallet = chosen
        self.account = None
        self.session = None
        self.restored = self.logged_out = None
        self.previous_expired = False
        self._clear_signatures()
        self._say(f"Using your {chosen.label} wallet: connect it to continue.")
        self.tick()
        self._on_change()

    async def connect(self) -> None:
        self._say("Waiting for your wallet…")
        account = await self.wallet.connect()
        self.account = account
        self._remember(account=str(account))
        self._say(f"Connected {account.address} on {account.chain}.", "ok")

    async def sign_in_with_passkey(self, resources_text: str, lifetime: str) -> None:
        """Sign in with a passkey: the site's remembered passkey (or a new one), then its
        session: the stored one with no ceremony, or a new one (the passkey asked once)."""
        parse_resources(resources_text)  # typing mistakes are told before any ceremony
        parse_lifetime(lifetime)
        wallet = self.passkey_wallet
        self._say("Choose or create your passkey…")
        account = await wallet.connect()
        if self.wallet is not wallet or self.account != account:
            self.session = None
            self.restored = self.logged_out = None
            self._clear_signatures()
        self.wallet, self.account = wallet, account
        self._remember(account=str(account))
        await self.create(resources_text, lifetime)
        if wallet.created:
            self._say("Passkey created for this site; your session is ready.", "ok")

    async def create(self, resources_text: str, lifetime: str, *, renew: bool = False) -> None:
        """A persisted session for ``account`` (a new key; the wallet signs once)."""
        account = self._need_account()
        resources = parse_resources(resources_text)
        secs = parse_lifetime(lifetime)
        self._say(self.wallet.sign_prompt)
        session = await DIDSession.get(
            account,
            self.wallet.auth_method(account),
            resources=resources,
            expires_in_secs=secs,
            store=self._store,
            keys=self._keys,
            time_policy=self._time,
        )
        self._remember(
            account=str(account), resources=tuple(resources), lifetime=secs, session=True
        )
        self.session = session
        self.restored, self.logged_out, self.previous_expired = False, False, False
        self.expired = None  # a new session: its expiry is announced again
        self._clear_signatures()
        self._say(
            "Session renewed." if renew else "Session ready: this browser now signs for you.", "ok"
        )

    async def logout(self) -> None:
        if self.account is not None:
            await DIDSession.remove(self.account, store=self._store)
            self._remember(session=False)
        self.session = None
        self.previous_expired = False
        self.logged_out = True
        self._clear_signatures()
        self._say("Logged out: the session key was deleted from this browser.", "ok")

    async def sign(self, raw: str, *, as_json: bool) -> None:
        """Sign with the session key, then verify as anyone would."""
        session = self.session
        if session is None or session.is_expired:
            raise InputError("Create (or renew) a session first.")
        payload = parse_payload(raw, as_json=as_json)
        jws = await session.did.create_jws(payload)
        verified = await verify_jws(
            jws, capability=session.cacao, issuer=session.id, time_policy=self._time
        )
        try:
            shown = json.dumps(verified.payload_json())
        except DIDSessionError:
            shown = verified.payload.decode("utf-8", "replace")
        self.signed = Signed(dict(jws), verified.issuer, verified.signer_did, shown)
        self.tamper = self.tamper_verified = None
        self._say("Signed and verified.", "ok")

    async def tamper_and_verify(self) -> None:
        """Change the last JWS's payload: verification must fail, and says why."""
        session, signed = self.session, self.signed
        if session is None or signed is None:
            raise InputError("Sign something first.")
        try:
            await verify_jws(
                tampered(signed.jws),
                capability=session.cacao,
                issuer=session.id,
                time_policy=self._time,
            )
        except DIDSessionError as e:
            self.tamper, self.tamper_verified = Failure.of(e), False
            self._say("As expected, the tampered JWS does not verify.", "ok")
        else:
            self.tamper, self.tamper_verified = None, True
            self._say("A tampered JWS verified: please report this bug.", "error")

    async def authorize(self, resources_text: str, lifetime: str) -> None:
        """A portable (Ed25519, serializable) session; the wallet signs once."""
        account = self._need_account()
        resources = parse_resources(resources_text)
        secs = parse_lifetime(lifetime)
        self._say("Sign the message in your wallet to create a portable session…")
        portable = await DIDSession.authorize(
            self.wallet.auth_method(account),
            resources=resources,
            expires_in_secs=secs,
            time_policy=self._time,
            keys=self._keys,
        )
        self.portable, self.serialized, self.copied = portable, portable.serialize(), False
        self._say("Portable session created: copy it, then load it here or elsewhere.", "ok")

    async def copy(self, write_text: Callable[[str], Awaitable[bool]]) -> None:
        """Copy the portable session with ``write_text`` (the page's clipboard)."""
        if self.serialized is None:
            raise InputError("Create a portable session first.")
        if not await write_text(self.serialized):
            self._say(
                "Select the text and copy it yourself (the clipboard is not available).", "warn"
            )
            return
        self.copied = True
        self._say(
            "Copied to the clipboard. It holds a private key: paste it only where you trust.",
            "ok",
        )

    async def load(self, pasted: str) -> None:
        """Load a serialized session (its CACAO signature is checked)."""
        self.loaded = self.load_failure = None
        text = pasted.strip()
        if not text:
            self._say("Paste a serialized session first.", "warn")
            return
        try:
            self.loaded = await DIDSession.from_session(
                text, time_policy=self._time, keys=self._keys
            )
        except DIDSessionError as e:
            self.load_failure = Failure.of(e)
            self._say("That string is not a valid serialized session.", "error")
            return
        self._say("Serialized session loaded and its CACAO signature checked.", "ok")

    # ---- what to render -----------------------------------------------------------------

    def controls(self) -> Controls:
        idle = not self.busy
        ready = idle and self.phase == "ready"
        has_account = self.account is not None
        has_session = self.session is not None
        by_passkey = isinstance(self.account, PasskeyAccount)
        return Controls(
            connect=ready,
            connect_label="Reconnect wallet"
            if has_account and not by_passkey
            else "Connect wallet",
            no_wallet_shown=not self.wallet.available and not by_passkey,
            passkey=ready and self.passkey_wallet.available,
            passkey_shown=self.passkey_wallet.available,
            session_hint=PASSKEY_HINT if by_passkey else WALLET_HINT,
            create=ready and has_account,
            create_label="Create new session" if has_session else "Create session",
            renew=idle,
            renew_shown=bool(self.expired) and has_account,
            logout=idle,
            logout_shown=has_session,
            sign=idle and has_session and not self.expired,
            tamper=idle and has_session and self.signed is not None,
            authorize=ready and has_account,
            load=ready,
        )

    def verify_notice(self) -> Notice | None:
        if self.signed is None:
            return None
        return Notice(
            "ok",
            "✓ Valid signature",
            "signed by the session key under your capability.",
            (
                ("Issuer", self.signed.issuer),
                ("Signer", self.signed.signer),
                ("Payload", self.signed.payload),
            ),
        )

    def tamper_notice(self) -> Notice | None:
        if self.tamper_verified:
            return Notice("ok", "✓ Valid signature", "a tampered JWS verified: this is a bug!")
        if self.tamper is None:
            return None
        return Notice(
            "bad",
            "✗ Verification failed",
            self.tamper.text,
            (("Changed", "the payload, after signing"),),
        )

    def load_notice(self) -> Notice | None:
        if self.load_failure is not None:
            return Notice("bad", "✗ Not a valid session", self.load_failure.text)
        loaded = self.loaded
        if loaded is None:
            return None
        expired = loaded.is_expired
        return Notice(
            "warn" if expired else "ok",
            "Session loaded (expired)" if expired else "✓ Session loaded",
            facts=(
                ("Session key", loaded.did.id),
                ("Signed in as", loaded.id),
                ("Resources", ", ".join(loaded.authorizations)),
                ("CACAO CID", str(loaded.cacao.cid)),
                ("Expires in", "expired" if expired else fmt_duration(loaded.expires_in_secs)),
            ),
        )

    # ---- internals -----------------------------------------------------------------------

    def _need_account(self) -> Account:
        if self.account is None:
            raise InputError("Connect your wallet first.")
        return self.account

    def _clear_signatures(self) -> None:
        self.signed = self.tamper = self.tamper_verified = None
        self.tick()

    def _say(self, text: str, kind: str = "info") -> None:
        self.message = Message(text, kind)
        self._on_change()

    def _fail(self, error: BaseException, text: str, kind: str) -> None:
        self.error = describe(error)
        self._say(text, kind)

    def _remember(self, **changes: Any) -> None:
        self.prefs = replace(self.prefs, **changes)
        self._storage.set(PREFS_KEY, self.prefs.to_json())
