"""One soak: start a deployment, let visitors and agents chat while faults are done to it, then check.

Timeline of a run of ``seconds`` (the fractions are of that length):
- set-up: agents sign in and go online, visitors open their widget sessions; none of it is timed;
- warm-up (15 % of ``seconds``, at least 30 s, before them): the visitors arrive at random times and start
  their chats; then the steady processes' memory is taken;
- faults, until 90 %: one socket's TCP connection aborted at random every ``1 / drops_per_second`` s; on the
  cluster, process ``a`` SIGKILLed at 30 % and 55 % and started again on its port 2 s later, and
  ``redis-server`` stopped at 75 % and started again 3 s later;
- at 100 % the clients stop writing (a send in flight still resends until acked), the steady processes'
  memory is taken again, every client reconnects and catches up; then two agents leave, one closing their
  console, one vanishing (network gone for good), and their chats must go to the others;
- checks (tests/soak/checks.py), repeated every 3 s until none fails or the deadline passes: a process that
  was killed leaves socket records that the others forget 60 s after its last heartbeat.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from tests.soak import checks
from tests.soak.clients import Agent, Client, Sent, Tally, Visitor
from tests.soak.deployment import MAX_CHATS, Deployment, cluster, single_sqlite

#: Memory of a process that ran the whole soak may grow by this much from warm-up to the end.
RSS_GROWTH_LIMIT = 0.20
#: How long after the last fault (the two agents leaving at the end are one) the state may take to settle:
#: the 60 s after which a killed process's sockets are forgotten, or a vanished client's missed pings (45 s),
#: two housekeeping rounds, and the agents' 10 s grace.
SETTLE_SECONDS = 100


@dataclass(frozen=True)
class Plan:
    seconds: float
    visitors: int = 200
    agents: int = 20
    #: Each visitor writes once per this many seconds (uniform), each agent looks at their chats as often.
    visitor_pause: tuple[float, float] = (6.0, 18.0)
    agent_pause: tuple[float, float] = (1.0, 3.0)
    drops_per_second: float = 1.0
    seed: int = 1

    @property
    def warm_up(self) -> float:
        """Before the faults: the visitors arrive and start their chats (in the first 80 %)."""
        return max(30.0, 0.15 * self.seconds)


@dataclass
class Report:
    deployment: str
    plan: Plan
    figures: dict[str, Any] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        rows = "\n".join(f"| {name} | {value} |" for name, value in self.figures.items())
        found = "\n".join(f"- {a}" for a in self.anomalies[:50]) or "none"
        return (
            f"### {self.deployment}: {self.plan.seconds:.0f} s, {self.plan.visitors} visitors, "
            f"{self.plan.agents} agents\n\n| figure | value |\n|---|---|\n{rows}\n\nAnomalies: {found}\n"
        )


#: The cluster's share of the visitors and agents when both deployments run at once (the suite's 60 s run).
CLUSTER_SHARE = 0.6
#: The same for a full-length run. FerretDB, the MongoDB adapter's test server, reads the whole collection
#: for every query but by ``_id`` (docs/storage.md): its cost per query grows with the messages stored, and
#: 120 visitors writing for ten minutes saturate it on a small machine (every query then times out, which
#: tests FerretDB, not wsChat). The cluster gets fewer of the same visitors; the load in total stays.
FULL_LENGTH_CLUSTER_SHARE = 0.15


async def run(kind: str, plan: Plan, work: Path) -> Report:
    if plan.visitors > (plan.agents - 2) * MAX_CHATS:
        raise ValueError(f"{plan.agents - 2} agents who stay cannot hold {plan.visitors} chats: a full house")
    deploy = cluster if kind == "cluster" else single_sqlite
    async with deploy(work, plan.agents) as deployment:
        return await _soak(deployment, plan)


async def run_both(plan: Plan, work: Path, cluster_share: float = CLUSTER_SHARE) -> list[Report]:
    """Both deployments at once, three server processes, sharing the plan's visitors and agents (the cluster
    ``cluster_share`` of them): each fault of the one happens while the other is under load too."""
    visitors, agents = round(plan.visitors * cluster_share), round(plan.agents * cluster_share)
    on_cluster = replace(plan, visitors=visitors, agents=agents)
    on_sqlite = replace(plan, visitors=plan.visitors - visitors, agents=plan.agents - agents)
    (work / "cluster").mkdir()
    (work / "sqlite").mkdir()
    return list(
        await asyncio.gather(
            run("cluster", on_cluster, work / "cluster"), run("sqlite", on_sqlite, work / "sqlite")
        )
    )


async def _bounded(jobs: Iterable[Awaitable[None]], limit: int = 10) -> None:
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[None]) -> None:
        async with gate:
            await job

    await asyncio.gather(*(one(job) for job in jobs))


async def _soak(deployment: Deployment, plan: Plan) -> Report:
    report = Report(deployment.kind, plan)
    tally = Tally()
    rng = random.Random(plan.seed)
    servers = deployment.servers
    agents = [
        Agent(n, login, servers[n % len(servers)].url, tally, rng)
        for n, login in enumerate(deployment.agent_logins)
    ]
    visitors = [Visitor(n, servers[n % len(servers)].url, tally, rng) for n in range(plan.visitors)]
    clients = [a.client for a in agents] + [v.client for v in visitors]
    async with aiohttp.ClientSession() as http:
        await _bounded(agent.open(http) for agent in agents)
        await _bounded(visitor.open(http) for visitor in visitors)
        colleagues = [agent.user_id for agent in agents]
        warm_up = plan.warm_up
        end = time.monotonic() + warm_up + plan.seconds
        stop = asyncio.Event()
        # Visitors arrive spread over the warm-up, as on a website (and the chats' routing is one decision at
        # a time per tenant: 200 at once would only measure that queue).
        writers = [
            asyncio.create_task(
                v.run(stop, plan.visitor_pause, end + 60, arrive=rng.uniform(0, warm_up * 0.8))
            )
            for v in visitors
        ]
        writers += [asyncio.create_task(a.run(stop, plan.agent_pause, end + 60, colleagues)) for a in agents]
        await asyncio.sleep(warm_up)
        rss_warm = {s.name: s.rss_bytes() for s in deployment.steady}
        start = time.monotonic()
        faults = asyncio.create_task(_faults(deployment, plan, start, clients, tally, rng))
        await asyncio.sleep(end - time.monotonic())
        stop.set()
        await faults
        await asyncio.gather(*writers)
        rss_end = {s.name: s.rss_bytes() for s in deployment.steady}
        await _reconnected(clients)
        staying, leaving = agents[:-2], agents[-2:]
        await leaving[0].client.close()
        leaving[1].client.sio.reconnection = False
        leaving[1].client.drop()
        # Their leaving is the last fault: the vanished one's socket is found dead only by its missed pings,
        # then the grace period runs. (Counted from the faults of the run alone, a full-length run's deadline
        # had passed before they left, and the checks gave up on them after one look.)
        tally.last_fault = time.monotonic() - start
        anomalies = await _settled(
            deployment,
            tally.acked,
            visitors,
            staying,
            leaving,
            deadline=start + tally.last_fault + SETTLE_SECONDS,
        )
        await asyncio.gather(*(client.close() for client in clients))
    report.anomalies = anomalies
    for name, warm in rss_warm.items():
        growth = rss_end[name] / warm - 1
        report.figures[f"RSS of {name}, warm-up → end"] = (
            f"{warm / 2**20:.0f} → {rss_end[name] / 2**20:.0f} MiB ({growth:+.0%})"
        )
        if growth > RSS_GROWTH_LIMIT:
            report.anomalies.append(f"{name} grew {growth:.0%} from warm-up to the end")
    for server in servers:
        if tracebacks := server.tracebacks():
            report.anomalies.append(f"{server.name}: {tracebacks} tracebacks in {server.log_path}")
    report.figures |= _figures(tally, deployment)
    return report


async def _faults(
    deployment: Deployment, plan: Plan, start: float, clients: list[Client], tally: Tally, rng: random.Random
) -> None:
    """Drops sockets at random throughout, and kills and restarts what the deployment has at fixed points."""
    events: list[tuple[float, str]] = []
    if deployment.kind == "cluster":
        events = [(0.30, "kill"), (0.55, "kill"), (0.75, "redis")]
    until = start + 0.9 * plan.seconds
    interval = 1 / plan.drops_per_second
    while (now := time.monotonic()) < until:
        if events and now >= start + events[0][0] * plan.seconds:
            _, what = events.pop(0)
            tally.timeline.append(f"{datetime.now(UTC):%H:%M:%S} {what}")
            await (_kill_and_restart(deployment) if what == "kill" else _restart_redis(deployment))
            tally.add("process kills" if what == "kill" else "redis restarts")
            tally.timeline.append(f"{datetime.now(UTC):%H:%M:%S} {what} done")
            tally.last_fault = time.monotonic() - start
            continue
        if rng.choice(clients).drop():
            tally.add("sockets dropped")
        await asyncio.sleep(interval)


async def _kill_and_restart(deployment: Deployment) -> None:
    victim = deployment.victim
    victim.kill()
    await victim.wait_dead()
    await asyncio.sleep(2)
    await victim.start()


async def _restart_redis(deployment: Deployment) -> None:
    assert deployment.redis is not None
    await asyncio.to_thread(deployment.redis.stop)
    await asyncio.sleep(3)
    await asyncio.to_thread(deployment.redis.start)


async def _reconnected(clients: list[Client], timeout: float = 90) -> None:
    """Every client is connected again and has finished its catch-up."""
    try:
        async with asyncio.timeout(timeout):
            while not all(c.connected for c in clients):
                await asyncio.sleep(0.2)
            for client in clients:
                if client.catching_up is not None:
                    await client.catching_up
    except TimeoutError:
        away = [c for c in clients if not c.connected]
        for client in away[:3]:
            print(
                f"{client.namespace} client away: eio {client.sio.eio.state}, trace:",
                *client.trace[-12:],
                sep="\n  ",
            )
        catching_up = [c for c in clients if c.catching_up is not None and not c.catching_up.done()]
        raise AssertionError(
            f"{timeout:.0f} s after the run, of {len(clients)} clients {len(away)} are not connected and "
            f"{len(catching_up)} have not finished their catch-up"
        ) from None


async def _settled(
    deployment: Deployment,
    acked: list[Sent],
    visitors: list[Visitor],
    staying: list[Agent],
    leaving: list[Agent],
    deadline: float,
) -> list[str]:
    """The checks' findings once they pass, or the last findings at the deadline."""
    while True:
        await asyncio.sleep(3)  # events in flight arrive; housekeeping gets a round
        state = await checks.Stored.read(deployment.db, deployment.tenant_id)
        now = datetime.now(UTC)
        anomalies = (
            checks.lost_or_doubled(state, acked)
            + checks.visitor_screens(state, visitors)
            + checks.agent_screens(state, staying)
            + checks.stuck_chats(state, now)
            + checks.ghosts(state, now, visitors, staying + leaving)
        )
        if not anomalies or time.monotonic() > deadline:
            return anomalies


def _figures(tally: Tally, deployment: Deployment) -> dict[str, Any]:
    counts = tally.counts
    latencies = sorted(tally.ack_ms)
    p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0.0
    return {
        "messages acked": len(tally.acked),
        "of them resent before their ack": counts["resent then acked"],
        "sends given up": counts["sends given up"],
        "ack latency p50 / p99": f"{statistics.median(latencies) if latencies else 0:.0f} / {p99:.0f} ms",
        "chats started": counts["chats started"],
        "chats ended by visitors / closed by agents": (
            f"{counts['chats ended by visitors']} / {counts['chats closed by agents']}"
        ),
        "transfers": counts["transfers"],
        "sockets dropped": counts["sockets dropped"],
        "process kills / Redis restarts": f"{counts['process kills']} / {counts['redis restarts']}",
        "reconnects": counts["reconnects"],
        "refusals (event code: count)": ", ".join(
            f"{name}: {n}" for name, n in sorted(counts.items()) if name.split(" ")[-1].isupper()
        )
        or "none",
        "processes started": sum(s.starts for s in deployment.servers),
        "faults": "; ".join(tally.timeline),
    }
