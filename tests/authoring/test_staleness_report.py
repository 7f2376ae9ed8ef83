"""The text report of `flux-wiki check`."""

from __future__ import annotations

from flux_wiki.authoring.check import PageStatus, report_text

DIFF = "--- a/x.yaml (stamped)\n+++ b/x.yaml\n@@ -1 +1 @@\n-a: 1\n+a: 2\n"


def test_a_diff_shared_by_several_pages_is_printed_once() -> None:
    statuses = [PageStatus("a.md", "stale", changed=["repo:x.yaml"], diffs={"repo:x.yaml": DIFF}),
                PageStatus("b.md", "stale", changed=["repo:x.yaml"], diffs={"repo:x.yaml": DIFF}),
                PageStatus("c.md", "fresh")]
    text = report_text(statuses)
    assert text.count("+a: 2") == 1
    assert "b.md: stale" in text and "(diff of repo:x.yaml shown above)" in text
    assert text.rstrip().endswith("2 of 3 page(s) stale")


def test_a_file_stamped_at_other_versions_shows_each_diff() -> None:
    other = DIFF.replace("-a: 1", "-a: 0")
    text = report_text([PageStatus("a.md", "stale", changed=["repo:x.yaml"], diffs={"repo:x.yaml": DIFF}),
                        PageStatus("b.md", "stale", changed=["repo:x.yaml"], diffs={"repo:x.yaml": other})])
    assert "-a: 1" in text and "-a: 0" in text
