#!/usr/bin/env python3
"""genesys-standin: a local stand-in for the Genesys Cloud login and API hosts.

routehook's tests, benchmarks and demo talk to this instead of the real
Genesys Cloud, which they cannot reach.  It is one HTTPS server on 127.0.0.1
(HTTP/1.1, keep-alive, every answer has a Content-Length) that plays both the
login host (POST /oauth/token, client-credentials grant) and the API host
(/api/v2/...), imitating what /work/shared/GENESYS.md records about the real
platform: Basic-auth token issue, bearer-token checks with the real 401 codes,
a per-token sliding-window rate limit with the inin-ratelimit-* headers on
every API answer and 429 + Retry-After, the routing-status / presence /
queue-membership calls with their body validation and the real error body
shape.  It is as strict as a real org where the SDK documentation says what
a real org refuses: presence definitions (the ten system ones under their
fixed names, plus secondary ones an org adds), queue joins only for the
queue's members, PUT routingstatus refused for the statuses the system
alone manages, 403 missing.permissions for a permission the client lacks
(--deny-permission), and the tutorial's /api/v2/platform/webhooks
registration, which the real platform lacks, answers 404 unless
--webhooks turns it on.

Tests script failures per user id (503s, 429s, slow answers, dropped
connections) and inspect what was called and the resulting state through the
unauthenticated /__control/ endpoints; see --help for the details.

How it fails: bad options, an unreadable certificate, key, secret or faults
file, or a port that cannot be bound make it print one line starting with
"genesys-standin:" on stderr and exit 2 (usage/config) or 1 (cannot listen),
before the port file is written -- so a test waiting for the port file should
also bound its wait and check that the process is still alive.  Once
listening, a failing request is answered 500 (and logged on stderr) and the
server keeps going; a client that breaks its connection only costs that
connection.  SIGTERM or SIGINT stop it cleanly: it stops accepting, removes
the port file it wrote, closes the journal and exits 0.

Python 3 standard library only.
"""

import argparse
import base64
import binascii
import collections
import datetime
import hashlib
import hmac
import http.server
import json
import math
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

PROG = "genesys-standin"

ROUTING_STATUSES = ("OFF_QUEUE", "IDLE", "INTERACTING", "NOT_RESPONDING",
                    "COMMUNICATING")

# System presences: NAME -> (label, systemPresence value as the SDKs spell it).
SYSTEM_PRESENCES = collections.OrderedDict([
    ("AVAILABLE", ("Available", "Available")),
    ("AWAY", ("Away", "Away")),
    ("BUSY", ("Busy", "Busy")),
    ("OFFLINE", ("Offline", "Offline")),
    ("IDLE", ("Idle", "Idle")),
    ("ON_QUEUE", ("On Queue", "OnQueue")),
    ("MEAL", ("Meal", "Meal")),
    ("TRAINING", ("Training", "Training")),
    ("MEETING", ("Meeting", "Meeting")),
    ("BREAK", ("Break", "Break")),
])


# Routing statuses only the system sets (an agent on a conversation, or one
# who let an offer ring out); a PUT asking for one is refused.
SYSTEM_MANAGED_STATUSES = ("INTERACTING", "NOT_RESPONDING", "COMMUNICATING")

# Secondary presences, as an org adds them under a system presence (type
# "User"): label -> (system presence NAME, deactivated).  A deactivated one
# is listed only with ?deactivated=true and cannot be set.
SECONDARY_PRESENCES = collections.OrderedDict([
    ("Lunch", ("MEAL", False)),
    ("Coaching", ("TRAINING", False)),
    ("Team huddle", ("MEETING", False)),
    ("Old break", ("BREAK", True)),
])


def presence_id(name):
    """Fixed id of a system presence: uuid5(NAMESPACE_URL, 'genesys-standin:presence:NAME')."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "genesys-standin:presence:" + name))


def secondary_id(label):
    """Fixed id of a secondary presence: uuid5(NAMESPACE_URL, 'genesys-standin:secondary:LABEL')."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "genesys-standin:secondary:" + label))


PRESENCE_IDS = {name: presence_id(name) for name in SYSTEM_PRESENCES}
SECONDARY_IDS = {label: secondary_id(label) for label in SECONDARY_PRESENCES}
# definition id -> system presence NAME it stands for
PRESENCE_BY_ID = {pid: name for name, pid in PRESENCE_IDS.items()}
PRESENCE_BY_ID.update({SECONDARY_IDS[label]: name
                       for label, (name, _) in SECONDARY_PRESENCES.items()})
DEACTIVATED_IDS = {SECONDARY_IDS[label] for label, (_, off) in SECONDARY_PRESENCES.items() if off}

# What each route needs, as the SDK documentation lists it (platform-client-
# sdk-python 257: "Requires ANY permissions"), plus presence:userPresence:edit
# for another user's presence (Genesys developer announcement, July 2025).
# A route with several alternatives is allowed when the client has any one.
PERMISSIONS = {
    "definitions": ("presence:presenceDefinition:view",),
    ("presence", "PATCH"): ("presence:userPresence:edit",),
    "member": ("routing:queue:edit", "routing:queueMember:manage"),
    "members": ("routing:queue:edit", "routing:queueMember:manage"),
}

ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")

