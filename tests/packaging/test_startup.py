"""`flux-wiki COMMAND --help` loads neither the engine nor MkDocs: commands import what they need when they run
(issue 14; the start-up time itself is measured by benchmarks/model_speed.py, never asserted)."""

import subprocess
import sys

PROBE = """
import sys
from flux_wiki.cli import main
try:
    main([{args}])
except SystemExit:
    pass
heavy = ("flux_wiki.engine", "flux_wiki.flux.simulate", "flux_wiki.diff", "flux_wiki.export", "mkdocs", "yaml")
print(sorted(m for m in sys.modules if m.startswith(heavy)))
"""


def loaded(*args: str) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=", ".join(repr(a) for a in args))],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_help_of_a_command_imports_nothing_heavy() -> None:
    from ..support import EXAMPLE_REPO

    assert loaded("inventory", "--help") == "[]"
    assert loaded("--help") == "[]"  # the commands' list names them without loading them
    assert "'flux_wiki.engine'" in loaded("inventory", str(EXAMPLE_REPO))  # the probe sees what a command loads


INVENTORY_PROBE = """
import contextlib, io, sys
from flux_wiki.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["inventory", {repo!r}, "--format", "json"])
    except SystemExit:
        pass
print(sorted(m for m in sys.modules if m.startswith({heavy!r})))
"""

# What `inventory` has no use for: MkDocs (and click, its command line's) and what only pages need (templates,
# Markdown, Graphviz, the disk cache, a layer's facts), the other commands' modules, and the wiki's configuration
# (MkDocs' config schema; the problem policy; pathspec for path globs).
NOT_FOR_INVENTORY = ("click", "mkdocs", "material", "jinja2", "markdown", "graphviz", "pathspec",
                     "flux_wiki.config", "flux_wiki.compile", "flux_wiki.mkdocs", "flux_wiki.signed_cache",
                     "flux_wiki.fingerprint", "flux_wiki.analysis.layers", "flux_wiki.problem_policy",
                     "flux_wiki.render.pages", "flux_wiki.render.diagrams", "flux_wiki.render.svg",
                     "flux_wiki.render.markdown", "flux_wiki.render.nav", "flux_wiki.render.phrases",
                     "flux_wiki.render.viewer", "flux_wiki.export", "flux_wiki.diff", "flux_wiki.doctor",
                     "flux_wiki.authoring", "flux_wiki.scaffold", "flux_wiki.cli.init", "flux_wiki.cli.export",
                     "flux_wiki.cli.diff", "flux_wiki.cli.doctor", "flux_wiki.cli.authoring",
                     # Python 3.11 compiles each dataclass's methods from source at import, and dataclasses loads
                     # inspect (ast, dis, tokenize): a seventh of `inventory` on a small repository (issue 14)
                     "dataclasses", "inspect",
                     # the parse caches' locks are _thread's: the threading module costs ~3 M instructions to import
                     "threading")


