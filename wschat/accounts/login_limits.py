"""How many wrong passwords a sign-in may cost, without letting anyone lock an admin out.

Three counts of failed sign-ins, from the narrowest to the widest:

- **login + address**: one guesser at one account. Past its limit (``WSCHAT_LOGIN_FAILURES_PER_MINUTE``)
  that pair waits out the minute. The account's owner at another address is not affected.
- **address**: one guesser trying many accounts (password spraying), ``…_PER_ADDRESS_PER_MINUTE``.
- **login, from every address**: a botnet guessing one account from many addresses. A hard limit here would
  let anyone lock any known account out, so past ``…_PER_ACCOUNT_PER_HOUR`` each further attempt waits a
  delay that doubles with every failure (1 s, 2 s, 4 s … at most :data:`MAX_DELAY`), and only browsers that
  never signed in to that account wait: the owner's browser carries a device cookie from its last sign-in
  (the "device cookie" scheme of OWASP's authentication guidance) and is exempt.

An address is an IPv4 address or an IPv6 /64, the block one subscriber usually gets: counting single IPv6
addresses would give an attacker 2^64 fresh limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wschat.clock import Clock
from wschat.errors import RateLimited
from wschat.limits.counter import HitCounter
from wschat.privacy.ip import subscriber_key

#: The longest wait the per-account delay grows to, seconds.
MAX_DELAY = 300
#: The window of the per-account count, seconds.
ACCOUNT_WINDOW = 3600.0
#: Failures the per-account counter must hold past its threshold for the delay to reach MAX_DELAY.
DELAY_STEPS = math.ceil(math.log2(MAX_DELAY)) + 1


@dataclass(frozen=True)
class LoginAttempt:
    slug: str
    login: str
    address: str

    @property
    def pair(self) -> str:
        # No slug holds a ":", so the key of one account is never that of another one.
        return f"pair:{self.slug}:{self.login}:{subscriber_key(self.address)}"

    @property
    def from_address(self) -> str:
        return f"address:{subscriber_key(self.address)}"

    @property
    def account(self) -> str:
        return f"account:{self.slug}:{self.login}"


class LoginLimits:
    def __init__(
        self, pairs: HitCounter, addresses: HitCounter, accounts: HitCounter, threshold: int, clock: Clock
    ) -> None:
        """``accounts`` counts over :data:`ACCOUNT_WINDOW` and holds ``threshold + DELAY_STEPS`` hits."""
        self._pairs = pairs
        self._clock = clock
        self._addresses = addresses
        self._accounts = accounts
        #: Failures of one account per window before the delay starts.
        self.threshold = threshold

    async def check(self, attempt: LoginAttempt, *, known_device: bool) -> None:
        """Raises RateLimited (with the seconds to wait) when this attempt may not be made now."""
        if await self._pairs.is_limited(attempt.pair) or await self._addresses.is_limited(
            attempt.from_address
        ):
            raise RateLimited()
        if known_device:
            return
        wait = await self._account_wait(attempt, self._now())
        if wait > 0:
            raise RateLimited(
                "This account had many wrong passwords. Please wait before trying again.",
                retry_after=math.ceil(wait),
            )

    async def failed(self, attempt: LoginAttempt) -> None:
        await self._pairs.hit(attempt.pair)
        await self._addresses.hit(attempt.from_address)
        await self._accounts.hit(attempt.account)

    async def succeeded(self, attempt: LoginAttempt) -> None:
        # The account-wide count stays: a botnet that keeps guessing must not get a fresh allowance
        # every time the owner signs in.
        await self._pairs.reset(attempt.pair)

    async def _account_wait(self, attempt: LoginAttempt, now: float) -> float:
        recent = await self._accounts.recent(attempt.account)
        over = recent.count - self.threshold
        if over < 0 or recent.newest is None:
            return 0.0
        delay = min(2.0**over, MAX_DELAY)
        return recent.newest + delay - now

    def _now(self) -> float:
        return self._clock().timestamp()
