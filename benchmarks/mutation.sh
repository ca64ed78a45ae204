#!/usr/bin/env bash
# Mutation testing: how strong the tests of six core modules are, measured with mutmut 3.
#
#     bash benchmarks/mutation.sh [MODULE ...]
#
# MODULE is one of the names below (rounding, money, access, license, proration, referral);
# none means all six. For each module the script copies the project (src/, tests/,
# pyproject.toml) into a fresh working directory, so the measurement is a snapshot of the
# tree and nothing is written into it, adds a [tool.mutmut] section naming that one module
# and the tests that pin it, and runs `mutmut run`. mutmut copies the snapshot into
# mutants/, rewrites every function of the module into its mutants, and runs, for each
# mutant, the selected tests that reach the mutated function. It then prints, per module:
#
#     module                         killed / total  score  survived  no tests  other
#
# The score is killed (timeouts included) / total. A survivor is not necessarily a gap: an
# equivalent mutant (one that cannot change any observable behaviour) survives every test;
# docs/testing.md lists those judged equivalent and why. Survivors are listed after the
# table; `cd WORKDIR/MODULE && mutmut show NAME` shows one as a diff.
#
# mutmut is a development tool only, not a dependency of the project: it is installed into
# a throwaway virtualenv (with the project's test dependencies) made for the run and removed
# afterwards, unless MUTMUT_VENV names one to create or reuse. Settings, by environment:
#
#     MUTMUT_VENV      virtualenv for mutmut (default: a temporary one, removed at the end)
#     MUTMUT_WORKDIR   where the snapshots go (default: a temporary directory, removed at the
#                      end; when given it is kept, to inspect survivors with `mutmut show`)
#     MUTMUT_CHILDREN  mutants tested at once (default 2; use 1 on a busy machine)
#     PYTHON           interpreter for the virtualenv (default: python3)
#
# On the shared 2-core machine the six modules take about an hour with MUTMUT_CHILDREN=2
# (tenancy/_access.py, 1,092 mutants, about 35 minutes of it).
# Exit status: 0 when every module was measured and scored at least MUTMUT_MIN_SCORE percent
# (default 0: report only; the score here counts equivalent mutants as survivors), 1
# otherwise, 2 on a usage error.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
children=${MUTMUT_CHILDREN:-2}
min_score=${MUTMUT_MIN_SCORE:-0}
python=${PYTHON:-python3}

# name | module path under src/ | the tests that pin it (pytest arguments, space separated).
# The billing modules leave out the whole-calculator property tests: each mutant reached by
# them would cost about ten seconds of random worlds, and the unit tests must pin these
# modules with exact values on their own.
billing="tests/billing --ignore=tests/billing/test_calculation_properties.py"
billing+=" --ignore=tests/billing/test_pricing_properties.py"
modules=(
    "rounding|partnercore/billing/_rounding.py|$billing"
    "money|partnercore/money/_money.py|tests/money"
    "access|partnercore/tenancy/_access.py|tests/tenancy"
    "license|partnercore/licensing/_license.py|tests/licensing"
    "proration|partnercore/billing/_proration.py|$billing"
    "referral|partnercore/billing/_referral.py|$billing"
)

