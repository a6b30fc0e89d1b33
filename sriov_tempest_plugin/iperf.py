# Copyright 2026 sriov-tempest-plugin developers
#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.
"""iperf3 command lines and the reading of its ``-J`` output.

The figure that counts is what the receiver got: ``end.sum_received``
(goodput), with the TCP slow-start seconds omitted by ``-O``. The sender's
figure, retransmits and CPU use are kept beside it, because a run whose
sender or receiver sat near 100 % CPU measured the CPU, not the path.

Units are SI throughout: 1 Gbit/s = 10^9 bit/s.

N connections can be run two ways (``[sriov] iperf_mode``):

* ``streams``: one client with ``-P N``. Before iperf3 3.16 all streams
  share one thread, which may cap below line rate on 10 GbE.
* ``processes``: N clients with one stream each, to N server ports. The
  clients are started together, but their measured windows need not
  coincide: a client whose connection set-up lagged (one SYN lost on a full
  queue costs a 1 s retransmit) measures a later window, and the sum of
  the clients' own rates then overstates the aggregate (on the lab's
  1 Gbit/s port this once summed to 1.02 Gbit/s of goodput). So each client
  is stamped with the guest's ``/proc/uptime`` when it ends, and the
  aggregate is all bytes received divided by the union of the windows
  (first window's start to last window's end): the plain sum when the
  windows coincide, never more than the path carried when they do not.
  The stretch beyond one window is kept as ``skew_seconds``. The end stamp
  also holds the client's closing exchange with its server (a control
  packet lost on a full queue costs a 0.2 s retransmit), so a skewed
  figure errs low; a sample whose skew exceeds a tenth of the window
  (:meth:`IperfRun.skewed`) is run again, like a transient failure.
"""

import dataclasses
import json
import shlex
import typing


GIGA = 1e9


class IperfError(Exception):
    """iperf3 did not produce a usable measurement.

    ``transient`` marks failures a fresh run may not repeat: a server not
    listening yet, or a connection that carried nothing (a stalled TCP
    flow). The gate runs such a measurement again, a bounded number of
    times, and records how many attempts it took.
    """

    def __init__(self, message, transient=False):
        super(IperfError, self).__init__(message)
        self.transient = transient


class NoData(IperfError):
    """A client's connection was set up and carried nothing: ``run`` is
    its measurement with 0 received (its window and stamp kept).
    """

    def __init__(self, message, run):
        super(NoData, self).__init__(message, transient=True)
        self.run = run


#: Printed between the JSON documents of parallel clients.
_SEPARATOR = '==== sriov-tempest-plugin iperf3 client %d ===='
_SEPARATOR_PREFIX = _SEPARATOR.split('%d')[0]
#: Printed by each parallel client when it exits: the guest's uptime.
_ENDED_PREFIX = '==== sriov-tempest-plugin iperf3 end at uptime '


@dataclasses.dataclass(frozen=True)
class IperfRun(object):
    """One measurement: an iperf3 client, or N of them summed."""

    version: str
    streams: int
    processes: int
    seconds: float
    received_gbps: float
    sent_gbps: float
    retransmits: typing.Optional[int]
    sender_cpu_percent: typing.Optional[float]
    receiver_cpu_percent: typing.Optional[float]
    attempts: int = 1  # runs it took (transient failures retried)
    #: Guest uptime (s) when the client exited; processes mode only.
    ended_at: typing.Optional[float] = None
    #: How far the parallel clients' windows spread beyond one window (s).
    skew_seconds: typing.Optional[float] = None
    #: Parallel clients whose connection carried nothing in its window,
    #: counted as 0 in the sum (as ``iperf3 -P`` counts a starved stream).
    starved: int = 0

    def skewed(self, duration, limit=0.1):
        """Whether parallel clients' windows spread too far apart.

        True when they spread beyond one window by more than ``limit`` of
        ``duration`` seconds.
        """
        return (self.skew_seconds is not None and
                self.skew_seconds > limit * duration)

    def cpu_bound(self, threshold_percent):
        """True when sender or receiver CPU use reached the threshold."""
        return any(cpu is not None and cpu >= threshold_percent
                   for cpu in (self.sender_cpu_percent,
                               self.receiver_cpu_percent))


def _quote_all(words):
    return ' '.join(shlex.quote(str(w)) for w in words)


def server_ports(first_port, streams, mode):
    """The server ports one measurement needs."""
    count = streams if mode == 'processes' else 1
    return [first_port + i for i in range(count)]


def server_command(port, pidfile):
    """Start a one-off iperf3 server in the background.

    ``-1`` makes the server exit after one test, so a finished run leaves
    nothing behind; the pid file lets a failed run be cleaned up.
    """
    return _quote_all(['iperf3', '--server', '--daemon', '--one-off',
                       '--port', port, '--pidfile', pidfile])


def stop_server_command(pidfile):
    """Kill the server written in ``pidfile``, if it is still running."""
    quoted = shlex.quote(pidfile)
    return ('if [ -f %(p)s ]; then kill "$(cat %(p)s)" 2>/dev/null; '
            'rm -f %(p)s; fi; true' % {'p': quoted})