ERROR_CODES = {
    400: ("bad.request", "The request could not be understood by the server due to malformed syntax."),
    401: ("authentication.required", "No authentication bearer token specified in authorization header."),
    403: ("not.authorized", "You are not authorized to perform the requested action."),
    404: ("not.found", "The requested resource was not found."),
    405: ("method.not.allowed", "The requested method is not allowed for this resource."),
    408: ("request.timeout", "The request timed out."),
    409: ("conflict", "The request conflicts with the current state of the resource."),
    413: ("request.entity.too.large", "The request is too large."),
    415: ("unsupported.media.type", "Unsupported Media Type - Unsupported or incorrect media type, such as an incorrect Content-Type value in the header."),
    429: ("too.many.requests.retry.after", "Rate limit exceeded the maximum. Retry the request in [{n}] seconds"),
    500: ("internal.server.error", "The server encountered an unexpected condition which prevented it from fulfilling the request."),
    502: ("bad.gateway", "The server received an invalid response from an upstream server."),
    503: ("service.unavailable", "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance)."),
    504: ("request.timeout", "The request timed out."),
}

MAX_BODY = 1 << 20
FAULT_KEYS = ("status", "retry_after", "delay_ms", "drop", "times", "body_b64")

HELP_EPILOG = """\
endpoints imitating Genesys Cloud (login and API host are the same server):
  POST  /oauth/token                                  client-credentials grant
  GET   /api/v2/presence/definitions[?deactivated=true]
        the 10 system presences (type "System") and the secondary ones
        (type "User": Lunch, Coaching, Team huddle; Old break deactivated)
  GET|PUT    /api/v2/users/{userId}/routingstatus     {"status": "IDLE"}
        INTERACTING, COMMUNICATING, NOT_RESPONDING: 400, the system's own
  GET|PATCH  /api/v2/users/{userId}/presences/purecloud
        {"presenceDefinition": {"id": ID}, "message"?}; On Queue makes the
        routing status IDLE, any other presence OFF_QUEUE; a user whose
        presence was never set reads as Offline
  PATCH /api/v2/routing/queues/{queueId}/members/{memberId}  {"joined": bool}
        404 when the user is not a member of the queue
  PATCH /api/v2/routing/queues/{queueId}/members      [{"id","joined"}] x 1..100
        200 {"entities": [...]} naming the members applied; non-members are
        left out (the real API disregards them)
  GET|POST   /api/v2/platform/webhooks                tutorial contract: 404
                                                      unless --webhooks
  System presence ids are uuid5(NAMESPACE_URL, "genesys-standin:presence:NAME"),
  secondary ones uuid5(NAMESPACE_URL, "genesys-standin:secondary:LABEL").
  Every API answer carries inin-ratelimit-allowed, -count and -reset.

permissions (--deny-permission PERM, POST /__control/permissions): a call
  needing a denied permission answers 403 missing.permissions naming it:
    GET /api/v2/presence/definitions         presence:presenceDefinition:view
    PATCH .../presences/purecloud            presence:userPresence:edit
    PATCH .../members, .../members/{id}      routing:queue:edit or
                                             routing:queueMember:manage

queue membership (--members FILE, POST /__control/members):
  {"<queueId>": ["<userId>", ...], ...}; only members can be joined or left.

faults (--faults FILE, POST /__control/faults): {"<key>": [fault, ...], ...}
  key: a userId (memberId for a queue member call, queueId for the bulk call),
  "*" for any /api/v2 call whose own key has nothing queued, or "/oauth/token".
  Faults are consumed one per call (after the auth and rate-limit checks):
    {"status": 503}                 answer that code with the Genesys error body
    {"status": 429, "retry_after": 2}   429 + Retry-After (default 1)
    {"status": 400, "body_b64": B64}    that code with these exact bytes as
                                    the body (invalid UTF-8, say)
    {"delay_ms": 3000}              apply the call, answer normally but late
    {"drop": true}                  close the connection without answering
                                    (nothing is applied)
  "times": N repeats an entry N times; delay_ms combines with status/drop.

control endpoints (no auth, loopback only, no rate limit, no --latency-ms):
  POST /__control/faults          append faults (same JSON as above)
  POST /__control/members         add queue members (same JSON as --members)
  POST /__control/permissions     {"deny": [PERM, ...]}: the denied set now
  POST /__control/webhooks        {"enabled": bool}: the tutorial's endpoint
  GET  /__control/calls           journal entries so far, as a JSON array
  GET  /__control/state           {"routingstatus": {user: status},
                                   "presence": {user: definition id},
                                   "queues": {queue: {user: joined}},
                                   "members": {queue: [user, ...]},
                                   "tokens_issued": N,
                                   "faults_pending": {key: N},
                                   "presence_definitions": {NAME: id},
                                   "secondary_presences": {LABEL: id}}
  POST /__control/reset           clear faults, calls, state, rate windows and
                                  the tokens_issued count (tokens stay valid;
                                  members, permissions and the webhook switch
                                  go back to the command line's)
  POST /__control/expire-tokens   every issued token expires now

journal (--journal FILE and /__control/calls), one JSON object per answered
non-control request:
  {"time": epoch float (arrival), "method", "path", "status" (null if dropped),
   "user", "queue", "body" (parsed JSON, form dict with secrets redacted, raw
   string, or null), "token" (first 8 hex of sha256 of the token, never the
   token), "fault" ("status=503", "delay_ms=3000", "drop", ... or null)}

exit status: 0 after SIGTERM/SIGINT, 1 if it cannot listen, 2 on bad options.
"""


def normalize_members(spec):
    """Validate a membership document: {queueId: [userId, ...]}."""
    if not isinstance(spec, dict):
        raise ValueError("members must be a JSON object {\"<queueId>\": [\"<userId>\", ...]}")
    out = {}
    for queue, users in spec.items():
        if not ID_RE.match(queue):
            raise ValueError("bad queue id %r" % queue)
        if not isinstance(users, list) or not all(isinstance(u, str) and ID_RE.match(u) for u in users):
            raise ValueError("members of %r must be a list of user ids" % queue)
        out[queue] = list(users)
    return out


