"""A ConfigMap's variables are read once for every Kustomization substituting from it (issue 14): the same
Variable objects come back; other data, another place or a value that is not text are read anew."""

from __future__ import annotations

from flux_wiki.flux.objects import PostBuild
from flux_wiki.flux.substitute import collect_variables
from flux_wiki.model import Resource

POST = PostBuild.parse({"substituteFrom": [{"kind": "ConfigMap", "name": "settings"}], "substitute": {"B": "inline"}})


def settings(data: dict, file: str = "settings.yaml", line: int = 1) -> Resource:
    return Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "x"},
                     "data": data}, file, line)


def read(cm: Resource) -> tuple[dict, list]:
    return collect_variables(POST, lambda kind, ns, name: cm if kind == "ConfigMap" else None, "ks.yaml", 3,
                             namespace="x")


def test_a_config_map_read_again_gives_the_very_variables() -> None:
    first, _ = read(settings({"A": "1", "B": "from the map", "DB_PASSWORD": "s3"}))
    again, _ = read(settings({"A": "1", "B": "from the map", "DB_PASSWORD": "s3"}))  # an equal copy (another cluster)
    assert again["A"] is first["A"] and again["DB_PASSWORD"] is first["DB_PASSWORD"]
    assert (again["A"].value, again["B"].value, again["B"].origin) == ("1", "inline", "inline")  # inline overrides
    assert again["DB_PASSWORD"].secret and again["DB_PASSWORD"].value is None
    assert list(again) == ["A", "B", "DB_PASSWORD"]


def test_other_data_another_file_or_a_value_that_is_not_text_is_read_anew() -> None:
    first, _ = read(settings({"A": "1"}))
    other, _ = read(settings({"A": "2"}))
    elsewhere, _ = read(settings({"A": "1"}, file="other.yaml"))
    assert other["A"].value == "2" and other["A"] is not first["A"] and elsewhere["A"] is not first["A"]
    for _ in range(2):  # `1` and `True` compare equal but read differently: never remembered, always reported
        number, diags = read(settings({"A": 1}))
        flag, flag_diags = read(settings({"A": True}))
        assert (number["A"].value, flag["A"].value) == ("1", "true")
        assert [d.message for d in diags] == ["ConfigMap x/settings: data.A is not a string"] == \
            [d.message for d in flag_diags]


def test_kustomizations_listing_the_same_variable_share_its_frozen_entry() -> None:
    from flux_wiki.flux import simulate

    variables, _ = read(settings({"A": "1", "TOKEN_KEY": "x"}))
    hits = simulate._variable.cache_info().hits
    first = simulate._variables(variables, [])
    again = simulate._variables(variables, [])
    assert [(v.name, v.origin, v.secret) for v in first] == [("A", "ConfigMap x/settings", False),
                                                            ("B", "inline", False),
                                                            ("TOKEN_KEY", "ConfigMap x/settings", True)]
    assert all(a is b for a, b in zip(first, again)) and simulate._variable.cache_info().hits >= hits + 3
    other, _ = read(settings({"A": "1"}, file="other.yaml"))
    other["A"] = type(other["A"])("A", "1", False, "Secret x/other")  # another origin: another entry
    assert simulate._variables(other, [])[0].origin == "Secret x/other"
