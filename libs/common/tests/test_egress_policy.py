"""The egress policy: metadata and link-local always refused, internal only when allowed."""

from __future__ import annotations

import pytest

from mlp.common.egress.policy import EgressPolicy, EgressRefused

EVERYTHING = EgressPolicy.parse("0.0.0.0/0, ::/0, metadata.google.internal")
METADATA = [
    "169.254.169.254",
    "fd00:ec2::254",
    "100.100.100.200",
    "169.254.170.2",
    "fe80::1",
    "fe80::a9fe:a9fe%eth0",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::1",
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "ff02::1",
    "240.0.0.1",
]
INTERNAL = ["127.0.0.1", "::1", "10.0.0.5", "172.16.0.1", "192.168.1.1", "fc00::1", "100.64.0.1", "::ffff:127.0.0.1"]


@pytest.mark.parametrize("address", METADATA)
def test_link_local_and_metadata_addresses_are_refused_whatever_the_allow_list(address: str) -> None:
    with pytest.raises(EgressRefused):
        EVERYTHING.check_address(address)
    with pytest.raises(EgressRefused):
        EVERYTHING.check_address(address, host_allowed=True)


@pytest.mark.parametrize("address", INTERNAL)
def test_loopback_and_private_addresses_are_refused_unless_allowed(address: str) -> None:
    with pytest.raises(EgressRefused):
        EgressPolicy().check_address(address)
    EVERYTHING.check_address(address)


def test_the_allow_list_names_networks_precisely() -> None:
    policy = EgressPolicy.parse("127.0.0.0/8,::1")
    policy.check_address("127.0.0.1")
    policy.check_address("::1")
    with pytest.raises(EgressRefused):
        policy.check_address("10.0.0.1")


def test_public_addresses_pass() -> None:
    EgressPolicy().check_address("93.184.215.14")
    EgressPolicy().check_address("2606:4700::6810:84e5")


@pytest.mark.parametrize(
    "host", ["billing", "billing.default.svc.cluster.local", "localhost", "a.localhost", "db.internal", "x.local"]
)
def test_cluster_names_are_refused_unless_allowed(host: str) -> None:
    with pytest.raises(EgressRefused):
        EgressPolicy().check_name(host)
    EgressPolicy.parse(host).check_name(host)


@pytest.mark.parametrize("host", ["metadata", "metadata.google.internal", "METADATA.goog.", "instance-data"])
def test_metadata_names_are_refused_whatever_the_allow_list(host: str) -> None:
    with pytest.raises(EgressRefused):
        EgressPolicy.parse(host).check_name(host)


def test_a_dotted_entry_allows_the_names_under_it() -> None:
    policy = EgressPolicy.parse(".models.svc.cluster.local")
    policy.check_name("llama.models.svc.cluster.local")
    assert policy.host_allowed("llama.models.svc.cluster.local")
    with pytest.raises(EgressRefused):
        policy.check_name("billing.default.svc.cluster.local")