class ApiError(Exception):
    """An error answer in the Genesys error body shape."""

    def __init__(self, status, code=None, message=None, headers=None):
        default_code, default_message = ERROR_CODES.get(status, ("error", "Error"))
        super().__init__(message or default_message)
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.headers = headers or {}


class Answer:
    """What to send back: a status, a JSON-able body (or None), extra headers."""

    def __init__(self, status, body=None, headers=None, drop=False):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.drop = drop


def iso_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def fingerprint(token):
    return hashlib.sha256(token.encode()).hexdigest()[:8]


def normalize_faults(spec):
    """Validate a faults document; return {key: [fault, ...]} with "times" expanded."""
    if not isinstance(spec, dict):
        raise ValueError("faults must be a JSON object {\"<userId>\": [fault, ...]}")
    out = {}
    for key, entries in spec.items():
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            raise ValueError("faults for %r must be a list" % key)
        expanded = []
        for f in entries:
            if not isinstance(f, dict) or not f:
                raise ValueError("fault for %r must be a non-empty object" % key)
            unknown = set(f) - set(FAULT_KEYS)
            if unknown:
                raise ValueError("unknown fault field(s) %s" % ", ".join(sorted(unknown)))
            if "status" in f and not (isinstance(f["status"], int) and not isinstance(f["status"], bool)
                                      and 400 <= f["status"] <= 599):
                raise ValueError("fault status must be an integer 400..599")
            if "retry_after" in f and not (isinstance(f["retry_after"], int) and f["retry_after"] >= 0):
                raise ValueError("retry_after must be an integer >= 0")
            if "delay_ms" in f and not (isinstance(f["delay_ms"], (int, float))
                                        and not isinstance(f["delay_ms"], bool) and f["delay_ms"] >= 0):
                raise ValueError("delay_ms must be a number >= 0")
            if "drop" in f and f["drop"] is not True:
                raise ValueError("drop must be true")
            if "body_b64" in f:
                if "status" not in f or not isinstance(f["body_b64"], str):
                    raise ValueError("body_b64 is a base64 string, with a status")
                try:
                    base64.b64decode(f["body_b64"], validate=True)
                except binascii.Error:
                    raise ValueError("body_b64 is not base64")
            if "status" in f and f.get("drop"):
                raise ValueError("a fault cannot both drop and answer a status")
            if not any(k in f for k in ("status", "delay_ms", "drop")):
                raise ValueError("a fault needs status, delay_ms or drop")
            times = f.get("times", 1)
            if not (isinstance(times, int) and not isinstance(times, bool) and 1 <= times <= 100000):
                raise ValueError("times must be an integer 1..100000")
            one = {k: v for k, v in f.items() if k != "times"}
            expanded.extend(dict(one) for _ in range(times))
        out[str(key)] = expanded
    return out


def describe_fault(f):
    parts = []
    if f.get("drop"):
        parts.append("drop")
    if "status" in f:
        parts.append("status=%d" % f["status"])
    if "delay_ms" in f:
        parts.append("delay_ms=%g" % f["delay_ms"])
    return ",".join(parts)


