"""The shared permission table (authz/testdata/permission_cases.json), which
the Go authz tests read too: every case must be answered alike."""

import json

import pytest

from conftest import CASES
from rampart import Catalogue, matches, validate_grant, validate_permission, validate_resource

TABLE = json.loads(CASES.read_text("utf-8"))


@pytest.mark.parametrize("c", TABLE["matches"], ids=lambda c: "%s~%s@%s" % (c["grant"], c["permission"], c["resource"]))
def test_matches(c):
    assert matches(c["grant"], c["permission"], c["resource"]) is c["want"]


@pytest.mark.parametrize("kind,fn", [("validate_grant", validate_grant), ("validate_permission", validate_permission),
                                     ("validate_resource", validate_resource)])
def test_validation(kind, fn):
    assert TABLE[kind]
    for c in TABLE[kind]:
        assert (fn(c["value"]) == "") is c["valid"], (kind, c["value"])


@pytest.mark.parametrize("c", TABLE["checks"], ids=lambda c: "%s/%s/%s" % (c["preset"], c["role"], c["permission"]))
def test_checks(c):
    cat = Catalogue(c["preset"], c.get("custom_roles") or [])
    d = cat.check(c["role"], c.get("permissions") or [], c["permission"], c.get("resource", ""))
    assert (d.allowed, d.source, d.rule) == (c["allowed"], c.get("source", ""), c.get("rule", ""))


def test_bad_catalogue_input_is_typed():
    with pytest.raises(ValueError):
        Catalogue("no_such_preset")
    with pytest.raises(ValueError):
        Catalogue("chatbot", [{"level": 1}])  # no name: never a bare KeyError escaping as such
    with pytest.raises(TypeError):
        Catalogue("chatbot", [42])
