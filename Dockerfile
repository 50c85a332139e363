# spinfem on Debian 13 (trixie): the same stack as scripts/env.sh and CI, from the
# same package list (scripts/packages.txt).
#   docker build -t spinfem .
#   docker run --rm -v "$PWD/out:/work" -w /work spinfem spinfem demo
#   docker run --rm spinfem mpirun -n 2 spinfem demo --out /tmp/demo
FROM debian:trixie

ENV DEBIAN_FRONTEND=noninteractive \
    OMPI_ALLOW_RUN_AS_ROOT=1 \
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_topo=basic \
    OMP_NUM_THREADS=1 \
    LANG=C.UTF-8

COPY scripts/packages.txt /opt/spinfem/scripts/packages.txt
# Entries 'trixie:NAME' are kept (prefix stripped), other 'DIST:NAME' ones skipped.
RUN set -eu; list=/opt/spinfem/scripts/packages.txt; \
    all=$(sed -e 's/#.*//' "$list" | tr -s ' \t' '\n' | sed -E -e 's/^trixie://' -e '/^(trixie|sid):/d' -e '/^$/d'); \
    debs=$(echo "$all" | grep -v '^pip:' | xargs); \
    pips=$(echo "$all" | grep '^pip:' | sed 's/^pip://' | xargs); \
    apt-get update; \
    apt-get install -y --no-install-recommends $debs; \
    rm -rf /var/lib/apt/lists/*; \
    if [ -n "$pips" ]; then pip install --break-system-packages --no-cache-dir $pips; fi

COPY . /opt/spinfem
WORKDIR /opt/spinfem
RUN pip install --break-system-packages --no-cache-dir --no-deps --no-build-isolation -e . \
    && spinfem info
CMD ["spinfem", "demo"]
