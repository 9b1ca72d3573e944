#!/bin/sh
# split-worker-dead.t: worker-dead.t under the privilege split, as the README installs
# routehook: the responder as one user, the worker as another, the spool
# laid out by contrib/routehook-setup.sh (RH_SPLIT in tests/lib.sh).
RH_SPLIT=1 exec "$(dirname "$0")/worker-dead.t"
