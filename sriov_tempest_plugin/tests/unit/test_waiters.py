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
"""Bounded waits for ports and servers."""

from tempest.lib import exceptions as lib_exc

from sriov_tempest_plugin.tests.unit import base
from sriov_tempest_plugin import waiters


class WaitForAllTest(base.TestCase):

    def setUp(self):
        super(WaitForAllTest, self).setUp()
        self.clock = base.FakeClock()

    def _wait(self, states, timeout=60):
        calls = {name: iter(seq) for name, seq in states.items()}
        last = {}

        def poll(name):
            last[name] = next(calls[name], last.get(name))
            return last[name]

        def failure(name, state):
            if state == 'ERROR':
                return '%s went to ERROR: No valid host was found' % name

        return waiters.wait_for_all(
            list(states), poll, lambda s: s == 'ACTIVE', failure, timeout,
            interval=5, what='servers', clock=self.clock,
            sleep=self.clock.sleep)

    def test_all_ready(self):
        result = self._wait({'a': ['BUILD', 'ACTIVE'],
                             'b': ['BUILD', 'BUILD', 'ACTIVE']})
        self.assertEqual({'a': 'ACTIVE', 'b': 'ACTIVE'}, result)
        self.assertEqual(10, self.clock.now)

    def test_failure_ends_the_wait_with_its_reason(self):
        exc = self.assertRaises(waiters.ResourceFailed, self._wait,
                                {'a': ['BUILD', 'ERROR'], 'b': ['BUILD']})
        self.assertIn('a went to ERROR: No valid host', str(exc))

    def test_timeout_is_bounded_and_names_pending(self):
        exc = self.assertRaises(lib_exc.TimeoutException, self._wait,
                                {'a': ['ACTIVE'], 'b': ['BUILD']},
                                timeout=30)
        self.assertIn('1 of 2 servers not ready after 30 s: b: BUILD',
                      str(exc))
        self.assertEqual(30, self.clock.now)
