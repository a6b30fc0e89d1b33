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
"""What the measuring families share: iperf3 pairs and one results file.

The throughput gate and the QoS check each boot their own guests, but a
run has one results file: both add to this test process's
``results.Results`` and rewrite the file, its table, chart and page after
each measurement.
"""

from oslo_log import log
import testtools

from sriov_tempest_plugin import gate
from sriov_tempest_plugin import results
from sriov_tempest_plugin.services import clients
from sriov_tempest_plugin.tests.scenario import base

LOG = log.getLogger(__name__)

#: This process's results (``run_results``), created on first use.
_RUN = []


class Measuring(object):
    """Mixin of a ``base.SriovScenarioTest`` that measures with iperf3."""

    @classmethod
    def run_results(cls, mtu):
        """This test process's ``results.Results`` (its run id: when the
        process started), created by the first class that measures.
        """
        if not _RUN:
            _RUN.append(results.Results(
                base.RUN_STARTED.strftime('%Y%m%dT%H%M%SZ'),
                gate.settings_summary(cls.settings, mtu),
                started=base.RUN_STARTED))
        return _RUN[0]

    def prepare_iperf3(self, pairs):
        """Require iperf3 in each ``(client, server)`` pair's guests, and
        stop at the end any server a failed run left behind (covering the
        ports of the largest stream count).
        """
        pidfiles = clients.iperf3_server_files(
            self.settings, max(self.settings.streams))[1]
        servers = {id(server): server for _, server in pairs}
        # Each guest once, though it be in several pairs.
        for vm in {id(vm): vm for pair in pairs for vm in pair}.values():
            guest = self.guest(vm)
            guest.require_iperf3(self.image_ref)
            if id(vm) in servers:
                self.addCleanup(guest.exec,
                                guest.stop_iperf3_command(pidfiles))

    def iperf3_runs(self, client, server, streams, count):
        """``count`` iperf3 samples from ``client`` to ``server`` (Vms)."""
        return self.guest(client).iperf3_runs(self.guest(server), streams,
                                              count, self.settings)

    def publish(self, name):
        """Write the results file and its views after measuring ``name``
        (a topology's, or the fleet); return the published
        (``gate.Published``).
        """
        published = gate.publish(self.results, self.settings, name)
        LOG.info('SR-IOV throughput (%s)\n%s\n%s', name,
                 published.table, published.where())
        self.addDetail('sriov-throughput',
                       testtools.content.text_content(
                           '%s\n\n%s' % (published.table,
                                         published.where())))
        return published