class StandinState:
    """Everything shared between connections, guarded by one lock."""

    def __init__(self, client_id, client_secret, token_ttl, rate_limit, rate_window,
                 journal_path=None, members=None, denied=(), webhooks=False):
        self.lock = threading.Lock()
        self.initial_members = members or {}
        self.initial_denied = frozenset(denied)
        self.initial_webhooks = webhooks
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = token_ttl
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.journal = open(journal_path, "a", encoding="utf-8") if journal_path else None
        self.tokens = {}          # token -> monotonic expiry
        self.tokens_issued = 0
        self._clear()

    def _clear(self):
        self.windows = {}         # token -> deque of monotonic request times
        self.faults = {}          # key -> deque of faults
        self.calls = []
        self.routingstatus = {}   # userId -> {"userId", "status", "startTime"}
        self.presence = {}        # userId -> {"id", "message", "modifiedDate"}
        self.queues = {}          # queueId -> {userId: joined}
        self.webhooks = collections.OrderedDict()
        self.members = {q: set(u) for q, u in self.initial_members.items()}
        self.denied = set(self.initial_denied)
        self.webhooks_enabled = self.initial_webhooks

    # -- OAuth -------------------------------------------------------------
    def client_ok(self, client_id, secret):
        return (hmac.compare_digest(client_id.encode(), self.client_id.encode())
                and hmac.compare_digest(secret.encode(), self.client_secret.encode()))

    def issue_token(self):
        token = secrets.token_urlsafe(48)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
            self.tokens_issued += 1
        return token

    def token_status(self, token):
        """'ok', 'expired' or 'unknown'."""
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is None:
            return "unknown"
        return "ok" if time.monotonic() < expiry else "expired"

    def expire_tokens(self):
        now = time.monotonic()
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = min(self.tokens[token], now)

    # -- rate limit ----------------------------------------------------------
    def _rate_headers(self, count, reset):
        return {"inin-ratelimit-allowed": str(self.rate_limit),
                "inin-ratelimit-count": str(count),
                "inin-ratelimit-reset": str(reset)}

    def rate_headers(self, token):
        """Headers for an answer that does not count (e.g. a 401)."""
        now = time.monotonic()
        with self.lock:
            window = self.windows.get(token)
            count, reset = self._prune(window, now)
        return self._rate_headers(count, reset)

    def _prune(self, window, now):
        if not window:
            return 0, int(math.ceil(self.rate_window))
        while window and window[0] <= now - self.rate_window:
            window.popleft()
        if not window:
            return 0, int(math.ceil(self.rate_window))
        return len(window), max(1, int(math.ceil(window[0] + self.rate_window - now)))

    def take_rate(self, token):
        """Count one request; return (allowed, retry_after, headers)."""
        now = time.monotonic()
        with self.lock:
            window = self.windows.setdefault(token, collections.deque())
            count, reset = self._prune(window, now)
            if count >= self.rate_limit:
                return False, reset, self._rate_headers(count, reset)
            window.append(now)
            count, reset = self._prune(window, now)
            return True, 0, self._rate_headers(count, reset)

    # -- faults --------------------------------------------------------------
    def add_faults(self, faults):
        with self.lock:
            for key, entries in faults.items():
                self.faults.setdefault(key, collections.deque()).extend(entries)

    def next_fault(self, keys):
        with self.lock:
            for key in keys:
                queue = self.faults.get(key)
                if queue:
                    return queue.popleft()
        return None

    # -- journal -------------------------------------------------------------
    def record(self, entry):
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False)
        with self.lock:
            self.calls.append(entry)
            if self.journal:
                self.journal.write(line + "\n")
                self.journal.flush()

    # -- routing state -------------------------------------------------------
    def set_routing(self, user, status):
        value = {"userId": user, "status": status, "startTime": iso_now()}
        with self.lock:
            self.routingstatus[user] = value
        return dict(value)

    def get_routing(self, user):
        with self.lock:
            value = self.routingstatus.get(user)
        return dict(value) if value else None

    def set_presence(self, user, pid, message):
        """Set a presence; the routing status follows it, as in a real org:
        On Queue makes the agent IDLE (ready for interactions), anything
        else takes them off queue."""
        now = iso_now()
        value = {"id": pid, "message": message, "modifiedDate": now}
        status = "IDLE" if PRESENCE_BY_ID[pid] == "ON_QUEUE" else "OFF_QUEUE"
        with self.lock:
            self.presence[user] = value
            old = self.routingstatus.get(user)
            if old is None or old["status"] != status:
                self.routingstatus[user] = {"userId": user, "status": status, "startTime": now}
        return dict(value)

    def get_presence(self, user):
        with self.lock:
            value = self.presence.get(user)
        return dict(value) if value else None

    def set_members(self, queue, pairs):
        """Apply the pairs whose user is a member of queue; return those."""
        applied = []
        with self.lock:
            allowed = self.members.get(queue, set())
            for user, joined in pairs:
                if user in allowed:
                    self.queues.setdefault(queue, {})[user] = joined
                    applied.append((user, joined))
        return applied

    def add_members(self, members):
        with self.lock:
            for queue, users in members.items():
                self.members.setdefault(queue, set()).update(users)

    def set_denied(self, perms):
        with self.lock:
            self.denied = set(perms)

    def missing(self, needs):
        """The permission to name in a 403 when none of needs is granted."""
        with self.lock:
            if needs and all(p in self.denied for p in needs):
                return needs
        return None

    def set_webhooks(self, enabled):
        with self.lock:
            self.webhooks_enabled = enabled

    def webhooks_on(self):
        with self.lock:
            return self.webhooks_enabled

    def add_webhook(self, hook):
        with self.lock:
            self.webhooks[hook["id"]] = hook

    def list_webhooks(self):
        with self.lock:
            return [dict(h) for h in self.webhooks.values()]

    # -- control ---------------------------------------------------------------
    def snapshot(self):
        with self.lock:
            return {
                "routingstatus": {u: v["status"] for u, v in self.routingstatus.items()},
                "presence": {u: v["id"] for u, v in self.presence.items()},
                "queues": {q: dict(m) for q, m in self.queues.items()},
                "members": {q: sorted(u) for q, u in self.members.items()},
                "tokens_issued": self.tokens_issued,
                "faults_pending": {k: len(q) for k, q in self.faults.items() if q},
                "presence_definitions": dict(PRESENCE_IDS),
                "secondary_presences": dict(SECONDARY_IDS),
            }

    def calls_copy(self):
        with self.lock:
            return list(self.calls)

    def reset(self):
        with self.lock:
            self._clear()
            self.tokens_issued = 0

    def close(self):
        with self.lock:
            if self.journal:
                self.journal.close()
                self.journal = None


