"""flux/schema: field shapes checked once; problems name the field and the shape, never the value."""

import datetime

import pytest

from plugins.flux_wiki.flux import schema
from plugins.flux_wiki.flux.schema import ANY, BOOL, INT, STR, either, mapping, seq


@pytest.mark.parametrize("value,shape", [
    ("a", STR), (datetime.date(2024, 1, 1), STR), (3, INT), (True, BOOL), (None, STR), (None, {"a!": STR}),
    ([1, 2], seq(INT)), ({"k": "v"}, mapping(STR)), ({"k": [1]}, mapping()), ("x", either(INT, STR)),
    ({"a": "x", "extra": 1}, {"a!": STR}),
])
def test_values_that_fit(value, shape):
    assert schema.problems(value, shape) == []


def test_bool_is_not_an_integer():
    [p] = schema.problems({"n": True}, {"n": INT})
    assert str(p) == "n: expected an integer, got true/false"


def test_required_field_missing():
    [p] = schema.problems({}, {"spec": {"path!": STR}, "x!": STR})
    assert p.field == "x" and str(p) == "x: is required"


def test_nested_paths_name_list_indexes():
    [p] = schema.problems({"spec": {"dependsOn": [{"name": "a"}, {"name": 5}]}},
                          {"spec": {"dependsOn": seq({"name": STR})}})
    assert p.field == "spec.dependsOn[1].name"
    assert p.expected == STR and p.got == "a number"


def test_problem_never_echoes_the_value():
    secret = "hunter2-very-secret"
    found = schema.problems({"token": [secret]}, {"token": STR})
    assert found and all(secret not in str(p) for p in found)


def test_either_reports_inside_the_alternative_of_the_values_type():
    shape = either(STR, {"name!": STR})
    [p] = schema.problems({"other": 1}, shape)
    assert p.field == "name" and p.expected == "is required"
    [q] = schema.problems([1], shape)
    assert q.expected == "a string or a mapping" and q.got == "a list"


def test_expected_text_for_containers():
    [p] = schema.problems("x", seq(BOOL))
    assert p.expected == "a list of booleans"
    [q] = schema.problems({"a": 1}, mapping(STR))
    assert q.field == "a" and q.expected == STR
    assert schema.problems({"a": {"deep": object()}}, mapping(ANY)) == []


def test_checked_kustomization_drops_refused_fields_and_keeps_the_rest():
    spec, found = schema.checked_kustomization({
        "metadata": {"name": "apps"},
        "spec": {"path": "./apps", "interval": "10m", "prune": "yes", "dependsOn": "infra",
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}})
    assert {p.field for p in found} == {"spec.prune", "spec.dependsOn"}
    assert spec == {"path": "./apps", "interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}


def test_checked_kustomization_requires_interval_prune_and_source():
    """+required in every version of the API (``Prune bool `json:"prune"` ``, no omitempty): fields indented one level
    too deep (under commonMetadata, seen in a home-lab repo) leave the Kustomization without them, and the API
    server refuses it."""
    _, found = schema.checked_kustomization({
        "metadata": {"name": "apps"},
        "spec": {"targetNamespace": "network", "commonMetadata": {"labels": {"a": "b"}}}})
    assert sorted(str(p) for p in found) == ["spec.interval: is required", "spec.prune: is required",
                                             "spec.sourceRef: is required"]
    _, none = schema.checked_kustomization({"metadata": {"name": "apps"}, "spec": {
        "interval": "1h", "prune": False, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}})
    assert none == []


def test_checked_kustomization_v1_durations_follow_the_crd_pattern():
    """api/v1's pattern ``^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$`` on interval, retryInterval and timeout: the API server
    refuses a day unit, a bare number or microseconds; a variable left for postBuild and other versions are not
    judged."""
    def problems(api_version: str, **durations: str) -> list[str]:
        spec = {"prune": True, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}, **durations}
        return [str(p) for p in schema.checked_kustomization({"apiVersion": api_version, "metadata": {"name": "a"},
                                                             "spec": spec})[1]]

    v1 = "kustomize.toolkit.fluxcd.io/v1"
    assert problems(v1, interval="1h30m", retryInterval="1.5m", timeout="500ms") == []
    assert problems(v1, interval="1d", retryInterval="10", timeout="500us") == [
        f"spec.{name}: must be a duration such as 10m or 1h30m (units h, m, s, ms)"
        for name in ("interval", "retryInterval", "timeout")]
    assert problems(v1, interval="${INTERVAL}") == []
    assert problems("kustomize.toolkit.fluxcd.io/v1beta2", interval="1d") == []


def test_a_v1_git_repository_interval_and_timeout_follow_the_crd_patterns():
    """source-controller api/v1 GitRepository: interval admits hours, timeout (default 60s) does not."""
    def problems(api_version: str, **spec: str) -> list[str]:
        obj = {"apiVersion": api_version, "kind": "GitRepository", "metadata": {"name": "repo"},
               "spec": {"url": "https://example.com/r", **spec}}
        return [str(p) for p in schema.object_problems(obj, "source.toolkit.fluxcd.io", "GitRepository")]

    v1 = "source.toolkit.fluxcd.io/v1"
    assert problems(v1, interval="1h", timeout="1m30s") == []
    assert problems(v1, interval="1d", timeout="1h") == [
        "spec.interval: must be a duration such as 10m or 1h30m (units h, m, s, ms)",
        "spec.timeout: must be a duration such as 60s or 1m30s (units m, s, ms)"]
    assert problems(v1, interval="${SYNC_EVERY}") == []
    assert problems("source.toolkit.fluxcd.io/v1beta2", interval="1d") == []


