"""The model's records are plain classes: built by position and keyword, copied, pickled, shown and replaced as the
dataclasses they replace were."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from flux_wiki.analysis.order import Edge, EffectiveOrder
from flux_wiki.model import (Cluster, Controller, Diagnostic, HelmReleaseInfo, KustomizationNode, Model, Resource,
                             SourceInfo, Surface, Target)


def _resource() -> Resource:
    return Resource({"kind": "Service", "metadata": {"name": "web"}}, "apps/web.yaml", 3, encrypted=True)


def _cluster() -> Cluster:
    source = SourceInfo("GitRepository", "flux-system", "flux-system", "https://user:pw@example.com/r.git")
    node = KustomizationNode("flux-system", "apps", "./apps", None, [], source, {"path": "./apps"}, "ks.yaml", 1,
                             resources=[_resource()])
    return Cluster("home", "gotk-sync.yaml", 1, "gotk-sync", source, node.id, {node.id: node},
                   [Controller("kustomize-controller", None, "gotk-components.yaml", 9)])


def test_replace_copies_every_field_and_changes_the_given_ones() -> None:
    res = _resource()
    moved = res.replace(file="b.yaml")
    assert (moved.obj, moved.file, moved.line, moved.encrypted) == (res.obj, "b.yaml", 3, True)
    assert moved.obj is res.obj and res.file == "apps/web.yaml"
    with pytest.raises(TypeError):
        res.replace(fiel="b.yaml")
    surface = Surface("ingress", "flux-system/apps", "apps", "web", "Ingress", host="a.example")
    assert surface.replace(targets=(Target("web"),)).target == "web" and surface.target is None


def test_a_surface_copy_is_equal_separate_and_shares_its_fields() -> None:
    surface = Surface("ingress", "flux-system/apps", "apps", "web", "Ingress", host="a.example",
                      targets=(Target("web"),), file="apps/web.yaml", line=4, metallb_backend="")
    copied = copy.copy(surface)
    assert copied == surface and copied is not surface and copied.targets is surface.targets
    copied.layer = "flux-system/other"
    assert surface.layer == "flux-system/apps"


def test_a_source_url_loses_its_credentials_when_built_and_when_replaced() -> None:
    source = SourceInfo("GitRepository", "ns", "n", "https://user:pw@example.com/r.git")
    assert "pw" not in source.url and source.ref == {} and source.ref is not SourceInfo("a", "b", "c").ref
    assert "pw" not in source.replace(url="https://u:secret@example.com/x").url


def test_records_compare_by_value_where_the_dataclasses_did() -> None:
    assert _resource() == _resource() and _resource() != _resource().replace(line=4)
    info = HelmReleaseInfo("ns", "n", "c", None, None, None, None, None, [], {}, [], [], "f", 1)
    assert info == copy.copy(info) and info == HelmReleaseInfo("ns", "n", "c", None, None, None, None, None, [], {},
                                                               [], [], "f", 1, layer="")
    assert info != HelmReleaseInfo("ns", "n", "c", None, None, None, None, None, [], {}, [], [], "f", 1, layer="x")
    assert sorted([Diagnostic("b", 1, "m"), Diagnostic("a", 2, "m")])[0].file == "a"
    node = _cluster().root
    assert node != copy.copy(node)  # a Kustomization is compared by identity


def test_records_pickle_and_show_every_field() -> None:
    cluster = _cluster()
    model = Model(Path("."), [cluster], [Diagnostic("f", 1, "m")])
    again = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.clusters[0].root.resources == cluster.root.resources
    assert again.clusters[0].root.flux_spec.path == cluster.root.flux_spec.path
    assert repr(again) == repr(model)
    assert "Resource(obj={'kind': 'Service'" in repr(model) and "line=3, encrypted=True" in repr(model)
    assert "pw" not in repr(model) and "files_read=set()" in repr(model)


def test_edges_compare_hash_and_sort_without_their_ready_expr() -> None:
    plain = Edge("dependsOn", "a/x", "a/y", "f.yaml", 3)
    with_expr = Edge("dependsOn", "a/x", "a/y", "f.yaml", 3, "status.ready")
    assert plain == with_expr and hash(plain) == hash(with_expr) and len({plain, with_expr}) == 1
    assert sorted([with_expr, Edge("appliedBy", "a/z", "a/y", "f.yaml", 9), plain])[0].kind == "appliedBy"
    assert sorted([with_expr, plain])[0] is with_expr  # equal edges keep their order
    assert plain < Edge("dependsOn", "a/x", "a/y", "f.yaml", 4) <= Edge("dependsOn", "b", "a", "f", 1)
    assert repr(with_expr).endswith("line=3, ready_expr='status.ready')")


def test_an_order_state_is_every_field_but_its_cache() -> None:
    order = EffectiveOrder.of(_cluster())
    order.ancestors("flux-system/apps")
    assert "_ancestors" not in order.state() and order.state()["root_id"] == "flux-system/apps"
    assert set(order.state()) | {"_ancestors"} == set(EffectiveOrder.__slots__)


def test_the_record_helpers_leave_the_weakref_slot_out() -> None:
    """A record that can be weakly referenced (Model) has ``__weakref__`` among its slots: no field of it."""
    from flux_wiki.records import slots_copy, slots_equal, slots_replace, slots_repr

    class Watched:
        __slots__ = ("a", "__weakref__")

        def __init__(self, a: int) -> None:
            self.a = a

    record = Watched(1)
    assert slots_repr(record).endswith("Watched(a=1)")
    assert slots_replace(record, {"a": 2}).a == 2
    assert slots_equal(record, Watched(1)) is True
    assert slots_copy(record).a == 1


def _tuple_records() -> list[type]:
    """Every record class of the package built on ``collections.namedtuple``, from each module that defines one."""
    import importlib
    import pkgutil

    import flux_wiki

    records = []
    for info in pkgutil.walk_packages(flux_wiki.__path__, "flux_wiki."):
        if info.name.endswith(".__main__"):  # runs the command line
            continue
        module = importlib.import_module(info.name)
        records += [value for value in vars(module).values() if isinstance(value, type) and issubclass(value, tuple)
                    and hasattr(value, "_fields") and value.__module__ == info.name]
    return records


def test_tuple_records_annotate_exactly_their_fields_and_keep_no_dict() -> None:
    """A tuple record is a ``collections.namedtuple`` subclass (typing.NamedTuple compiled each field's annotation
    at import): its annotations name its fields in order, so they cannot drift apart, and ``__slots__ = ()`` keeps
    an instance a bare tuple (pickled, copied by ``_replace`` and compared as one)."""
    records = _tuple_records()
    assert len(records) > 40
    for record in records:
        assert record.__mro__[1] is not tuple, f"{record} is a typing.NamedTuple"
        assert tuple(record.__annotations__) == record._fields, record
        assert "__slots__" in vars(record) and not record.__slots__, record
        assert record.__doc__ and not record.__doc__.startswith(f"{record.__name__}("), record
    diagnostic = Diagnostic("f", 1, "m")
    assert not hasattr(diagnostic, "__dict__") and diagnostic.severity == "warning" and diagnostic.cls == "repo"
    moved = pickle.loads(pickle.dumps(diagnostic._replace(line=2)))
    assert type(moved) is Diagnostic and moved == Diagnostic("f", 2, "m")
    assert repr(Target("web", "Service")) == ("Target(text='web', kind='Service', name=None, namespace=None, "
                                              "port=None)")
