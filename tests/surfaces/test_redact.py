"""Secret-like keys and redaction of values mappings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.analysis.redact import HIDDEN, is_secret_key, redact_mapping, secret_strings

SECRET = ["password", "adminPassword", "DB_PASSWORD", "passwd", "token", "API_TOKEN", "secret", "clientSecret",
          "client_secret", "key", "apiKey", "api_key", "API-KEY", "privateKey", "credentials", "auth", "basicAuth",
          "S3_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "secretId", "tls.key", "sshKeys", "STRIPE_KEY",
          "LICENSE_KEY", "example.com/token"]
NOT_SECRET = ["secretName", "secretRef", "existingSecret", "keySelector", "secretKeyRef", "keyFile", "passwordFile",
              "monkey", "keyboard", "passthrough", "host", "hostname", "authMethod", "publicKey", "tokenSecretRef",
              "useExistingSecret", "annotations", "port", "image", "topologyKey", "sortKey",
              "secret.reloader.stakater.com/reload", "valueFrom"]


@pytest.mark.parametrize("key", SECRET)
def test_secret_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", NOT_SECRET)
def test_reference_and_plain_keys(key):
    assert not is_secret_key(key)


def test_redact_keeps_structure_and_references():
    values = {"auth": {"enabled": True, "username": "admin", "password": "pw"},
              "existingSecret": "app-secret", "env": {"TZ": "UTC", "API_KEY": "abc", "PORT": 8080},
              "list": [{"token": ["a", "b"]}], "sops": "ENC[AES256_GCM,data:zz,type:str]"}
    assert redact_mapping(values) == {
        "auth": {"enabled": True, "username": HIDDEN, "password": HIDDEN},
        "existingSecret": "app-secret", "env": {"TZ": "UTC", "API_KEY": HIDDEN, "PORT": 8080},
        "list": [{"token": [HIDDEN, HIDDEN]}], "sops": HIDDEN}
    assert values["auth"]["password"] == "pw"  # a copy, the input is untouched


def test_secret_strings_lists_what_must_not_be_shown():
    assert secret_strings({"a": {"clientSecret": "xyz", "name": "n"}, "b": [{"token": 42}]}) == {"xyz", "42"}


def test_env_list_entries_named_like_secrets():
    env = [{"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "TZ", "value": "UTC"}]
    assert redact_mapping({"env": env}) == {"env": [{"name": "DB_PASSWORD", "value": HIDDEN},
                                                    {"name": "TZ", "value": "UTC"}]}
    assert secret_strings({"env": env}) == {"hunter2"}


def test_references_below_a_secret_key_are_not_secret_strings():
    values = {"env": {"APP_PASSWORD": {"valueFrom": {"secretKeyRef": {"name": "app-db", "key": "password"}}},
                      "APP_TOKEN": "tok-123456789"}}
    assert secret_strings(values) == {"tok-123456789"}
    assert redact_mapping(values)["env"]["APP_PASSWORD"] == {
        "valueFrom": {"secretKeyRef": {"name": HIDDEN, "key": HIDDEN}}}


keys = st.one_of(st.sampled_from(SECRET + NOT_SECRET), st.text(min_size=1, max_size=12))
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12))
trees = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


def _strings_under_secret_keys(value, hidden=False):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings_under_secret_keys(v, hidden or is_secret_key(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings_under_secret_keys(v, hidden)
    elif hidden and isinstance(value, (str, int)) and not isinstance(value, bool):
        yield value


@settings(max_examples=150, deadline=None)
@given(trees)
def test_no_value_under_a_secret_key_survives(tree):
    redacted = redact_mapping(tree)
    assert all(v == HIDDEN for v in _strings_under_secret_keys(redacted))
    assert redact_mapping(redacted) == redacted


def test_each_distinct_key_is_classified_once() -> None:
    """secret_strings walks every key of every chart's values: the key classifiers answer from a cache,
    so a key seen in a hundred objects is split into words once, and the answers stay those of the rules."""
    from flux_wiki.analysis import redact

    for f in (redact._is_secret_key, redact._is_reference_key):
        f.cache_clear()
    values = [{"image": {"repository": "x"}, "auth": {"apiKey": "s3cr3t-value-1"}, "existingSecret": "db"}
              for _ in range(100)]
    assert secret_strings(values) == {"s3cr3t-value-1"}
    assert redact._is_secret_key.cache_info().misses <= 5  # image, repository, auth, apiKey, existingSecret
    assert redact._is_reference_key.cache_info().misses <= 5
    assert not is_secret_key(1) and not is_secret_key(True) and not is_secret_key(None)
