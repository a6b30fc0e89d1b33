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
"""The Tempest plugin entry point: the suite's tests and [sriov] options."""

import os

from tempest import config
from tempest.test_discover import plugins

from sriov_tempest_plugin import config as sriov_config


class SriovTempestPlugin(plugins.TempestPlugin):
    """Registers the [sriov] options and the SR-IOV scenario tests."""

    def load_tests(self):
        base_path = os.path.split(os.path.dirname(
            os.path.abspath(__file__)))[0]
        test_dir = 'sriov_tempest_plugin/tests/scenario'
        full_test_dir = os.path.join(base_path, test_dir)
        return full_test_dir, base_path

    def register_opts(self, conf):
        config.register_opt_group(conf, sriov_config.sriov_group,
                                  sriov_config.sriov_opts)

    def get_opt_lists(self):
        return [(sriov_config.sriov_group.name, sriov_config.sriov_opts)]
