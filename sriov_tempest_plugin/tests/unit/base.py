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

import os

from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

from sriov_tempest_plugin import config

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


class TestCase(base.BaseTestCase):
    """Unit test base: a private ConfigOpts with the [sriov] group."""

    def setUp(self):
        super(TestCase, self).setUp()
        self.conf = cfg.ConfigOpts()
        self.conf.register_group(config.sriov_group)
        self.conf.register_opts(config.sriov_opts, group=config.GROUP)
        self.conf([], project='sriov-unit-tests', default_config_files=[])
        self.cfg = self.useFixture(config_fixture.Config(self.conf))

    def flags(self, **kw):
        for name, value in kw.items():
            self.cfg.config(group=config.GROUP, **{name: value})

    def settings(self, **kw):
        self.flags(**kw)
        return config.load_settings(self.conf.sriov)
