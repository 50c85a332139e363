#!/usr/bin/env bash
# spinfem reproducible stack: a Debian root filesystem (default: Debian 13 "trixie",
# dolfinx 0.9) built once with debootstrap from scripts/packages.txt, with spinfem
# installed editable, and any command run inside it with this repository mounted at
# the same path.
#
# Usage (as root, on any Debian machine with network access to the Debian archive):
#   scripts/env.sh build            build (or rebuild if scripts/packages.txt changed)
#   scripts/env.sh run CMD [ARG..]  build if needed, then run CMD inside (cwd = repo)
#   scripts/env.sh shell            interactive shell inside
#   scripts/env.sh path             print the root filesystem directory
#   scripts/env.sh clean            delete the cached root filesystem
#
# Environment:
#   SPINFEM_DIST       trixie (default, dolfinx 0.9) or sid (dolfinx 0.11)
#   SPINFEM_ENV_CACHE  cache directory for root filesystems (default /var/cache/spinfem-env)
#   SPINFEM_MIRROR     Debian mirror URL (default: the first one this machine's apt uses)
#
# Each `run` gets its own private mount namespace (unshare), so the proc/sys/dev and
# repository mounts vanish when the command ends, even if it is killed, and concurrent
# runs do not interfere.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
dist=${SPINFEM_DIST:-trixie}
cache=${SPINFEM_ENV_CACHE:-/var/cache/spinfem-env}
root="$cache/$dist"
pkgfile="$here/packages.txt"

say() { echo "[spinfem-env] $*" >&2; }
die() { echo "[spinfem-env] error: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot and mounts need it)"
case "$dist" in trixie|sid) ;; *) die "SPINFEM_DIST must be trixie or sid, not '$dist'";; esac

# Entries 'trixie:NAME' / 'sid:NAME' are for that distribution only (prefix stripped).
entries() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pkgfile" | tr -s ' \t' '\n' | sed '/^$/d' \
        | sed -E -e "s/^$dist://" -e '/^(trixie|sid):/d'
}
packages() { entries | grep -v '^pip:' || true; }
pip_packages() { entries | grep '^pip:' | sed 's/^pip://' || true; }
# The stamp changes whenever the package list (or the distribution) changes.
stamp() { { echo "$dist"; entries; grep '^#pin' "$pkgfile"; } | sha256sum | cut -d' ' -f1; }

mirror() {
    if [ -n "${SPINFEM_MIRROR:-}" ]; then echo "$SPINFEM_MIRROR"; return; fi
    # Reuse the mirror this machine is configured with (deb822 or one-line format).
    local uri
    uri=$(grep -hoE '^URIs:[[:space:]]*[^[:space:]]+/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null \
          | head -n1 | awk '{print $2}')
    [ -n "$uri" ] || uri=$(grep -hoE '^deb[[:space:]]+[^[:space:]]+/debian/?[[:space:]]' /etc/apt/sources.list 2>/dev/null \
          | head -n1 | awk '{print $2}')
    [ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt; set SPINFEM_MIRROR"
    echo "${uri%/}"
}

ensure_host_tools() {
    command -v debootstrap >/dev/null && command -v unshare >/dev/null && return
    say "installing debootstrap on the host"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap util-linux >/dev/null
}

# Run a command inside the root filesystem in a private mount namespace.
# Mounts: proc, sys, dev (+pts, shm), the repository and ../shared at their own paths.
enter() {
    local shared
    shared=$(cd "$repo/.." && pwd)/shared
    SPINFEM_ROOT="$root" SPINFEM_REPO="$repo" SPINFEM_SHARED="$shared" \
    unshare --mount --propagation private -- bash -euo pipefail -c '
        r=$SPINFEM_ROOT
        mount -t proc proc "$r/proc"
        mount --rbind /sys "$r/sys";  mount --make-rslave "$r/sys"
        mount --rbind /dev "$r/dev";  mount --make-rslave "$r/dev"
        mkdir -p "$r$SPINFEM_REPO"; mount --bind "$SPINFEM_REPO" "$r$SPINFEM_REPO"
        if [ -d "$SPINFEM_SHARED" ]; then
            mkdir -p "$r$SPINFEM_SHARED"; mount --bind "$SPINFEM_SHARED" "$r$SPINFEM_SHARED"
        fi
        cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
        rc=0
        chroot "$r" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            CI="${CI:-}" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
            OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,sm PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe \
            OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=1 \
            XDG_CACHE_HOME=/root/.cache SPINFEM_IN_ENV=1 PYTHONPATH="$SPINFEM_REPO" \
            bash -c "cd \"$SPINFEM_REPO\" && exec \"\$@\"" bash "$@" || rc=$?
        # Explicit unmount (the namespace would drop them anyway when it ends).
        umount -R "$r$SPINFEM_REPO" 2>/dev/null || true
        [ -d "$SPINFEM_SHARED" ] && umount -R "$r$SPINFEM_SHARED" 2>/dev/null || true
        umount -R "$r/dev" "$r/sys" "$r/proc" 2>/dev/null || true
        exit $rc
    ' bash "$@"
}

check_pins() {
    local line pdist pkg want have bad=0
    while read -r line; do
        read -r _ pdist pkg want <<<"$line"
        [ "$pdist" = "$dist" ] || continue
        have=$(chroot "$root" dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo none)
        case "$have" in
            "$want"*) say "pin ok: $pkg $have" ;;
            *) say "pin FAILED: $pkg is '$have', packages.txt wants '$want*'"; bad=1 ;;
        esac
    done < <(grep '^#pin' "$pkgfile")
    return $bad
}

