"""Benchmark: ballot intake over HTTP on loopback, against a bare one-row INSERT endpoint.

    python -m bench.appraisal_intake [--members 2000] [--clients 8] [--seconds 12] [--rounds 3]

Against a fresh PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/chuangxian_bench_intake, dropped and created again when it is
that scratch database; 5 s connect timeout, exit 2 with a message when unreachable) it builds a
township-sized population (bench.appraisal's COPY builder), one collecting 民主评议 round and
one public token per planned ballot (tokens_issue, one batch per branch). It then starts a real
HTTP server in a child process on 127.0.0.1 and a free port — Django's threaded WSGI server
(the one `runserver` uses, without the autoreloader or static files) with a fixed pool of
worker threads, so each keeps its persistent database connection (CONN_MAX_AGE) as a production
gthread worker would; there is no other WSGI server in the venv and none is added.

Client processes (bounded: --clients, at most --seconds per phase, at most one token each
ballot) POST, in two phases of the same total length on the same server, run as --rounds
alternating slices (bare, ballot, bare, ballot, …; see run_interleaved) so that a shared
machine's slow spells weigh on both alike. The background fold (`chuangxian appraisal_fold
--every 1`, started and settled before the first slice) runs throughout, as a deployed worker
does (which folds every 5 s; every second here, so that nearly all the folding falls inside
the ballot slices, on the clock); the little it has not reached when a ballot slice ends is
folded off the clock before the next bare slice, and reported. The phases:
- `bare`: /public/appraisal/bench-bare/ — one INSERT, mounted only because the server process
  sets settings.CHUANGXIAN_BENCH_BARE_ENDPOINT;
- `ballot`: /public/appraisal/t/<token>/ — the real public ballot page: a whole branch (~17
  members) rated on the 民主测评 scale, through the form, ballot_submit and the tallies.
Every request is a new TCP connection from a rotating 127.x.y.z source address (a phone each,
as the public arrive; this keeps the per-address burst limit meaningful). Both phases send the
same CSRF cookie and token the page would.

It reports sustained throughput (accepted requests per second) of both, the ratio
ballot/bare (target ≥ 0.7), p50/p99 latency, and checks that nothing was lost or counted twice:
accepted ballot responses = sheets = burnt tokens, the folded per-mark counts and the
tallies' public counts = accepted × subjects per sheet, participation_proof agrees, and bare
rows = accepted bare responses. The last line is one JSON object.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

from bench.scratch_db import DatabaseUnreachable, prepare_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chuangxian_bench_intake"
SERVER_THREADS = 16
REQUEST_TIMEOUT = 30.0
FOLDER_SETTLE_S = 4.0
MARKS = ["优秀", "合格", "合格", "合格", "基本合格"]


# ------------------------------------------------------------------ the server (child process)


def serve(port: int) -> None:
    """Django's threaded WSGI server with a fixed pool of worker threads."""
    import logging
    from concurrent.futures import ThreadPoolExecutor

    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    django.setup()
    settings.CHUANGXIAN_BENCH_BARE_ENDPOINT = True  # read when the URLconf is first loaded
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    from chuangxian.wsgi import application  # as deployed (URLconf loaded, gc.freeze)

    logging.getLogger("django.server").setLevel(logging.CRITICAL)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    pool = ThreadPoolExecutor(max_workers=SERVER_THREADS)

    class PooledWSGIServer(WSGIServer):
        request_queue_size = 256

        def process_request(self, request: Any, client_address: Any) -> None:
            pool.submit(self._handle, request, client_address)

        def _handle(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:  # one broken connection must not stop the server
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = PooledWSGIServer(("127.0.0.1", port), QuietHandler)
    server.set_app(application)
    print("ready", flush=True)
    server.serve_forever()


def start_folder(every: float) -> subprocess.Popen[bytes]:
    """The background fold, as deployed: `chuangxian appraisal_fold --every S` (the same work
    the self-rescheduling db_worker task does), competing for the same cores."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chuangxian",
            "appraisal_fold",
            "--every",
            str(every),
            "--verbosity",
            "0",
        ],
        env=os.environ.copy(),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.appraisal_intake", "--serve", str(port)],
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/public/appraisal/thanks/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not answer within 30 s")


# ------------------------------------------------------------------ the clients


def _source(client: int, n: int) -> str:
    """A loopback source address per client and per 40 requests (Linux routes 127/8 to lo)."""
    slot = n // 40
    return f"127.{10 + client}.{(slot // 250) % 250}.{slot % 250 + 1}"


def csrf_cookie(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    conn.request("GET", "/public/appraisal/thanks/")
    response = conn.getresponse()
    response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("csrftoken="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError("no CSRF cookie from the server")


def client_run(
    client: int,
    port: int,
    phase: str,
    jobs: Sequence[tuple[str, str]],
    seconds: float,
    start_at: float,
    results: Any,
    sent_before: int = 0,
) -> None:
    """POST each (path, body) until the jobs or the time run out; report (status, seconds).
    `sent_before`: this client's requests in earlier slices of the phase (the source address
    rotation carries on from there)."""
    csrf = csrf_cookie(port)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf}",
        "Connection": "close",
    }
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    out: list[tuple[int, float]] = []
    for n, (path, body) in enumerate(jobs):
        if time.time() >= deadline:
            break
        data = body + "&csrfmiddlewaretoken=" + csrf
        began = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(
                "127.0.0.1",
                port,
                timeout=REQUEST_TIMEOUT,
                source_address=(_source(client, sent_before + n), 0),
            )
            conn.request("POST", path, body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except OSError:
            status = 0
        out.append((status, time.perf_counter() - began))
    results.put((phase, client, out, time.time() - start_at))


def run_phase(
    phase: str,
    port: int,
    jobs_per_client: list[list[tuple[str, str]]],
    seconds: float,
    sent_before: Sequence[int] | None = None,
) -> tuple[list[list[tuple[int, float]]], float]:
    """Each client's (status, seconds) per request, in the order of its jobs, and the phase's
    duration: `seconds`, or less when every client ran out of jobs before. `sent_before`:
    each client's requests in earlier slices of the same phase."""
    results: Any = mp.Queue()
    start_at = time.time() + 1.5  # every client has its CSRF cookie before the clock starts
    before = sent_before or [0] * len(jobs_per_client)
    workers = [
        mp.Process(
            target=client_run,
            args=(i, port, phase, jobs, seconds, start_at, results, before[i]),
        )
        for i, jobs in enumerate(jobs_per_client)
    ]
    for worker in workers:
        worker.start()
    collected: list[list[tuple[int, float]]] = [[] for _ in workers]
    took = 0.0
    for _ in workers:
        _, client, out, elapsed = results.get(timeout=seconds + REQUEST_TIMEOUT + 30)
        collected[client] = out
        took = max(took, elapsed)
    for worker in workers:
        worker.join(timeout=10)
    return collected, min(seconds, took)


