"""An Alert's ``spec.eventSources[].kind`` and a Receiver's ``spec.resources[].kind`` are an enum in their CRDs
(notification-controller api/v1 reference_types.go CrossNamespaceObjectReference.Kind: Bucket, GitRepository,
Kustomization, HelmRelease, HelmChart, HelmRepository, ImageRepository, ImagePolicy, ImageUpdateAutomation,
OCIRepository; later releases add FluxInstance, ResourceSet, ResourceSetInputProvider, ArtifactGenerator and
ExternalArtifact): the API server refuses a Pod or a Deployment there ("Unsupported value"), so the Kustomization
applying the Alert fails (giraffeingreen/personal-cluster notifications/kubernetes-alerts.yaml). An Alert's
``eventSeverity`` is ``info`` or ``error``."""

from __future__ import annotations

from pathlib import Path

from .test_source_kind import _chart_rejections

FLUX_KINDS = ("Bucket", "GitRepository", "Kustomization", "HelmRelease", "HelmChart", "HelmRepository",
              "ImageRepository", "ImagePolicy", "ImageUpdateAutomation", "OCIRepository", "FluxInstance",
              "ResourceSet", "ResourceSetInputProvider", "ArtifactGenerator", "ExternalArtifact")


def _alert(kinds: tuple[str, ...], severity: str = "error") -> str:
    sources = "".join(f"    - {{kind: {kind}, name: '*'}}\n" for kind in kinds)
    return ("apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: {name: on-call, namespace: "
            f"flux-system}}\nspec:\n  providerRef: {{name: slack}}\n  eventSeverity: {severity}\n  eventSources:\n"
            + sources)


def _receiver(kind: str) -> str:
    return ("apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\nmetadata: {name: hook, namespace: "
            "flux-system}\nspec:\n  type: github\n  secretRef: {name: token}\n  resources:\n"
            f"    - {{kind: {kind}, name: flux-system}}\n")


def test_an_alert_on_pods_is_refused(tmp_path: Path) -> None:
    found, failure = _chart_rejections(tmp_path, {"apps/alert.yaml": _alert(("Kustomization", "Pod"))})
    assert [(file, line) for file, line, _ in found] == [("apps/alert.yaml", 9)]
    assert "Alert flux-system/on-call: spec.eventSources[1].kind: must be one of Bucket, GitRepository" in found[0][2]
    assert failure == "FW-SCHEMA-REJECTED"  # the whole server-side apply fails


def test_an_alert_severity_other_than_info_or_error_is_refused(tmp_path: Path) -> None:
    found, _ = _chart_rejections(tmp_path, {"apps/alert.yaml": _alert(("HelmRelease",), severity="warning")})
    assert [(file, line) for file, line, _ in found] == [("apps/alert.yaml", 6)]
    assert "spec.eventSeverity: must be one of info or error" in found[0][2]


def test_a_receiver_on_a_deployment_is_refused(tmp_path: Path) -> None:
    found, _ = _chart_rejections(tmp_path, {"apps/receiver.yaml": _receiver("Deployment")})
    assert [(file, line) for file, line, _ in found] == [("apps/receiver.yaml", 8)]
    assert "Receiver flux-system/hook: spec.resources[0].kind: must be one of Bucket" in found[0][2]


def test_every_kind_a_notification_controller_release_admits_is_accepted(tmp_path: Path) -> None:
    files = {"apps/alert.yaml": _alert(FLUX_KINDS, severity="info")}
    for kind in FLUX_KINDS:
        files[f"apps/{kind.lower()}-receiver.yaml"] = _receiver(kind).replace("name: hook,", f"name: {kind.lower()},")
    assert _chart_rejections(tmp_path, files) == ([], None)
