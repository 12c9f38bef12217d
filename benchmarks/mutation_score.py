"""The mutation score of a scope, from the results ``mutmut run`` left in ``mutants/``.

    python benchmarks/mutation_score.py [GLOB ...]

Counts the mutants whose names match any GLOB (default: verification wherever it lives, and
the need-to-know gates: the scope of the before/after score in docs/benchmarks.md) by status,
as ``mutmut results --all true`` reports them. The score is killed / total: a mutant no test
reaches counts against it, as a survivor does. Run it in the directory ``mutmut run`` ran in.
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
from collections import Counter
from pathlib import Path

#: Verification and the gates. Before issue 10 the tree audit was in tocsin/server/verify.py;
#: after it, in tocsin/ledger/_audit.py, so both names are in the scope.
SCOPE = ["tocsin.server.verify.*", "tocsin.ledger._audit.*", "tocsin.server.concerns.gates.*"]
#: mutmut counts a timeout as a kill (the mutant made the tests hang).
KILLED = {"killed", "timeout"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("globs", nargs="*", default=SCOPE, help="mutant name patterns")
    args = parser.parse_args()
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run(
        [str(mutmut), "results", "--all", "true"], check=True, capture_output=True, text=True
    ).stdout
    statuses: Counter[str] = Counter()
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name and any(fnmatch.fnmatch(name, glob) for glob in args.globs):
            statuses[status] += 1
    total = sum(statuses.values())
    if not total:
        print(f"no mutants match {args.globs}; has mutmut run here?", file=sys.stderr)
        return 1
    killed = sum(statuses[s] for s in KILLED)
    others = ", ".join(f"{statuses[s]} {s}" for s in sorted(set(statuses) - KILLED))
    print(f"scope: {' '.join(args.globs)}")
    print(f"killed {killed} / total {total} = score {killed / total:.1%} ({others})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