class StandinHandler(http.server.BaseHTTPRequestHandler):
    """One connection; every request goes through _dispatch()."""

    protocol_version = "HTTP/1.1"
    server_version = "genesys-standin/1"

    def version_string(self):
        return self.server_version
    disable_nagle_algorithm = True
    timeout = 120             # idle keep-alive connections are closed after this

    # Set on the subclass made in main().
    state = None
    latency = 0.0
    quiet = False

    ROUTES = (
        (re.compile(r"^/api/v2/users/([^/]+)/routingstatus$"), "routingstatus", ("GET", "PUT"), ("user",)),
        (re.compile(r"^/api/v2/users/([^/]+)/presences/purecloud$"), "presence", ("GET", "PATCH"), ("user",)),
        (re.compile(r"^/api/v2/routing/queues/([^/]+)/members/([^/]+)$"), "member", ("PATCH",), ("queue", "user")),
        (re.compile(r"^/api/v2/routing/queues/([^/]+)/members$"), "members", ("PATCH",), ("queue",)),
        (re.compile(r"^/api/v2/presence/definitions$"), "definitions", ("GET",), ()),
        (re.compile(r"^/api/v2/platform/webhooks$"), "webhooks", ("GET", "POST"), ()),
    )

    # -- plumbing ------------------------------------------------------------
    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_request(self, code="-", size="-"):
        pass                  # one line per request is written by _finish()

    def log_message(self, fmt, *args):
        if not self.quiet:
            sys.stderr.write("%s: %s %s\n" % (PROG, self.address_string(), fmt % args))

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ApiError(413)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise ApiError(400, message="Bad Content-Length")
        if n < 0 or n > MAX_BODY:
            raise ApiError(413)
        return self.rfile.read(n)

    def _send(self, status, payload, headers):
        if isinstance(payload, bytes):      # a fault's body_b64, as it is
            data = payload
        else:
            data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _drop(self):
        """Close the connection without a byte of answer (curl: exit 52)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _error_body(self, err, correlation):
        return {"message": err.message, "code": err.code, "status": err.status,
                "contextId": correlation, "details": [], "errors": [], "messageParams": {}}

    # -- the request ---------------------------------------------------------
    def _dispatch(self):
        arrival = time.time()
        started = time.monotonic()
        path = urllib.parse.urlsplit(self.path).path
        try:
            body = self._read_body()
        except (ApiError, ValueError) as exc:
            err = exc if isinstance(exc, ApiError) else ApiError(400, message="Bad chunked body")
            self.close_connection = True
            headers = self._missing_rate_headers(path, {})
            self._send(err.status, self._error_body(err, str(uuid.uuid4())), headers)
            return

        if path.startswith("/__control/"):
            status, payload = self._control(path, body)
            self._send(status, payload, {})
            self._log(path, status, None, started)
            return

        entry = {"time": arrival, "method": self.command, "path": path, "status": None,
                 "user": None, "queue": None, "body": self._journal_body(path, body),
                 "token": None, "fault": None}
        correlation = str(uuid.uuid4())
        if self.latency:
            time.sleep(self.latency)
        try:
            if path == "/oauth/token":
                answer = self._oauth(body, entry)
            else:
                answer = self._api(path, body, entry, correlation)
        except ApiError as err:
            answer = Answer(err.status, self._error_body(err, correlation), err.headers)
        except Exception as exc:          # a bug here must not kill the connection silently
            sys.stderr.write("%s: internal error on %s %s: %r\n" % (PROG, self.command, path, exc))
            err = ApiError(500)
            answer = Answer(500, self._error_body(err, correlation))

        entry["status"] = None if answer.drop else answer.status
        self.state.record(entry)
        self._log(path, entry["status"], entry["fault"], started)
        if answer.drop:
            self._drop()
            return
        headers = {"ININ-Correlation-Id": correlation}
        headers.update(answer.headers)
        self._send(answer.status, answer.body, self._missing_rate_headers(path, headers))

    def _missing_rate_headers(self, path, headers):
        """Every API answer carries the rate-limit headers, as on a real org
        (an error raised before the window was looked at included)."""
        if path.startswith("/api/") and "inin-ratelimit-allowed" not in headers:
            scheme, _, token = self.headers.get("Authorization", "").partition(" ")
            headers = dict(headers)
            headers.update(self.state.rate_headers(token.strip() if scheme.lower() == "bearer" else ""))
        return headers

    def _log(self, path, status, fault, started):
        if not self.quiet:
            sys.stderr.write("%s: %s %s -> %s%s %.1fms\n" % (
                PROG, self.command, path, "dropped" if status is None else status,
                " fault=" + fault if fault else "", (time.monotonic() - started) * 1000))

    @staticmethod
    def _journal_body(path, body):
        if not body:
            return None
        text = body.decode("utf-8", "replace")
        if path == "/oauth/token":
            form = urllib.parse.parse_qs(text, keep_blank_values=True)
            return {k: ("***" if "secret" in k.lower() or "password" in k.lower() else v[-1])
                    for k, v in form.items()}
        try:
            return json.loads(text)
        except ValueError:
            return text

    def _apply_fault(self, fault, entry, correlation, rate_headers):
        """Return an Answer for a status/drop fault, None to answer normally (after sleeping)."""
        entry["fault"] = describe_fault(fault)
        if fault.get("delay_ms") and ("status" in fault or fault.get("drop")):
            time.sleep(fault["delay_ms"] / 1000.0)
        if fault.get("drop"):
            return Answer(None, drop=True)
        if "status" in fault:
            status = fault["status"]
            headers = dict(rate_headers)
            if status == 429:
                n = int(fault.get("retry_after", 1))
                err = ApiError(429, message=ERROR_CODES[429][1].format(n=n))
                headers["Retry-After"] = str(n)
            else:
                err = ApiError(status)
            if "body_b64" in fault:
                return Answer(status, base64.b64decode(fault["body_b64"]), headers)
            return Answer(status, self._error_body(err, correlation), headers)
        return None

    # -- login host ----------------------------------------------------------
    def _oauth(self, body, entry):
        def oauth_error(status, error, description, headers=None):
            return Answer(status, {"error": error, "description": description,
                                   "error_description": description}, headers)

        if self.command != "POST":
            return Answer(405, {"error": "invalid_request", "description": "Use POST",
                                "error_description": "Use POST"}, {"Allow": "POST"})
        fault = self.state.next_fault(("/oauth/token",))
        delay = 0.0
        if fault:
            answer = self._apply_fault(fault, entry, "", {})
            if answer is not None:
                if answer.status is not None:
                    answer = oauth_error(answer.status, "temporarily_unavailable",
                                         "Injected fault", answer.headers)
                return answer
            delay = fault.get("delay_ms", 0) / 1000.0
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return oauth_error(415, "invalid_request",
                               "Content-Type must be application/x-www-form-urlencoded")
        auth = self.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        client_id = secret = None
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
                client_id, sep, secret = decoded.partition(":")
                if not sep:
                    client_id = None
            except (binascii.Error, UnicodeDecodeError, ValueError):
                client_id = None
        if client_id is None or not self.state.client_ok(client_id, secret):
            return oauth_error(401, "invalid_client", "client not found or bad client credentials",
                               {"WWW-Authenticate": 'Basic realm="genesys-standin"'})
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        grant = form.get("grant_type", [None])[-1]
        if grant is None:
            return oauth_error(400, "invalid_request", "grant_type is required")
        if grant != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "grant type not supported: %s" % grant)
        token = self.state.issue_token()
        entry["token"] = fingerprint(token)
        if delay:
            time.sleep(delay)
        return Answer(200, {"access_token": token, "token_type": "bearer",
                            "expires_in": self.state.token_ttl},
                      {"Cache-Control": "no-store", "Pragma": "no-cache"})

    # -- API host ------------------------------------------------------------
    def _api(self, path, body, entry, correlation):
        route = params = None
        for regex, name, methods, fields in self.ROUTES:
            m = regex.match(path)
            if m:
                route = (name, methods)
                params = dict(zip(fields, m.groups()))
                break
        if params:
            entry["user"] = params.get("user")
            entry["queue"] = params.get("queue")

        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        status = self.state.token_status(token) if token else "unknown"
        if token:
            entry["token"] = fingerprint(token)
        if status != "ok":
            headers = self.state.rate_headers(token)
            if status == "expired":
                raise ApiError(401, "credentials.expired", "The supplied credentials are expired.", headers)
            raise ApiError(401, "authentication.required",
                           "No authentication bearer token specified in authorization header.", headers)

        allowed, retry_after, rate_headers = self.state.take_rate(token)
        if not allowed:
            rate_headers["Retry-After"] = str(retry_after)
            raise ApiError(429, message=ERROR_CODES[429][1].format(n=retry_after), headers=rate_headers)

        if route is None or (route[0] == "webhooks" and not self.state.webhooks_on()):
            raise ApiError(404, message="Resource not found: %s" % path, headers=rate_headers)
        name, methods = route
        if self.command not in methods:
            headers = dict(rate_headers, Allow=", ".join(methods))
            raise ApiError(405, message="HTTP %s is not supported by %s" % (self.command, path),
                           headers=headers)
        for field in ("user", "queue"):
            if field in params and not ID_RE.match(params[field]):
                raise ApiError(404, message="The %s %s was not found." % (field, params[field]),
                               headers=rate_headers)
        needs = PERMISSIONS.get((name, self.command), PERMISSIONS.get(name))
        missing = self.state.missing(needs)
        if missing:
            raise ApiError(403, "missing.permissions",
                           "You are missing the following permission(s): %s" % ", ".join(missing),
                           headers=rate_headers)

        keys = [params[k] for k in ("user",) if k in params]
        if name == "members":
            keys.append(params["queue"])
        keys.append("*")
        fault = self.state.next_fault(keys)
        if fault:
            answer = self._apply_fault(fault, entry, correlation, rate_headers)
            if answer is not None:
                return answer
        try:
            answer = getattr(self, "_route_" + name)(params, body)
        except ApiError as err:
            err.headers = dict(rate_headers, **err.headers)
            raise
        answer.headers = dict(rate_headers, **answer.headers)
        if fault and fault.get("delay_ms"):
            time.sleep(fault["delay_ms"] / 1000.0)
        return answer

    def _json_body(self, body):
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415)
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "bad.request", "Unable to parse the request body: %s" % exc)

    # -- routes --------------------------------------------------------------
    def _route_routingstatus(self, params, body):
        user = params["user"]
        if self.command == "GET":
            value = self.state.get_routing(user)
            if value is None:
                raise ApiError(404, message="No routing status for user %s" % user)
            return Answer(200, value)
        doc = self._json_body(body)
        if not isinstance(doc, dict):
            raise ApiError(400, "bad.request", "The request body must be a RoutingStatus object.")
        status = doc.get("status")
        if status not in ROUTING_STATUSES:
            raise ApiError(400, "invalid.value",
                           "Value [%s] is not valid for field type [status]. Allowable values are: %s"
                           % (status, ", ".join(ROUTING_STATUSES)))
        if status in SYSTEM_MANAGED_STATUSES:
            raise ApiError(400, "invalid.value",
                           "Routing status [%s] is set by the system and cannot be set through the API."
                           % status)
        return Answer(200, self.state.set_routing(user, status))

    def _presence_body(self, user, value):
        name = PRESENCE_BY_ID[value["id"]]
        out = {"source": "PURECLOUD", "primary": True,
               "presenceDefinition": {"id": value["id"],
                                      "systemPresence": SYSTEM_PRESENCES[name][1],
                                      "selfUri": "/api/v2/presence/definitions/" + value["id"]},
               "modifiedDate": value["modifiedDate"],
               "selfUri": "/api/v2/users/%s/presences/purecloud" % user}
        if value["message"] is not None:
            out["message"] = value["message"]
        return out

    def _route_presence(self, params, body):
        user = params["user"]
        if self.command == "GET":
            value = self.state.get_presence(user)
            if value is None:
                # Every user of an org has a presence; one never set is Offline.
                value = {"id": PRESENCE_IDS["OFFLINE"], "message": None,
                         "modifiedDate": iso_now()}
            return Answer(200, self._presence_body(user, value))
        doc = self._json_body(body)
        if not isinstance(doc, dict) or not isinstance(doc.get("presenceDefinition"), dict):
            raise ApiError(400, "bad.request", "presenceDefinition is required.")
        pid = doc["presenceDefinition"].get("id")
        if not isinstance(pid, str) or pid not in PRESENCE_BY_ID or pid in DEACTIVATED_IDS:
            raise ApiError(400, "invalid.value", "Invalid presence definition id [%s]." % (pid,))
        message = doc.get("message")
        if message is not None and not isinstance(message, str):
            raise ApiError(400, "invalid.value", "message must be a string.")
        value = self.state.set_presence(user, pid, message)
        return Answer(200, self._presence_body(user, value))

    @staticmethod
    def _joined(item):
        joined = item.get("joined") if isinstance(item, dict) else None
        if not isinstance(joined, bool):
            raise ApiError(400, "invalid.value", "joined must be true or false.")
        return joined

    def _route_member(self, params, body):
        doc = self._json_body(body)
        if not isinstance(doc, dict):
            raise ApiError(400, "bad.request", "The request body must be a QueueMember object.")
        if not self.state.set_members(params["queue"], [(params["user"], self._joined(doc))]):
            raise ApiError(404, "not.found", "User %s is not a member of queue %s."
                           % (params["user"], params["queue"]))
        return Answer(202)

    def _route_members(self, params, body):
        doc = self._json_body(body)
        if not isinstance(doc, list):
            raise ApiError(400, "bad.request", "The request body must be an array of queue members.")
        if not 1 <= len(doc) <= 100:
            raise ApiError(400, "invalid.value",
                           "The number of members must be between 1 and 100, got %d." % len(doc))
        pairs = []
        for item in doc:
            member = item.get("id") if isinstance(item, dict) else None
            if not isinstance(member, str) or not ID_RE.match(member):
                raise ApiError(400, "invalid.value", "Each member needs a valid id.")
            pairs.append((member, self._joined(item)))
        applied = self.state.set_members(params["queue"], pairs)
        entities = [{"id": user, "joined": joined,
                     "selfUri": "/api/v2/routing/queues/%s/members/%s" % (params["queue"], user)}
                    for user, joined in applied]
        return Answer(200, {"entities": entities, "pageSize": len(entities), "pageNumber": 1,
                            "selfUri": "/api/v2/routing/queues/%s/members" % params["queue"]})

    def _route_definitions(self, params, body):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        with_deactivated = query.get("deactivated", ["false"])[-1] == "true"
        entities = []

        def add(pid, label, kind, system, off):
            if off and not with_deactivated:
                return
            entities.append({"id": pid, "name": label, "type": kind,
                             "languageLabels": {"en_US": label}, "systemPresence": system,
                             "divisionId": "*", "deactivated": off,
                             "selfUri": "/api/v2/presence/definitions/" + pid})

        for name, (label, system) in SYSTEM_PRESENCES.items():
            add(PRESENCE_IDS[name], label, "System", system, False)
        for label, (name, off) in SECONDARY_PRESENCES.items():
            add(SECONDARY_IDS[label], label, "User", SYSTEM_PRESENCES[name][1], off)
        return Answer(200, {"entities": entities, "total": len(entities),
                            "selfUri": "/api/v2/presence/definitions"})

    def _route_webhooks(self, params, body):
        if self.command == "GET":
            hooks = self.state.list_webhooks()
            for h in hooks:
                h.pop("secret", None)
            return Answer(200, {"entities": hooks, "total": len(hooks)})
        doc = self._json_body(body)
        if not isinstance(doc, dict):
            raise ApiError(400, "bad.request", "The request body must be a webhook object.")
        name = doc.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "invalid.value", "name is required.")
        target = doc.get("targetUrl")
        parsed = urllib.parse.urlsplit(target) if isinstance(target, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ApiError(400, "invalid.value", "targetUrl must be an http or https URL.")
        filters = doc.get("eventTypeFilter", [])
        if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
            raise ApiError(400, "invalid.value", "eventTypeFilter must be an array of strings.")
        enabled = doc.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ApiError(400, "invalid.value", "enabled must be true or false.")
        method = doc.get("httpMethod", "POST")
        if method not in ("POST", "PUT"):
            raise ApiError(400, "invalid.value", "httpMethod must be POST or PUT.")
        description = doc.get("description", "")
        if not isinstance(description, str):
            raise ApiError(400, "invalid.value", "description must be a string.")
        hook = {"id": str(uuid.uuid4()), "name": name, "description": description,
                "targetUrl": target, "eventTypeFilter": filters, "enabled": enabled,
                "httpMethod": method, "createdDate": iso_now(),
                "secret": secrets.token_hex(32)}
        self.state.add_webhook(hook)
        return Answer(201, hook)

    # -- control -------------------------------------------------------------
    def _control(self, path, body):
        host = self.client_address[0] if self.client_address else ""
        if host not in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
            return 403, {"error": "control endpoints are loopback only"}
        routes = {
            "/__control/faults": "POST",
            "/__control/members": "POST",
            "/__control/permissions": "POST",
            "/__control/webhooks": "POST",
            "/__control/calls": "GET",
            "/__control/state": "GET",
            "/__control/reset": "POST",
            "/__control/expire-tokens": "POST",
        }
        if path not in routes:
            return 404, {"error": "unknown control endpoint", "endpoints": sorted(routes)}
        if self.command != routes[path]:
            return 405, {"error": "use %s" % routes[path]}
        if path == "/__control/faults":
            try:
                faults = normalize_faults(json.loads(body.decode("utf-8") or "null"))
            except (ValueError, UnicodeDecodeError) as exc:
                return 400, {"error": str(exc)}
            self.state.add_faults(faults)
            return 200, {"ok": True, "added": {k: len(v) for k, v in faults.items()}}
        if path in ("/__control/members", "/__control/permissions", "/__control/webhooks"):
            try:
                doc = json.loads(body.decode("utf-8") or "null")
                if path == "/__control/members":
                    self.state.add_members(normalize_members(doc))
                elif path == "/__control/permissions":
                    deny = doc.get("deny") if isinstance(doc, dict) else None
                    if not isinstance(deny, list) or not all(isinstance(x, str) for x in deny):
                        raise ValueError('permissions must be {"deny": [PERM, ...]}')
                    self.state.set_denied(deny)
                else:
                    enabled = doc.get("enabled") if isinstance(doc, dict) else None
                    if not isinstance(enabled, bool):
                        raise ValueError('webhooks must be {"enabled": true|false}')
                    self.state.set_webhooks(enabled)
            except (ValueError, UnicodeDecodeError) as exc:
                return 400, {"error": str(exc)}
            return 200, {"ok": True}
        if path == "/__control/calls":
            return 200, self.state.calls_copy()
        if path == "/__control/state":
            return 200, self.state.snapshot()
        if path == "/__control/reset":
            self.state.reset()
            return 200, {"ok": True}
        self.state.expire_tokens()
        return 200, {"ok": True}


class StandinServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    quiet = False

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLEOFError)):
            return
        if not self.quiet:
            sys.stderr.write("%s: connection from %s: %r\n" % (PROG, client_address[0], exc))


def positive_number(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number: %r" % text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0: %r" % text)
    return value


def positive_int(text):
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be > 0: %r" % text)
    return value


def non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0: %r" % text)
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Local HTTPS stand-in for the Genesys Cloud login and API hosts "
                    "(listens on 127.0.0.1; point both login_base and api_base at it).",
        epilog=HELP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cert", required=True, metavar="FILE", help="TLS certificate (PEM)")
    p.add_argument("--key", required=True, metavar="FILE", help="TLS private key (PEM)")
    p.add_argument("--port", type=non_negative_int, default=0, metavar="N",
                   help="port on 127.0.0.1 (default 0: pick a free one)")
    p.add_argument("--port-file", metavar="FILE",
                   help="once listening, write the port number to FILE (atomically, via FILE.tmp)")
    p.add_argument("--client-id", required=True, metavar="ID", help="the only valid OAuth client id")
    p.add_argument("--client-secret-file", required=True, metavar="FILE",
                   help="file holding that client's secret (one line)")
    p.add_argument("--token-ttl", type=non_negative_int, default=86400, metavar="SECONDS",
                   help="expires_in of issued tokens (default 86400)")
    p.add_argument("--rate-limit", type=positive_int, default=300, metavar="N",
                   help="API requests allowed per token per window (default 300; "
                        "give a huge N to benchmark without it)")
    p.add_argument("--rate-window", type=positive_number, default=60.0, metavar="S",
                   help="sliding rate-limit window in seconds (default 60)")
    p.add_argument("--latency-ms", type=non_negative_int, default=0, metavar="MS",
                   help="delay added to every non-control answer (default 0)")
    p.add_argument("--journal", metavar="FILE",
                   help="append one JSON line per answered request to FILE (flushed each line)")
    p.add_argument("--faults", metavar="FILE", help="initial faults, same JSON as POST /__control/faults")
    p.add_argument("--webhooks", action="store_true",
                   help="serve the tutorial's /api/v2/platform/webhooks (default: 404, "
                        "like the real platform)")
    p.add_argument("--members", metavar="FILE",
                   help="queue membership, JSON {\"<queueId>\": [\"<userId>\", ...]}; "
                        "only members can be joined to or removed from a queue")
    p.add_argument("--deny-permission", action="append", default=[], metavar="PERM",
                   help="the OAuth client lacks PERM (repeatable): calls needing it answer "
                        "403 missing.permissions")
    p.add_argument("-q", "--quiet", action="store_true", help="no per-request log lines on stderr")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    def die(code, message):
        sys.stderr.write("%s: %s\n" % (PROG, message))
        sys.exit(code)

    def load_json_option(path, normalize, what):
        """The JSON file an option names, through normalize; {} without one."""
        if not path:
            return {}
        try:
            with open(path, encoding="utf-8") as f:
                return normalize(json.load(f))
        except (OSError, ValueError) as exc:
            die(2, "bad %s file %s: %s" % (what, path, exc))

    try:
        with open(args.client_secret_file, encoding="utf-8") as f:
            secret = f.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        die(2, "cannot read client secret: %s" % exc)
    if not secret:
        die(2, "client secret file %s is empty" % args.client_secret_file)
    faults = load_json_option(args.faults, normalize_faults, "faults")
    members = load_json_option(args.members, normalize_members, "members")
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    except (OSError, ssl.SSLError) as exc:
        die(2, "cannot load certificate/key: %s" % exc)
    try:
        state = StandinState(args.client_id, secret, args.token_ttl, args.rate_limit,
                             args.rate_window, args.journal, members, args.deny_permission,
                             args.webhooks)
    except OSError as exc:
        die(2, "cannot open journal: %s" % exc)
    state.add_faults(faults)

    handler = type("Handler", (StandinHandler,), {
        "state": state, "latency": args.latency_ms / 1000.0, "quiet": args.quiet})
    try:
        server = StandinServer(("127.0.0.1", args.port), handler)
    except OSError as exc:
        die(1, "cannot listen on 127.0.0.1:%d: %s" % (args.port, exc))
    server.quiet = args.quiet
    # The handshake happens on the first read, in the connection's own thread.
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.port_file:
        tmp = args.port_file + ".tmp"
        try:
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.replace(tmp, args.port_file)
        except OSError as exc:
            server.server_close()
            die(2, "cannot write port file: %s" % exc)
    if not args.quiet:
        sys.stderr.write("%s: listening on https://127.0.0.1:%d\n" % (PROG, port))

    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        state.close()
        if args.port_file:
            try:
                os.unlink(args.port_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