build() {
    local want
    want=$(stamp)
    if [ -f "$root/.spinfem-stamp" ] && [ "$(cat "$root/.spinfem-stamp")" = "$want" ]; then
        say "environment $root is up to date (dist $dist)"
        return
    fi
    ensure_host_tools
    if [ -e "$root" ]; then
        say "package list changed or build incomplete: rebuilding $root"
        rm -rf --one-file-system "$root"
    fi
    mkdir -p "$cache"
    local tmp="$root.partial" m aptopt=""
    [ "$dist" = sid ] && aptopt="-o Acquire::Check-Valid-Until=false"
    # Stages leave markers in the partial tree, so an interrupted build resumes.
    if [ "$(cat "$tmp/.stage-apt" 2>/dev/null)" != "$want" ]; then
        rm -rf --one-file-system "$tmp"
        m=$(mirror)
        say "debootstrap --variant=minbase $dist into $tmp (mirror $m)"
        debootstrap --variant=minbase "$dist" "$tmp" "$m" >"$cache/debootstrap-$dist.log" 2>&1 \
            || { tail -n 30 "$cache/debootstrap-$dist.log" >&2; die "debootstrap failed (log: $cache/debootstrap-$dist.log)"; }
        say "installing $(packages | wc -l) Debian packages from $pkgfile"
        cp -L /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
        root=$tmp enter bash -c "apt-get $aptopt update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(packages | tr '\n' ' ') >/var/log/spinfem-apt.log 2>&1 || { tail -n 40 /var/log/spinfem-apt.log; exit 1; }; apt-get clean"
        echo "$want" >"$tmp/.stage-apt"
    fi
    # Locally installed CA certificates of this machine (e.g. a TLS-inspecting proxy in
    # front of PyPI) must be trusted inside too.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        say "trusting this machine's local CA certificates inside the environment"
        cp /usr/local/share/ca-certificates/*.crt "$tmp/usr/local/share/ca-certificates/"
        root=$tmp enter update-ca-certificates >/dev/null 2>&1
    fi
    if [ -n "$(pip_packages)" ]; then
        say "installing from PyPI: $(pip_packages | tr '\n' ' ')"
        root=$tmp enter pip install --root-user-action=ignore --break-system-packages --no-cache-dir -q $(pip_packages | tr '\n' ' ')
    fi
    local oldroot=$root; root=$tmp
    check_pins || die "installed versions do not match the #pin lines of $pkgfile"
    root=$oldroot
    mv "$tmp" "$root"
    echo "$want" >"$root/.spinfem-stamp"
    say "built $root"
}

# Editable install (the `spinfem` command); done once per environment. Every command run
# inside gets PYTHONPATH=<this checkout>, so several checkouts (clones, worktrees) can use
# one environment at the same time, each importing its own spinfem.
install_spinfem() {
    local marker="$root/.spinfem-editable"
    [ -f "$marker" ] && return
    say "installing spinfem (editable) from $repo"
    enter bash -c "pip install --root-user-action=ignore --break-system-packages --no-deps --no-build-isolation -q -e . >/tmp/pip.log 2>&1 || { cat /tmp/pip.log; exit 1; }"
    echo "$repo" >"$marker"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    build) build; install_spinfem ;;
    run)   [ $# -gt 0 ] || die "usage: scripts/env.sh run CMD [ARG..]"
           build; install_spinfem; say "running in $dist: $*"; enter "$@" ;;
    shell) build; install_spinfem; enter bash -i ;;
    path)  echo "$root" ;;
    clean) say "removing $root"; rm -rf --one-file-system "$root" "$root.partial" ;;
    *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