def run_interleaved(
    port: int,
    bare_jobs: list[list[tuple[str, str]]],
    ballot_jobs: list[list[tuple[str, str]]],
    seconds: float,
    rounds: int,
    round_id: int,
) -> tuple[list[list[tuple[int, float]]], float, list[list[tuple[int, float]]], float, int, float]:
    """`rounds` slices of each phase, alternating bare, ballot, bare, ballot…, each slice
    seconds/rounds long: a shared machine's slow spells then fall on both phases alike instead
    of on whichever ran during them. After each ballot slice, whatever the background fold has
    not reached yet is folded here, off the clock (as round_close would), so that no bare
    slice pays for folding ballots. Returns each phase's per-client (status, seconds) in job
    order and total duration, and the sheets folded off the clock and how long that took."""
    from django.db import connection

    from chuangxian.appraisal.services.folding import ballots_fold

    slice_s = seconds / rounds
    bare_out: list[list[tuple[int, float]]] = [[] for _ in bare_jobs]
    ballot_out: list[list[tuple[int, float]]] = [[] for _ in ballot_jobs]
    bare_s = ballot_s = fold_s = 0.0
    folded = 0
    for _ in range(rounds):
        out, took = run_phase("bare", port, bare_jobs, slice_s, [len(o) for o in bare_out])
        for mine, more in zip(bare_out, out, strict=True):
            mine += more
        bare_s += took
        rest = [jobs[len(done) :] for jobs, done in zip(ballot_jobs, ballot_out, strict=True)]
        out, took = run_phase("ballot", port, rest, slice_s, [len(o) for o in ballot_out])
        for mine, more in zip(ballot_out, out, strict=True):
            mine += more
        ballot_s += took
        started = time.perf_counter()
        folded += ballots_fold(round_id)  # waits for a fold in flight (advisory lock)
        fold_s += time.perf_counter() - started
        connection.close()  # the next slice forks its clients
    return bare_out, bare_s, ballot_out, ballot_s, folded, fold_s


