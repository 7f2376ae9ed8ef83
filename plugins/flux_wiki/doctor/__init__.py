"""The ordering doctor: why each dependsOn exists, and the ones that are missing.

``index`` builds what each Kustomization provides and needs, ``evidence`` explains each dependsOn edge,
``findings`` reports what the order gets wrong, ``diagnosis`` runs them on one cluster, ``report`` renders
text/JSON/GitHub/SARIF (the CLI command is ``cli/doctor.py``).
"""

from .diagnosis import DoctorReport, diagnose
from .evidence import EdgeEvidence, Evidence
from .findings import RULES, Finding
from .index import DependencyIndex, LayerFacts, build_index

__all__ = ["RULES", "DependencyIndex", "DoctorReport", "EdgeEvidence", "Evidence", "Finding", "LayerFacts",
           "build_index", "diagnose"]
