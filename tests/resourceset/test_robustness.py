"""No repo content makes the expander or the template engine raise: bad input is a diagnostic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.flux.gotemplate import NotSimulated, TemplateError, TemplateLimit, render
from flux_wiki.flux.resourceset import expand_resourceset
from flux_wiki.flux.sprig import function_map
from flux_wiki.model import Resource

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["", "x", "<< inputs.a >>", "<< inputs.missing >>", "<< range inputs.l >>",
                                     "<< end >>", "Static", "Permute", "Flatten", "disabled", "ResourceSetInputProvider"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(
                                                           ["a", "l", "name", "kind", "apiVersion", "metadata",
                                                            "type", "selector", "matchLabels"]), inner, max_size=3)),
                      max_leaves=12)
spec_keys = st.sampled_from(["inputs", "inputsFrom", "resources", "resourcesTemplate", "steps", "inputStrategy",
                             "commonMetadata"])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(spec_keys, values, max_size=5), st.one_of(st.none(), values))
def test_any_spec_gives_objects_or_diagnostics(spec: dict, annotations: object) -> None:
    """Whatever a ResourceSet holds, expansion returns objects and diagnostics naming its file and line."""
    obj = {"apiVersion": "fluxcd.controlplane.io/v1", "kind": "ResourceSet",
           "metadata": {"name": "r", "namespace": "ns", "annotations": annotations}, "spec": spec}
    out = expand_resourceset(Resource(obj, "rs.yaml", 3), current=[
        Resource({"apiVersion": "fluxcd.controlplane.io/v1", "kind": "ResourceSetInputProvider",
                  "metadata": {"name": "x", "namespace": "ns"}, "spec": spec}, "p.yaml", 1)])
    assert all(d.file == "rs.yaml" and d.line >= 1 for d in out.diagnostics)
    assert all(r.generated_by is not None for r in out.resources)


template_parts = st.sampled_from([
    "<<", ">>", "<<-", "->>", " ", "\n", "|", "(", ")", "$x", ":=", "=", ",", ".", ".a", "inputs", "inputs.a",
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", '"s"', "`r`",
    "'c'", "1", "-2.5", "0x1F", "nil", "true", "index", "len", "printf", "eq", "and", "default", "toYaml",
    "dig", "slugify", "until 3", "/*", "*/", "text", "{{", "}}"])


@settings(max_examples=300, deadline=None)
@given(st.lists(template_parts, max_size=25).map("".join))
def test_any_template_text_renders_or_fails_cleanly(text: str) -> None:
    """Go's parser and executor refuse what they refuse; the engine never raises anything else."""
    funcs = function_map(lambda: {"a": [1, {"b": "c"}], "l": [1, 2]})
    try:
        render(text, funcs, left="<<", right=">>")
    except (TemplateError, TemplateLimit, NotSimulated):
        pass