selected=()
if [[ $# -eq 0 ]]; then
    selected=("${modules[@]}")
else
    for wanted in "$@"; do
        found=""
        for entry in "${modules[@]}"; do
            if [[ ${entry%%|*} == "$wanted" ]]; then
                found=$entry
            fi
        done
        if [[ -z $found ]]; then
            echo "mutation.sh: unknown module '$wanted' (rounding, money, access, license, proration, referral)" >&2
            exit 2
        fi
        selected+=("$found")
    done
fi

cleanup=()
trap 'for path in "${cleanup[@]}"; do rm -rf "$path"; done' EXIT

venv=${MUTMUT_VENV:-}
if [[ -z $venv ]]; then
    venv=$(mktemp -d "${TMPDIR:-/tmp}/partnercore-mutmut-venv.XXXXXX")
    cleanup+=("$venv")
fi
if [[ ! -x $venv/bin/mutmut ]]; then
    echo "Installing mutmut 3 and the test dependencies into $venv ..."
    "$python" -m venv "$venv"
    # The project itself is not installed: mutmut puts its mutated copy of src/ first on
    # the import path, and the tests must import that copy, never an installed one.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "mutmut>=3.8,<4" "attrs>=23.1" "cattrs>=23.2" "python-dateutil>=2.8.2" \
        "pytest>=8" "hypothesis>=6.100"
fi

work=${MUTMUT_WORKDIR:-}
if [[ -z $work ]]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/partnercore-mutmut.XXXXXX")
    cleanup+=("$work")
fi
mkdir -p "$work"

# A snapshot of the tree, taken once, so that every module is measured on the same code.
snapshot=$work/.snapshot
rm -rf "$snapshot"
mkdir -p "$snapshot"
cp -R "$root/src" "$root/tests" "$root/pyproject.toml" "$snapshot/"
find "$snapshot" -name __pycache__ -type d -prune -exec rm -rf {} +

summary=$work/summary.txt
: >"$summary"
for entry in "${selected[@]}"; do
    IFS='|' read -r name module tests <<<"$entry"
    dir=$work/$name
    rm -rf "$dir"
    cp -R "$snapshot" "$dir"
    selection=""
    for path in $tests; do
        selection+="\"$path\", "
    done
    cat >>"$dir/pyproject.toml" <<EOF

[tool.mutmut]
source_paths = ["src"]
only_mutate = ["src/$module"]
pytest_add_cli_args_test_selection = [${selection%, }]
pytest_add_cli_args = ["-q"]
use_git_change_detection = false
EOF
    echo
    echo "=== $name: src/$module (tests: $tests) ==="
    (cd "$dir" && HYPOTHESIS_PROFILE=dev "$venv/bin/mutmut" run --max-children "$children") \
        >"$dir/mutmut.log" 2>&1 || {
        # Most often a test that fails on the unmutated code: mutmut measures nothing then.
        echo "mutmut failed for $name; the end of its output ($dir/mutmut.log):" >&2
        tail -n 20 "$dir/mutmut.log" >&2
        echo "$name|src/$module|-|-|failed|-|-|-" >>"$summary"
        continue
    }
    (cd "$dir" && "$venv/bin/python" - "$name" "src/$module" >>"$summary") <<'EOF'
import json
import sys
from pathlib import Path

name, module = sys.argv[1], sys.argv[2]
meta = json.loads(Path("mutants", module + ".meta").read_text())
codes = meta["exit_code_by_key"]
killed = sum(1 for code in codes.values() if code in (1, 3, 36, 24, -24, 152, 255))
survived = sorted(key for key, code in codes.items() if code == 0)
no_tests = sum(1 for code in codes.values() if code in (5, 33))
other = len(codes) - killed - len(survived) - no_tests
score = 100 * killed / len(codes) if codes else 0.0
print(f"{name}|{module}|{killed}|{len(codes)}|{score:.1f}|{len(survived)}|{no_tests}|{other}")
for key in survived:
    print(f"#{name}|{key}")
EOF
done

echo
printf '%-36s %15s %6s %9s %9s %6s\n' module "killed / total" score survived "no tests" other
failed=0
while IFS='|' read -r name module killed total score survived no_tests other; do
    [[ $name == \#* ]] && continue
    printf '%-36s %7s / %-5s %5s%% %9s %9s %6s\n' "$module" "$killed" "$total" "$score" \
        "$survived" "$no_tests" "$other"
    if [[ $score == failed ]] || awk -v s="$score" -v m="$min_score" 'BEGIN { exit !(s < m) }'; then
        failed=1
    fi
done <"$summary"
if grep -q '^#' "$summary"; then
    echo
    if [[ -n ${MUTMUT_WORKDIR:-} ]]; then
        echo "Survivors (to see one: cd $work/MODULE && $venv/bin/mutmut show NAME):"
    else
        echo "Survivors (set MUTMUT_WORKDIR to keep the snapshots and see one with mutmut show):"
    fi
    grep '^#' "$summary" | sed 's/^#/    /; s/|/: /'
fi
exit "$failed"