def _client_words(server_ip, port, duration, omit, parallel):
    words = ['iperf3', '--client', server_ip, '--port', port,
             '--time', duration, '--omit', omit, '--json']
    if parallel > 1:
        words += ['--parallel', parallel]
    return words


def client_command(server_ip, first_port, streams, duration, omit, mode):
    """The shell command that measures ``streams`` connections.

    In ``processes`` mode the clients start in the background together and
    the command prints each JSON document after a separator line, followed
    by the guest's uptime when that client exited (read from
    ``/proc/uptime`` with shell builtins only). Exit codes are ignored
    in both modes because each document carries its own ``error`` and
    :func:`parse_client_output` reports it, telling a transient failure
    (a server not listening yet) from a lasting one; the shell's own
    complaint (no iperf3) reaches it on the same output.
    """
    if mode == 'streams':
        return '%s 2>&1 || true' % _quote_all(_client_words(
            server_ip, first_port, duration, omit, streams))
    ports = server_ports(first_port, streams, mode)
    outputs = [shlex.quote('/tmp/sriov-iperf3-%d.json' % port)
               for port in ports]
    stamp = ('read -r up _ < /proc/uptime; echo; echo %s"$up ===="'
             % shlex.quote(_ENDED_PREFIX))
    background = ' '.join(
        '{ %s; %s; } > %s 2>&1 &' % (
            _quote_all(_client_words(server_ip, port, duration, omit, 1)),
            stamp, out)
        for port, out in zip(ports, outputs))
    collect = '; '.join(
        'echo %s; cat %s; rm -f %s' % (shlex.quote(_SEPARATOR % index), out,
                                       out)
        for index, out in enumerate(outputs))
    return '%s wait; %s' % (background, collect)


def _split_documents(text):
    if _SEPARATOR_PREFIX not in text:
        return [text]
    docs = []
    current = None
    for line in text.splitlines():
        if line.startswith(_SEPARATOR_PREFIX):
            current = []
            docs.append(current)
        elif current is not None:
            current.append(line)
    return ['\n'.join(d) for d in docs]


def _load(text):
    text = (text or '').strip()
    if not text:
        raise IperfError(
            'iperf3 printed nothing; is iperf3 installed in the guest image '
            '([sriov] image_ref) and did the client start?')
    try:
        doc = json.loads(text)
    except ValueError as exc:
        first_line = text.splitlines()[0][:200]
        if not text.startswith('{'):
            raise IperfError(
                'iperf3 did not print JSON; it said: %r. Check that the '
                'image ([sriov] image_ref) has iperf3 3.x, which supports '
                '--json.' % first_line)
        raise IperfError(
            'iperf3 JSON output is truncated or corrupt (%s); the client '
            'was probably killed before it finished (timeout or lost SSH '
            'session)' % exc)
    if not isinstance(doc, dict):
        raise IperfError('iperf3 JSON is not an object: %r' % text[:200])
    return doc


def _number(section, key):
    value = section.get(key)
    return float(value) if isinstance(value, (int, float)) else None


def _ended_at(text):
    """Split the end stamp of a parallel client off its document."""
    ended_at = None
    kept = []
    for line in (text or '').splitlines():
        if line.startswith(_ENDED_PREFIX):
            value = line[len(_ENDED_PREFIX):].split()
            try:
                ended_at = float(value[0])
            except (IndexError, ValueError):
                ended_at = None
        else:
            kept.append(line)
    return '\n'.join(kept), ended_at


def parse_document(text):
    """Parse one iperf3 ``-J`` client document into an :class:`IperfRun`."""
    text, ended_at = _ended_at(text)
    doc = _load(text)
    if doc.get('error'):
        peer = doc.get('start', {}).get('connecting_to', {}).get('host')
        raise IperfError(
            'iperf3 reported an error%s: %s' % (
                ' talking to %s' % peer if peer else '', doc['error']),
            transient='Connection refused' in str(doc['error']))
    start = doc.get('start') or {}
    end = doc.get('end') or {}
    received = end.get('sum_received')
    sent = end.get('sum_sent')
    if not received or not sent:
        raise IperfError(
            'iperf3 JSON has no end.sum_received/sum_sent: the test did not '
            'finish (truncated run?)')
    received_bps = _number(received, 'bits_per_second')
    starved = not received_bps or not received.get('bytes')
    cpu = end.get('cpu_utilization_percent') or {}
    retransmits = sent.get('retransmits')
    test_start = start.get('test_start') or {}
    run = IperfRun(
        version=start.get('version', 'unknown'),
        streams=int(test_start.get('num_streams') or
                    len(end.get('streams') or []) or 1),
        processes=1,
        seconds=_number(received, 'seconds') or 0.0,
        received_gbps=(received_bps or 0.0) / GIGA,
        sent_gbps=(_number(sent, 'bits_per_second') or 0.0) / GIGA,
        retransmits=int(retransmits) if retransmits is not None else None,
        sender_cpu_percent=_number(cpu, 'host_total'),
        receiver_cpu_percent=_number(cpu, 'remote_total'),
        ended_at=ended_at)
    if starved:
        raise NoData(
            'iperf3 ran but the receiver got no data (0 bytes in %.1f s): '
            'the connection was set up, then traffic was blocked or '
            'dropped' % run.seconds,
            dataclasses.replace(run, received_gbps=0.0, starved=1))
    return run


