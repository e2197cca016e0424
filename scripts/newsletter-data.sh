#!/usr/bin/env bash
# The subscriber list and the send ledger (one SQLite file) kept between GitHub Actions runs,
# encrypted, on the orphan branch `newsletter-data`. Used by .github/workflows/send.yml, and
# by a maintainer once to put the subscriber list there.
#
#   scripts/newsletter-data.sh pull             # branch → data/flemletter.sqlite3
#   scripts/newsletter-data.sh push MESSAGE     # data/flemletter.sqlite3 → branch (one commit)
#   scripts/newsletter-data.sh start ISSUE RUN  # record that RUN is sending ISSUE, then push
#   scripts/newsletter-data.sh finish ISSUE     # remove that record, then push
#   scripts/newsletter-data.sh started ISSUE    # print the run that began ISSUE and never finished
#
# The passphrase comes from FLEMLETTER_DATA_KEY only. Subscribers' addresses are personal
# data: only the encrypted file ever leaves the machine.
set -euo pipefail

branch=newsletter-data
database=${FLEMLETTER_DATA_FILE:-data/flemletter.sqlite3}
encrypted=flemletter.sqlite3.gpg
: "${FLEMLETTER_DATA_KEY:?FLEMLETTER_DATA_KEY must hold the data passphrase}"

work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/branch" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

open_branch() {
    if git fetch --quiet origin "$branch" 2>/dev/null; then
        git worktree add --quiet --detach "$work/branch" FETCH_HEAD
    else
        git worktree add --quiet --detach "$work/branch"
        git -C "$work/branch" checkout --quiet --orphan "$branch"
        git -C "$work/branch" rm -r --quiet --cached . >/dev/null
        find "$work/branch" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    fi
}

commit_branch() {
    git -C "$work/branch" add --all
    git -C "$work/branch" -c user.name="flemletter" -c user.email="flemletter@users.noreply.github.com" \
        commit --quiet --allow-empty -m "$1"
    git -C "$work/branch" push --quiet origin "HEAD:refs/heads/$branch"
}

encrypt() {
    gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-fd 3 \
        --symmetric --cipher-algo AES256 --output "$work/branch/$encrypted" "$database" \
        3<<<"$FLEMLETTER_DATA_KEY"
}

case "${1:-}" in
pull)
    open_branch
    if [ -f "$work/branch/$encrypted" ]; then
        mkdir -p "$(dirname "$database")"
        gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-fd 3 \
            --decrypt --output "$database" "$work/branch/$encrypted" 3<<<"$FLEMLETTER_DATA_KEY"
        echo "restored $database from the $branch branch"
    else
        echo "the $branch branch holds no data yet" >&2
    fi
    ;;
push)
    open_branch
    encrypt
    commit_branch "${2:-update newsletter data}"
    ;;
start)
    open_branch
    mkdir -p "$work/branch/sending"
    echo "${3:?run id}" >"$work/branch/sending/${2:?issue}"
    encrypt
    commit_branch "send of $2 started by run $3"
    ;;
finish)
    open_branch
    rm -f "$work/branch/sending/${2:?issue}"
    encrypt
    commit_branch "send of $2: ledger saved"
    ;;
started)
    open_branch
    cat "$work/branch/sending/${2:?issue}" 2>/dev/null || true
    ;;
*)
    sed -n '2,14p' "$0" >&2
    exit 2
    ;;
esac
