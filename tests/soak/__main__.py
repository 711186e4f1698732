"""``python -m tests.soak``: the full-length chaos soak (what ``make soak`` runs). Prints each run's report;
exits 1 if any run found an anomaly."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from tests.conftest import FAST_ARGON2
from tests.soak.scenario import FULL_LENGTH_CLUSTER_SHARE, Plan, Report, run, run_both
from wschat.accounts import passwords


async def _one(args: argparse.Namespace, plan: Plan, work: Path) -> list[Report]:
    if args.deployment == "both":
        return await run_both(plan, work, args.cluster_share)
    return [await run(args.deployment, plan, work)]


async def _main(args: argparse.Namespace) -> int:
    failed = 0
    for round_ in range(1, args.runs + 1):
        plan = Plan(seconds=args.seconds, visitors=args.visitors, agents=args.agents, seed=round_)
        if args.keep:
            work = Path(tempfile.mkdtemp(prefix="wschat-soak-"))
            print(f"Logs and data: {work}", flush=True)
            reports = await _one(args, plan, work)
        else:
            with tempfile.TemporaryDirectory(prefix="wschat-soak-") as temporary:
                reports = await _one(args, plan, Path(temporary))
        for report in reports:
            print(f"\nRun {round_}, " + report.markdown(), flush=True)
            failed += bool(report.anomalies)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=600, help="length of each run (default 600)")
    parser.add_argument(
        "--deployment",
        choices=["cluster", "sqlite", "both"],
        default="both",
        help="both (default): the two at once, sharing the visitors and agents",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs in a row (default 1)")
    parser.add_argument(
        "--cluster-share",
        type=float,
        default=FULL_LENGTH_CLUSTER_SHARE,
        help=f"the cluster's share of visitors and agents with both (default {FULL_LENGTH_CLUSTER_SHARE})",
    )
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs and data for a look")
    args = parser.parse_args()
    # The agents' passwords are hashed with the suite's cheap argon2 profile: sign-ins are not what is soaked.
    passwords.use_profile(FAST_ARGON2)
    sys.exit(asyncio.run(_main(args)))


main()
