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
"""Fleet acceptance, as pure logic: which links prove every host, in
which waves, and which host a failed link blames.

One direct VM per SR-IOV host; the hosts, sorted by name, form a ring of
links ``i -> i+1`` (the last back to the first), so that each host sends
once and receives once: N links for N hosts, the fewest that load every
host's port both ways. A wave measures links that share no host, at most
``concurrency`` of them, so that no host's port carries two measurements
at once and an oversubscribed switch is not measured instead of the
hosts.

Blame, from the links' verdicts: a host whose two links both failed is
at fault; a link that failed alone makes both its ends suspects, and a
second, bounded pass links each suspect with a host whose two links
passed, which tells which end is at fault.
"""

import dataclasses
import math
import statistics
import typing

from sriov_tempest_plugin import verdict


@dataclasses.dataclass(frozen=True)
class Link(object):
    """``sender``'s VM sends to ``receiver``'s."""
    sender: str
    receiver: str

    @property
    def hosts(self):
        return (self.sender, self.receiver)

    def label(self):
        return '%s -> %s' % (self.sender, self.receiver)


def ring(hosts):
    """The links ``i -> i+1`` of the hosts in name order (N for N >= 2).

    :raises ValueError: fewer than two hosts, or a host named twice.
    """
    ordered = sorted(hosts)
    if len(ordered) < 2:
        raise ValueError('fleet acceptance needs at least 2 SR-IOV hosts, '
                         'got %d' % len(ordered))
    if len(set(ordered)) != len(ordered):
        raise ValueError('a host is named twice: %s' % ', '.join(ordered))
    return [Link(h, ordered[(i + 1) % len(ordered)])
            for i, h in enumerate(ordered)]


def waves(links, concurrency):
    """The ring's links (from :func:`ring`, in its order) in waves: no host
    in two links of a wave, at most ``concurrency`` links a wave, every
    link once, in as few waves as that allows.

    That is ``k = max(ceil(N / concurrency), 2)`` waves for an even ring
    and ``max(ceil(N / concurrency), 3)`` for an odd one (its links cannot
    be split in two sets that share no host): link ``i`` goes to wave ``i
    mod k``, which keeps neighbours apart, except the last link when
    ``N mod k == 1``, which would meet the first link's host in wave 0
    and goes to wave 1 instead.
    """
    if concurrency < 1:
        raise ValueError('[sriov] fleet_concurrency must be >= 1, got %d'
                         % concurrency)
    n = len(links)
    k = min(n, max(int(math.ceil(n / float(concurrency))),
                   2 if n % 2 == 0 else 3))
    planned = [[] for _ in range(k)]
    for i, link in enumerate(links):
        wave = i % k
        if i == n - 1 and n % k == 1 and n > 1:
            wave = 1
        planned[wave].append(link)
    for wave in planned:
        busy = [h for link in wave for h in link.hosts]
        if len(busy) != len(set(busy)) or len(wave) > concurrency:
            raise ValueError('not a ring in ring() order: %s'
                             % ', '.join(link.label() for link in wave))
    return [wave for wave in planned if wave]


def boot_waves(hosts, per_wave):
    """The hosts in boot waves of at most ``per_wave`` VMs (the quota's
    share the run may use at once), in name order.
    """
    if per_wave < 1:
        raise ValueError('a boot wave needs room for one VM, got %d'
                         % per_wave)
    ordered = sorted(hosts)
    return [ordered[i:i + per_wave]
            for i in range(0, len(ordered), per_wave)]


@dataclasses.dataclass(frozen=True)
class Cost(object):
    """What a fleet run takes, from the plan alone (its floor)."""
    hosts: int
    links: int
    link_waves: int
    boot_waves: int
    seconds: float

    def describe(self):
        return ('%d hosts: %d links in %d measurement waves, %d boot '
                'waves, at least %s' % (self.hosts, self.links,
                                        self.link_waves, self.boot_waves,
                                        _duration(self.seconds)))


