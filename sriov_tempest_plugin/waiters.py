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
"""Bounded waits on many resources at once.

A plan's VMs are requested in one wave and then waited for together: the
wait ends when all are ready, at the first one that failed (with its fault,
e.g. Nova's "No valid host" when no VF is free), or at the deadline, naming
the resources still pending. It never waits longer than ``timeout``.
"""

import time

from tempest.lib import exceptions as lib_exc


class ResourceFailed(Exception):
    pass


def wait_for_all(names, poll, is_ready, failure, timeout, interval=2.0,
                 what='resources', clock=time.monotonic, sleep=time.sleep):
    """Poll every name until all are ready.

    :param poll: ``poll(name) -> state`` (any object).
    :param is_ready: ``is_ready(state) -> bool``.
    :param failure: ``failure(name, state) -> str or None``; a string ends
        the wait with :class:`ResourceFailed` carrying it.
    :returns: ``{name: last state}``.
    """
    deadline = clock() + timeout
    pending = list(names)
    states = {}
    while True:
        still = []
        for name in pending:
            state = poll(name)
            states[name] = state
            reason = failure(name, state)
            if reason:
                raise ResourceFailed(reason)
            if not is_ready(state):
                still.append(name)
        pending = still
        if not pending:
            return states
        if clock() >= deadline:
            raise lib_exc.TimeoutException(
                '%d of %d %s not ready after %d s: %s' % (
                    len(pending), len(states), what, timeout,
                    '; '.join('%s: %s' % (n, states[n]) for n in pending)))
        sleep(max(0.0, min(interval, deadline - clock())))