def summarize(name: str, rows: list[tuple[int, float]], ok: int, seconds: float) -> dict[str, Any]:
    accepted = [s for status, s in rows if status == ok]
    latencies = sorted(s for _, s in rows)

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    statuses: dict[int, int] = {}
    for status, _ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    summary = {
        "requests": len(rows),
        "accepted": len(accepted),
        "per_s": len(accepted) / seconds,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "statuses": statuses,
    }
    print(
        f"{name:>6}: {summary['accepted']:,} accepted of {summary['requests']:,} in {seconds:.1f} s"
        f" = {summary['per_s']:.1f}/s, p50 {summary['p50_ms']:.1f} ms, "
        f"p99 {summary['p99_ms']:.1f} ms, statuses {statuses}"
    )
    return summary


# ------------------------------------------------------------------ setup and checks


def build(members: int, seed: int, tokens: int) -> dict[str, Any]:
    """Population, round and tokens; returns what the clients need (paths and bodies)."""
    from django.db import transaction

    from bench import appraisal as builder
    from chuangxian.appraisal.models import Indicator, Round, RoundSubject, Tally
    from chuangxian.appraisal.schemes import choice_codes
    from chuangxian.appraisal.services import tokens_issue
    from chuangxian.audit.services import SYSTEM
    from chuangxian.orgs.models import Member, Organization

    rng = random.Random(seed)
    with transaction.atomic():
        root, branch_ids, _ = builder.build_population(members, rng)
        builder._branch_of_member.update(  # the builder's own lookup table
            Member.objects.filter(organization__path__startswith=f"/{root}/").values_list(
                "pk", "organization_id"
            )
        )
        round_id, leaf_id, _ = builder.open_round(root, branch_ids)
        # The COPY builder writes tallies with its ballots; here intake fills them, so create
        # the empty rows round_open would have created.
        Tally.objects.bulk_create(
            (
                Tally(
                    round_id=round_id,
                    subject_id=sid,
                    indicator_id=leaf_id,
                    peer_key=peer_key,
                    stable_ref=stable_ref,
                    scale=scale,
                )
                for sid, peer_key, stable_ref, scale in RoundSubject.objects.filter(
                    round_id=round_id
                ).values_list("pk", "peer_key", "stable_ref", "scale")
            ),
            batch_size=5_000,
        )
        from chuangxian.appraisal.closing import scheme_shape, standings_refresh

        standings_refresh(round_id, scheme_shape(Round.objects.get(pk=round_id).scheme))
    round_ = Round.objects.get(pk=round_id)
    by_branch: dict[int, list[int]] = {}
    for sid, org_id in RoundSubject.objects.filter(round_id=round_id).values_list(
        "pk", "organization_id"
    ):
        by_branch.setdefault(org_id, []).append(sid)
    branches = sorted(by_branch)
    scale = Indicator.objects.get(pk=leaf_id).scale
    code = {label: value for value, (label, _) in choice_codes(scale).items()}
    per_branch = -(-tokens // len(branches))
    jobs: list[tuple[str, str, int]] = []
    for org_id in branches:
        org = Organization.objects.get(pk=org_id)
        batch, plain = tokens_issue(
            actor=SYSTEM, round_=round_, organization=org, count=per_branch, label="bench"
        )
        subjects = by_branch[org_id]
        for token in plain:
            # The fields the page renders: the batch id (hidden) and one mark per member, a
            # choice posted as its code (its position on the scale, as the radio buttons do).
            fields = {"batch": str(batch.pk)}
            fields |= {f"s{sid}_l{leaf_id}": code[rng.choice(MARKS)] for sid in subjects}
            jobs.append(
                (
                    f"/public/appraisal/t/{token}/",
                    urllib.parse.urlencode(fields),
                    len(subjects),
                )
            )
    rng.shuffle(jobs)
    return {"round_id": round_id, "jobs": jobs[:tokens]}


def verify(
    round_id: int, accepted_tokens: list[str], accepted_bare: int, ratings: int
) -> dict[str, Any]:
    """Everything the database holds after the run against what the server said it accepted."""
    from django.db.models import Sum

    from chuangxian.appraisal.models import (
        BallotCount,
        BallotSheet,
        BoxedSheet,
        IntakeCounter,
        Round,
        Tally,
        UsedToken,
    )
    from chuangxian.appraisal.selectors import participation_proof
    from chuangxian.appraisal.services.ballots import token_hash

    round_ = Round.objects.get(pk=round_id)
    from chuangxian.appraisal.services.ballots import decode_payload

    # Folded sheets are content-free rows plus per-mark counts; any left in the box count too.
    boxed = BoxedSheet.objects.filter(round_id=round_id)
    sheets = BallotSheet.objects.filter(round_id=round_id).count() + boxed.count()
    used = UsedToken.objects.filter(round_id=round_id).count()
    scores = (
        BallotCount.objects.filter(round_id=round_id).aggregate(n=Sum("count"))["n"] or 0
    ) + sum(len(decode_payload(p)) for p in boxed.values_list("payload", flat=True))
    tallied = Tally.objects.filter(round_id=round_id).aggregate(n=Sum("n_public"))["n"] or 0
    # The bare endpoint's rows are the only counters with count 1 and a random 32-hex hash.
    bare_rows = IntakeCounter.objects.filter(
        round_id=round_id, address_hash__regex=r"^[0-9a-f]{32}$"
    ).count()
    burnt = set(UsedToken.objects.filter(round_id=round_id).values_list("token_hash", flat=True))
    same_tokens = burnt == {token_hash(t) for t in accepted_tokens}
    proof = participation_proof(round_)
    checks = {
        "sheets": sheets,
        "used_tokens": used,
        "scores": scores,
        "tally_public_n": tallied,
        "expected_ratings": ratings,
        "bare_rows": bare_rows,
        "proof_matches": proof.matches,
        "burnt_tokens_are_the_accepted_ones": same_tokens,
    }
    checks["ok"] = (
        sheets == used == len(accepted_tokens)
        and same_tokens
        and scores == tallied == ratings
        and bare_rows == accepted_bare
        and proof.matches
    )
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--max-requests", type=int, default=20_000, help="per phase, all clients")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating slices per phase (see run_interleaved)"
    )
    parser.add_argument(
        "--fold-every",
        type=float,
        default=1.0,
        help="run `chuangxian appraisal_fold --every S` through both phases (0: don't); more "
        "often than the deployed 5 s so that the folding lands inside the ballot slices",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 120 or not 1 <= args.rounds <= 12:
        print("--clients 1–64, --seconds 1–120 and --rounds 1–12", file=sys.stderr)
        return 2
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "bench.appraisal_intake needs PostgreSQL: set DATABASE_URL=postgres://…",
            file=sys.stderr,
        )
        return 2
    try:
        prepare_database(url, recreate=True, scratch_suffix="_bench_intake", refuse_foreign=True)
    except DatabaseUnreachable as error:
        print(
            f"PostgreSQL is not reachable ({error}); start it or set DATABASE_URL.", file=sys.stderr
        )
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    setup = build(args.members, args.seed, args.max_requests)
    connection.close()
    print(
        f"prepared {args.members:,} members, {len(setup['jobs']):,} tokens "
        f"in {time.perf_counter() - started:.1f} s"
    )
    port = free_port()
    server = start_server(port)
    try:
        bare_jobs = [
            [("/public/appraisal/bench-bare/", f"round={setup['round_id']}")] * args.max_requests
            for _ in range(args.clients)
        ]
        ballot_jobs: list[list[tuple[str, str]]] = [[] for _ in range(args.clients)]
        ratings_of: dict[str, int] = {}
        for i, (path, body, n) in enumerate(setup["jobs"]):
            ballot_jobs[i % args.clients].append((path, body))
            ratings_of[path] = n
        # The folder runs through both phases, as a deployed worker is always running; its
        # start-up (about a second of CPU for Django) is over before the first phase starts.
        folder = start_folder(args.fold_every) if args.fold_every else None
        try:
            if folder is not None:
                time.sleep(FOLDER_SETTLE_S)
            bare_out, bare_s, ballot_out, ballot_s, pending, fold_s = run_interleaved(
                port, bare_jobs, ballot_jobs, args.seconds, args.rounds, setup["round_id"]
            )
        finally:
            if folder is not None:
                folder.terminate()
                folder.wait(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=10)
    from chuangxian.appraisal.models import BoxedSheet

    left = BoxedSheet.objects.filter(round_id=setup["round_id"]).count()
    print(
        f"folded between slices, off the clock (what round_close does first): {pending:,} "
        f"sheets the background fold had not reached, in {fold_s:.3f} s; {left} still pending"
    )
    bare = summarize("bare", [r for out in bare_out for r in out], 204, bare_s)
    ballot = summarize("ballot", [r for out in ballot_out for r in out], 302, ballot_s)
    # What the server said it accepted: the token of each 302, and the ratings on its sheet.
    accepted_paths = [
        jobs[n][0]
        for jobs, out in zip(ballot_jobs, ballot_out, strict=True)
        for n, (status, _) in enumerate(out)
        if status == 302
    ]
    ratings = sum(ratings_of[path] for path in accepted_paths)
    tokens = [path.rstrip("/").rsplit("/", 1)[1] for path in accepted_paths]
    checks = verify(setup["round_id"], tokens, bare["accepted"], ratings)
    print(f"checks: {checks}")
    ratio = ballot["per_s"] / bare["per_s"] if bare["per_s"] else 0.0
    print(f"ratio ballot/bare: {ratio:.2f} (target ≥ 0.7)")
    print(
        json.dumps(
            {
                "clients": args.clients,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "ballot_per_s": round(ballot["per_s"], 1),
                "bare_per_s": round(bare["per_s"], 1),
                "ratio": round(ratio, 2),
                "ballot_p50_ms": round(ballot["p50_ms"], 1),
                "ballot_p99_ms": round(ballot["p99_ms"], 1),
                "bare_p50_ms": round(bare["p50_ms"], 1),
                "bare_p99_ms": round(bare["p99_ms"], 1),
                "accepted_ballots": ballot["accepted"],
                "fold_every_s": args.fold_every,
                "left_to_fold": pending,
                "fold_s": round(fold_s, 3),
                "lost_or_double": not checks["ok"],
            },
            ensure_ascii=False,
        )
    )
    return 0 if checks["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
