#!/usr/bin/env bash
# The subscriber list and the send ledger (one SQLite file) kept between GitHub Actions runs,
# encrypted, on the orphan branch `newsletter-data`. Used by .github/workflows/send.yml, and
# by a maintainer to put the subscriber list there or change it.
#
#   scripts/newsletter-data.sh pull                 # branch → data/flemletter.sqlite3
#   scripts/newsletter-data.sh push MESSAGE         # data/flemletter.sqlite3 → branch
#   scripts/newsletter-data.sh start ISSUE RUN      # record that RUN is sending ISSUE, push
#   scripts/newsletter-data.sh finish ISSUE RUN     # save the ledger, clear RUN's record
#   scripts/newsletter-data.sh started ISSUE        # the run that began ISSUE and never saved
#
# The passphrase comes from FLEMLETTER_DATA_KEY only. Subscribers' addresses are personal
# data: only the encrypted file ever leaves the machine. A push refuses when the branch moved
# since this copy was pulled (a send or another maintainer saved in between): pull again.
set -euo pipefail

branch=newsletter-data
database=${FLEMLETTER_DATA_FILE:-data/flemletter.sqlite3}
pulled_from="$database.pulled-from"  # the branch commit this copy came from
encrypted=flemletter.sqlite3.gpg
: "${FLEMLETTER_DATA_KEY:?FLEMLETTER_DATA_KEY must hold the data passphrase}"

work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/branch" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

remote=""
open_branch() {
    if git fetch --quiet origin "$branch" 2>/dev/null; then
        remote=$(git rev-parse FETCH_HEAD)
        git worktree add --quiet --detach "$work/branch" FETCH_HEAD
    else
        git worktree add --quiet --detach "$work/branch"
        git -C "$work/branch" checkout --quiet --orphan "$branch"
        git -C "$work/branch" rm -r --quiet --cached . >/dev/null
        find "$work/branch" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    fi
}

refuse_if_moved() {
    if [ -n "$remote" ] && [ -f "$pulled_from" ] && [ "$(cat "$pulled_from")" != "$remote" ]; then
        echo "the $branch branch changed since $database was pulled (a send or another" \
            "maintainer saved in between): pull again, redo your change, then push" >&2
        exit 1
    fi
    if [ -n "$remote" ] && [ ! -f "$pulled_from" ]; then
        echo "$database was not pulled from the $branch branch: pull first, so nothing" \
            "saved there is overwritten" >&2
        exit 1
    fi
}

commit_branch() {
    git -C "$work/branch" add --all
    git -C "$work/branch" -c user.name="flemletter" \
        -c user.email="flemletter@users.noreply.github.com" \
        commit --quiet --allow-empty -m "$1"
    git -C "$work/branch" push --quiet origin "HEAD:refs/heads/$branch"
    git -C "$work/branch" rev-parse HEAD >"$pulled_from"
}

encrypt() {
    # SQLite keeps recent changes in a -wal file beside the database: copy through SQLite's
    # backup, which reads them too, so the saved ledger holds every committed change.
    python3 - "$database" "$work/snapshot.sqlite3" <<'PY'
import sqlite3
import sys

source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
source.close()
target.close()
PY
    gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-fd 3 \
        --symmetric --cipher-algo AES256 --output "$work/branch/$encrypted" \
        "$work/snapshot.sqlite3" 3<<<"$FLEMLETTER_DATA_KEY"
}

case "${1:-}" in
pull)
    open_branch
    if [ -f "$work/branch/$encrypted" ]; then
        mkdir -p "$(dirname "$database")"
        # a stale write-ahead log beside the restored file would be replayed into it
        rm -f "$database-wal" "$database-shm"
        gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-fd 3 \
            --decrypt --output "$database" "$work/branch/$encrypted" 3<<<"$FLEMLETTER_DATA_KEY"
        echo "$remote" >"$pulled_from"
        echo "restored $database from the $branch branch"
    else
        echo "the $branch branch holds no data yet" >&2
    fi
    ;;
push)
    open_branch
    refuse_if_moved
    encrypt
    commit_branch "${2:-update newsletter data}"
    ;;
start)
    open_branch
    refuse_if_moved
    mkdir -p "$work/branch/sending"
    echo "${3:?run id}" >"$work/branch/sending/${2:?issue}"
    encrypt
    commit_branch "send of $2 started by run $3"
    ;;
finish)
    open_branch
    refuse_if_moved
    mark="$work/branch/sending/${2:?issue}"
    if [ "$(cat "$mark" 2>/dev/null)" = "${3:?run id}" ]; then
        rm -f "$mark"
    fi
    encrypt
    commit_branch "send of $2 by run $3: ledger saved"
    ;;
started)
    open_branch
    cat "$work/branch/sending/${2:?issue}" 2>/dev/null || true
    ;;
*)
    sed -n '2,16p' "$0" >&2
    exit 2
    ;;
esac