def combine(runs):
    """Join parallel single-stream runs into one measurement.

    With every client's end stamped, the aggregate is all bytes over the
    union of the measured windows; without stamps (output of an older
    command) it falls back to the plain sum of the clients' rates.
    """
    if not runs:
        raise IperfError('no iperf3 runs to combine')
    if len(runs) == 1:
        return runs[0]
    retransmits = [r.retransmits for r in runs]

    def _max(values):
        values = [v for v in values if v is not None]
        return max(values) if values else None

    received = sum(r.received_gbps for r in runs)
    sent = sum(r.sent_gbps for r in runs)
    seconds = min(r.seconds for r in runs)
    skew = None
    if all(r.ended_at is not None and r.seconds > 0 for r in runs):
        longest = max(r.seconds for r in runs)
        first_start = min(r.ended_at - r.seconds for r in runs)
        window = max(max(r.ended_at for r in runs) - first_start, longest)
        received = sum(r.received_gbps * r.seconds for r in runs) / window
        sent = sum(r.sent_gbps * r.seconds for r in runs) / window
        skew = window - longest
        seconds = window
    return IperfRun(
        version=runs[0].version,
        streams=sum(r.streams for r in runs),
        processes=len(runs),
        seconds=seconds,
        received_gbps=received,
        sent_gbps=sent,
        retransmits=(None if None in retransmits else sum(retransmits)),
        sender_cpu_percent=_max(r.sender_cpu_percent for r in runs),
        receiver_cpu_percent=_max(r.receiver_cpu_percent for r in runs),
        skew_seconds=skew,
        starved=sum(r.starved for r in runs))


def parse_client_output(text):
    """Parse what :func:`client_command` printed, in either mode.

    A parallel client whose connection carried nothing while the others
    carried data was starved, not blocked: it counts as 0 in the sum, as
    a starved stream of ``iperf3 -P`` does, and the run says how many
    (``starved``). The lab's userspace switches drop where a NIC pushes
    back, and there one of 5 clients carried nothing in 3 runs in a row
    (CI, 2026-12-07), while the 4 others summed to the path's figure.
    Every client with nothing is a path that carried nothing: a
    transient failure, as before.
    """
    docs = _split_documents(text)
    errors = []
    runs = []
    starved = []
    for index, doc in enumerate(docs):
        try:
            runs.append(parse_document(doc))
        except IperfError as exc:
            message = ('client %d: %s' % (index, exc) if len(docs) > 1
                       else str(exc))
            if isinstance(exc, NoData):
                starved.append((message, exc.run))
            else:
                errors.append((message, exc.transient))
    if errors or (starved and not runs):
        errors += [(message, True) for message, _ in starved]
        raise IperfError('; '.join(e[0] for e in errors),
                         transient=all(e[1] for e in errors))
    return combine(runs + [run for _, run in starved])


def sample(start_servers, run_client, duration, describe, warn,
           attempts=3):
    """One sample of a point: the iperf3 session's retry and skew rules.

    Fresh servers for every run. A transient failure (iperf3 -D returns
    before it listens; a path whose TCP flows all stalled and carried
    nothing) is run again, and so is a run whose parallel clients'
    windows did not line up (:meth:`IperfRun.skewed`; its last attempt is
    kept: its figure errs low, not high), ``attempts`` runs at most. The
    run records the attempts it took.

    :param start_servers: ``() -> None``: stop and start the servers.
    :param run_client: ``() -> str``: the client command's output.
    :param describe: names the run in messages, e.g. ``iperf3 from a to
        10.0.0.5 (3 streams)``.
    :param warn: ``warn(message)`` for each run taken again.
    :raises IperfError: a failure that is not transient, or the
        last attempt's, with the attempt in its message.
    """
    for attempt in range(1, attempts + 1):
        start_servers()
        output = run_client()
        try:
            run = parse_client_output(output)
        except IperfError as exc:
            if exc.transient and attempt < attempts:
                warn('%s, attempt %d of %d: %s; running it again'
                     % (describe, attempt, attempts, exc))
                continue
            raise IperfError('%s, attempt %d of %d: %s'
                             % (describe, attempt, attempts, exc),
                             exc.transient)
        if run.skewed(duration) and attempt < attempts:
            warn('%s, attempt %d of %d: the clients\' windows spread %.2f s '
                 'beyond one window; running it again'
                 % (describe, attempt, attempts, run.skew_seconds))
            continue
        return dataclasses.replace(run, attempts=attempt)


def version_command():
    """Tells whether iperf3 is in the guest, and which version."""
    return 'command -v iperf3 >/dev/null 2>&1 && iperf3 --version'