@pytest.mark.parametrize("kind,spec", [
    ("OCIRepository", {"url": "oci://ghcr.io/org/manifests"}),
    ("HelmRepository", {"url": "https://charts.example.com"}),
    ("Bucket", {"bucketName": "b", "endpoint": "s3.example.com"}),
])
@pytest.mark.parametrize("version", ["v1", "v1beta2"])
def test_source_intervals_and_timeouts_follow_the_crd_patterns(kind, spec, version):
    """source-controller api/v1 and v1beta2: OCIRepository, HelmRepository and Bucket give interval the pattern
    with hours and timeout (default 60s) the one without."""
    def problems(**durations: str) -> list[str]:
        obj = {"apiVersion": f"source.toolkit.fluxcd.io/{version}", "kind": kind, "metadata": {"name": "src"},
               "spec": {**spec, **durations}}
        return [str(p) for p in schema.object_problems(obj, "source.toolkit.fluxcd.io", kind)]

    assert problems(interval="12h", timeout="90s") == []
    assert problems(interval="1d", timeout="1h") == [
        "spec.interval: must be a duration such as 10m or 1h30m (units h, m, s, ms)",
        "spec.timeout: must be a duration such as 60s or 1m30s (units m, s, ms)"]
    assert problems(interval="${EVERY}", timeout="${WAIT}") == []


@pytest.mark.parametrize("kind,version,good,bad,expected", [
    ("HelmRepository", "v1", "oci://ghcr.io/org/charts", "ghcr.io/org/charts", "http://, https:// or oci://"),
    ("OCIRepository", "v1", "oci://ghcr.io/org/app", "https://ghcr.io/org/app", "oci://"),
    ("OCIRepository", "v1beta2", "oci://ghcr.io/org/app", "ghcr.io/org/app", "oci://"),
    ("GitRepository", "v1", "ssh://git@github.com/org/repo", "git@github.com:org/repo.git", "http://, https:// or ssh://"),
])
def test_a_source_url_follows_the_crd_pattern(kind, version, good, bad, expected):
    """source-controller gives spec.url a pattern (HelmRepository v1 ``^(http|https|oci)://.*$``, OCIRepository
    ``^oci://.*$``, GitRepository v1 ``^(http|https|ssh)://.*$``): the API server refuses a URL without its scheme.
    A variable is left to postBuild; versions without the pattern read here are not judged."""
    def problems(api_version: str, url: str) -> list[str]:
        obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "src"}, "spec": {"url": url}}
        return [str(p) for p in schema.object_problems(obj, "source.toolkit.fluxcd.io", kind)]

    assert problems(f"source.toolkit.fluxcd.io/{version}", good) == []
    assert problems(f"source.toolkit.fluxcd.io/{version}", bad) == [f"spec.url: must be a URL starting {expected}"]
    assert problems(f"source.toolkit.fluxcd.io/{version}", "${REPO_URL}") == []
    assert problems("source.toolkit.fluxcd.io/v1beta1", bad) == []


def test_a_helm_chart_interval_follows_the_crd_pattern_and_its_spec_has_no_timeout():
    def problems(version: str, **durations: str) -> list[str]:
        obj = {"apiVersion": f"source.toolkit.fluxcd.io/{version}", "kind": "HelmChart", "metadata": {"name": "c"},
               "spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "r"}, **durations}}
        return [str(p) for p in schema.object_problems(obj, "source.toolkit.fluxcd.io", "HelmChart")]

    for version in ("v1", "v1beta2"):
        assert problems(version, interval="10") == [
            "spec.interval: must be a duration such as 10m or 1h30m (units h, m, s, ms)"]
        assert problems(version, interval="5m", timeout="1d") == []
    assert problems("v1beta1", interval="10") == []


def test_checked_kustomization_spec_not_a_mapping():
    spec, [p] = schema.checked_kustomization_spec(["x"])
    assert spec == {} and str(p) == "spec: expected a mapping, got a list"


def test_object_problems_checks_metadata_and_known_kinds():
    found = schema.object_problems({"metadata": {"name": 3},
                                    "spec": {"secretName": ["x"]}}, "cert-manager.io", "Certificate")
    assert {p.field for p in found} == {"metadata.name", "spec.secretName"}
    assert schema.object_problems({"metadata": {"name": "ok"}, "spec": {"anything": 1}}, "example.com", "Widget") == []


def test_a_shape_made_where_a_freed_one_was_is_checked_by_its_own_fields() -> None:
    """The fields of a shape are remembered by its id; a dict freed after a check may leave its id to the next."""
    for _ in range(100):
        first = {"replicas": INT}
        assert schema.problems({"replicas": 1}, first) == []
        freed = id(first)
        del first
        second = {"name": INT}
        if id(second) == freed:
            break
    assert [p.path for p in schema.problems({"name": "web"}, second)] == [("name",)]