def test_inventory_imports_only_what_it_needs() -> None:
    """`inventory REPO` loads the engine and the inventory writer, nothing only pages or other commands use: no
    MkDocs, Jinja, Markdown or Graphviz, no mkdocs.yml reading (MkDocs' config schema, pathspec). Those were a
    fifth of its start-up; the start-up itself is measured by benchmarks/model_speed.py."""
    from ..support import EXAMPLE_REPO

    out = subprocess.run([sys.executable, "-c", INVENTORY_PROBE.format(repo=str(EXAMPLE_REPO),
                                                                     heavy=NOT_FOR_INVENTORY)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "flux_wiki.render.inventory" in subprocess.run(  # the probe sees what the command loads
        [sys.executable, "-c", INVENTORY_PROBE.format(repo=str(EXAMPLE_REPO), heavy=("flux_wiki.render",))],
        capture_output=True, text=True, check=True).stdout


def test_the_process_entry_keeps_the_command_s_output_and_exit_status(tmp_path) -> None:
    """`python -m flux_wiki.cli` (and the `flux-wiki` script) run the command through cli.run, which leaves the
    collector's last passes out of the exit: the whole JSON still arrives, and a usage error still exits 2."""
    import json

    from ..support import EXAMPLE_REPO

    ok = subprocess.run([sys.executable, "-m", "flux_wiki.cli", "inventory", str(EXAMPLE_REPO), "--format", "json"],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and json.loads(ok.stdout)["clusters"]
    bad = subprocess.run([sys.executable, "-m", "flux_wiki.cli", "inventory", str(tmp_path / "missing")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "does not exist" in bad.stderr


COMMAND_PROBE = """
import contextlib, io, sys
from flux_wiki.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({args!r})
    except SystemExit:
        pass
print(sorted(m for m in sys.modules if m.startswith({heavy!r})))
"""


def test_graph_on_standard_output_loads_no_page_renderer() -> None:
    """`graph` writes DOT, JSON or Mermaid without the pages' renderer (Jinja, MkDocs) or the SVG renderer: those
    load for SVG and for file names under --out."""
    from ..support import EXAMPLE_REPO

    heavy = ("jinja2", "mkdocs", "flux_wiki.render.pages", "flux_wiki.render.svg")
    for fmt in ("dot", "json", "mermaid"):
        args = ["graph", str(EXAMPLE_REPO), "--format", fmt, "--cluster", "tazlab-k8s"]
        out = subprocess.run([sys.executable, "-c", COMMAND_PROBE.format(args=args, heavy=heavy)],
                             capture_output=True, text=True, check=True)
        assert out.stdout.strip().splitlines()[-1] == "[]", fmt


# What only some repositories need, loaded with the first object that needs it: postBuild substitution (the YAML
# round trip, envsubst), flux-operator's ResourceSets and FluxInstances (the Go template engine), HelmReleases (their
# typed spec, values, chart values), kustomize's generators (and their name hashes: OpenSSL's hashlib) and
# replacements, a CI workflow's `flux push artifact` (shlex), the bootstrap commands and Terraform manifests read
# for a repository without an entry point or with a dependsOn nothing in it applies.
FOR_SOME_REPOS = ("flux_wiki.flux.bootstrap_commands", "flux_wiki.flux.substitute", "flux_wiki.flux.envsubst", "flux_wiki.flux.resourceset",
                  "flux_wiki.flux.goyaml", "flux_wiki.flux.gotemplate", "flux_wiki.flux.sprig",
                  "flux_wiki.flux.instance", "flux_wiki.flux.helm", "flux_wiki.analysis.chart_values",
                  "flux_wiki.flux.kustomize.generate", "flux_wiki.flux.kustomize.replace", "hashlib", "_hashlib",
                  "shlex")


def test_no_module_inventory_may_load_uses_dataclasses() -> None:
    """What `inventory` loads for any repository (the engine, the writer and :data:`FOR_SOME_REPOS`) defines its
    records as plain classes and namedtuples: neither dataclasses nor inspect loads (see NOT_FOR_INVENTORY)."""
    modules = ("flux_wiki.cli.repo", "flux_wiki.engine", "flux_wiki.render.inventory", "flux_wiki.flux.guess",
               "flux_wiki.flux.artifact_generator", *FOR_SOME_REPOS)
    probe = f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n" \
            "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_inventory_of_a_plain_repo_loads_no_feature_it_does_not_use(tmp_path) -> None:
    """A repository of plain Kustomizations and Services loads none of :data:`FOR_SOME_REPOS`; the same repository
    with one Kustomization substituting loads substitute.py, and not hashlib (the probe sees what the command
    loads)."""
    from ..support import two_cluster_wiki

    repo = two_cluster_wiki(tmp_path) / "data" / "gitops"

    def loaded() -> str:
        return subprocess.run([sys.executable, "-c", INVENTORY_PROBE.format(repo=str(repo), heavy=FOR_SOME_REPOS)],
                              capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]

    assert loaded() == "[]"
    layer = repo / "clusters" / "home" / "apps.yaml"
    layer.write_text(layer.read_text().replace("prune: true", "prune: true, postBuild: {substitute: {A: b}}"))
    substituting = loaded()
    assert "'flux_wiki.flux.substitute'" in substituting
    assert "hashlib" not in substituting  # its digests are blake2b's: no OpenSSL start-up


CHART_READER_PROBE = """
import sys
from flux_wiki.analysis.chart_values import render_release
from flux_wiki.model import HelmReleaseInfo
release = HelmReleaseInfo("net", "gw", "gateway", None, "HelmRepository", "flux-system", "istio",
                          "https://istio-release.storage.googleapis.com/charts", [], {{}}, [], [], "hr.yaml", 1)
rendered, _ = render_release(release)
print(len(rendered), sorted(m for m in sys.modules if m.startswith({heavy!r})))
"""


def test_chart_readers_never_load_the_crd_catalog() -> None:
    """Reading a release of a chart whose name other charts share (Istio's ``gateway``) compares its repository
    URL, and still loads chart_values alone, not analysis.crds (the CRD catalog and four frozen dataclasses)."""
    heavy = ("flux_wiki.analysis.chart_values", "flux_wiki.analysis.crds")
    out = subprocess.run([sys.executable, "-c", CHART_READER_PROBE.format(heavy=heavy)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "1 ['flux_wiki.analysis.chart_values']"  # the gateway's Service


FREEZE_PROBE = """
import contextlib, gc, io, sys
import flux_wiki.engine as engine
from flux_wiki import cli
real = engine.build_model

def build_model(*args, **kwargs):
    print("frozen at build:", gc.get_freeze_count() > 0, file=sys.stderr)
    return real(*args, **kwargs)

engine.build_model = build_model
with contextlib.redirect_stdout(io.StringIO()):
    {call}
"""


def test_the_process_freezes_what_start_up_loaded_before_the_model_is_built() -> None:
    """`flux-wiki inventory` (cli.run) freezes what is alive once the engine is imported, so the collector does not
    walk the modules again while the model is built; main() called in a process of its own (a test) does not."""
    from ..support import EXAMPLE_REPO

    def frozen(call: str) -> str:
        probe = FREEZE_PROBE.format(call=call)
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stderr

    argv = ["flux-wiki", "inventory", str(EXAMPLE_REPO), "--format", "json"]
    assert "frozen at build: True" in frozen(f"sys.argv = {argv!r}; cli.run()")
    assert "frozen at build: False" in frozen(f"cli.main({argv[1:]!r})")