def _duration(seconds):
    minutes, sec = divmod(int(math.ceil(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return '%d h %02d min' % (hours, minutes)
    return '%d min %02d s' % (minutes, sec)


def cost(hosts, concurrency, link_seconds, boot_seconds, per_boot_wave):
    """The plan's floor: measurement waves x ``link_seconds`` (one link's
    samples, all repeats) plus boot waves x ``boot_seconds``.

    :param hosts: host names, or how many.
    """
    names = (['host%04d' % i for i in range(hosts)]
             if isinstance(hosts, int) else list(hosts))
    links = ring(names)
    link_waves = len(waves(links, concurrency))
    boots = len(boot_waves(names, per_boot_wave))
    return Cost(len(names), len(links), link_waves, boots,
                link_waves * link_seconds + boots * boot_seconds)


# -- judging ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class LinkResult(object):
    """One link's outcome: its median (None: not measured, e.g. the VMs
    could not reach each other) and whether it passed the line-rate rule,
    with the reason when it did not.
    """
    link: Link
    median_gbps: typing.Optional[float]
    passed: bool
    why: str = ''


@dataclasses.dataclass(frozen=True)
class HostVerdict(object):
    """One host's verdict: its sent and received medians (its outgoing
    and incoming link), ``state`` one of ``ok``, ``bad`` (at fault),
    ``suspect`` (one failed link, not yet told apart) or ``outlier``
    (both links passed, but far below the fleet), and why.
    """
    host: str
    sent_gbps: typing.Optional[float]
    received_gbps: typing.Optional[float]
    state: str
    why: str = ''
    #: A suspect's failed link: ``sender`` or ``receiver``, its role there.
    failed_as: typing.Optional[str] = None

    @property
    def passed(self):
        return self.state == 'ok'

    @property
    def worst_gbps(self):
        values = [v for v in (self.sent_gbps, self.received_gbps)
                  if v is not None]
        return min(values) if values else None


def fleet_median(results):
    """The median of the links' medians that were measured (None: none)."""
    values = [r.median_gbps for r in results if r.median_gbps is not None]
    return statistics.median(values) if values else None


def outlier_line(median, outlier_fraction):
    """The median below which a link that passed the line-rate rule is
    an outlier of the fleet (None: no median).
    """
    return None if median is None else median * (1.0 - outlier_fraction)


def low(result, line):
    """Whether a link counts against its hosts: it failed the line-rate
    rule, or its median is below the fleet's outlier ``line``.
    """
    return not result.passed or (line is not None and
                                 result.median_gbps is not None and
                                 result.median_gbps < line)


def _low_why(result, line, outlier_fraction):
    if not result.passed:
        return _why(result)
    return ('%s: %.3f Gbit/s is more than %.0f %% below the fleet median '
            '([sriov] fleet_outlier_fraction), under %.3f Gbit/s' % (
                result.link.label(), result.median_gbps,
                100 * outlier_fraction, line))


def judge(results, outlier_fraction):
    """Each host's verdict from the first pass (one result per ring link).

    A link counts against its hosts when it failed the line-rate rule or
    its median is more than ``outlier_fraction`` below the fleet's median
    (:func:`low`). Both of a host's links against it: the host is ``bad``
    (``outlier`` when both passed the line-rate rule). One: the host is a
    ``suspect``, unless the link's other end is to blame already (which
    explains it).
    """
    by_host = {}
    for r in results:
        for role, host in (('sent', r.link.sender),
                           ('received', r.link.receiver)):
            by_host.setdefault(host, {})[role] = r
    if any(set(roles) != {'sent', 'received'} for roles in by_host.values()):
        raise ValueError('the results are not a ring: every host needs one '
                         'link it sends on and one it receives on')
    line = outlier_line(fleet_median(results), outlier_fraction)
    blamed = {h for h, roles in by_host.items()
              if low(roles['sent'], line) and low(roles['received'], line)}
    verdicts = {}
    for host, roles in sorted(by_host.items()):
        sent, received = roles['sent'], roles['received']
        if host in blamed:
            state = 'bad' if not (sent.passed and received.passed) \
                else 'outlier'
            why = 'both its links: %s; %s' % (
                _low_why(sent, line, outlier_fraction),
                _low_why(received, line, outlier_fraction))
        elif low(sent, line) or low(received, line):
            link = sent if low(sent, line) else received
            other = [h for h in link.link.hosts if h != host][0]
            if other in blamed:
                state, why = 'ok', ('its link %s is low, which %s explains'
                                    % (link.link.label(), other))
            else:
                state, why = 'suspect', ('%s, while its other link passed'
                                         % _low_why(link, line,
                                                    outlier_fraction))
        else:
            state, why = 'ok', ''
        failed_as = None
        if state == 'suspect':
            failed_as = 'sender' if low(sent, line) else 'receiver'
        verdicts[host] = HostVerdict(host, sent.median_gbps,
                                     received.median_gbps, state, why,
                                     failed_as)
    return verdicts


def _why(result):
    return '%s: %s' % (result.link.label(), result.why or 'failed')


def retests_possible(verdicts):
    """Whether :func:`retest_plan` can pair every suspect (some host
    passed both its links), or there is no suspect.
    """
    states = {v.state for v in verdicts.values()}
    return 'suspect' not in states or 'ok' in states


def retest_plan(verdicts):
    """The second pass: each suspect linked with a host whose links both
    passed, in the direction its failed link had (it sends again if it
    sent there, it receives if it received), distinct partners while they
    last: one link a suspect.

    :returns: ``[Link]``; empty when there is no suspect.
    :raises ValueError: suspects but no host to pair them with.
    """
    suspects = sorted(h for h, v in verdicts.items() if v.state == 'suspect')
    good = sorted(h for h, v in verdicts.items() if v.state == 'ok')
    if suspects and not good:
        raise ValueError('no host passed both its links, so the suspects %s '
                         'cannot be told apart' % ', '.join(suspects))
    plan = []
    for i, suspect in enumerate(suspects):
        partner = good[i % len(good)]
        if verdicts[suspect].failed_as == 'sender':
            plan.append(Link(suspect, partner))
        else:
            plan.append(Link(partner, suspect))
    return plan


def blame(verdicts, retests, line=None):
    """The verdicts after the second pass: a suspect whose link with a
    good host is low again (:func:`low`, against the first pass's outlier
    ``line``) is ``bad`` (``outlier`` when that link passed the line-rate
    rule), one whose link is not is ``ok``.

    :param retests: ``[LinkResult]`` of :func:`retest_plan`'s links.
    """
    out = dict(verdicts)
    for r in retests:
        [host] = [h for h in r.link.hosts if verdicts[h].state == 'suspect']
        old = out[host]
        if not low(r, line):
            out[host] = dataclasses.replace(old, state='ok', why=(
                '%s; cleared: %s, with a host whose links passed, passed '
                '(%.3f Gbit/s)' % (old.why, r.link.label(), r.median_gbps)))
        else:
            out[host] = dataclasses.replace(
                old, state='bad' if not r.passed else 'outlier', why=(
                    '%s; %s, with a host whose links passed, is low too '
                    '(%s)' % (old.why, r.link.label(), r.why or '%.3f Gbit/s'
                              % r.median_gbps)))
    for host, v in out.items():
        if v.state == 'suspect':
            raise ValueError('suspect %s was not tested again' % host)
    return out


def unexplained(results, verdicts, line=None):
    """First-pass links that were low (:func:`low`) although neither end
    is to blame in ``verdicts`` (both cleared by the second pass): the
    path between the two hosts (their switch ports, a VLAN missing on
    one) is.
    """
    return [r for r in results if low(r, line) and
            all(verdicts[h].state not in ('bad', 'outlier')
                for h in r.link.hosts)]


def worst_first(verdicts):
    """The verdicts for a table: failed ones first, then by their worst
    median (unmeasured first), then by name.
    """
    rank = {'bad': 0, 'suspect': 1, 'outlier': 2, 'ok': 3}

    def key(v):
        worst = v.worst_gbps
        return (rank[v.state], -1.0 if worst is None else worst, v.host)

    return sorted(verdicts.values(), key=key)


# -- measuring a link ---------------------------------------------------------

#: The topology name a fleet link's point carries in verdict messages.
FLEET = 'fleet'


def link_point(link, vnic_type, streams, samples):
    """A link's samples as a ``verdict.Point`` (its label names the link).
    """
    return verdict.Point('%s %s' % (FLEET, link.label()), vnic_type, streams,
                         tuple(samples))


def link_result(link, thresholds, streams, samples, error=None):
    """A link's :class:`LinkResult` under the gate's line-rate rule
    (``thresholds``: ``verdict.Thresholds``); ``error`` (or no sample): it
    could not be measured, which fails it.
    """
    if error or not samples:
        return LinkResult(link, None, False,
                          error or 'no sample was measured')
    v = thresholds.judge_line_rate(link_point(link, thresholds.vnic_type,
                                              streams, samples))
    return LinkResult(link, v.measured_gbps, v.passed,
                      '' if v.passed else v.message)


def measure_link(link, thresholds, streams, measure, repeats, first):
    """``(samples, error)`` of one link, as the gate samples a point:
    ``first`` samples, the rest of ``repeats`` only when they could still
    fail the line-rate rule (``first < repeats``: ``[sriov] decide_early``),
    and ``repeats`` more when it failed on them.

    :param measure: ``measure(count) -> [Gbit/s]``; an ``AssertionError``
        (a guest's failure: iperf3, SSH) ends the link with its message.
    """
    samples = []
    key = (thresholds.vnic_type, streams)

    def points():
        return {key: link_point(link, thresholds.vnic_type, streams,
                                samples)}

    def judge(these):
        return [thresholds.judge_line_rate(p) for p in these.values()]

    try:
        samples.extend(measure(first))
        if len(samples) < repeats and not verdict.decided(
                points(), repeats, thresholds.vnic_type, judge):
            samples.extend(measure(repeats - len(samples)))
        if not all(v.passed for v in judge(points())):
            samples.extend(measure(repeats))
    except AssertionError as exc:
        return samples, str(exc)
    return samples, None


# -- the whole fleet ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Assessment(object):
    """Every host's verdict and the links nobody explains, with the one
    message that fails the test (None: the fleet passed).
    """
    verdicts: typing.Dict[str, HostVerdict]
    path_links: typing.Tuple[LinkResult, ...]
    #: ``((host, why), ...)``: hosts failed before measuring (inventory,
    #: boot), with the reason.
    failed_early: typing.Tuple[typing.Tuple[str, str], ...]
    total: int
    #: The first pass's outlier line (:func:`outlier_line`), Gbit/s;
    #: None when no ring link was measured.
    outlier_gbps: typing.Optional[float] = None

    def bad_hosts(self):
        """``[(host, line)]``, the hosts that fail, in name order."""
        out = dict(self.failed_early)
        for host, v in self.verdicts.items():
            if v.state in ('bad', 'outlier'):
                out[host] = '%s: %s' % (v.state, v.why)
            elif v.state == 'suspect':
                out[host] = ('suspect: %s; not told apart from the other '
                             'end: no host passed both its links to pair '
                             'it with' % v.why)
        return sorted(out.items())

    @property
    def passed(self):
        return not self.bad_hosts() and not self.path_links

    def message(self):
        """One message naming every bad host and why, and every path to
        blame; None when the fleet passed.
        """
        if self.passed:
            return None
        bad = self.bad_hosts()
        lines = ['fleet acceptance failed for %d of %d SR-IOV hosts (%s):'
                 % (len(bad), self.total,
                    ', '.join(h for h, _ in bad) or 'none')]
        lines += ['  %s: %s' % (host, why) for host, why in bad]
        for r in self.path_links:
            lines.append(
                '  the path between %s and %s (their switch ports, a VLAN '
                'missing on one): %s, and both hosts passed with others'
                % (r.link.sender, r.link.receiver, _why(r)))
        return '\n'.join(lines)


def assess(first, retests, outlier_fraction, failed_early=(), total=None):
    """The fleet's :class:`Assessment` from the first pass's ring results,
    the second pass's (of :func:`retest_plan`), and the hosts that failed
    before measuring.

    A second-pass link counts for the one suspect it pairs with a host
    that is not one; a suspect no such link covers stays a suspect (a
    re-judgement under other thresholds can make suspects the run did not
    test again).
    """
    line = outlier_line(fleet_median(first), outlier_fraction)
    verdicts = judge(first, outlier_fraction) if first else {}

    def suspects(link):
        return [h for h in link.hosts
                if h in verdicts and verdicts[h].state == 'suspect']

    usable = [r for r in retests if len(suspects(r.link)) == 1]
    covered = {suspects(r.link)[0] for r in usable}
    if covered:
        verdicts = dict(verdicts, **blame(
            {h: v for h, v in verdicts.items()
             if v.state != 'suspect' or h in covered}, usable, line))
    path = tuple(r for r in unexplained(first, verdicts, line)
                 if not any(verdicts[h].state == 'suspect'
                            for h in r.link.hosts)) if first else ()
    failed_early = tuple(sorted(failed_early))
    if total is None:
        total = len(verdicts) + len(failed_early)
    return Assessment(verdicts, path, failed_early, total, line)


# -- the results file's fleet section ----------------------------------------

def evaluate(section, thresholds, outlier_fraction=None):
    """``(Assessment, [link record])`` of a fleet section's measured links
    (``record``'s ``links``), judged by ``thresholds``
    (``verdict.Thresholds``); the section's own outlier fraction unless
    one is given. Offline re-judging and the test judge through here.
    """
    fraction = section['outlier_fraction'] if outlier_fraction is None \
        else outlier_fraction
    judged = {'ring': [], 'retest': []}
    records = []
    for item in section['links']:
        link = Link(item['sender'], item['receiver'])
        r = link_result(link, thresholds, section['streams'],
                        item['samples_gbps'], item.get('error'))
        judged[item['pass']].append(r)
        records.append(dict(item, median_gbps=None if r.median_gbps is None
                            else round(r.median_gbps, 4),
                            passed=r.passed, why=r.why))
    assessment = assess(judged['ring'], judged['retest'], fraction,
                        [tuple(x) for x in section['failed_early']],
                        section['total'])
    return assessment, records


def record(streams, outlier_fraction, concurrency, inventory_lines,
           failed_early, total, ring_links, retest_links):
    """The results file's ``fleet`` section before judging: what was
    measured. :func:`judged` adds the verdicts.

    :param ring_links: ``[(Link, samples, error)]`` of the first pass;
        ``retest_links`` those of the second.
    """
    links = [{'sender': link.sender, 'receiver': link.receiver,
              'pass': which, 'streams': streams,
              'samples_gbps': [round(x, 4) for x in samples],
              'error': error}
             for which, measured in (('ring', ring_links),
                                     ('retest', retest_links))
             for link, samples, error in measured]
    return {'streams': streams, 'outlier_fraction': outlier_fraction,
            'concurrency': concurrency, 'inventory': list(inventory_lines),
            'failed_early': [list(x) for x in sorted(failed_early)],
            'total': total, 'links': links}


def judged(section, thresholds, outlier_fraction=None):
    """``(section with its verdicts, Assessment)``: the links' medians and
    verdicts, every host worst first, the paths to blame, the message.
    """
    assessment, links = evaluate(section, thresholds, outlier_fraction)
    out = dict(section, links=links)
    if outlier_fraction is not None:
        out['outlier_fraction'] = outlier_fraction
    out['hosts'] = [
        {'host': v.host, 'state': v.state, 'why': v.why,
         'sent_gbps': _round(v.sent_gbps),
         'received_gbps': _round(v.received_gbps)}
        for v in worst_first(assessment.verdicts)]
    bad = dict(assessment.failed_early)
    out['hosts'] = [{'host': h, 'state': 'failed', 'why': why,
                     'sent_gbps': None, 'received_gbps': None}
                    for h, why in sorted(bad.items())] + out['hosts']
    out['path_links'] = ['%s -> %s' % (r.link.sender, r.link.receiver)
                         for r in assessment.path_links]
    out['outlier_gbps'] = _round(assessment.outlier_gbps)
    out['passed'] = assessment.passed
    out['message'] = assessment.message()
    return out, assessment


def _round(value):
    return None if value is None else round(value, 4)
